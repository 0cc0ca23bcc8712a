"""``fangkong import_notice FILE``: parse a notice (.txt or .docx) and print what was found."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fangkong.directives.parsing import NoticeImportError, extract_text_from_upload, parse_notice


class Command(BaseCommand):
    help = "Parse a notice file (.txt or .docx); --json prints the result as JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror}") from None
        try:
            notice = parse_notice(extract_text_from_upload(path.name, data))
        except NoticeImportError as exc:
            raise CommandError(f"{path}: {exc}") from None
        if options["json"]:
            self.stdout.write(json.dumps(notice.as_json_dict(), ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"title:      {notice.title}")
        self.stdout.write(f"issuer:     {notice.issuer}")
        self.stdout.write(f"date:       {notice.date}")
        self.stdout.write(f"doc number: {notice.doc_number}")
        self.stdout.write(f"source:     {notice.source}")
        for cite in notice.cites:
            self.stdout.write(f"cites:      {cite}")
        for measure in notice.measures:
            self.stdout.write(f"measure {measure.number}: {measure.title}")
