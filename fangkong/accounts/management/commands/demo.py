"""``fangkong demo``: load a deterministic demo data set; running it twice duplicates nothing.

Each app that has demo data provides ``fangkong/<app>/demo.py`` with
``populate(*, rng, scale, out)``; apps are populated in INSTALLED_APPS order.
"""

from __future__ import annotations

import importlib
import random
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from fangkong.accounts.demo import DEMO_PASSWORD, describe_logins
from fangkong.divisions.models import Division


class Command(BaseCommand):
    help = "Load the demo data set (deterministic; idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", type=int, default=1, help="multiply the amount of data")
        parser.add_argument("--seed", type=int, default=2020, help="random seed")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["scale"] < 1:
            raise CommandError("--scale must be 1 or more")
        if not Division.objects.exists():
            raise CommandError("no divisions are loaded: run `fangkong load_divisions` first")
        for config in apps.get_app_configs():
            if not config.name.startswith("fangkong."):
                continue
            try:
                module = importlib.import_module(f"{config.name}.demo")
            except ModuleNotFoundError as exc:
                if exc.name == f"{config.name}.demo":
                    continue
                raise
            self.stdout.write(f"{config.label}:")
            rng = random.Random(  # noqa: S311 - demo data, not secrets
                f"{options['seed']}:{config.label}"
            )
            with transaction.atomic():
                module.populate(rng=rng, scale=options["scale"], out=self.stdout)
        self.stdout.write(
            self.style.SUCCESS("Demo logins (password for all: " + DEMO_PASSWORD + ")")
        )
        for line in describe_logins():
            self.stdout.write(line)
