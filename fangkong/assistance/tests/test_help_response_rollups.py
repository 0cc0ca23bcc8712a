"""The median and average time to answer help requests: statistics kept in the rollups."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

import time_machine

from fangkong.accounts.roles import Role
from fangkong.assistance import metrics
from fangkong.assistance.models import HelpRequest
from fangkong.assistance.services import help_requests
from fangkong.assistance.tests.factories import EnglishTestCase, right_village, village
from fangkong.core import rollups
from fangkong.core.models import DailyCount
from fangkong.test import (
    BAYANHAOTE,
    LEAGUE,
    LEFT_BANNER,
    RIGHT_BANNER,
    assert_median_matches,
    make_user,
)

T0 = datetime(2020, 2, 10, 1, 0, tzinfo=UTC)


class HelpResponseRollupTests(EnglishTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.villages = [village(), village(n=1), right_village()]
        cls.caseworker = make_user("cw", Role.CASEWORKER, LEAGUE)

    def _random_requests(self, rng: random.Random) -> list[date]:
        """Requests over four days, answered after random delays (some never)."""
        events: list[tuple[datetime, str, Any]] = []
        for n in range(40):
            asked = T0 + timedelta(minutes=rng.randint(0, 3 * 24 * 60))
            events.append((asked, "ask", (n, rng.choice(self.villages))))
            if rng.random() < 0.8:
                delay = rng.choice(
                    [rng.randint(0, 59), rng.randint(60, 600), rng.randint(0, 12000)]
                )
                events.append(
                    (asked + timedelta(minutes=delay, seconds=rng.randint(0, 59)), "answer", n)
                )
        requests: dict[int, HelpRequest] = {}
        for when, action, what in sorted(events, key=lambda e: (e[0], e[1] == "answer")):
            with time_machine.travel(when, tick=False):
                if action == "ask":
                    n, place = what
                    requests[n] = help_requests.help_request_create(
                        actor=None, division=place, name="张三", phone="138 0013 5678",
                        category="food", urgency=rng.choice(["urgent", "normal"]),
                        description="需要米面油", channel="web",
                    )  # fmt: skip
                else:
                    help_requests.help_request_answer(
                        actor=self.caseworker, request=requests[what], note="已送达"
                    )
        last = max(e[0] for e in events)
        return [metrics.day_of(T0 + timedelta(days=d)) for d in range((last - T0).days + 2)]

    def test_the_median_and_average_equal_a_direct_computation_after_random_answers(self):
        days = self._random_requests(random.Random(5))
        median = rollups.STATISTICS[metrics.HELP_RESPONSE_MEDIAN]
        average = rollups.STATISTICS[metrics.HELP_RESPONSE_AVERAGE]
        parts = median.metrics + average.metrics
        checked = 0
        for key in [LEAGUE, LEFT_BANNER, BAYANHAOTE, self.villages[0].code, RIGHT_BANNER]:
            answered = [
                (metrics.day_of(r.responded_at), r.response_minutes)
                for r in HelpRequest.objects.within(key).filter(responded_at__isnull=False)
            ]
            for day in days:
                figs = rollups.figures([key], parts, on=day)
                today = [m for d, m in answered if d == day]
                to_date = [m for d, m in answered if d <= day]
                assert_median_matches(median, figs, "today", today)
                assert_median_matches(median, figs, "total", to_date)
                expected = sum(to_date) / len(to_date) if to_date else None
                assert average.of(figs, "total") == expected
                checked += bool(today)
        assert checked > 5

    def test_rebuild_recomputes_the_histogram_from_the_requests(self):
        self._random_requests(random.Random(9))
        names = [
            *rollups.STATISTICS[metrics.HELP_RESPONSE_MEDIAN].metrics,
            metrics.HELP_RESPONSE_MINUTES,
        ]

        def snapshot():
            return {
                (r.metric, r.division_code, r.day): r.value
                for r in DailyCount.objects.filter(metric__in=names)
                if r.value
            }

        bumped = snapshot()
        DailyCount.objects.filter(metric__in=names).delete()
        rollups.rebuild(names)
        assert snapshot() == bumped
