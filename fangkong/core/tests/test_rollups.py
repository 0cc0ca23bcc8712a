import random
from datetime import date, timedelta

from django.db import transaction

from fangkong.core import rollups
from fangkong.core.models import DailyCount, RunningCount
from fangkong.test import BaseTestCase, assert_median_matches

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


class StatisticTests(BaseTestCase):
    def setUp(self):
        super().setUp()
        self._metrics, self._statistics = dict(rollups.METRICS), dict(rollups.STATISTICS)

    def tearDown(self):
        rollups.METRICS.clear()
        rollups.METRICS.update(self._metrics)
        rollups.STATISTICS.clear()
        rollups.STATISTICS.update(self._statistics)
        super().tearDown()

    def test_a_median_from_random_bumps_lies_in_the_bucket_of_the_true_median(self):
        median = rollups.register_median("t.wait", "wait", unit="ms", bounds=(10, 20, 50, 100))
        rng = random.Random(3)
        for _trial in range(30):
            DailyCount.objects.filter(metric__startswith="t.wait").delete()
            RunningCount.objects.filter(metric__startswith="t.wait").delete()
            values = {
                code: [rng.choice([0, 10, 11, 20, 49, 50, 99, 100, 101, 5000]) for _ in range(n)]
                for code, n in ((VILLAGE_L, rng.randint(0, 9)), (VILLAGE_R, rng.randint(0, 9)))
            }
            rollups.bump_many(
                (median.bucket_metric(v), code, D1, 1) for code, vs in values.items() for v in vs
            )
            for key, expected in (
                ("1529", values[VILLAGE_L] + values[VILLAGE_R]),
                ("152921", values[VILLAGE_L]),
                (VILLAGE_R, values[VILLAGE_R]),
            ):
                figs = rollups.figures([key], median.metrics, on=D1)
                assert_median_matches(median, figs, "today", expected)
                assert_median_matches(median, figs, "total", expected)
            by_banner = rollups.figures_by_child("1529", 6, median.metrics, on=D1)
            assert_median_matches(median, by_banner.get("152922", {}), "total", values[VILLAGE_R])

    def test_an_estimate_interpolates_inside_its_bucket_and_says_when_it_is_past_the_last(self):
        median = rollups.register_median("t.wait", "wait", unit="min", bounds=(10, 20))
        assert median.estimate([0, 0, 0]) is None
        assert median.estimate([0, 2, 0]) == rollups.Estimate(2, 10, 20, 12.5)
        assert median.estimate([1, 1, 1]) == rollups.Estimate(3, 10, 20, 15.0)
        past = median.estimate([0, 1, 4])
        assert past is not None and (past.lower, past.upper) == (20, None)
        assert [median.bucket(v) for v in (0, 10, 10.5, 20, 21)] == [0, 0, 1, 1, 2]
        with self.assertRaisesMessage(ValueError, "t.wait: a negative observation"):
            median.bucket(-1)

    def test_bad_bounds_and_an_average_of_unknown_metrics_are_refused(self):
        with self.assertRaisesMessage(ValueError, "median 't.bad'"):
            rollups.register_median("t.bad", "bad", unit="ms", bounds=(10, 10))
        with self.assertRaisesMessage(ValueError, "'t.sum' is not a registered flow metric"):
            rollups.register_average(
                "t.avg", "avg", unit="points", sum_metric="t.sum", count_metric="t.n"
            )

    def test_an_average_divides_the_sum_by_the_count(self):
        rollups.register_metric("t.sum", "sum", "flow", hidden=True)
        rollups.register_metric("t.n", "n", "flow")
        average = rollups.register_average(
            "t.avg", "avg", unit="points", sum_metric="t.sum", count_metric="t.n", scale=10
        )
        rollups.bump_many([("t.sum", VILLAGE_L, D1, 855), ("t.n", VILLAGE_L, D1, 1)])
        rollups.bump_many([("t.sum", VILLAGE_R, D2, 1000), ("t.n", VILLAGE_R, D2, 2)])
        figs = rollups.figures(["1529"], average.metrics, on=D2)
        assert average.of(figs, "today") == 50.0
        assert average.of(figs, "total") == 1855 / 3 / 10
        assert average.of(rollups.figures(["152921"], average.metrics, on=D2), "today") is None

    def test_rebuilding_a_histogram_recounts_its_source_once_for_all_buckets(self):
        calls = []

        def recount():
            calls.append(1)
            return [(0, VILLAGE_L, D1, 2), (2, VILLAGE_L, D1, 1), (2, VILLAGE_R, D2, 4)]

        median = rollups.register_median(
            "t.wait", "wait", unit="ms", bounds=(10, 20), recount=recount
        )
        rollups.bump(median.metrics[1], VILLAGE_L, D1, 9)  # drift the rebuild repairs
        assert rollups.rebuild(median.metrics) == {
            median.metrics[0]: 1,
            median.metrics[1]: 0,
            median.metrics[2]: 2,
        }
        assert len(calls) == 1
        figs = rollups.figures(["1529"], median.metrics, on=D2)
        assert [figs[m]["total"] for m in median.metrics] == [2, 0, 5]


class OverviewTests(BaseTestCase):
    def test_the_overview_equals_figures_and_the_drill_down_after_random_bumps(self):
        rng = random.Random(11)
        codes = [VILLAGE_L, VILLAGE_R, "152921110200", "152921", "1529", "152921110"]
        days = [D1, D2, date(2020, 2, 3)]
        rows = [
            (rng.choice(["t.a", "t.b"]), rng.choice(codes), rng.choice(days), rng.randint(-3, 9))
            for _ in range(200)
        ]
        rollups.bump_many(rows)
        for key, length in (("1529", 6), ("152921", 9), ("152921110", 12), (VILLAGE_L, None)):
            for on in days:
                seen = rollups.overview(key, ["t.a", "t.b"], on=on, child_key_length=length)
                flat = rollups.figures([key], ["t.a", "t.b"], on=on)
                before = rollups.figures([key], ["t.a", "t.b"], on=on - timedelta(days=1))
                for metric in ("t.a", "t.b"):
                    got = seen.totals[metric]
                    assert (got["today"], got["total"]) == tuple(flat[metric].values())
                    assert got["yesterday"] == before[metric]["today"]
                if length is None:
                    assert seen.children == {}
                    continue
                by_child = rollups.figures_by_child(key, length, ["t.a", "t.b"], on=on)
                assert {
                    child: {m: {"today": f["today"], "total": f["total"]} for m, f in figs.items()}
                    for child, figs in seen.children.items()
                } == by_child
