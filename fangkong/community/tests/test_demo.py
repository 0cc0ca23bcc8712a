"""The demo data: it loads, is idempotent, and its rollups match a recount."""

from __future__ import annotations

import io
import random

from fangkong.accounts import demo as accounts_demo
from fangkong.community import demo, metrics
from fangkong.community.models import Conveyance, GatheringReport, Inspection
from fangkong.core.models import DailyCount
from fangkong.core.rollups import rebuild
from fangkong.test import BaseTestCase


class DemoTests(BaseTestCase):
    def test_the_demo_loads_once_and_its_rollups_match_a_recount(self):
        accounts_demo.populate(rng=random.Random(1), scale=1, out=io.StringIO())
        demo.populate(rng=random.Random(2020), scale=1, out=io.StringIO())
        counts = (
            GatheringReport.objects.count(),
            Inspection.objects.count(),
            Conveyance.objects.count(),
        )
        assert counts[0] == 24 and counts[1] > 0 and counts[2] > 0
        handled = GatheringReport.objects.filter(handled_at__isnull=False)
        assert handled.exists() and all(r.minutes_to_handle >= 15 for r in handled)
        out = io.StringIO()
        demo.populate(rng=random.Random(2020), scale=1, out=out)
        assert "already there" in out.getvalue()
        again = (
            GatheringReport.objects.count(),
            Inspection.objects.count(),
            Conveyance.objects.count(),
        )
        assert again == counts
        before = sorted(
            DailyCount.objects.filter(metric__in=metrics.ALL).values_list(
                "metric", "division_code", "day", "value"
            )
        )
        rebuild(metrics.ALL)
        after = sorted(
            DailyCount.objects.filter(metric__in=metrics.ALL).values_list(
                "metric", "division_code", "day", "value"
            )
        )
        assert before == after
