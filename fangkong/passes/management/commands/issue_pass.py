"""``fangkong issue_pass``: sign a pass from the command line and print its ``FK1:`` code."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from fangkong.divisions.selectors import division_by_code
from fangkong.lib.qr import qr_png
from fangkong.passes import services
from fangkong.passes.models import MAX_VALIDITY_DAYS, Cargo


class Command(BaseCommand):
    help = "Issue a green-channel pass and print its FK1: code."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--plate", required=True)
        parser.add_argument("--cargo", required=True, choices=Cargo.values)
        parser.add_argument("--from", dest="origin", required=True, help="origin")
        parser.add_argument("--to", dest="destination", required=True, help="destination")
        parser.add_argument("--days", type=int, default=7, help=f"1 to {MAX_VALIDITY_DAYS}")
        parser.add_argument("--issuer", required=True, help="issuing HQ's division code")
        parser.add_argument("--vehicle-type", default="")
        parser.add_argument("--png", help="also write the QR code as a PNG file")

    def handle(self, *args: Any, **options: Any) -> None:
        division = division_by_code(options["issuer"])
        if division is None:
            raise CommandError(f"--issuer {options['issuer']}: no such division")
        try:
            vehicle = services.vehicle_upsert(
                actor=None,
                division=division,
                plate=options["plate"],
                vehicle_type=options["vehicle_type"],
            )
            green = services.pass_issue(
                actor=None,
                division=division,
                request=services.PassRequest(
                    vehicle=vehicle,
                    driver=None,
                    cargo=options["cargo"],
                    origin=options["origin"],
                    destination=options["destination"],
                    days=options["days"],
                ),
                now=timezone.now(),
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        if options.get("png"):
            Path(options["png"]).write_bytes(qr_png(green.code))
        self.stderr.write(f"serial {green.serial}, valid until {green.valid_until.isoformat()}")
        self.stdout.write(green.code)
