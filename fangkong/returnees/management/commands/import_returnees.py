"""``fangkong import_returnees FILE``: the screening census from the command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from fangkong.returnees.census import CensusFileError, census_import, report_xlsx


class Command(BaseCommand):
    help = "Import a screening census (xlsx or CSV); prints one JSON line of counts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the census workbook (xlsx) or CSV (UTF-8 or GBK)")
        parser.add_argument(
            "--division",
            default="",
            help="community code for rows without one; rows must lie inside it",
        )
        parser.add_argument("--dry-run", action="store_true", help="check only, import nothing")
        parser.add_argument(
            "--skip-bad-rows", action="store_true", help="import the good rows, skip the bad ones"
        )
        parser.add_argument("--report", default="", help="write the row-level report to this xlsx")
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            default="",
            help="language of the problems and the report (default: the site's language)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(options["language"] or translation.get_language()):
            self._import(options)

    def _import(self, options: dict[str, Any]) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(translation.gettext("%(file)s: no such file") % {"file": path})
        try:
            report = census_import(
                actor=None,
                data=path.read_bytes(),
                filename=path.name,
                default_division=options["division"],
                skip_bad_rows=options["skip_bad_rows"],
                dry_run=options["dry_run"],
            )
        except CensusFileError as exc:
            raise CommandError(f"{path.name}: {exc}") from None
        if options["report"]:
            Path(options["report"]).write_bytes(report_xlsx(report))
        for problem in report.problems[:20]:
            self.stderr.write(str(problem))
        if len(report.problems) > 20:
            self.stderr.write(
                translation.gettext("… and %(n)d more problems") % {"n": len(report.problems) - 20}
            )
        self.stdout.write(json.dumps(report.summary()))
        if report.rejected and not options["skip_bad_rows"]:
            raise SystemExit(1)
