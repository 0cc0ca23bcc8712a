from datetime import date

from django.db import transaction

from fangkong.core import rollups
from fangkong.core.models import DailyCount
from fangkong.test import BaseTestCase

D1, D2 = date(2020, 2, 1), date(2020, 2, 2)
VILLAGE_L = "152921110201"  # in 阿拉善左旗
VILLAGE_R = "152922103200"  # in 阿拉善右旗


class RollupTests(BaseTestCase):
    def test_bumps_accumulate_per_metric_division_and_day(self):
        with transaction.atomic():
            rollups.bump("t.flow", VILLAGE_L, D1)
            rollups.bump("t.flow", VILLAGE_L, D1, 2)
            rollups.bump("t.flow", VILLAGE_R, D1)
            rollups.bump("t.flow", VILLAGE_L, D2)
            rollups.bump("t.flow", VILLAGE_L, D2, 0)
        assert DailyCount.objects.get(metric="t.flow", division_code=VILLAGE_L, day=D1).value == 3
        assert DailyCount.objects.filter(metric="t.flow").count() == 3

    def test_figures_give_today_and_total_within_a_jurisdiction(self):
        rollups.bump_many(
            [
                ("t.flow", VILLAGE_L, D1, 3),
                ("t.flow", VILLAGE_L, D2, 1),
                ("t.flow", VILLAGE_R, D2, 5),
            ]
        )
        rollups.bump_many([("t.stock", VILLAGE_L, D1, 4), ("t.stock", VILLAGE_L, D2, -1)])
        left = rollups.figures(["152921"], ["t.flow", "t.stock", "t.none"], on=D2)
        assert left["t.flow"] == {"today": 1, "total": 4}
        assert left["t.stock"] == {"today": -1, "total": 3}
        assert left["t.none"] == {"today": 0, "total": 0}
        league = rollups.figures(["1529"], ["t.flow"], on=D2)
        assert league["t.flow"] == {"today": 6, "total": 9}
        assert rollups.figures(["1529"], ["t.flow"], on=D1)["t.flow"] == {"today": 3, "total": 3}

    def test_drill_down_splits_figures_by_child_division(self):
        rollups.bump_many([("t.flow", VILLAGE_L, D1, 3), ("t.flow", VILLAGE_R, D1, 5)])
        by_banner = rollups.figures_by_child("1529", 6, ["t.flow"], on=D1)
        assert by_banner == {
            "152921": {"t.flow": {"today": 3, "total": 3}},
            "152922": {"t.flow": {"today": 5, "total": 5}},
        }

    def test_series_and_rebuild_from_a_recount(self):
        rollups.bump("t.flow", VILLAGE_L, D1, 7)
        assert rollups.series(["1529"], "t.flow", start=D1, end=D2) == {D1: 7}
        rollups.register_metric(
            "t.flow", "test", "flow", recount=lambda: [(VILLAGE_L, D1, 2), (VILLAGE_R, D2, 1)]
        )
        try:
            assert rollups.rebuild(["t.flow"]) == {"t.flow": 2}
            assert rollups.figures(["1529"], ["t.flow"], on=D2)["t.flow"]["total"] == 3
        finally:
            rollups.METRICS.pop("t.flow")
