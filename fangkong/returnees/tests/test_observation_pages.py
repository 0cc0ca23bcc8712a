"""The observation lists: overdue checks after 18:00, and the release step at the end."""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import time_machine

from fangkong.accounts.roles import Role
from fangkong.core.models import AuditEntry
from fangkong.returnees.models import Observation, ObservationStatus
from fangkong.returnees.services import check_record
from fangkong.returnees.tests.helpers import ID_2, ID_3, STANDARD_ID, check_days, observe
from fangkong.test import BAYANHAOTE, RIGHT_TOWN, BaseTestCase, make_user

TZ = ZoneInfo("Asia/Shanghai")
RELEASE = "/returnees/observations/release/"


class ObservationPageTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.worker = make_user("worker", Role.GRASSROOTS, BAYANHAOTE)
        cls.far_worker = make_user("far_worker", Role.GRASSROOTS, RIGHT_TOWN)
        # 14 days each (no emergency period): 02-05 … 02-18 checked, due on 02-19.
        cls.checked = observe(cls.worker, STANDARD_ID, "张三")
        check_days(cls.worker, cls.checked)
        cls.fever = observe(cls.worker, ID_2, "李四")
        check_days(cls.worker, cls.fever, readings={date(2020, 2, 9): "38.1"})
        cls.fresh = observe(cls.worker, ID_3, "王五", start=date(2020, 2, 10))  # ends 02-24
        with time_machine.travel(datetime(2020, 2, 19, 8, 30, tzinfo=TZ), tick=False):
            check_record(actor=cls.worker, observation=cls.checked, temperature="36.5")

    def setUp(self) -> None:
        traveller = time_machine.travel(datetime(2020, 2, 19, 9, tzinfo=TZ), tick=False)
        traveller.start()
        self.addCleanup(traveller.stop)

    def names(self, user, view: str) -> set[str]:
        page = self.client_for(user).get("/returnees/observations/", {"view": view})
        text = page.content.decode()
        return {n for n in ("张三", "李四", "王五") if f">{n}</a>" in text}

    def statuses(self) -> dict[int, str]:
        return dict(Observation.objects.values_list("pk", "status"))

    def test_the_overdue_list_is_empty_before_six_pm_and_names_the_unchecked_after(self):
        assert self.names(self.worker, "overdue") == set()
        with time_machine.travel(datetime(2020, 2, 19, 17, 59, tzinfo=TZ), tick=False):
            assert self.names(self.worker, "overdue") == set()
        with time_machine.travel(datetime(2020, 2, 19, 18, 0, tzinfo=TZ), tick=False):
            assert self.names(self.worker, "overdue") == {"李四", "王五"}
            page = self.client_for(self.worker).get("/returnees/observations/?view=overdue")
            assert page.content.decode().count(">worker</td>") == 2  # who should check
            assert self.names(self.officer, "overdue") == {"李四", "王五"}
            assert self.names(self.outsider, "overdue") == set()
            assert self.names(self.far_worker, "overdue") == set()

    def test_the_due_list_preselects_nobody_and_shows_who_is_held_and_why(self):
        page = self.client_for(self.worker).get("/returnees/observations/", {"view": "due"})
        text = page.content.decode()
        assert self.names(self.worker, "due") == {"张三", "李四"}
        boxes = re.findall(r'<input type="checkbox" name="ids"[^>]*>', text)
        assert len(boxes) == 2
        assert not any("checked" in box for box in boxes)
        held = re.search(
            rf'data-testid="release-state-{self.fever.pk}">(.*?)</td>', text, re.S
        ).group(1)
        assert "暂缓解除" in held and "38.1" in held and "02-09" in held
        ready = re.search(
            rf'data-testid="release-state-{self.checked.pk}">(.*?)</td>', text, re.S
        ).group(1)
        assert "暂缓解除" not in ready

    def test_choosing_people_shows_the_confirm_step_and_releases_nobody(self):
        response = self.client_for(self.worker).post(
            RELEASE, {"ids": [self.checked.pk, self.fever.pk]}
        )
        assert response.status_code == 200
        text = response.content.decode()
        ready = re.search(r'data-testid="release-ready">(.*?)</ul>', text, re.S).group(1)
        held = re.search(r'data-testid="release-held">(.*?)</ul></li></ul>', text, re.S).group(1)
        assert "张三" in ready and "李四" not in ready
        assert "李四" in held and "38.1" in held
        assert f'name="cleared_ids" value="{self.fever.pk}" data-testid' in held  # unticked
        assert self.statuses()[self.checked.pk] == ObservationStatus.ACTIVE
        assert not AuditEntry.objects.filter(verb__startswith="observation.release").exists()

    def test_confirming_releases_the_ready_and_holds_the_fever_person(self):
        client = self.client_for(self.worker)
        response = client.post(
            RELEASE, {"step": "confirm", "ids": [self.checked.pk, self.fever.pk, self.fresh.pk]}
        )
        assert response.status_code == 302
        statuses = self.statuses()
        assert statuses[self.checked.pk] == ObservationStatus.RELEASED
        assert statuses[self.fever.pk] == ObservationStatus.ACTIVE
        assert statuses[self.fresh.pk] == ObservationStatus.ACTIVE  # not due: not even offered
        page = client.get(response["Location"])
        text = page.content.decode()
        assert "已解除观察（1 人）：张三" in text
        assert "暂缓解除：李四" in text
        assert self.names(self.worker, "due") == {"李四"}

    def test_a_ticked_held_person_needs_a_named_clearance(self):
        response = self.client_for(self.worker).post(
            RELEASE, {"step": "confirm", "ids": [self.fever.pk], "cleared_ids": [self.fever.pk]}
        )
        assert response.status_code == 200
        assert "请为勾选的人员填写放行人" in response.content.decode()
        assert self.statuses()[self.fever.pk] == ObservationStatus.ACTIVE
        response = self.client_for(self.worker).post(
            RELEASE,
            {
                "step": "confirm",
                "ids": [self.fever.pk],
                "cleared_ids": [self.fever.pk],
                "clearance_by": "王医生",
            },
        )
        assert response.status_code == 200
        assert "请说明可以放行的理由" in response.content.decode()
        assert self.statuses()[self.fever.pk] == ObservationStatus.ACTIVE

    def test_a_ticked_held_person_is_released_with_the_clearance_in_the_audit_trail(self):
        response = self.client_for(self.worker).post(
            RELEASE,
            {
                "step": "confirm",
                "ids": [self.fever.pk, self.checked.pk],
                "cleared_ids": [self.fever.pk],
                "clearance_by": "旗医院 王医生",
                "clearance_reason": "复查正常",
            },
        )
        assert response.status_code == 302
        statuses = self.statuses()
        assert statuses[self.fever.pk] == statuses[self.checked.pk] == ObservationStatus.RELEASED
        entry = AuditEntry.objects.get(verb="observation.release_cleared")
        assert entry.target_id == str(self.fever.pk)
        assert (entry.extra["cleared_by"], entry.extra["reason"]) == ("旗医院 王医生", "复查正常")
        plain = AuditEntry.objects.get(verb="observation.released")
        assert plain.target_id == str(self.checked.pk)  # the clearance was not applied to him

    def test_the_detail_page_shows_why_a_person_is_held(self):
        page = self.client_for(self.worker).get(f"/returnees/observations/{self.fever.pk}/")
        text = page.content.decode()
        card = re.search(r'data-testid="release-card">(.*?)</section>', text, re.S).group(1)
        assert "38.1" in card and 'data-testid="release-one"' in card
        assert 'value="released"' not in text  # the end form cannot release past the rule

    def test_others_cannot_release(self):
        for user in (self.outsider, self.far_worker, self.officer):
            self.client_for(user).post(
                RELEASE,
                {
                    "step": "confirm",
                    "ids": [self.checked.pk, self.fever.pk],
                    "cleared_ids": [self.fever.pk],
                    "clearance_by": "x",
                    "clearance_reason": "y",
                },
            )
        assert self.statuses()[self.checked.pk] == ObservationStatus.ACTIVE
        assert self.statuses()[self.fever.pk] == ObservationStatus.ACTIVE
        assert not AuditEntry.objects.filter(verb__startswith="observation.release").exists()
