from __future__ import annotations

import json
import stat
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from fangkong.lib import signing
from fangkong.passes import keystore, services, trust
from fangkong.passes.models import SigningKey
from fangkong.passes.tests.helpers import T0, PassesTestCase
from fangkong.test import LEFT_BANNER


class KeyTests(PassesTestCase):
    def test_private_keys_are_0600_files_and_never_in_the_database(self) -> None:
        for key in SigningKey.objects.all():
            path = keystore.key_path(key.kid)
            assert stat.S_IMODE(path.stat().st_mode) == 0o600
            pem = path.read_text()
            assert "PRIVATE KEY" in pem
            for field in SigningKey._meta.get_fields():
                value = getattr(key, field.name, None)
                assert "PRIVATE" not in str(value)

    def test_the_first_key_creates_the_league_root_key_too(self) -> None:
        root = SigningKey.objects.get(is_root=True)
        assert root.division_code == "1529"
        assert SigningKey.objects.filter(is_root=False).count() == 2

    def test_a_second_create_for_the_same_hq_is_refused(self) -> None:
        with pytest.raises(ValidationError, match="轮换"):
            services.key_create(actor=None, division=self.left, now=T0)

    def test_a_rotated_key_stays_trusted_until_its_last_pass_expires(self) -> None:
        green = self.issue(days=10)
        at = T0 + timedelta(days=1)
        old, new = services.key_rotate(actor=None, division=self.left, now=at)
        assert old.valid_until == green.valid_until
        fresh = self.issue("蒙M54321")
        assert fresh.kid == new.kid != green.kid
        tl = trust.build(at=at)
        assert {old.kid, new.kid} <= set(tl.keys)
        assert signing.verify_pass(green.code, tl, at=at + timedelta(days=1)).valid
        assert signing.verify_pass(fresh.code, tl, at=at + timedelta(days=1)).valid
        later = trust.build(at=green.valid_until + timedelta(seconds=1))
        assert old.kid not in later.keys

    def test_a_key_that_signed_nothing_retires_at_once(self) -> None:
        old, _new = services.key_rotate(actor=None, division=self.right, now=T0)
        assert old.valid_until == T0
        assert old.kid not in trust.build(at=T0).keys


class KeyCommandTests(PassesTestCase):
    def test_keys_create_rotate_and_list(self) -> None:
        out = StringIO()
        call_command("keys", "create", "--division", "152921110", stdout=out)
        assert "created key of" in out.getvalue()
        call_command("keys", "rotate", "--division", "152921110000", stdout=out)
        assert "rotated" in out.getvalue()
        listing = StringIO()
        call_command("keys", "list", stdout=listing)
        assert listing.getvalue().count("152921110 ") == 2
        with pytest.raises(CommandError, match="轮换"):
            call_command("keys", "create", "--division", "152921110", stdout=out)
        with pytest.raises(CommandError, match="no such division"):
            call_command("keys", "create", "--division", "999999", stdout=out)


class PassCommandTests(PassesTestCase):
    def run_verify(self, *args: str) -> tuple[int, dict[str, object]]:
        out = StringIO()
        with pytest.raises(SystemExit) as exit_info:
            call_command("verify_pass", *args, stdout=out)
        return int(exit_info.value.code or 0), json.loads(out.getvalue())

    def test_issue_verify_revoke_round_trip_with_exit_codes(self) -> None:
        tmp = Path(str(self.settings_key_dir())) / ".."
        png = tmp / "pass.png"
        out = StringIO()
        call_command(
            "issue_pass",
            "--plate", "蒙M12345",
            "--cargo", "medical",
            "--from", "152921",
            "--to", "银川市",
            "--days", "3",
            "--issuer", LEFT_BANNER,
            "--png", str(png),
            stdout=out,
            stderr=StringIO(),
        )  # fmt: skip
        code = out.getvalue().strip()
        assert code.startswith("FK1:")
        status, body = self.run_verify(code)
        assert (status, body["valid"], body["reason"]) == (0, True, "valid")
        assert body["claims"]["plate"] == "蒙M12345"  # type: ignore[index]
        status, body = self.run_verify("--image", str(png))
        assert (status, body["reason"]) == (0, "valid")
        later = "2099-01-01T00:00:00+00:00"
        status, body = self.run_verify(code, "--at", later)
        assert (status, body["reason"]) == (1, "expired")

        from fangkong.passes.models import GreenPass

        serial = GreenPass.objects.get().serial
        call_command("revoke_pass", serial, "--reason", "lost", stdout=StringIO())
        status, body = self.run_verify(code)
        assert (status, body["valid"], body["reason"]) == (1, False, "revoked")

        status, body = self.run_verify("FK1:!!")
        assert (status, body["reason"]) == (2, "bad_base45")
        status, body = self.run_verify("HC1:6BF")
        assert (status, body["reason"]) == (2, "bad_prefix")
        junk = tmp / "junk.png"
        junk.write_bytes(b"not an image")
        status, body = self.run_verify("--image", str(junk))
        assert status == 2

    def test_verify_prints_serial_issuer_and_validity(self) -> None:
        green = self.issue(days=3)
        at = (T0 + timedelta(hours=1)).isoformat()
        status, body = self.run_verify(green.code, "--at", at)
        assert status == 0
        assert (body["serial"], body["issuer"]) == (green.serial, LEFT_BANNER)
        assert body["valid_from"] == green.valid_from.isoformat()
        assert body["valid_until"] == green.valid_until.isoformat()
        status, body = self.run_verify("FK1:!!")
        assert (body["serial"], body["issuer"], body["valid_from"]) == (None, None, None)

    def test_a_clock_before_the_pass_and_its_key_reads_not_yet_valid(self) -> None:
        green = self.issue()
        key = SigningKey.objects.get(kid=green.kid)
        assert key.valid_from >= green.valid_from - timedelta(minutes=1)
        wrong_clock = (key.valid_from - timedelta(days=400)).isoformat()
        status, body = self.run_verify(green.code, "--at", wrong_clock)
        assert (status, body["reason"], body["valid"]) == (1, "not_yet_valid", False)
        assert body["valid_from"] == green.valid_from.isoformat()

    def test_verify_with_a_signed_trust_file_and_a_stale_one(self) -> None:
        green = self.issue()
        tmp = Path(str(self.settings_key_dir())) / ".."
        root = trust.root_key()
        assert root is not None
        envelope = trust.envelope(at=T0)
        fresh = tmp / "trust.json"
        fresh.write_text(json.dumps(envelope))
        at = (T0 + timedelta(hours=1)).isoformat()
        status, body = self.run_verify(green.code, "--trust", str(fresh), "--at", at)
        assert (status, body["reason"]) == (0, "valid")
        stale_at = (T0 + timedelta(hours=49)).isoformat()
        status, body = self.run_verify(green.code, "--trust", str(fresh), "--at", stale_at)
        assert (status, body["reason"]) == (1, "trust_list_expired")
        tampered = dict(
            envelope, payload=envelope["payload"].replace('"revoked":[]', '"revoked":["x"]')
        )
        bad = tmp / "bad.json"
        bad.write_text(json.dumps(tampered))
        with pytest.raises(CommandError) as info:
            call_command("verify_pass", green.code, "--trust", str(bad), stdout=StringIO())
        assert info.value.returncode == 2

    def settings_key_dir(self) -> Path:
        from django.conf import settings

        return Path(settings.FANGKONG_KEY_DIR)


class MissingKeyFileTests(PassesTestCase):
    def test_a_lost_private_key_file_is_a_clear_error_not_a_crash(self) -> None:
        key = SigningKey.objects.get(division_code=LEFT_BANNER, is_root=False)
        keystore.key_path(key.kid).unlink()
        keystore._CACHE.clear()
        with pytest.raises(ValidationError):
            self.issue()
        root = SigningKey.objects.get(is_root=True)
        keystore.key_path(root.kid).unlink()
        response = self.client_for(self.inspector).get("/api/v1/passes/trust-list")
        assert response.status_code == 503
        assert "key" in response.json()["detail"]
