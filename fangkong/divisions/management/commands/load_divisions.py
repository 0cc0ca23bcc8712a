from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from fangkong.divisions.services import DivisionFileError, divisions_load_file

DEFAULT_FILE = Path(settings.BASE_DIR) / "data" / "alxa_divisions.csv"


class Command(BaseCommand):
    help = "Load administrative divisions from a CSV file (code,name,level,parent_code)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("csv", nargs="?", default=str(DEFAULT_FILE), help="CSV file to load")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["csv"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        try:
            result = divisions_load_file(path=path)
        except DivisionFileError as exc:
            raise CommandError(f"{path.name}: {exc}. Nothing was loaded.") from None
        for code, old, new in result.renames:
            self.stdout.write(f"renamed {code}: {old} → {new}")
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.total} divisions in {path.name}: {result.created} created, "
                f"{result.renamed} renamed, {result.moved} moved, {result.unchanged} unchanged"
            )
        )
