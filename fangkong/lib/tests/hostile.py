"""Hostile spreadsheets, made cheaply, for the tests of every importer (and the benchmark of
refusing them): a zip bomb, a sheet of a million rows (declared, or hidden behind a false
``<dimension>``), a file too large, a file of the wrong type, a CSV in GBK, a formula cell."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

_CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'  # noqa: E501
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'  # noqa: E501
    b'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'  # noqa: E501
    b"</Types>"
)
_RELS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'  # noqa: E501
    b"</Relationships>"
)
_WORKBOOK = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    b'<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'  # noqa: E501
    b"</Relationships>"
)
_SHEET_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)

MB = 1024 * 1024


def _workbook(sheet_chunks: Any) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            for chunk in sheet_chunks:
                part.write(chunk)
    return buf.getvalue()


@lru_cache(maxsize=1)
def zip_bomb(unpacked_mb: int = 1024) -> bytes:
    """An xlsx of about 1 MB whose one sheet unpacks to ``unpacked_mb`` MB (one huge cell)."""

    def chunks() -> Any:
        yield _SHEET_HEAD + b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>'
        block = b"A" * MB
        for _ in range(unpacked_mb):
            yield block
        yield b"</t></is></c></row></sheetData></worksheet>"

    return _workbook(chunks())


@lru_cache(maxsize=2)
def million_rows(*, honest_dimension: bool = True, rows: int = 1_000_000) -> bytes:
    """An xlsx with a header (姓名, 身份证号, and the other usual names) and ``rows`` rows under
    it; its ``<dimension>`` says so, or (``honest_dimension=False``) claims two rows only."""
    headers = ["姓名", "身份证号", "车牌号", "户编号", "与户主关系"]
    last = rows + 1 if honest_dimension else 2

    def chunks() -> Any:
        yield _SHEET_HEAD + b'<dimension ref="A1:E%d"/><sheetData>' % last
        cells = b"".join(
            b'<c r="%s1" t="inlineStr"><is><t>%s</t></is></c>' % (chr(65 + i).encode(), h.encode())
            for i, h in enumerate(headers)
        )
        yield b'<row r="1">' + cells + b"</row>"
        batch = []
        for n in range(2, rows + 2):
            batch.append(b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (n, n, n))
            if len(batch) == 50_000:
                yield b"".join(batch)
                batch = []
        yield b"".join(batch) + b"</sheetData></worksheet>"

    return _workbook(chunks())


def too_large(limit: int = 50 * MB) -> bytes:
    """A workbook-looking file one byte over ``limit``."""
    return b"PK\x03\x04" + b"\0" * (limit - 3)


def wrong_type() -> bytes:
    """A PDF, as if someone picked the wrong file."""
    return b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"


def gbk_csv(rows: Sequence[Sequence[Any]]) -> bytes:
    """Rows as Chinese Excel saves "CSV": GBK, CRLF."""
    lines = [",".join("" if c is None else str(c) for c in row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode("gbk")


def with_formula(rows: Sequence[Sequence[Any]], at: tuple[int, int], value: Any) -> bytes:
    """An xlsx of ``rows`` whose cell ``at`` (row, column, 0-based) is a formula whose computed
    value is ``value``."""
    import xlsxwriter

    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    sheet = book.add_worksheet()
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            if (r, c) == at:
                sheet.write_formula(r, c, f'=T("{value}")', None, value)
            elif cell is not None:
                sheet.write_string(r, c, str(cell))
    book.close()
    return buf.getvalue()


def peak_rss_refusing(path: str, code: str) -> tuple[float, float]:
    """(MB resident after start-up, peak MB) of a fresh Python process that runs ``code``
    (which reads the file at ``path``, given as ``PATH``, and must raise SpreadsheetError)."""
    import json
    import subprocess
    import sys

    script = (
        "import json, os, sys\n"
        "def hwm():\n"
        "    # VmHWM, not getrusage: Linux carries ru_maxrss over from the parent across exec.\n"
        "    for line in open('/proc/self/status'):\n"
        "        if line.startswith('VmHWM:'):\n"
        "            return int(line.split()[1]) / 1024\n"
        "import django\n"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'fangkong.settings')\n"
        "django.setup()\n"
        "from fangkong.lib.spreadsheet import SpreadsheetError\n"
        "from fangkong.returnees import census\n"
        "from fangkong.assistance import roster\n"
        "from fangkong.passes import services as passes\n"
        "before = hwm()\n"
        f"PATH = {path!r}\n"
        "try:\n"
        + "".join(f"    {line}\n" for line in code.splitlines())
        + "except SpreadsheetError as exc:\n"
        "    refused = str(exc)\n"
        "else:\n"
        "    refused = ''\n"
        "peak = hwm()\n"
        "print(json.dumps([before, peak, refused]))\n"
    )
    out = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", script], check=True, capture_output=True, text=True
    ).stdout
    before, peak, refused = json.loads(out.strip().splitlines()[-1])
    assert refused, "the file was not refused"
    return before, peak


def refused_files(limit: int) -> list[tuple[str, bytes, str, tuple[str, ...]]]:
    """(what, data, file name, what the English message says: one of these) of the files
    every importer refuses; ``limit`` is the importer's file size limit (an importer that
    takes small files refuses a million rows by their size already)."""
    rows = ("1000001 rows", "MB; the limit is", "a sheet of at most")
    return [
        # An importer of small files refuses even the bomb by its size.
        ("zip bomb", zip_bomb(), "bomb.xlsx",
         ("zip bomb",) if len(zip_bomb()) <= limit else ("MB; the limit is",)),
        ("a million rows", million_rows(), "rows.xlsx", rows),
        ("a million rows behind a false dimension", million_rows(honest_dimension=False),
         "rows.xlsx", rows),
        ("a 50 MB file", too_large(max(limit, 50 * MB)), "big.xlsx", ("MB; the limit is",)),
        ("a PDF", wrong_type(), "notice.xlsx", ("PDF",)),
        ("a PDF named csv", wrong_type(), "notice.csv", ("PDF",)),
    ]  # fmt: skip
