from datetime import UTC, datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from fangkong.accounts.roles import Role
from fangkong.checkpoints import metrics, services
from fangkong.checkpoints.models import Kind, Status, Transition
from fangkong.core.models import AuditEntry, DailyCount
from fangkong.core.rollups import figures, rebuild
from fangkong.test import BAYANHAOTE, LEAGUE, LEFT_BANNER, RIGHT_TOWN, BaseTestCase, make_user

from .helpers import requested

NOW = datetime(2020, 2, 10, 2, 0, tzinfo=UTC)


@time_machine.travel(NOW, tick=False)
class CheckpointWorkflowTests(BaseTestCase):
    def test_a_village_entrance_is_approved_by_its_banner_hq_only(self):
        checkpoint = requested(self.colleague)
        assert checkpoint.status == Status.REQUESTED
        assert checkpoint.approval_code == LEFT_BANNER
        with pytest.raises(PermissionDenied):
            services.checkpoint_approve(
                actor=self.league_commander, checkpoint=checkpoint, reason="x"
            )
        with pytest.raises(PermissionDenied):
            services.checkpoint_approve(actor=self.outsider, checkpoint=checkpoint, reason="x")
        services.checkpoint_approve(actor=self.officer, checkpoint=checkpoint, reason="needed")
        assert checkpoint.status == Status.APPROVED
        assert checkpoint.decided_by == self.officer

    def test_highways_and_border_ports_are_approved_by_the_league_hq(self):
        for kind in (Kind.HIGHWAY, Kind.BORDER_PORT):
            checkpoint = requested(self.colleague, kind=kind, code=LEFT_BANNER)
            assert checkpoint.approval_code == LEAGUE
            with pytest.raises(PermissionDenied):
                services.checkpoint_approve(actor=self.officer, checkpoint=checkpoint, reason="x")
            services.checkpoint_approve(
                actor=self.league_commander, checkpoint=checkpoint, reason="G7 exit"
            )
            assert checkpoint.status == Status.APPROVED

    def test_nobody_requests_outside_their_jurisdiction(self):
        with pytest.raises(PermissionDenied):
            requested(self.colleague, code=RIGHT_TOWN)
        with pytest.raises(ValidationError) as exc:
            services.checkpoint_request(
                actor=self.colleague,
                name=" ",
                division=self.colleague.memberships.get().division,
                kind="tank",
                department="",
                reason="",
            )
        assert set(exc.value.message_dict) == {"name", "kind", "department", "reason"}

    def test_the_full_life_is_audited_with_every_reason(self):
        checkpoint = requested(self.colleague)
        services.checkpoint_approve(actor=self.officer, checkpoint=checkpoint, reason="approve it")
        services.checkpoint_open(actor=self.colleague, checkpoint=checkpoint, reason="staffed")
        services.checkpoint_suspend(actor=self.officer, checkpoint=checkpoint, reason="sandstorm")
        services.checkpoint_resume(actor=self.officer, checkpoint=checkpoint, reason="clear")
        services.checkpoint_close(actor=self.league_commander, checkpoint=checkpoint, reason="end")
        steps = list(
            Transition.objects.filter(checkpoint=checkpoint).values_list(
                "from_status", "to_status", "reason"
            )
        )
        assert steps == [
            ("", "requested", "Road entrance check"),
            ("requested", "approved", "approve it"),
            ("approved", "open", "staffed"),
            ("open", "suspended", "sandstorm"),
            ("suspended", "open", "clear"),
            ("open", "closed", "end"),
        ]
        verbs = list(
            AuditEntry.objects.filter(
                target_type="checkpoints.checkpoint", target_id=str(checkpoint.pk)
            )
            .order_by("id")
            .values_list("verb", "extra__reason")
        )
        assert verbs == [
            ("checkpoint.request", "Road entrance check"),
            ("checkpoint.approve", "approve it"),
            ("checkpoint.open", "staffed"),
            ("checkpoint.suspend", "sandstorm"),
            ("checkpoint.resume", "clear"),
            ("checkpoint.close", "end"),
        ]
        assert checkpoint.opened_at == NOW

    def test_a_status_change_names_its_allowed_source_states(self):
        checkpoint = requested(self.colleague)
        with pytest.raises(ValidationError):
            services.checkpoint_open(actor=self.colleague, checkpoint=checkpoint, reason="x")
        services.checkpoint_reject(actor=self.officer, checkpoint=checkpoint, reason="no need")
        for service in (services.checkpoint_approve, services.checkpoint_close):
            with pytest.raises(ValidationError):
                service(actor=self.officer, checkpoint=checkpoint, reason="x")
        assert checkpoint.status == Status.REJECTED

    def test_a_change_without_a_reason_is_refused_and_changes_nothing(self):
        checkpoint = requested(self.colleague)
        with pytest.raises(ValidationError):
            services.checkpoint_approve(actor=self.officer, checkpoint=checkpoint, reason="  ")
        checkpoint.refresh_from_db()
        assert checkpoint.status == Status.REQUESTED
        assert checkpoint.transitions.count() == 1

    def test_staff_cannot_suspend_and_the_outsider_cannot_close(self):
        checkpoint = requested(self.colleague)
        services.checkpoint_approve(actor=self.officer, checkpoint=checkpoint, reason="ok")
        services.checkpoint_open(actor=self.colleague, checkpoint=checkpoint, reason="go")
        with pytest.raises(PermissionDenied):
            services.checkpoint_suspend(actor=self.colleague, checkpoint=checkpoint, reason="x")
        with pytest.raises(PermissionDenied):
            services.checkpoint_close(actor=self.outsider, checkpoint=checkpoint, reason="x")

    def test_a_checkpoint_that_is_not_open_cannot_log_passages(self):
        inspector = make_user("insp", Role.INSPECTOR, BAYANHAOTE)
        checkpoint = requested(self.colleague)
        services.checkpoint_approve(actor=self.officer, checkpoint=checkpoint, reason="ok")
        with pytest.raises(services.NotOpen):
            services.passage_log(
                actor=inspector,
                checkpoint=checkpoint,
                at=NOW,
                direction="in",
                subject="person",
                person_name="张三",
                result="passed",
            )
        services.checkpoint_open(actor=self.colleague, checkpoint=checkpoint, reason="go")
        services.checkpoint_suspend(actor=self.officer, checkpoint=checkpoint, reason="storm")
        with pytest.raises(services.NotOpen):
            services.passages_sync(actor=inspector, checkpoint=checkpoint, items=[])

    def test_rollups_follow_the_workflow_and_match_a_recount(self):
        a = requested(self.colleague, name="A")
        b = requested(self.colleague, name="B")
        for c in (a, b):
            services.checkpoint_approve(actor=self.officer, checkpoint=c, reason="ok")
            services.checkpoint_open(actor=self.colleague, checkpoint=c, reason="go")
        services.checkpoint_suspend(actor=self.officer, checkpoint=b, reason="storm")
        names = [metrics.REQUESTED, metrics.APPROVED, metrics.OPEN]
        got = figures([LEFT_BANNER], names, on=NOW.date())
        assert got[metrics.REQUESTED]["today"] == 2
        assert got[metrics.APPROVED]["total"] == 2
        assert got[metrics.OPEN]["total"] == 1
        before = sorted(
            DailyCount.objects.filter(metric__startswith="checkpoints.").values_list(
                "metric", "division_code", "day", "value"
            )
        )
        rebuild([m for m in metrics_names() if m.startswith("checkpoints.")])
        after = sorted(
            DailyCount.objects.filter(metric__startswith="checkpoints.")
            .exclude(value=0)
            .values_list("metric", "division_code", "day", "value")
        )
        assert [r for r in before if r[3]] == after


def metrics_names():
    from fangkong.core.rollups import METRICS

    return list(METRICS)
