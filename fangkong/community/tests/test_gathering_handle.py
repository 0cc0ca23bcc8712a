"""Handling a gathering: reported → assigned → stopped/postponed/dissuaded/false report."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from fangkong.community.models import GatheringReport
from fangkong.community.services import gatherings
from fangkong.core.rollups import figures, rebuild
from fangkong.test import BAYANHAOTE, LEFT_BANNER, BaseTestCase

from .helpers import report, sumu_worker

T0 = datetime(2020, 2, 10, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
METRICS = [
    "community.gatherings.reported",
    "community.gatherings.handled",
    "community.gatherings.open",
]


class HandleServiceTests(BaseTestCase):
    def test_time_to_handle_is_measured_and_rollups_follow(self):
        worker = sumu_worker()
        with time_machine.travel(T0, tick=False):
            r = report()
        with time_machine.travel(T0 + timedelta(minutes=20), tick=False):
            gatherings.gathering_assign(actor=worker, report=r)
        with time_machine.travel(T0 + timedelta(minutes=95), tick=False):
            r = gatherings.gathering_handle(
                actor=worker, report=r, outcome="dissuaded", notes="劝导改期"
            )
        assert r.minutes_to_handle == 95
        assert r.status == "dissuaded" and r.handled_by == worker
        got = figures([LEFT_BANNER], METRICS, on=T0.date())
        assert got["community.gatherings.reported"]["total"] == 1
        assert got["community.gatherings.handled"]["total"] == 1
        assert got["community.gatherings.open"]["total"] == 0
        before = figures(["1529"], METRICS, on=T0.date())
        rebuild(METRICS)
        assert figures(["1529"], METRICS, on=T0.date()) == before

    def test_handling_from_the_wrong_state_is_refused_and_nothing_changes(self):
        worker = sumu_worker()
        r = report()
        with pytest.raises(ValidationError, match="Only an assigned gathering"):
            gatherings.gathering_handle(actor=worker, report=r, outcome="stopped", notes="x")
        gatherings.gathering_assign(actor=worker, report=r)
        gatherings.gathering_handle(actor=worker, report=r, outcome="stopped", notes="已制止")
        with pytest.raises(ValidationError, match="Only an assigned gathering"):
            gatherings.gathering_handle(actor=worker, report=r, outcome="false_report", notes="x")
        with pytest.raises(ValidationError, match="Only a newly reported"):
            gatherings.gathering_assign(actor=worker, report=r)
        r.refresh_from_db()
        assert r.status == "stopped" and r.handling_notes == "已制止"

    def test_an_outcome_needs_notes_and_a_real_outcome(self):
        worker = sumu_worker()
        r = gatherings.gathering_assign(actor=worker, report=report())
        with pytest.raises(ValidationError):
            gatherings.gathering_handle(actor=worker, report=r, outcome="stopped", notes="  ")
        with pytest.raises(ValidationError):
            gatherings.gathering_handle(actor=worker, report=r, outcome="reported", notes="x")
        assert GatheringReport.objects.get().status == "assigned"

    def test_nobody_outside_the_division_can_be_assigned(self):
        from fangkong.accounts.roles import Role
        from fangkong.test import RIGHT_TOWN, make_user

        far = make_user("far_worker", Role.GRASSROOTS, RIGHT_TOWN)
        with pytest.raises(ValidationError):
            gatherings.gathering_assign(actor=self.colleague, report=report(), assignee=far)


class HandlePageTests(BaseTestCase):
    def test_a_sumu_worker_takes_and_handles_a_report_on_the_page(self):
        worker = sumu_worker()
        r = report()
        client = self.client_for(worker)
        page = client.get(f"/community/gatherings/{r.pk}/")
        assert b'data-testid="assign"' in page.content
        client.post(f"/community/gatherings/{r.pk}/assign/", {"assignee": ""})
        r.refresh_from_db()
        assert r.status == "assigned" and r.assignee == worker
        client.post(
            f"/community/gatherings/{r.pk}/handle/",
            {"outcome": "postponed", "notes": "推迟到疫情后"},
        )
        r.refresh_from_db()
        assert r.status == "postponed"

    def test_a_viewer_without_the_handle_permission_gets_not_found_on_writes(self):
        r = report()
        officer = self.client_for(self.officer)
        assert officer.get(f"/community/gatherings/{r.pk}/").status_code == 200
        assert officer.post(f"/community/gatherings/{r.pk}/assign/", {}).status_code == 404

    def test_the_outsider_cannot_assign_or_handle(self):
        r = report()
        outsider = self.client_for(self.outsider)
        assert outsider.post(f"/community/gatherings/{r.pk}/assign/", {}).status_code == 404
        assert (
            outsider.post(
                f"/community/gatherings/{r.pk}/handle/", {"outcome": "stopped", "notes": "x"}
            ).status_code
            == 404
        )
        r.refresh_from_db()
        assert r.status == "reported"


class StatisticsTests(BaseTestCase):
    def test_statistics_per_division_count_and_time_to_handle(self):
        worker = sumu_worker()
        with time_machine.travel(T0, tick=False):
            a = report(kind="wedding")
            report(kind="market", code=BAYANHAOTE)
            report(kind="funeral", code="152921102")
        with time_machine.travel(T0 + timedelta(minutes=30), tick=False):
            gatherings.gathering_assign(actor=worker, report=a)
            gatherings.gathering_handle(actor=worker, report=a, outcome="stopped", notes="已制止")
        with time_machine.travel(T0 + timedelta(hours=1), tick=False):
            page = self.client_for(self.officer).get("/community/gatherings/stats/")
        rows = {row.code: row for row in page.context["rows"]}
        assert rows[BAYANHAOTE].reported == 2
        assert rows[BAYANHAOTE].handled == 1
        assert rows[BAYANHAOTE].open == 1
        assert rows[BAYANHAOTE].average_minutes == 30
        assert rows[BAYANHAOTE].by_kind == {"wedding": 1, "market": 1}
        assert rows["152921102"].reported == 1
        assert page.context["reported"]["total"] == 3

    def test_the_outsider_cannot_drill_into_another_banner(self):
        report()
        outsider = self.client_for(self.outsider)
        assert (
            outsider.get(f"/community/gatherings/stats/?division={LEFT_BANNER}").status_code == 404
        )
        own = outsider.get("/community/gatherings/stats/")
        assert own.status_code == 200
        assert own.context["reported"]["total"] == 0
