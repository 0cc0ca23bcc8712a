"""``fangkong verify_pass CODE | --image FILE [--trust FILE] [--at ISO-TIME]``.

Prints ``{"valid", "reason", "serial", "issuer", "valid_from", "valid_until", "claims"}`` as
JSON: the serial and issuing HQ as soon as the code decodes, the validity (ISO 8601 times) and
claims once its signature has verified (else null). Exit status: 0 valid, 1 invalid (a readable
pass that is not valid now), 2 unreadable (no QR in the image, or a code that does not decode:
bad_prefix, bad_base45, bad_compression, bad_cbor) or an unusable trust file.
``--trust`` takes a signed trust-list envelope (as served by ``/api/v1/passes/trust-list``),
checked against the league root key; without it the database's current list is used.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from fangkong.lib import signing
from fangkong.lib.qr import read_qr
from fangkong.passes import trust
from fangkong.passes.services import UNREADABLE


class Command(BaseCommand):
    help = "Verify a green-channel pass; prints JSON, exits 0 valid, 1 invalid, 2 unreadable."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("code", nargs="?")
        parser.add_argument("--image", help="a PNG/JPEG holding the QR code")
        parser.add_argument("--trust", help="a signed trust-list envelope (JSON file)")
        parser.add_argument("--at", help="verify as of this ISO 8601 time (default: now)")

    def _emit(self, result: signing.VerifyResult | None, reason: str, code: int) -> None:
        def iso(value: datetime | None) -> str | None:
            return value.isoformat() if value is not None else None

        answer = {
            "valid": bool(result and result.valid),
            "reason": reason,
            "serial": result.serial if result else None,
            "issuer": result.issuer if result else None,
            "valid_from": iso(result.not_before) if result else None,
            "valid_until": iso(result.expires) if result else None,
            "claims": result.claims if result else None,
        }
        self.stdout.write(json.dumps(answer, ensure_ascii=False))
        sys.exit(code)

    def handle(self, *args: Any, **options: Any) -> None:
        at = timezone.now()
        if options.get("at"):
            try:
                at = datetime.fromisoformat(options["at"])
            except ValueError:
                raise CommandError(f"--at {options['at']!r} is not an ISO 8601 time") from None
            if at.tzinfo is None:
                at = timezone.make_aware(at)
        code = options.get("code")
        if options.get("image"):
            try:
                found = read_qr(Path(options["image"]).read_bytes())
            except OSError as exc:
                raise CommandError(f"--image: {exc}") from None
            if not found:
                self._emit(None, "no_qr_code", 2)
            code = found[0]
        if not code:
            raise CommandError("give a CODE or --image FILE")
        if options.get("trust"):
            root = trust.root_key()
            if root is None:
                raise CommandError("no league root key to check the trust list with", returncode=2)
            try:
                envelope = json.loads(Path(options["trust"]).read_text(encoding="utf-8"))
                trust_list = signing.verify_trust_list(
                    envelope, signing.public_key_from_b64(root.public_key)
                )
            except (OSError, ValueError) as exc:
                raise CommandError(f"--trust: {exc}", returncode=2) from None
        else:
            trust_list = trust.build(at=at)
        result = signing.verify_pass(code, trust_list, at=at)
        status = 0 if result.valid else (2 if result.reason in UNREADABLE else 1)
        self._emit(result, str(result.reason), status)
