"""The server's cached trust list: built once, rebuilt whenever keys or revocations change."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext

from fangkong.passes import services, trust
from fangkong.passes.models import GreenPass, TrustState
from fangkong.passes.tests.helpers import T0, PassesTestCase

AT = T0 + timedelta(hours=1)


class ServerTrustListCacheTests(PassesTestCase):
    def reason(self, code: str, at: datetime = AT) -> str:
        return services.verify_code(code, at=at).reason

    def test_verifying_again_reads_nothing_from_the_database(self) -> None:
        green = self.issue()
        assert self.reason(green.code) == "valid"
        with CaptureQueriesContext(connection) as queries:
            for _ in range(5):
                assert self.reason(green.code) == "valid"
        assert len(queries) == 0, [q["sql"] for q in queries]

    def test_a_revocation_is_seen_by_the_very_next_verification(self) -> None:
        green = self.issue()
        assert self.reason(green.code) == "valid"
        services.pass_revoke(actor=self.transport, green=green, reason="stolen", now=AT)
        assert self.reason(green.code) == "revoked"

    def test_a_new_key_is_trusted_at_once_and_the_rotated_one_until_its_passes_end(self) -> None:
        old_pass = self.issue()
        assert self.reason(old_pass.code) == "valid"
        services.key_rotate(actor=None, division=self.left, now=AT)
        new_pass = self.issue("蒙M54321")
        assert new_pass.kid != old_pass.kid
        assert self.reason(new_pass.code) == "valid"
        assert self.reason(old_pass.code) == "valid"
        after = old_pass.valid_until + timedelta(seconds=1)
        assert self.reason(old_pass.code, after) == "unknown_kid"  # the old key has left the list

    def test_a_key_of_a_new_hq_is_trusted_at_once(self) -> None:
        from fangkong.divisions.models import Division

        town = Division.objects.get(code="152921102")
        assert self.reason(self.issue().code) == "valid"  # the copy is built
        services.key_create(actor=None, division=town, now=T0)
        green = services.pass_create_full(
            actor=None,
            division=town,
            plate="蒙M67890",
            cargo="medical",
            origin="152921102",
            destination="银川市",
            now=T0,
        )
        assert self.reason(green.code) == "valid"

    def test_a_change_committed_by_another_process_is_seen_within_the_token_ttl(self) -> None:
        green = self.issue()
        assert self.reason(green.code) == "valid"
        # Another server process revokes the pass: the rows and the change token change in the
        # database, but nothing in this process is told.
        GreenPass.objects.filter(pk=green.pk).update(
            status=GreenPass.Status.REVOKED, revoked_at=AT, revoked_reason="stolen"
        )
        TrustState.objects.filter(pk=1).update(token="changed-elsewhere")
        seen = trust._seen
        assert seen is not None
        # Once this process's last look at the token is older than the TTL, it looks again.
        trust._seen = (time.monotonic() - trust._GENERATION_TTL_SECONDS - 0.01, seen[1])
        assert self.reason(green.code) == "revoked"
        assert trust.generation() == "changed-elsewhere"

    def test_a_copy_is_never_used_for_an_earlier_time_or_past_its_lifetime(self) -> None:
        green = self.issue()
        assert self.reason(green.code) == "valid"
        first = trust._copy
        assert first is not None
        before = AT - timedelta(minutes=1)
        assert trust.server_copy(at=before) is not first.trust
        rebuilt = trust._copy
        assert rebuilt is not None
        late = rebuilt.built_at + timedelta(seconds=trust._SERVER_COPY_SECONDS)
        assert trust.server_copy(at=late) is not rebuilt.trust
