from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fangkong.core.rollups import METRICS, rebuild


class Command(BaseCommand):
    help = "Recount dashboard rollups from the source tables (all metrics, or those named)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("metrics", nargs="*", help="metric names (default: all)")

    def handle(self, *args: Any, **options: Any) -> None:
        unknown = [m for m in options["metrics"] if m not in METRICS]
        if unknown:
            raise CommandError(
                f"unknown metrics: {', '.join(unknown)}; known: {', '.join(METRICS)}"
            )
        written = rebuild(options["metrics"] or None)
        for name, rows in written.items():
            self.stdout.write(f"{name}: {rows} rows")
        self.stdout.write(self.style.SUCCESS(f"rebuilt {len(written)} metrics"))
