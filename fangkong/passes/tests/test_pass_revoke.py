from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fangkong.core.models import AuditEntry
from fangkong.core.rollups import METRICS, figures
from fangkong.passes import services, trust
from fangkong.passes.models import GreenPass
from fangkong.passes.rollups import day
from fangkong.passes.tests.helpers import T0, PassesTestCase
from fangkong.test import LEFT_BANNER


class PassRevokeTests(PassesTestCase):
    def test_revoking_needs_a_reason_and_lists_the_serial_in_the_trust_list(self) -> None:
        green = self.issue()
        with pytest.raises(ValidationError, match="原因"):
            services.pass_revoke(actor=self.transport, green=green, reason="  ", now=T0)
        at = T0 + timedelta(days=2)
        services.pass_revoke(actor=self.transport, green=green, reason="driver changed", now=at)
        green.refresh_from_db()
        assert green.status == GreenPass.Status.REVOKED
        assert green.revoked_reason == "driver changed"
        assert trust.build(at=at).revoked == {green.serial}
        assert AuditEntry.objects.filter(verb="passes.revoke", target_id=str(green.pk)).exists()

    def test_a_revoked_serial_leaves_the_trust_list_once_the_pass_has_expired(self) -> None:
        green = self.issue(days=1)
        services.pass_revoke(actor=self.transport, green=green, reason="x", now=T0)
        assert trust.build(at=T0 + timedelta(days=2)).revoked == set()

    def test_a_revoked_or_expired_pass_cannot_be_revoked(self) -> None:
        green = self.issue(days=1)
        services.pass_revoke(actor=self.transport, green=green, reason="x", now=T0)
        with pytest.raises(ValidationError, match="已吊销"):
            services.pass_revoke(actor=self.transport, green=green, reason="x", now=T0)
        other = self.issue("蒙M54321", days=1)
        with pytest.raises(ValidationError, match="已过期"):
            services.pass_revoke(
                actor=self.transport, green=other, reason="x", now=T0 + timedelta(days=2)
            )

    def test_an_outsider_cannot_revoke(self) -> None:
        green = self.issue()
        with pytest.raises(PermissionDenied):
            services.pass_revoke(actor=self.other_transport, green=green, reason="x", now=T0)

    def test_the_valid_count_drops_on_the_day_of_revocation_and_matches_the_recount(self) -> None:
        green = self.issue(days=10)
        self.issue("蒙M54321", days=3)
        at = T0 + timedelta(days=2)
        services.pass_revoke(actor=self.transport, green=green, reason="x", now=at)
        on = day(at)
        assert figures([LEFT_BANNER], ["passes.valid"], on=on)["passes.valid"]["total"] == 1
        later = day(T0 + timedelta(days=5))
        assert figures([LEFT_BANNER], ["passes.valid"], on=later)["passes.valid"]["total"] == 0
        recount = METRICS["passes.valid"].recount
        assert recount is not None
        totals: dict[date, int] = {}
        for _code, d, n in recount():
            totals[d] = totals.get(d, 0) + n
        assert sum(n for d, n in totals.items() if d <= on) == 1

    def test_expiring_marks_passes_past_their_end(self) -> None:
        short = self.issue(days=1)
        long = self.issue("蒙M54321", days=5)
        assert services.passes_expire_due(now=T0 + timedelta(days=2)) == 1
        short.refresh_from_db()
        long.refresh_from_db()
        assert short.status == GreenPass.Status.EXPIRED
        assert long.status == GreenPass.Status.ISSUED
