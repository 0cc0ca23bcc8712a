"""Handing an observation to another responsible worker of its community."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine
from django.core.exceptions import ValidationError

from fangkong.accounts.roles import Role
from fangkong.core.models import AuditEntry
from fangkong.returnees import selectors
from fangkong.returnees.models import KeyGroup, Observation, ObservationStatus
from fangkong.returnees.services import (
    observation_end,
    observation_reassign,
    observation_start,
    returnee_register,
)
from fangkong.returnees.tests.helpers import VILLAGE, trip_data
from fangkong.test import BAYANHAOTE, LEFT_BANNER, RIGHT_TOWN, BaseTestCase, make_user

TZ = ZoneInfo("Asia/Shanghai")
OTHER_TOWN = "152921102"  # 温都尔勒图镇, another town of 阿拉善左旗


@time_machine.travel(datetime(2020, 2, 5, 10, tzinfo=TZ), tick=False)
class ObservationReassignTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.worker = make_user("worker", Role.GRASSROOTS, BAYANHAOTE)
        cls.village_worker = make_user("village_worker", Role.GRASSROOTS, VILLAGE)
        cls.neighbour = make_user("neighbour", Role.GRASSROOTS, OTHER_TOWN)
        cls.far_worker = make_user("far_worker", Role.GRASSROOTS, RIGHT_TOWN)
        cls.inspector = make_user("inspector", Role.INSPECTOR, BAYANHAOTE)
        cls.banner_staff = make_user("banner_staff", Role.STAFF, LEFT_BANNER)

    def setUp(self) -> None:
        trip = returnee_register(
            actor=self.worker, data=trip_data(key_group=KeyGroup.INBOUND, origin_country="韩国")
        )
        self.obs = observation_start(actor=self.worker, trip=trip)
        self.url = f"/returnees/observations/{self.obs.pk}/"

    def test_a_worker_hands_the_observation_to_a_colleague_of_the_community(self):
        assert self.obs.responsible == self.worker
        observation_reassign(
            actor=self.worker, observation=self.obs, responsible=self.village_worker
        )
        assert Observation.objects.get(pk=self.obs.pk).responsible == self.village_worker
        entry = AuditEntry.objects.get(verb="observation.reassign")
        assert entry.actor == self.worker and entry.division_code == VILLAGE
        assert entry.extra == {"previous": self.worker.pk, "responsible": self.village_worker.pk}

    def test_only_workers_who_observe_this_community_are_candidates(self):
        candidates = set(selectors.responsible_candidates(self.obs))
        assert candidates == {self.worker, self.village_worker}
        for user in (self.neighbour, self.far_worker, self.inspector, self.banner_staff):
            with self.assertRaises(ValidationError) as ctx:
                observation_reassign(actor=self.worker, observation=self.obs, responsible=user)
            assert "responsible" in ctx.exception.message_dict
        self.village_worker.is_active = False
        self.village_worker.save(update_fields=["is_active"])
        with self.assertRaises(ValidationError):
            observation_reassign(
                actor=self.worker, observation=self.obs, responsible=self.village_worker
            )
        assert Observation.objects.get(pk=self.obs.pk).responsible == self.worker

    def test_the_same_worker_and_an_ended_observation_are_refused(self):
        with self.assertRaises(ValidationError):
            observation_reassign(actor=self.worker, observation=self.obs, responsible=self.worker)
        observation_end(actor=self.worker, observation=self.obs, status=ObservationStatus.HOSPITAL)
        with self.assertRaises(ValidationError):
            observation_reassign(
                actor=self.worker, observation=self.obs, responsible=self.village_worker
            )
        assert not AuditEntry.objects.filter(verb="observation.reassign").exists()

    def test_outsiders_and_readers_cannot_reassign(self):
        for actor in (self.far_worker, self.outsider, self.officer, self.banner_staff):
            with self.assertRaises(ValidationError):
                observation_reassign(
                    actor=actor, observation=self.obs, responsible=self.village_worker
                )
        assert Observation.objects.get(pk=self.obs.pk).responsible == self.worker

    def test_the_page_shows_the_responsible_worker_and_reassigns(self):
        client = self.client_for(self.worker)
        page = client.get(self.url).content.decode()
        assert 'data-testid="responsible">worker<' in page
        assert f'value="{self.village_worker.pk}"' in page
        assert f'value="{self.far_worker.pk}"' not in page
        response = client.post(
            self.url, {"action": "reassign", "reassign-responsible": self.village_worker.pk}
        )
        assert response.status_code == 302
        assert Observation.objects.get(pk=self.obs.pk).responsible == self.village_worker
        response = client.post(
            self.url, {"action": "reassign", "reassign-responsible": self.far_worker.pk}
        )
        assert response.status_code == 200  # not a choice: the form says so
        assert Observation.objects.get(pk=self.obs.pk).responsible == self.village_worker

    def test_the_outsider_and_a_reader_get_not_found_when_posting(self):
        body = {"action": "reassign", "reassign-responsible": self.village_worker.pk}
        assert self.client_for(self.outsider).get(self.url).status_code == 404
        assert self.client_for(self.outsider).post(self.url, body).status_code == 404
        assert self.client_for(self.far_worker).post(self.url, body).status_code == 404
        reader = self.client_for(self.officer)  # sees the observation, does not run it
        assert reader.get(self.url).status_code == 200
        assert "reassign-save" not in reader.get(self.url).content.decode()
        assert reader.post(self.url, body).status_code == 404
        assert Observation.objects.get(pk=self.obs.pk).responsible == self.worker
