"""``POST /api/v1/observations/release``: one outcome per id, the same rule as the page."""

from __future__ import annotations

import json
from datetime import date, datetime

import time_machine

from fangkong.accounts.roles import Role
from fangkong.core.models import AuditEntry
from fangkong.returnees.models import Observation, ObservationStatus
from fangkong.returnees.tests.helpers import ID_2, ID_3, STANDARD_ID, TZ, check_days, observe
from fangkong.test import BAYANHAOTE, RIGHT_TOWN, BaseTestCase, make_user

URL = "/api/v1/observations/release"


class ReleaseApiTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.worker = make_user("worker", Role.GRASSROOTS, BAYANHAOTE)
        cls.far_worker = make_user("far_worker", Role.GRASSROOTS, RIGHT_TOWN)
        cls.clean = observe(cls.worker, STANDARD_ID, "张三")
        check_days(cls.worker, cls.clean)
        cls.fever = observe(cls.worker, ID_2, "李四")
        check_days(cls.worker, cls.fever, readings={date(2020, 2, 10): "37.6"})
        cls.missed = observe(cls.worker, ID_3, "王五")
        check_days(cls.worker, cls.missed, skip=(date(2020, 2, 6), date(2020, 2, 7)))

    def setUp(self) -> None:
        traveller = time_machine.travel(datetime(2020, 2, 19, 9, tzinfo=TZ), tick=False)
        traveller.start()
        self.addCleanup(traveller.stop)

    def post(self, user, body):
        return self.client_for(user).post(URL, json.dumps(body), content_type="application/json")

    def statuses(self) -> dict[int, str]:
        return dict(Observation.objects.values_list("pk", "status"))

    def test_it_answers_released_or_held_with_the_reasons_per_id(self):
        response = self.post(
            self.worker, {"ids": [self.clean.pk, self.fever.pk, self.missed.pk, 987654]}
        )
        assert response.status_code == 200, response.content
        body = response.json()
        assert (body["released"], body["held"]) == (1, 2)
        by_id = {r["id"]: r for r in body["results"]}
        assert by_id[self.clean.pk]["result"] == "released"
        assert by_id[self.clean.pk]["status"] == "released"
        fever = by_id[self.fever.pk]
        assert (fever["result"], fever["status"]) == ("held", "active")
        assert [(r["code"], r["day"], r["temperature"]) for r in fever["reasons"]] == [
            ("fever", "2020-02-10", "37.6")
        ]
        assert "37.6" in fever["reasons"][0]["text"]
        assert [(r["code"], r["day"]) for r in by_id[self.missed.pk]["reasons"]] == [
            ("missed_check", "2020-02-06"),
            ("missed_check", "2020-02-07"),
        ]
        assert by_id[987654] == {
            "id": 987654,
            "result": "not_found",
            "status": "",
            "cleared": False,
            "reasons": [],
        }
        statuses = self.statuses()
        assert statuses[self.clean.pk] == ObservationStatus.RELEASED
        assert statuses[self.fever.pk] == statuses[self.missed.pk] == ObservationStatus.ACTIVE

    def test_a_clearance_releases_the_held_and_the_audit_row_names_it(self):
        response = self.post(
            self.worker,
            {"ids": [self.fever.pk], "clearance": {"by": "王医生", "reason": "复查正常"}},
        )
        result = response.json()["results"][0]
        assert (result["result"], result["cleared"]) == ("released", True)
        assert result["reasons"][0]["code"] == "fever"  # what the clearance overrode
        assert self.statuses()[self.fever.pk] == ObservationStatus.RELEASED
        entry = AuditEntry.objects.get(verb="observation.release_cleared")
        assert entry.target_id == str(self.fever.pk)
        assert entry.actor == self.worker
        assert (entry.extra["cleared_by"], entry.extra["reason"]) == ("王医生", "复查正常")

    def test_a_half_clearance_or_no_ids_is_a_422_and_changes_nothing(self):
        bodies: list[dict[str, object]] = [
            {"ids": [self.fever.pk], "clearance": {"by": "王医生", "reason": " "}},
            {"ids": [self.fever.pk], "clearance": {"by": "", "reason": ""}},
            {"ids": []},
            {"ids": list(range(1, 502))},
            {"ids": [self.fever.pk], "clearance": {"by": "王" * 51, "reason": "复查"}},
        ]
        for body in bodies:
            response = self.post(self.worker, body)
            assert response.status_code == 422, body
        assert self.statuses()[self.fever.pk] == ObservationStatus.ACTIVE
        assert not AuditEntry.objects.filter(verb__startswith="observation.release").exists()

    def test_another_banners_worker_gets_not_found_for_each_id_and_nothing_changes(self):
        response = self.post(
            self.far_worker,
            {"ids": [self.clean.pk, 987654], "clearance": {"by": "x", "reason": "y"}},
        )
        assert response.status_code == 200
        results = response.json()["results"]
        ours, unknown = results
        assert {k: v for k, v in ours.items() if k != "id"} == {
            k: v for k, v in unknown.items() if k != "id"
        }
        assert ours["result"] == "not_found"
        assert self.statuses()[self.clean.pk] == ObservationStatus.ACTIVE

    def test_people_who_do_not_run_observation_get_404(self):
        for user in (self.outsider, self.officer, self.colleague):
            response = self.post(user, {"ids": [self.clean.pk]})
            assert response.status_code == 404, user.username
        assert self.statuses()[self.clean.pk] == ObservationStatus.ACTIVE

    def test_the_endpoint_is_in_the_openapi_document(self):
        doc = self.client_for(self.worker).get("/api/v1/openapi.json").json()
        operation = doc["paths"][URL]["post"]
        assert "not_found" in operation["description"]
