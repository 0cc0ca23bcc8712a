"""``fangkong keys create|rotate|list``: HQ signing keys and the league root key."""

from __future__ import annotations

import argparse
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from fangkong.divisions.models import Division
from fangkong.divisions.selectors import division_by_code
from fangkong.passes import services
from fangkong.passes.models import SigningKey


def _division(code: str | None) -> Division | None:
    if code is None:
        return None
    division = division_by_code(code)
    if division is None:
        raise CommandError(f"--division {code}: no such division")
    return division


class Command(BaseCommand):
    help = "Create, rotate or list pass-signing keys (private keys go to FANGKONG_KEY_DIR)."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        for name, text in (
            ("create", "a first key for an HQ (and the root key if there is none)"),
            ("rotate", "a new key for an HQ; the old one stays trusted until its passes expire"),
        ):
            p = sub.add_parser(name, help=text)
            p.add_argument("--division", help="the HQ's division code (any written form)")
            p.add_argument("--root", action="store_true", help="the league root key")
        sub.add_parser("list", help="list keys")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        now = timezone.now()
        if action == "list":
            for key in SigningKey.objects.order_by("division_code", "valid_from"):
                state = "retired" if key.retired_at else "current"
                until = key.valid_until.isoformat() if key.valid_until else "-"
                kind = "root" if key.is_root else "hq"
                self.stdout.write(f"{key.kid} {kind} {key.division_code} {state} until={until}")
            return
        division = _division(options.get("division"))
        root = bool(options.get("root"))
        if division is None and not root:
            raise CommandError("give --division CODE or --root")
        try:
            if action == "create":
                for key in services.key_create(actor=None, division=division, root=root, now=now):
                    kind = "root key" if key.is_root else f"key of {key.division}"
                    self.stdout.write(f"created {kind}: {key.kid}")
            else:
                old, new = services.key_rotate(actor=None, division=division, root=root, now=now)
                self.stdout.write(
                    f"rotated {old.kid} -> {new.kid}; old key trusted until "
                    f"{old.valid_until.isoformat() if old.valid_until else '-'}"
                )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
