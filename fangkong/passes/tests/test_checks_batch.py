"""``POST /api/v1/passes/checks:batch``: the passage wire format of the checkpoints issue."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from typing import Any

import time_machine

from fangkong.accounts.roles import Role
from fangkong.core.rollups import figures
from fangkong.passes.models import PassCheck
from fangkong.passes.rollups import day
from fangkong.passes.tests.helpers import T0, PassesTestCase
from fangkong.test import make_user

URL = "/api/v1/passes/checks:batch"


def item(**changes: Any) -> dict[str, Any]:
    return {
        "client_uuid": str(uuid.uuid4()),
        "at": (T0 - timedelta(minutes=1)).isoformat(),
        "direction": "in",
        "subject": "vehicle",
        "plate": "蒙M12345",
        "person_name": None,
        "id_number": None,
        "temperature": None,
        "result": "fast_passed",
        "pass_serial": "152921-1",
        "verdict": "valid",
        "scan_ms": 120,
        "log_ms": 900,
        **changes,
    }


class ChecksBatchTests(PassesTestCase):
    def send(self, items: list[Any], user: Any = None) -> Any:
        client = self.client_for(user or self.inspector)
        with time_machine.travel(T0, tick=False):
            return client.post(
                URL, json.dumps({"passages": items}), content_type="application/json"
            )

    def test_items_are_stored_once_and_duplicates_acknowledged(self) -> None:
        first, second = item(), item(subject="person", plate=None, person_name="王五",
                                     temperature=36.6, result="passed", verdict=None)  # fmt: skip
        response = self.send([first, second, first])
        assert response.status_code == 200
        assert [r["outcome"] for r in response.json()["results"]] == [
            "stored", "stored", "duplicate"
        ]  # fmt: skip
        again = self.send([first, second])
        assert [r["outcome"] for r in again.json()["results"]] == ["duplicate", "duplicate"]
        assert PassCheck.objects.count() == 2
        person = PassCheck.objects.get(subject="person")
        assert str(person.temperature) == "36.6"
        assert (
            figures([person.division_code], ["passes.verified.valid"], on=day(T0))[
                "passes.verified.valid"
            ]["today"]
            == 1
        )

    def test_bad_items_are_rejected_by_name_and_good_ones_kept(self) -> None:
        items = [
            item(),
            item(client_uuid="nope"),
            item(at=(T0 + timedelta(minutes=6)).isoformat()),
            item(at="2026-02-10 10:00"),
            item(direction="up"),
            item(result="waved"),
            item(plate="ABC"),
            item(temperature=50),
            item(verdict="fine"),
            "not an object",
        ]
        results = self.send(items).json()["results"]
        assert [r["outcome"] for r in results] == ["stored"] + ["rejected"] * 9
        reasons = [r["reason"] for r in results[1:]]
        assert reasons[0].startswith("client_uuid")
        assert "future" in reasons[1]
        assert reasons[2].startswith("at")
        assert reasons[3].startswith("direction")
        assert reasons[4].startswith("result")
        assert reasons[5].startswith("plate")
        assert reasons[6].startswith("temperature")
        assert reasons[7].startswith("verdict")
        assert PassCheck.objects.count() == 1

    def test_a_batch_of_1001_is_refused_whole(self) -> None:
        response = self.send([item() for _ in range(1001)])
        assert response.status_code == 422
        assert "1000" in response.json()["detail"]
        assert not PassCheck.objects.exists()

    def test_a_body_that_is_not_json_is_a_4xx(self) -> None:
        client = self.client_for(self.inspector)
        response = client.post(URL, "{{{", content_type="application/json")
        assert 400 <= response.status_code < 500

    def test_an_outsider_without_duty_rights_gets_not_found(self) -> None:
        logistics = make_user("logistics", Role.LOGISTICS, "152921")
        assert self.send([item()], user=logistics).status_code == 404
        assert not PassCheck.objects.exists()
