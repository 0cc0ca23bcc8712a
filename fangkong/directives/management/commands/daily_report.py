"""``fangkong daily_report``: one daily report (日报) to a file, or schedule the evening task."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from fangkong.directives import dailyreport, tasks
from fangkong.divisions.selectors import division_by_code


class Command(BaseCommand):
    help = "Write the daily report of a division as xlsx or PDF, or schedule the evening task."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--division", help="division code, e.g. 1529 or 152921")
        parser.add_argument("--date", help="YYYY-MM-DD (default: today)")
        parser.add_argument("--format", choices=["xlsx", "pdf"], default="xlsx")
        parser.add_argument("-o", "--output", help="file to write")
        parser.add_argument("--notes", default="", help="notes to add at the end")
        parser.add_argument(
            "--schedule",
            action="store_true",
            help="enqueue the evening task (20:00) that makes every banner's reports each day",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["schedule"]:
            when = tasks.next_evening()
            tasks.daily_reports_make.using(run_after=when).enqueue()
            self.stdout.write(f"daily reports scheduled for {when:%Y-%m-%d %H:%M %Z}")
            return
        if not options["division"] or not options["output"]:
            raise CommandError("--division and -o are required (or use --schedule)")
        division = division_by_code(options["division"])
        if division is None:
            raise CommandError(f"--division {options['division']}: no such division")
        try:
            day = date.fromisoformat(options["date"]) if options["date"] else timezone.localdate()
        except ValueError:
            raise CommandError(f"--date {options['date']}: use YYYY-MM-DD") from None
        report = dailyreport.build_daily_report(division=division, day=day, notes=options["notes"])
        try:
            content = dailyreport.render(report, options["format"])
        except dailyreport.FontMissing as exc:
            raise CommandError(str(exc)) from None
        Path(options["output"]).write_bytes(content)
        self.stdout.write(f"{options['output']}: {len(content)} bytes")
