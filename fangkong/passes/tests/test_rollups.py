from __future__ import annotations

import json
import uuid
from datetime import timedelta

import time_machine

from fangkong.core.models import DailyCount
from fangkong.core.rollups import rebuild
from fangkong.passes import services
from fangkong.passes.tests.helpers import T0, PassesTestCase


def snapshot() -> set[tuple[str, str, object, int]]:
    return {
        (row.metric, row.division_code, row.day, row.value)
        for row in DailyCount.objects.filter(metric__startswith="passes.")
        if row.value
    }


class RollupTests(PassesTestCase):
    def test_the_bumped_figures_equal_the_recount(self) -> None:
        first = self.issue(days=3)
        self.issue("蒙M54321", days=10)
        services.pass_revoke(
            actor=self.transport, green=first, reason="x", now=T0 + timedelta(days=1)
        )
        client = self.client_for(self.inspector)
        with time_machine.travel(T0 + timedelta(hours=2), tick=False):
            client.post(
                "/api/v1/passes/verify",
                json.dumps({"code": first.code, "checkpoint": 3}),
                content_type="application/json",
            )
            batch = {
                "passages": [
                    {
                        "client_uuid": str(uuid.uuid4()),
                        "at": T0.isoformat(),
                        "direction": "out",
                        "subject": "vehicle",
                        "result": "turned_back",
                        "verdict": "bad_signature",
                    }
                ]
            }
            client.post(
                "/api/v1/passes/checks:batch", json.dumps(batch), content_type="application/json"
            )
        bumped = snapshot()
        metrics = {m for m, _c, _d, _v in bumped}
        assert {"passes.issued", "passes.valid", "passes.verified.revoked"} <= metrics
        assert "passes.verified.bad_signature" in metrics
        rebuild(sorted(metrics))
        assert snapshot() == bumped
