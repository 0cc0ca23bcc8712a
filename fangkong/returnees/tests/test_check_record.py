"""``check_record``: several checks a day, each kept; any fever reading of the day counts once
per person on the dashboard and in the daily report, whichever check of the day it was."""

from __future__ import annotations

from datetime import datetime

import time_machine

from fangkong.accounts.roles import Role
from fangkong.core.models import AuditEntry
from fangkong.core.rollups import figures, rebuild
from fangkong.directives.dailyreport import build_daily_report
from fangkong.directives.dashboard import Row, build_dashboard
from fangkong.divisions.models import Division
from fangkong.returnees import metrics, selectors
from fangkong.returnees.models import DailyCheck
from fangkong.returnees.services import check_record
from fangkong.returnees.tests.helpers import ID_2, STANDARD_ID, TZ, observe
from fangkong.test import BAYANHAOTE, BaseTestCase, make_user

DAY = datetime(2020, 2, 8, tzinfo=TZ).date()


def at(hour: int, minute: int = 0) -> time_machine.travel:
    return time_machine.travel(datetime(2020, 2, 8, hour, minute, tzinfo=TZ), tick=False)


class CheckRecordTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.worker = make_user("worker", Role.GRASSROOTS, BAYANHAOTE)
        cls.night = make_user("night_worker", Role.GRASSROOTS, BAYANHAOTE)
        cls.obs = observe(cls.worker, STANDARD_ID, "张三")
        cls.other = observe(cls.worker, ID_2, "李四")

    def today(self, metric: str) -> int:
        return figures(["1529"], [metric], on=DAY)[metric]["today"]

    def counted_everywhere(self, metric: str) -> list[int]:
        """The figure from the rollups, after a recount from the checks, on the league's
        dashboard and in its daily report."""
        league = Division.objects.get(code="1529")
        live = self.today(metric)
        dashboard = build_dashboard(division=league, day=DAY).row(metric)
        report = build_daily_report(division=league, day=DAY).dashboard.row(metric)
        assert isinstance(dashboard, Row) and isinstance(report, Row)
        rebuild([metric])
        return [live, self.today(metric), dashboard.headline, report.headline]

    def record(self, hour: int, temperature: str, *, by=None, contact="visit", obs=None):
        with at(hour):
            return check_record(
                actor=by or self.worker,
                observation=obs or self.obs,
                temperature=temperature,
                contact=contact,
            )

    def test_two_checks_a_day_are_both_kept_with_time_worker_and_contact(self):
        first = self.record(8, "36.6", contact="phone")
        second = self.record(20, "36.9", by=self.night, contact="visit")
        rows = list(
            DailyCheck.objects.filter(observation=self.obs)
            .order_by("checked_at")
            .values_list("temperature", "checked_by__username", "contact", "checked_at")
        )
        assert [(str(t), who, how) for t, who, how, _at in rows] == [
            ("36.6", "worker", "phone"),
            ("36.9", "night_worker", "visit"),
        ]
        assert rows[0][3] == datetime(2020, 2, 8, 8, tzinfo=TZ)
        assert rows[1][3] == datetime(2020, 2, 8, 20, tzinfo=TZ)
        assert first.pk != second.pk
        assert AuditEntry.objects.filter(verb="observation.check").count() == 2
        assert self.counted_everywhere(metrics.CHECKS_DONE) == [1, 1, 1, 1]  # one person

    def test_a_fever_at_the_first_check_only_counts(self):
        self.record(8, "37.9")
        self.record(20, "36.8")
        assert self.counted_everywhere(metrics.FEVER) == [1, 1, 1, 1]
        assert [o.pk for o in selectors.fever_list(scope_keys=["1529"], day=DAY)] == [self.obs.pk]

    def test_a_fever_at_the_second_check_only_counts(self):
        self.record(8, "36.5")
        self.record(20, "37.4")
        assert self.counted_everywhere(metrics.FEVER) == [1, 1, 1, 1]
        assert [o.pk for o in selectors.fever_list(scope_keys=["1529"], day=DAY)] == [self.obs.pk]

    def test_two_fevers_of_one_person_count_one_person_and_two_people_count_two(self):
        self.record(8, "37.6")
        self.record(12, "38.2")
        assert self.counted_everywhere(metrics.FEVER) == [1, 1, 1, 1]
        self.record(14, "37.3", obs=self.other)
        assert self.counted_everywhere(metrics.FEVER) == [2, 2, 2, 2]
        fevers = selectors.fever_list(scope_keys=["1529"], day=DAY)
        assert fevers.count() == self.today(metrics.FEVER)

    def test_no_fever_counts_nothing(self):
        self.record(8, "36.5")
        self.record(20, "37.2")  # just under 37.3
        assert self.counted_everywhere(metrics.FEVER) == [0, 0, 0, 0]
        assert not selectors.fever_list(scope_keys=["1529"], day=DAY).exists()
