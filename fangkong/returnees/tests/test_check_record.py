"""``check_record``: several checks a day, each kept; any fever reading of the day counts once
per person on the dashboard and in the daily report, whichever check of the day it was."""

from __future__ import annotations

from datetime import date, datetime

import time_machine
from django.core.exceptions import ValidationError

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


class EarlierCheckTests(BaseTestCase):
    """A check made with no signal arrives later: it keeps the time it was made."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.worker = make_user("worker", Role.GRASSROOTS, BAYANHAOTE)
        cls.obs = observe(cls.worker, STANDARD_ID, "张三")  # from 2020-02-05

    def test_a_check_made_yesterday_is_dated_and_counted_yesterday(self):
        made = datetime(2020, 2, 7, 22, 15, tzinfo=TZ)
        with at(9):
            check = check_record(
                actor=self.worker, observation=self.obs, temperature="37.7", checked_at=made
            )
        assert (check.day, check.checked_at) == (date(2020, 2, 7), made)
        yesterday = figures(["1529"], [metrics.FEVER], on=date(2020, 2, 7))[metrics.FEVER]
        assert yesterday["today"] == 1
        assert figures(["1529"], [metrics.FEVER], on=DAY)[metrics.FEVER]["today"] == 0
        rebuild([metrics.FEVER, metrics.CHECKS_DONE])
        assert figures(["1529"], [metrics.FEVER], on=date(2020, 2, 7))[metrics.FEVER] == yesterday

    def test_a_time_to_come_or_before_the_observation_is_refused(self):
        for made in (
            datetime(2020, 2, 8, 9, 30, tzinfo=TZ),  # half an hour ahead
            datetime(2020, 2, 4, 20, tzinfo=TZ),  # the day before it began
            datetime(2020, 2, 7, 20),  # no time zone
        ):
            with at(9), self.assertRaises(ValidationError) as ctx:
                check_record(
                    actor=self.worker, observation=self.obs, temperature="36.5", checked_at=made
                )
            assert "checked_at" in ctx.exception.message_dict, made
        assert not DailyCheck.objects.exists()

    def test_a_temperature_that_is_not_a_number_is_refused(self):
        for value in ("nan", "NaN", "inf", "abc", ""):
            with at(9), self.assertRaises(ValidationError) as ctx:
                check_record(actor=self.worker, observation=self.obs, temperature=value)
            assert "temperature" in ctx.exception.message_dict, value
        assert not DailyCheck.objects.exists()
