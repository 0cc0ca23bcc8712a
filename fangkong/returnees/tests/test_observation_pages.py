"""The observation lists: overdue checks after 18:00, and release in bulk at the end."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import time_machine

from fangkong.accounts.roles import Role
from fangkong.core.models import AuditEntry
from fangkong.returnees.models import KeyGroup, Observation, ObservationStatus
from fangkong.returnees.services import check_record, observation_start, returnee_register
from fangkong.returnees.tests.helpers import ID_2, ID_3, STANDARD_ID, trip_data
from fangkong.test import BAYANHAOTE, RIGHT_TOWN, BaseTestCase, make_user

TZ = ZoneInfo("Asia/Shanghai")


class ObservationPageTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.worker = make_user("worker", Role.GRASSROOTS, BAYANHAOTE)
        cls.far_worker = make_user("far_worker", Role.GRASSROOTS, RIGHT_TOWN)

    def setUp(self) -> None:
        traveller = time_machine.travel(datetime(2020, 2, 19, 9, tzinfo=TZ), tick=False)
        traveller.start()
        self.addCleanup(traveller.stop)

        def observe(id_number: str, name: str, start: date) -> Observation:
            trip = returnee_register(
                actor=self.worker,
                data=trip_data(
                    id_number=id_number, name=name, key_group=KeyGroup.INBOUND, mobile=""
                ),
            )
            return observation_start(actor=self.worker, trip=trip, start_date=start)

        self.checked = observe(STANDARD_ID, "张三", date(2020, 2, 5))  # ends 02-19: due
        self.unchecked = observe(ID_2, "李四", date(2020, 2, 5))  # due, not checked today
        self.fresh = observe(ID_3, "王五", date(2020, 2, 10))  # ends 02-24
        check_record(actor=self.worker, observation=self.checked, temperature="36.5")

    def names(self, user, view: str) -> set[str]:
        page = self.client_for(user).get("/returnees/observations/", {"view": view})
        text = page.content.decode()
        return {n for n in ("张三", "李四", "王五") if f">{n}</a>" in text}

    def test_the_overdue_list_is_empty_before_six_pm_and_names_the_unchecked_after(self):
        assert self.names(self.worker, "overdue") == set()
        with time_machine.travel(datetime(2020, 2, 19, 17, 59, tzinfo=TZ), tick=False):
            assert self.names(self.worker, "overdue") == set()
        with time_machine.travel(datetime(2020, 2, 19, 18, 0, tzinfo=TZ), tick=False):
            assert self.names(self.worker, "overdue") == {"李四", "王五"}
            page = self.client_for(self.worker).get("/returnees/observations/?view=overdue")
            assert page.content.decode().count("<td>worker</td>") == 2  # who should check
            assert self.names(self.officer, "overdue") == {"李四", "王五"}
            assert self.names(self.outsider, "overdue") == set()
            assert self.names(self.far_worker, "overdue") == set()

    def test_the_due_list_shows_todays_checks_and_releases_the_selected_in_bulk(self):
        page = self.client_for(self.worker).get("/returnees/observations/", {"view": "due"})
        text = page.content.decode()
        assert self.names(self.worker, "due") == {"张三", "李四"}
        assert text.count("✓") == 1  # 张三 was checked today
        response = self.client_for(self.worker).post(
            "/returnees/observations/release/",
            {"ids": [self.checked.pk, self.unchecked.pk, self.fresh.pk]},
        )
        assert response.status_code == 302
        statuses = dict(Observation.objects.values_list("pk", "status"))
        assert statuses[self.checked.pk] == ObservationStatus.RELEASED
        assert statuses[self.unchecked.pk] == ObservationStatus.RELEASED
        assert statuses[self.fresh.pk] == ObservationStatus.ACTIVE  # not due yet
        entry = AuditEntry.objects.get(verb="observation.release_bulk")
        assert entry.extra["count"] == 2
        assert self.names(self.worker, "due") == set()

    def test_others_cannot_release(self):
        for user in (self.outsider, self.far_worker, self.officer):
            self.client_for(user).post(
                "/returnees/observations/release/", {"ids": [self.checked.pk]}
            )
        assert Observation.objects.get(pk=self.checked.pk).status == ObservationStatus.ACTIVE
        assert not AuditEntry.objects.filter(verb="observation.release_bulk").exists()
