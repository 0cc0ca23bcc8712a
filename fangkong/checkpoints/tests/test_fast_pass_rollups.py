"""The median fast-pass times on the dashboard: histograms bumped as passages are stored."""

import random
from datetime import UTC, date, datetime, timedelta

import time_machine
from django.utils import timezone

from fangkong.accounts.roles import Role
from fangkong.checkpoints import metrics, services
from fangkong.checkpoints.models import Passage
from fangkong.core import rollups
from fangkong.core.models import DailyCount
from fangkong.test import (
    BAYANHAOTE,
    LEAGUE,
    LEFT_BANNER,
    RIGHT_BANNER,
    BaseTestCase,
    assert_median_matches,
    make_user,
)

from .helpers import item, opened

START = datetime(2020, 2, 10, 1, 0, tzinfo=UTC)  # 09:00 in Alxa
VILLAGES = ["152921110201", "152921110202", "152922103001"]


def _timing(rng: random.Random) -> int | None:
    """Mostly a quick scan, sometimes slow, sometimes past the last bucket, sometimes untimed."""
    roll = rng.random()
    if roll < 0.1:
        return None
    if roll < 0.15:
        return rng.randint(60_001, 900_000)
    return int(rng.lognormvariate(6.5, 1.0))


class FastPassRollupTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        right_staff = make_user("rstaff", Role.STAFF, RIGHT_BANNER)
        cls.inspector = make_user("insp", Role.INSPECTOR, LEAGUE)
        with time_machine.travel(START - timedelta(days=1), tick=False):
            cls.checkpoints = [
                opened(cls.colleague, cls.officer, code=VILLAGES[0], name="东口"),
                opened(cls.colleague, cls.officer, code=VILLAGES[1], name="西口"),
                opened(right_staff, cls.outsider, code=VILLAGES[2], name="北口"),
            ]

    def _log_random_passages(self, rng: random.Random) -> list[date]:
        vehicle = {
            "subject": "vehicle",
            "plate": "蒙M12345",
            "person_name": None,
            "id_number": None,
        }
        days = []
        for offset in range(3):
            now = START + timedelta(days=offset, hours=rng.randint(0, 10))
            days.append(timezone.localdate(now))
            with time_machine.travel(now, tick=False):
                for checkpoint in self.checkpoints:
                    batch = []
                    for _ in range(rng.randint(0, 12)):
                        when = now - timedelta(minutes=rng.randint(0, 50))
                        kind = rng.random()
                        if kind < 0.6:
                            fields = {
                                **vehicle,
                                "result": "fast_passed",
                                "pass_serial": f"152921-{rng.randint(1, 99999):05d}",
                            }
                        elif kind < 0.8:  # timed, but not a green-channel vehicle: not counted
                            fields = {**vehicle, "result": "turned_back"}
                        else:
                            fields = {"result": "passed"}
                        extra = {"scan_ms": _timing(rng), "log_ms": _timing(rng)}
                        batch.append(item(when, **fields, **extra))
                    if batch and rng.random() < 0.3:
                        batch.append(dict(batch[0]))  # a retried item is stored once
                    services.passages_sync(actor=self.inspector, checkpoint=checkpoint, items=batch)
                # A green-channel pass verified at the checkpoint: logged untimed.
                services.passage_log(
                    actor=self.inspector,
                    checkpoint=self.checkpoints[0],
                    at=now,
                    direction="in",
                    subject="vehicle",
                    result="fast_passed",
                    plate="蒙M54321",
                    pass_serial="152921-00042",
                )
        return days

    def test_the_median_times_equal_a_direct_computation_at_every_level_after_random_passages(
        self,
    ):
        rng = random.Random(20200210)
        days = self._log_random_passages(rng)
        medians = {
            name: rollups.STATISTICS[name]
            for name in (metrics.FAST_SCAN_MEDIAN, metrics.FAST_LOG_MEDIAN)
        }
        parts = [m for median in medians.values() for m in median.metrics]
        fast = Passage.objects.filter(result="fast_passed", subject="vehicle")
        checked = 0
        for key in [LEAGUE, LEFT_BANNER, BAYANHAOTE, VILLAGES[0], RIGHT_BANNER, VILLAGES[2]]:
            for day in days:
                figs = rollups.figures([key], parts, on=day)
                for name, median in medians.items():
                    field = metrics.FAST_PASS_TIMINGS[name]
                    rows = [
                        (timezone.localdate(at), value)
                        for at, value in fast.within(key).values_list("at", field)
                        if value is not None
                    ]
                    today = [v for d, v in rows if d == day]
                    to_date = [v for d, v in rows if d <= day]
                    assert_median_matches(median, figs, "today", today)
                    assert_median_matches(median, figs, "total", to_date)
                    checked += bool(today)
        assert checked > 10  # the random passages did reach the histograms

    def test_rebuild_recomputes_the_histograms_from_the_passages(self):
        self._log_random_passages(random.Random(7))
        names = [
            m
            for name in (metrics.FAST_SCAN_MEDIAN, metrics.FAST_LOG_MEDIAN)
            for m in rollups.STATISTICS[name].metrics
        ]

        def snapshot():
            return {
                (r.metric, r.division_code, r.day): r.value
                for r in DailyCount.objects.filter(metric__in=names)
                if r.value
            }

        bumped = snapshot()
        assert len({metric for metric, _code, _day in bumped}) > 5
        DailyCount.objects.filter(metric__in=names).update(value=0)  # drift
        rollups.rebuild(names)
        assert snapshot() == bumped
        figs = rollups.figures([LEAGUE], names, on=timezone.localdate(START + timedelta(days=2)))
        assert sum(f["total"] for f in figs.values()) == (
            Passage.objects.filter(
                result="fast_passed", subject="vehicle", scan_ms__isnull=False
            ).count()
            + Passage.objects.filter(
                result="fast_passed", subject="vehicle", log_ms__isnull=False
            ).count()
        )
