"""``GET /api/v1/observations?status=…`` (paged, in the actor's jurisdiction) and
``GET /api/v1/observations/{id}`` with all its checks."""

from __future__ import annotations

from datetime import date, datetime
from unittest import mock

import time_machine

from fangkong.accounts.roles import Role
from fangkong.core.models import AuditEntry
from fangkong.returnees import api
from fangkong.returnees.services import check_record, observation_end
from fangkong.returnees.tests.helpers import ID_2, ID_3, STANDARD_ID, TZ, check_days, observe
from fangkong.test import BAYANHAOTE, RIGHT_TOWN, BaseTestCase, make_user

NOW = datetime(2020, 2, 10, 9, tzinfo=TZ)


class ObservationApiTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.worker = make_user("worker", Role.GRASSROOTS, BAYANHAOTE)
        cls.far_worker = make_user("far_worker", Role.GRASSROOTS, RIGHT_TOWN)
        cls.first = observe(cls.worker, STANDARD_ID, "张三")
        check_days(cls.worker, cls.first, days=4, readings={date(2020, 2, 6): "37.9"})
        cls.second = observe(cls.worker, ID_2, "李四")
        cls.lost = observe(cls.worker, ID_3, "王五")
        with time_machine.travel(datetime(2020, 2, 7, 11, tzinfo=TZ), tick=False):
            observation_end(actor=cls.worker, observation=cls.lost, status="lost", note="电话不通")
        with time_machine.travel(datetime(2020, 2, 6, 20, 30, tzinfo=TZ), tick=False):
            check_record(actor=cls.worker, observation=cls.first, temperature="36.7")

    def setUp(self) -> None:
        traveller = time_machine.travel(NOW, tick=False)
        traveller.start()
        self.addCleanup(traveller.stop)

    def get(self, user, url, **params):
        return self.client_for(user).get(url, params)

    def names(self, user, **params) -> list[str]:
        response = self.get(user, "/api/v1/observations", **params)
        assert response.status_code == 200, response.content
        return [item["name"] for item in response.json()["items"]]

    def test_the_list_holds_our_active_observations_by_default_masked(self):
        response = self.get(self.worker, "/api/v1/observations")
        body = response.json()
        assert [i["name"] for i in body["items"]] == ["张三", "李四"]
        first = body["items"][0]
        assert first["id_number"] == "110105********002X"
        assert (first["had_fever"], first["checked_today"]) == (True, False)
        assert first["responsible"] == "worker"
        assert body["page"] == 1 and body["has_next"] is False
        assert not AuditEntry.objects.filter(verb="person.view_unmasked").exists()

    def test_the_status_filters_and_an_unknown_status_is_a_422(self):
        assert self.names(self.worker, status="lost") == ["王五"]
        assert self.names(self.worker, status="released") == []
        assert sorted(self.names(self.worker, status="")) == ["张三", "李四", "王五"]
        response = self.get(self.worker, "/api/v1/observations", status="fever")
        assert response.status_code == 422
        assert "status" in response.content.decode()

    def test_the_list_is_paged(self):
        with mock.patch.object(api, "PAGE_SIZE", 1):
            one = self.get(self.worker, "/api/v1/observations").json()
            two = self.get(self.worker, "/api/v1/observations", page=2).json()
            three = self.get(self.worker, "/api/v1/observations", page=3).json()
        assert ([i["name"] for i in one["items"]], one["has_next"]) == (["张三"], True)
        assert ([i["name"] for i in two["items"]], two["has_next"]) == (["李四"], False)
        assert three["items"] == []
        assert self.get(self.worker, "/api/v1/observations", page=0).status_code == 422

    def test_the_detail_has_every_check_even_two_on_one_day(self):
        response = self.get(self.worker, f"/api/v1/observations/{self.first.pk}")
        assert response.status_code == 200, response.content
        body = response.json()
        checks = [(c["day"], c["temperature"], c["fever"], c["checked_by"]) for c in body["checks"]]
        assert checks == [
            ("2020-02-08", 36.5, False, "worker"),
            ("2020-02-07", 36.5, False, "worker"),
            ("2020-02-06", 36.7, False, "worker"),  # the evening check, kept beside …
            ("2020-02-06", 37.9, True, "worker"),  # … the morning's fever
            ("2020-02-05", 36.5, False, "worker"),
        ]
        assert body["checks"][2]["checked_at"].startswith("2020-02-06T12:30")  # 20:30 local
        assert [(h["code"], h["day"]) for h in body["holds"]] == [
            ("not_due", "2020-02-19"),
            ("fever", "2020-02-06"),
            ("missed_check", "2020-02-09"),
        ]
        assert body["id_number"] == STANDARD_ID  # a grassroots worker sees it, audited
        assert AuditEntry.objects.filter(
            verb="person.view_unmasked", actor=self.worker, target_id=str(self.first.person_id)
        ).exists()
        lost = self.get(self.worker, f"/api/v1/observations/{self.lost.pk}").json()
        assert (lost["status"], lost["end_note"]) == ("lost", "电话不通")

    def test_another_banners_users_get_nothing_and_404(self):
        for user in (self.outsider, self.far_worker):
            assert self.names(user, status="") == [], user.username
            for pk in (self.first.pk, 987654):
                response = self.get(user, f"/api/v1/observations/{pk}")
                assert response.status_code == 404, (user.username, pk)
                assert response.json() == {"detail": "Not found"}
        assert not AuditEntry.objects.filter(verb="person.view_unmasked").exists()

    def test_our_banner_hq_sees_ours(self):
        assert self.names(self.officer) == ["张三", "李四"]
        assert self.get(self.officer, f"/api/v1/observations/{self.first.pk}").status_code == 200

    def test_both_endpoints_are_in_the_openapi_document(self):
        doc = self.get(self.worker, "/api/v1/openapi.json").json()
        listing = doc["paths"]["/api/v1/observations"]["get"]
        status = next(p for p in listing["parameters"] if p["name"] == "status")
        assert "hospital" in str(status["schema"])
        assert "get" in doc["paths"]["/api/v1/observations/{observation_id}"]
