"""One reader for every uploaded spreadsheet: xlsx (python-calamine) or CSV (UTF-8, with or
without a BOM, or GBK as Chinese Excel saves it).

Nothing is inflated before the limits are checked: the file's size, the zip's entries (their
number, their declared unpacked size and the compression ratio) and each sheet's row count as
its ``<dimension>`` declares it (counted from the rows themselves, streaming, when it has none
or when its size belies it). The zip reader inside calamine then refuses any entry that unpacks
to more than it declared, so a zip bomb never reaches memory.

Formula cells read as their computed values, or, with ``find_formulas``, their positions are
returned for the caller to refuse them (the census does). Problems are ``Problem`` objects
(row as the spreadsheet numbers it, column as its header reads, an English message id
translated when shown); anything that stops a file is a ``SpreadsheetError`` carrying them.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import IO, Any

import python_calamine
from django.utils.translation import gettext, gettext_noop

MB = 1024 * 1024
#: The largest spreadsheet any importer takes (each importer may take less).
MAX_FILE_BYTES = 50 * MB
#: The most an xlsx may unpack to, whatever its rows.
MAX_UNPACKED_BYTES = 300 * MB
#: Unpacked bytes allowed per row the caller allows (a census row takes about 560).
UNPACKED_BYTES_PER_ROW = 1500
#: A workbook's parts other than its rows (styles, theme, a few small sheets).
UNPACKED_BYTES_SLACK = 16 * MB
MAX_COMPRESSION_RATIO = 100
MAX_ENTRIES = 5000
HEADER_SCAN_ROWS = 10

XLSX_NAMES = (".xlsx", ".xlsm")
_BINARY_MAGIC = (
    (b"\xd0\xcf\x11\xe0", gettext_noop("the file is an old .xls workbook: save it as .xlsx")),
    (b"%PDF", gettext_noop("the file is a PDF, not a spreadsheet (xlsx or CSV)")),
    (b"\x89PNG", gettext_noop("the file is an image, not a spreadsheet (xlsx or CSV)")),
    (b"\xff\xd8\xff", gettext_noop("the file is an image, not a spreadsheet (xlsx or CSV)")),
    (b"GIF8", gettext_noop("the file is an image, not a spreadsheet (xlsx or CSV)")),
    (b"Rar!", gettext_noop("the file is an archive, not a spreadsheet (xlsx or CSV)")),
    (b"\x1f\x8b", gettext_noop("the file is an archive, not a spreadsheet (xlsx or CSV)")),
    (b"7z\xbc\xaf", gettext_noop("the file is an archive, not a spreadsheet (xlsx or CSV)")),
)


def render_message(message: str, params: Mapping[str, Any] | None = None) -> str:
    """A message id (English, marked with ``gettext_noop``) in the active language."""
    if not message:
        return ""
    text = gettext(message)
    return text % dict(params) if params else text


@dataclass(slots=True)
class Problem:
    """One problem of a file. ``message`` is an English message id (with ``%(name)s``
    placeholders filled from ``params``), translated only when shown: a bad row pays for a
    small object, a good row for nothing."""

    row: int  # spreadsheet row number (the header is row 1 in a template); 0: the whole file
    column: str  # header text as in the file, or "" for the whole row / file
    message: str
    params: dict[str, Any] | None = None
    who: str = ""  # the person the row is about (a name), when known

    @property
    def text(self) -> str:
        """The problem in the active language."""
        return render_message(self.message, self.params)

    def __str__(self) -> str:
        values = {"row": self.row, "column": self.column, "message": self.text, "who": self.who}
        if self.row and self.who and self.column:
            return gettext("row %(row)d (%(who)s), column %(column)s: %(message)s") % values
        if self.row and self.who:
            return gettext("row %(row)d (%(who)s): %(message)s") % values
        if self.row and self.column:
            return gettext("row %(row)d, column %(column)s: %(message)s") % values
        if self.row:
            return gettext("row %(row)d: %(message)s") % values
        return gettext("file: %(message)s") % values

    def as_list(self) -> list[Any]:
        """A JSON-ready form, kept in the session or a background job."""
        return [self.row, self.column, self.message, self.params or {}, self.who]

    @classmethod
    def from_list(cls, item: Sequence[Any]) -> Problem:
        return cls(
            item[0],
            item[1],
            item[2],
            item[3] if len(item) > 3 and item[3] else None,
            item[4] if len(item) > 4 else "",
        )


class SpreadsheetError(ValueError):
    """A spreadsheet cannot be taken: the file as a whole (too big, a zip bomb, not a
    spreadsheet, no header) or its rows (every problem, each with its row and column).

    ``str()`` says it in the active language; ``problems`` lists each problem.
    """

    def __init__(
        self,
        message: str = "",
        params: Mapping[str, Any] | None = None,
        *,
        row: int = 0,
        column: str = "",
        problems: Iterable[Problem] | None = None,
    ) -> None:
        found = list(problems or ())
        if message or not found:
            found.insert(0, Problem(row, column, message, dict(params or {}) or None))
        self.problems = found
        first = found[0]
        super().__init__(first.message)
        self.message = first.message
        self.params = first.params or {}
        self.row = first.row
        self.column = first.column

    def __str__(self) -> str:
        shown = [p.text if not p.row else str(p) for p in self.problems[:5]]
        more = len(self.problems) - len(shown)
        if more > 0:
            shown.append(gettext("and %(n)d more problems") % {"n": more})
        return gettext("; ").join(shown)

    @property
    def messages(self) -> list[str]:
        """Every problem, one line each, in the active language."""
        return [p.text if not p.row else str(p) for p in self.problems]

    def as_list(self) -> list[Any]:
        """The first problem's message id and parameters (JSON-ready)."""
        return [self.message, self.params]


def mb(size: int) -> int:
    """Whole megabytes, rounded up (a limit or a size, as the user reads it)."""
    return -(-size // MB)


def check_size(size: int | None, limit: int) -> None:
    """Refuse a file larger than ``limit`` bytes, before anything of it is read."""
    if size is not None and size > limit:
        raise SpreadsheetError(
            gettext_noop("the file is %(size)d MB; the limit is %(limit)d MB: split it"),
            {"size": mb(size), "limit": mb(limit)},
        )


# --- header aliases ----------------------------------------------------------------------------


def header_text(cell: Any) -> str:
    """A header cell as compared: no spaces or asterisks (a required-column mark), lower case."""
    return re.sub(r"[\s*＊]", "", str(cell if cell is not None else "")).lower()


@dataclass
class HeaderMap:
    index: dict[str, int]  # column key → position
    names: dict[str, str]  # column key → header text as in the file
    unknown: list[tuple[int, str]]  # (position, header text) not understood
    duplicates: list[tuple[int, str]]  # (position, header text) of a column already seen


class Columns:
    """Column keys and the header names accepted for each (the first is the template's)."""

    def __init__(self, aliases: Mapping[str, Sequence[str]]) -> None:
        self.aliases = dict(aliases)
        self.template = {key: names[0] for key, names in self.aliases.items()}
        self._key = {
            header_text(name): key for key, names in self.aliases.items() for name in names
        }

    def key(self, cell: Any) -> str | None:
        return self._key.get(header_text(cell))

    def has(self, row: Sequence[Any], keys: Sequence[str]) -> bool:
        found = {self.key(cell) for cell in row}
        return all(key in found for key in keys)

    def find_header(self, rows: Sequence[Sequence[Any]], keys: Sequence[str]) -> int | None:
        """The index of the first of the top rows holding every one of ``keys`` (-1, no
        header, when ``keys`` is empty)."""
        if not keys:
            return -1
        for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
            if self.has(row, keys):
                return index
        return None

    def map(self, header: Sequence[Any]) -> HeaderMap:
        result = HeaderMap({}, {}, [], [])
        for position, cell in enumerate(header):
            raw = str(cell if cell is not None else "").strip()
            key = self.key(cell)
            if key is None:
                if raw:
                    result.unknown.append((position, raw))
            elif key in result.index:
                result.duplicates.append((position, raw))
            else:
                result.index[key] = position
                result.names[key] = raw
        return result

    def missing(self, found: HeaderMap, required: Iterable[str]) -> list[str]:
        return [self.template[key] for key in required if key not in found.index]


# --- cells -------------------------------------------------------------------------------------


def cell_text(cell: Any) -> str:
    """A cell as text: whole numbers without ``.0``, no surrounding space."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


_DATE_PATTERNS = (
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T].*)?$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)


def parse_date(cell: Any) -> date | None:
    """A date from an Excel date, a serial number or text (2020-02-03, 2020/2/3, 2020.2.3,
    2020年2月3日, 20200203); None when empty; ValueError when it is not a date."""
    if cell is None or cell == "":
        return None
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        if 20000 < cell < 80000:
            return date(1899, 12, 30) + timedelta(days=int(cell))
        raise ValueError("not a date")
    text = str(cell).strip()
    if not text:
        return None
    if len(text) == 10 and text[4] == "-":
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            y, m, d = (int(g) for g in match.groups())
            return date(y, m, d)
    raise ValueError("not a date")


# --- reading -----------------------------------------------------------------------------------


@dataclass
class Sheet:
    sheet: str
    header_row: int  # 0-based index of the header row (-1: the sheet has no header)
    rows: list[list[Any]]  # all rows, including the header
    formulas: set[tuple[int, int]] = field(default_factory=set)  # (row, column), 0-based
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)

    def body(self) -> Iterable[tuple[int, list[Any]]]:
        """(spreadsheet row number, cells) of each non-blank row under the header."""
        for index in range(self.header_row + 1, len(self.rows)):
            cells = self.rows[index]
            if any(cell_text(c) for c in cells):
                yield index + 1, cells


def read_spreadsheet(
    data: bytes,
    filename: str,
    *,
    columns: Columns,
    header_keys: Sequence[str],
    max_rows: int,
    max_bytes: int = MAX_FILE_BYTES,
    find_formulas: bool = False,
) -> Sheet:
    """The first sheet whose top rows hold a header with every one of ``header_keys`` (the
    first sheet when ``header_keys`` is empty: a sheet without a header).

    Raises ``SpreadsheetError`` for a file over ``max_bytes``, a sheet of more than
    ``max_rows`` rows under its header, a zip bomb, a file that is not a spreadsheet, or no
    sheet with such a header. ``find_formulas`` also finds the formula cells (their values
    are read either way)."""
    check_size(len(data), max_bytes)
    lower = filename.lower()
    if data.startswith(b"PK") and not lower.endswith(".csv"):
        return _read_xlsx(data, columns, header_keys, max_rows, find_formulas)
    if lower.endswith((*XLSX_NAMES, ".xls")):
        for magic, message in _BINARY_MAGIC:
            if data.startswith(magic):
                raise SpreadsheetError(message)
        raise SpreadsheetError(gettext_noop("the file is not a readable xlsx workbook"))
    return _read_csv(data, columns, header_keys, max_rows, find_formulas)


def _too_many_rows(sheet: str, rows: int, limit: int) -> SpreadsheetError:
    if sheet == "csv":
        return SpreadsheetError(
            gettext_noop("the file has %(rows)d rows; the limit is %(limit)d: split it"),
            {"rows": rows, "limit": limit},
        )
    return SpreadsheetError(
        gettext_noop("sheet %(sheet)s has %(rows)d rows; the limit is %(limit)d: split it"),
        {"sheet": sheet, "rows": rows, "limit": limit},
    )


def _no_header(columns: Columns, keys: Sequence[str], sheets: str) -> SpreadsheetError:
    return SpreadsheetError(
        gettext_noop("no sheet has the columns %(columns)s (sheets in the file: %(sheets)s)"),
        {"columns": "、".join(columns.template[k] for k in keys), "sheets": sheets},
    )


def check_archive(data: bytes | IO[bytes], *, max_rows: int) -> zipfile.ZipFile:
    """The xlsx's zip directory, once its entries are known to unpack to a sane size."""
    size = len(data) if isinstance(data, bytes) else data.seek(0, io.SEEK_END)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data) if isinstance(data, bytes) else data)
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise SpreadsheetError(gettext_noop("the file is not a readable xlsx workbook")) from None
    limit = min(MAX_UNPACKED_BYTES, max_rows * UNPACKED_BYTES_PER_ROW + UNPACKED_BYTES_SLACK)
    total = sum(info.file_size for info in entries)
    if len(entries) > MAX_ENTRIES or total > MAX_COMPRESSION_RATIO * max(size, 1):
        raise SpreadsheetError(
            gettext_noop(
                "the workbook unpacks to %(size)d MB, far more than its rows can hold "
                "(a zip bomb?): refused"
            ),
            {"size": mb(total)},
        )
    if total > limit:
        raise SpreadsheetError(
            gettext_noop(
                "the workbook unpacks to %(size)d MB; a sheet of at most %(rows)d rows is "
                "never that large: split it"
            ),
            {"size": mb(total), "rows": max_rows},
        )
    return archive


def precheck(upload: IO[bytes], filename: str, *, max_rows: int, max_bytes: int) -> None:
    """The checks made before anything is unpacked (size, zip entries, declared rows), on a
    file not yet read: for a file that is read later (a background job)."""
    upload.seek(0, io.SEEK_END)
    check_size(upload.tell(), max_bytes)
    upload.seek(0)
    head = upload.read(4)
    upload.seek(0)
    if head != b"PK\x03\x04" or filename.lower().endswith(".csv"):
        return
    try:
        archive = check_archive(upload, max_rows=max_rows)
        for name, path in _sheet_parts(archive).items():
            declared = _declared_rows(archive, path)
            if declared > max_rows + HEADER_SCAN_ROWS:
                raise _too_many_rows(name, declared, max_rows)
    finally:
        upload.seek(0)


def _xml_unescape(text: str) -> str:
    return (
        text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")
    )


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → path of its XML part inside the xlsx."""
    try:
        workbook = archive.read("xl/workbook.xml").decode("utf-8", "replace")
        rels = archive.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
    except (KeyError, zipfile.BadZipFile, OSError):
        return {}
    targets = dict(re.findall(r'Id="([^"]+)"[^>]*Target="([^"]+)"', rels))
    targets.update({k: v for v, k in re.findall(r'Target="([^"]+)"[^>]*Id="([^"]+)"', rels)})
    result = {}
    for name, rid in re.findall(
        r'<(?:\w+:)?sheet\b[^>]*name="([^"]+)"[^>]*r:id="([^"]+)"', workbook
    ):
        target = targets.get(rid, "")
        result[_xml_unescape(name)] = "xl/" + target.lstrip("/").removeprefix("xl/")
    return result


_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="[A-Z]*\d*:?[A-Z]*(\d+)"')
_ROW_TAG = re.compile(rb"<(?:\w+:)?row[\s>/]")


def _declared_rows(archive: zipfile.ZipFile, path: str) -> int:
    """The sheet's row count: from its ``<dimension>`` when that is plausible for the part's
    size, else counted from its ``<row>`` tags, streaming (never more than the declared size
    is unpacked; the part is bounded by ``check_archive``)."""
    try:
        info = archive.getinfo(path)
    except KeyError:
        return 0
    try:
        with archive.open(info) as part:
            head = part.read(16384)
            match = _DIMENSION.search(head)
            if match is not None:
                rows = int(match.group(1))
                # A dimension that belies the part's size (rows hidden beyond it) is not used.
                if info.file_size <= 64 * 1024 + rows * 64 * 1024:
                    return rows
            count, tail, chunk = 0, b"", head
            while chunk:
                window = tail + chunk
                count += len(_ROW_TAG.findall(window)) - len(_ROW_TAG.findall(tail))
                tail = window[-8:]
                chunk = part.read(1024 * 1024)
            return count
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        raise SpreadsheetError(gettext_noop("the file is not a readable xlsx workbook")) from None


_CELL_WITH_FORMULA = re.compile(rb'<c r="([A-Z]+)(\d+)"[^>]*>(?:(?!</c>).)*?<f[ >/]', re.S)


def _formula_cells(archive: zipfile.ZipFile, path: str) -> set[tuple[int, int]]:
    """(row index 0-based, column index 0-based) of formula cells in one sheet part."""
    try:
        xml = archive.read(path)
    except (KeyError, zipfile.BadZipFile, OSError):
        return set()
    if b"<f" not in xml:
        return set()
    cells = set()
    for letters, number in _CELL_WITH_FORMULA.findall(xml):
        col = 0
        for ch in letters.decode():
            col = col * 26 + (ord(ch) - 64)
        cells.add((int(number) - 1, col - 1))
    return cells


def _read_xlsx(
    data: bytes,
    columns: Columns,
    header_keys: Sequence[str],
    max_rows: int,
    find_formulas: bool,
) -> Sheet:
    archive = check_archive(data, max_rows=max_rows)
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # calamine raises several types for a broken workbook
        raise SpreadsheetError(
            gettext_noop("the workbook cannot be read (%(error)s)"), {"error": str(exc)[:200]}
        ) from None
    names = workbook.sheet_names
    parts = _sheet_parts(archive)
    with ThreadPoolExecutor(max_workers=1) as pool:
        for name in names:
            path = parts.get(name, "")
            declared = _declared_rows(archive, path) if path else 0
            if declared > max_rows + HEADER_SCAN_ROWS:
                raise _too_many_rows(name, declared, max_rows)
            # calamine parses without holding the GIL: the sheet's formula cells are found
            # meanwhile (they are needed only for the sheet that has the header).
            formulas_job = pool.submit(_formula_cells, archive, path) if find_formulas else None
            try:
                sheet = workbook.get_sheet_by_name(name)
                rows = sheet.to_python(skip_empty_area=False)
            except Exception as exc:  # a broken sheet part
                raise SpreadsheetError(
                    gettext_noop("the workbook cannot be read (%(error)s)"),
                    {"error": str(exc)[:200]},
                ) from None
            if len(rows) > max_rows + HEADER_SCAN_ROWS:
                raise _too_many_rows(name, len(rows), max_rows)
            header = columns.find_header(rows, header_keys)
            if header is None:
                continue
            if len(rows) - header - 1 > max_rows:
                raise _too_many_rows(name, len(rows) - header - 1, max_rows)
            merged = list(sheet.merged_cell_ranges or [])
            formulas = formulas_job.result() if formulas_job is not None else set()
            return Sheet(name, header, rows, formulas, merged)
    raise _no_header(columns, header_keys, ", ".join(names))


def _decode(data: bytes) -> str:
    head = data[:65536]
    for magic, message in _BINARY_MAGIC:
        if head.startswith(magic):
            raise SpreadsheetError(message)
    if b"\0" in head:
        raise SpreadsheetError(gettext_noop("the file is not a spreadsheet (xlsx or CSV)"))
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SpreadsheetError(gettext_noop("the CSV file is neither UTF-8 nor GBK"))


def _read_csv(
    data: bytes,
    columns: Columns,
    header_keys: Sequence[str],
    max_rows: int,
    find_formulas: bool,
) -> Sheet:
    lines = data.count(b"\n")
    if lines > max_rows + HEADER_SCAN_ROWS:
        raise _too_many_rows("csv", lines, max_rows)
    text = _decode(data)
    try:
        rows: list[list[Any]] = [list(r) for r in csv.reader(io.StringIO(text))]
    except csv.Error:
        raise SpreadsheetError(
            gettext_noop("the file is not a spreadsheet (xlsx or CSV)")
        ) from None
    if len(rows) > max_rows + HEADER_SCAN_ROWS:
        raise _too_many_rows("csv", len(rows), max_rows)
    header = columns.find_header(rows, header_keys)
    if header is None:
        raise _no_header(columns, header_keys, "csv")
    formulas: set[tuple[int, int]] = set()
    if find_formulas:
        formulas = {
            (r, c)
            for r, row in enumerate(rows)
            for c, cell in enumerate(row)
            if r > header and isinstance(cell, str) and cell.startswith("=")
        }
    return Sheet("csv", header, rows, formulas)
