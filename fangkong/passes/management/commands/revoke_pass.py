"""``fangkong revoke_pass SERIAL --reason R``."""

from __future__ import annotations

import argparse
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from fangkong.passes import services
from fangkong.passes.models import GreenPass


class Command(BaseCommand):
    help = "Revoke a green-channel pass by serial; it is listed in the next trust list."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("serial")
        parser.add_argument("--reason", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        green = GreenPass.objects.filter(serial=options["serial"]).first()
        if green is None:
            raise CommandError(f"no pass with serial {options['serial']}")
        try:
            services.pass_revoke(
                actor=None, green=green, reason=options["reason"], now=timezone.now()
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        self.stdout.write(f"revoked {green.serial}")
