"""Release at the end of observation: held for a fever reading or a day without a check,
unless a named clearance is given (audited); outside the jurisdiction reads as not found."""

from __future__ import annotations

import threading
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection

from fangkong.accounts.models import User
from fangkong.accounts.roles import Role
from fangkong.core.models import AuditEntry, EmergencyPeriod, ResponseLevel
from fangkong.core.rollups import figures, rebuild
from fangkong.returnees import metrics
from fangkong.returnees.models import HoldCode, Observation, ObservationStatus
from fangkong.returnees.services import (
    Clearance,
    ReleaseResult,
    check_record,
    observation_end,
    observation_release,
)
from fangkong.returnees.tests.helpers import ID_2, ID_3, STANDARD_ID, check_days, observe
from fangkong.test import BAYANHAOTE, RIGHT_TOWN, BaseTestCase, make_user

TZ = ZoneInfo("Asia/Shanghai")
RELEASE_DAY = datetime(2020, 2, 19, 9, tzinfo=TZ)


def level(metric: str) -> int:
    return figures(["1529"], [metric], on=RELEASE_DAY.date())[metric]["total"]


class ReleaseTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.worker = make_user("worker", Role.GRASSROOTS, BAYANHAOTE)
        cls.far_worker = make_user("far_worker", Role.GRASSROOTS, RIGHT_TOWN)
        EmergencyPeriod.objects.create(
            name="2020",
            level=ResponseLevel.LEVEL_I,
            starts_at=datetime(2020, 1, 25, tzinfo=TZ),
            observation_days=14,
        )
        cls.clean = observe(cls.worker, STANDARD_ID, "张三")
        check_days(cls.worker, cls.clean)
        cls.fever = observe(cls.worker, ID_2, "李四")
        check_days(cls.worker, cls.fever, readings={date(2020, 2, 10): "37.8"})
        cls.missed = observe(cls.worker, ID_3, "王五")
        check_days(cls.worker, cls.missed, skip=(date(2020, 2, 12),))

    def setUp(self) -> None:
        traveller = time_machine.travel(RELEASE_DAY, tick=False)
        traveller.start()
        self.addCleanup(traveller.stop)

    def release(self, *ids: int, actor: User | None = None, clearance: Clearance | None = None):
        outcomes = observation_release(
            actor=actor or self.worker, observation_ids=list(ids), clearance=clearance
        )
        return {o.id: o for o in outcomes}

    def status(self, obs: Observation) -> str:
        return Observation.objects.get(pk=obs.pk).status

    def test_only_the_person_checked_every_day_without_fever_is_released(self):
        under_before = level(metrics.UNDER_OBSERVATION)
        out = self.release(self.clean.pk, self.fever.pk, self.missed.pk)
        assert out[self.clean.pk].result == ReleaseResult.RELEASED
        assert out[self.fever.pk].result == ReleaseResult.HELD
        assert out[self.missed.pk].result == ReleaseResult.HELD
        assert self.status(self.clean) == ObservationStatus.RELEASED
        assert self.status(self.fever) == ObservationStatus.ACTIVE
        assert self.status(self.missed) == ObservationStatus.ACTIVE
        entries = AuditEntry.objects.filter(verb__startswith="observation.release")
        assert [(e.verb, e.target_id) for e in entries] == [
            ("observation.released", str(self.clean.pk))
        ]
        assert level(metrics.UNDER_OBSERVATION) == under_before - 1
        assert level(metrics.RELEASED) == 1
        rebuild([metrics.UNDER_OBSERVATION, metrics.RELEASED])
        assert level(metrics.UNDER_OBSERVATION) == under_before - 1
        assert level(metrics.RELEASED) == 1

    def test_the_fever_reading_is_the_reason_given(self):
        holds = self.release(self.fever.pk)[self.fever.pk].holds
        assert [(h.code, h.day, str(h.temperature)) for h in holds] == [
            (HoldCode.FEVER, date(2020, 2, 10), "37.8")
        ]
        assert "37.8" in holds[0].text and "02-10" in holds[0].text

    def test_the_day_without_a_check_is_the_reason_given(self):
        holds = self.release(self.missed.pk)[self.missed.pk].holds
        assert [(h.code, h.day) for h in holds] == [(HoldCode.MISSED_CHECK, date(2020, 2, 12))]
        assert "02-12" in holds[0].text

    def test_a_fever_on_the_release_day_itself_holds(self):
        check_record(actor=self.worker, observation=self.clean, temperature="37.5")
        out = self.release(self.clean.pk)[self.clean.pk]
        assert out.result == ReleaseResult.HELD
        assert [(h.code, h.day) for h in out.holds] == [(HoldCode.FEVER, date(2020, 2, 19))]
        assert self.status(self.clean) == ObservationStatus.ACTIVE

    def test_a_named_clearance_releases_the_held_and_is_audited_with_what_it_overrode(self):
        clearance = Clearance(by="旗医院 王医生", reason="2月11日复查体温正常，核酸阴性")
        out = self.release(self.fever.pk, self.missed.pk, clearance=clearance)
        assert {o.result for o in out.values()} == {ReleaseResult.RELEASED}
        assert all(o.cleared for o in out.values())
        assert self.status(self.fever) == ObservationStatus.RELEASED
        entry = AuditEntry.objects.get(
            verb="observation.release_cleared", target_id=str(self.fever.pk)
        )
        assert entry.actor == self.worker
        assert entry.extra["cleared_by"] == "旗医院 王医生"
        assert entry.extra["reason"] == "2月11日复查体温正常，核酸阴性"
        assert entry.extra["overridden"] == [
            {
                "code": "fever",
                "day": "2020-02-10",
                "temperature": "37.8",
                "checked_at": entry.extra["overridden"][0]["checked_at"],
            }
        ]
        missed = AuditEntry.objects.get(
            verb="observation.release_cleared", target_id=str(self.missed.pk)
        )
        assert [h["code"] for h in missed.extra["overridden"]] == ["missed_check"]

    def test_a_clearance_for_a_person_with_nothing_held_is_not_recorded_as_an_override(self):
        out = self.release(self.clean.pk, clearance=Clearance("王医生", "复查"))
        assert out[self.clean.pk].result == ReleaseResult.RELEASED
        assert not out[self.clean.pk].cleared
        assert AuditEntry.objects.filter(verb="observation.released").count() == 1
        assert not AuditEntry.objects.filter(verb="observation.release_cleared").exists()

    def test_no_clearance_releases_before_the_planned_end(self):
        fresh = observe(self.worker, "152921199202020023", "赵六", start=date(2020, 2, 10))
        out = self.release(fresh.pk, clearance=Clearance("王医生", "复查"))[fresh.pk]
        assert out.result == ReleaseResult.HELD
        assert (out.holds[0].code, out.holds[0].day) == (HoldCode.NOT_DUE, date(2020, 2, 24))
        assert self.status(fresh) == ObservationStatus.ACTIVE

    def test_outside_the_jurisdiction_reads_exactly_like_an_unknown_id(self):
        out = self.release(self.clean.pk, 987654, actor=self.far_worker)
        assert (out[self.clean.pk].result, out[self.clean.pk].holds, out[self.clean.pk].status) == (
            ReleaseResult.NOT_FOUND,
            [],
            "",
        )
        assert (out[987654].result, out[987654].status) == (ReleaseResult.NOT_FOUND, "")
        assert self.status(self.clean) == ObservationStatus.ACTIVE
        for viewer in (self.officer, self.outsider):  # may see, may not release
            assert self.release(self.clean.pk, actor=viewer)[self.clean.pk].result == "not_found"
        assert self.status(self.clean) == ObservationStatus.ACTIVE

    def test_a_second_release_changes_nothing_and_counts_once(self):
        self.release(self.clean.pk)
        again = self.release(self.clean.pk)[self.clean.pk]
        assert (again.result, again.status) == (ReleaseResult.NOT_ACTIVE, "released")
        assert level(metrics.RELEASED) == 1
        assert AuditEntry.objects.filter(verb="observation.released").count() == 1

    def test_the_outcomes_follow_the_order_given_once_per_id(self):
        outcomes = observation_release(
            actor=self.worker, observation_ids=[self.missed.pk, 987654, self.clean.pk, 987654]
        )
        assert [o.id for o in outcomes] == [self.missed.pk, 987654, self.clean.pk]

    def test_an_empty_or_oversized_selection_is_refused(self):
        with self.assertRaises(ValidationError) as ctx:
            observation_release(actor=self.worker, observation_ids=[])
        assert "ids" in ctx.exception.message_dict
        with self.assertRaises(ValidationError):
            observation_release(actor=self.worker, observation_ids=range(1, 502))

    def test_the_end_form_path_cannot_release_past_the_rule(self):
        with self.assertRaises(ValidationError):
            observation_end(
                actor=self.worker, observation=self.fever, status=ObservationStatus.RELEASED
            )
        assert self.status(self.fever) == ObservationStatus.ACTIVE


@pytest.mark.django_db(transaction=True)
def test_two_releases_at_once_release_the_person_once():
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (SQLite serialises every write)")
    from fangkong.divisions.models import Division
    from fangkong.divisions.services import divisions_load_file

    if not Division.objects.exists():
        divisions_load_file(path=Path(settings.BASE_DIR) / "data" / "alxa_divisions.csv")
    EmergencyPeriod.objects.create(
        name="2020",
        level=ResponseLevel.LEVEL_I,
        starts_at=datetime(2020, 1, 25, tzinfo=TZ),
        observation_days=14,
    )
    worker = make_user("race_worker", Role.GRASSROOTS, BAYANHAOTE)
    people = [observe(worker, n, f"人{i}") for i, n in enumerate((STANDARD_ID, ID_2, ID_3))]
    for obs in people:
        check_days(worker, obs)
    ids = [o.pk for o in people]
    barrier = threading.Barrier(2)
    results: list[list[str]] = []
    failures: list[BaseException] = []

    def release() -> None:
        try:
            actor = User.objects.get(pk=worker.pk)
            barrier.wait()
            results.append(
                [o.result for o in observation_release(actor=actor, observation_ids=ids)]
            )
        except BaseException as exc:  # reported below
            failures.append(exc)
        finally:
            connection.close()

    with time_machine.travel(RELEASE_DAY, tick=False):  # one clock for both threads
        threads = [threading.Thread(target=release) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
    assert failures == []
    for first, second in zip(results[0], results[1], strict=True):
        assert {first, second} == {ReleaseResult.RELEASED, ReleaseResult.NOT_ACTIVE}
    assert AuditEntry.objects.filter(verb="observation.released").count() == 3
    assert level(metrics.RELEASED) == 3
