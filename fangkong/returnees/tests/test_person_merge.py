"""Near-duplicates (same name and phone, different ID number): flagged, and merged."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import time_machine

from fangkong.accounts.roles import Role
from fangkong.core.models import AuditEntry
from fangkong.returnees.models import Observation, Person, ReturnTrip
from fangkong.returnees.services import observation_start, returnee_register
from fangkong.returnees.tests.helpers import ID_2, ID_3, STANDARD_ID, trip_data
from fangkong.test import BAYANHAOTE, RIGHT_TOWN, BaseTestCase, make_user

TZ = ZoneInfo("Asia/Shanghai")


@time_machine.travel(datetime(2020, 2, 5, 10, tzinfo=TZ), tick=False)
class PersonMergeTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.worker = make_user("worker", Role.GRASSROOTS, BAYANHAOTE)
        cls.far_worker = make_user("far_worker", Role.GRASSROOTS, RIGHT_TOWN)

    def setUp(self) -> None:
        self.keep = returnee_register(actor=self.worker, data=trip_data(id_number=STANDARD_ID))
        self.twin = returnee_register(
            actor=self.worker,
            data=trip_data(id_number=ID_3, departure_date=date(2020, 1, 10), arrival_date=None),
        )
        self.other = returnee_register(
            actor=self.worker, data=trip_data(id_number=ID_2, mobile="13900000000")
        )
        self.observation = observation_start(actor=self.worker, trip=self.twin)
        self.url = f"/returnees/people/{self.keep.person_id}/merge/{self.twin.person_id}/"

    def test_only_same_name_and_phone_are_flagged(self):
        page = self.client_for(self.worker).get("/returnees/").content.decode()
        assert page.count('data-testid="twin-flag"') == 2
        person_page = self.client_for(self.worker).get(f"/returnees/people/{self.keep.person_id}/")
        assert self.url in person_page.content.decode()

    def test_merging_moves_trips_and_observations_and_is_audited(self):
        client = self.client_for(self.worker)
        assert client.get(self.url).status_code == 200
        assert client.post(self.url).status_code == 302
        assert not Person.objects.filter(pk=self.twin.person_id).exists()
        assert set(ReturnTrip.objects.filter(person_id=self.keep.person_id)) == {
            self.keep,
            self.twin,
        }
        assert Observation.objects.get(pk=self.observation.pk).person_id == self.keep.person_id
        entry = AuditEntry.objects.get(verb="person.merge")
        assert entry.actor == self.worker and entry.extra["trips"] == 1
        assert ID_3 not in str(entry.extra)  # the merged ID number is kept masked
        assert "twin-flag" not in client.get("/returnees/").content.decode()

    def test_two_trips_leaving_the_same_day_stop_the_merge(self):
        clash = returnee_register(
            actor=self.worker, data=trip_data(id_number=ID_3, departure_date=date(2020, 2, 3))
        )
        page = self.client_for(self.worker).post(self.url, follow=True).content.decode()
        assert Person.objects.filter(pk=clash.person_id).exists()
        assert "同一天出发" in page or "same day" in page

    def test_an_outsider_can_neither_see_nor_merge(self):
        for user in (self.outsider, self.far_worker, self.officer):
            client = self.client_for(user)
            assert client.post(self.url).status_code == 404, user.username
        assert Person.objects.filter(pk=self.twin.person_id).exists()
        assert not AuditEntry.objects.filter(verb="person.merge").exists()
