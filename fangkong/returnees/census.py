"""The screening census (摸底排查): read a spreadsheet, check every row, import in one go.

Reading takes xlsx (python-calamine) or CSV (UTF-8 or GBK, as Chinese Excel saves it). Every
problem names its row (as numbered in the spreadsheet) and column. Writing is one transaction
on bulk paths: all-or-nothing unless the caller chooses to skip bad rows; re-importing the
same file changes nothing.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import python_calamine
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop, pgettext, pgettext_lazy

from fangkong.accounts.roles import Perm
from fangkong.core.audit import record_audit
from fangkong.core.rollups import bump_many
from fangkong.divisions.models import Division, Level
from fangkong.lib.ids import InvalidNumber, division_scope_key
from fangkong.returnees import metrics
from fangkong.returnees.models import (
    CensusJob,
    CensusJobStatus,
    KeyGroup,
    Person,
    RegisteredVia,
    ReturnTrip,
    Transport,
    WorkUnit,
)
from fangkong.returnees.services import (
    RECEIPT_ALPHABET,
    CleanTrip,
    TripData,
    active_risk_areas,
    name_pinyin_keys,
    trip_data_clean,
)

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 300 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
MAX_ROWS = 200_000
BATCH = 2000

# Canonical column → accepted header names (first is the template's).
COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "名字", "人员姓名"),
    "id_number": ("身份证号", "身份证号码", "证件号码", "公民身份号码", "身份证", "证件号"),
    "mobile": ("手机号", "手机号码", "联系电话", "电话", "联系方式", "手机"),
    "key_group": ("返程类别", "人员类别", "类别", "重点人群"),
    "origin": ("出发地", "来源地", "始发地", "从何地返回"),
    "through_risk_area": ("是否途经风险地区", "途经风险地区", "是否途经疫区", "是否途经重点地区"),
    "transport": ("交通方式", "出行方式", "返程方式"),
    "transport_number": (
        "车次航班或车牌",
        "车次/航班/车牌",
        "车次航班车牌",
        "车次",
        "航班号",
        "车牌号",
    ),
    "departure_date": ("出发日期", "离开日期", "启程日期"),
    "arrival_date": ("到达日期", "抵达日期", "返回日期", "返阿日期"),
    "division_code": ("目的地区划代码", "区划代码", "嘎查村代码", "社区代码", "嘎查村社区代码"),
    "work_unit_name": ("工作单位", "单位", "工作单位或学校", "学校"),
    "notes": ("备注",),
}
REQUIRED = ("name", "id_number", "key_group", "departure_date")
TEMPLATE_HEADERS = [aliases[0] for aliases in COLUMNS.values()]
HEADER_OF = {key: aliases[0] for key, aliases in COLUMNS.items()}
_ALIAS = {alias: key for key, aliases in COLUMNS.items() for alias in aliases}

KEY_GROUP_WORDS = {
    "党政机关和企事业单位人员": KeyGroup.STAFF,
    "党政机关企事业单位人员": KeyGroup.STAFF,
    "机关企事业单位人员": KeyGroup.STAFF,
    "入境人员": KeyGroup.INBOUND,
    "境外返回人员": KeyGroup.INBOUND,
    "农牧民工": KeyGroup.MIGRANT,
    "外出务工人员": KeyGroup.MIGRANT,
    "高校学生": KeyGroup.STUDENT,
    "大学生": KeyGroup.STUDENT,
    "学生": KeyGroup.STUDENT,
    "其他": KeyGroup.OTHER,
}
KEY_GROUP_CHOICES = ["党政机关和企事业单位人员", "入境人员", "农牧民工", "高校学生", "其他"]
TRANSPORT_WORDS = {
    "火车": Transport.TRAIN,
    "高铁": Transport.TRAIN,
    "动车": Transport.TRAIN,
    "飞机": Transport.FLIGHT,
    "航班": Transport.FLIGHT,
    "客车": Transport.COACH,
    "大巴": Transport.COACH,
    "汽车": Transport.COACH,
    "自驾": Transport.CAR,
    "私家车": Transport.CAR,
    "其他": Transport.OTHER,
}
TRANSPORT_CHOICES = ["火车", "飞机", "客车", "自驾", "其他"]
YES = {"是", "有", "y", "yes", "1", "true"}
NO = {"否", "无", "没有", "n", "no", "0", "false", ""}

# Service field → column, for naming the column of a service-level problem.
FIELD_COLUMN = {
    "id_number": "id_number",
    "name": "name",
    "mobile": "mobile",
    "key_group": "key_group",
    "transport": "transport",
    "transport_number": "transport_number",
    "arrival_date": "arrival_date",
    "departure_date": "departure_date",
    "division_code": "division_code",
}


def render_message(message: str, params: dict[str, Any] | None = None) -> str:
    """A message id (English, marked with ``gettext_noop``) in the active language."""
    if not message:
        return ""
    text = gettext(message)
    return text % params if params else text


class CensusFileError(ValueError):
    """The file as a whole cannot be read: too big, not a spreadsheet, no usable sheet.

    Holds an English message id and its parameters; ``str()`` says it in the active language.
    """

    def __init__(self, message: str, params: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.params = params or {}

    def __str__(self) -> str:
        return render_message(self.message, self.params)

    def as_list(self) -> list[Any]:
        return [self.message, self.params]


@dataclass(slots=True)
class Problem:
    """One problem of the file. ``message`` is an English message id (with ``%(name)s``
    placeholders filled from ``params``), translated only when shown: a bad row pays for a
    small object, a good row for nothing."""

    row: int  # spreadsheet row number (the header is row 1 in the template)
    column: str  # header text as in the file, or "" for the whole row / file
    message: str
    params: dict[str, Any] | None = None

    @property
    def text(self) -> str:
        """The problem in the active language."""
        return render_message(self.message, self.params)

    def __str__(self) -> str:
        values = {"row": self.row, "column": self.column, "message": self.text}
        if self.row and self.column:
            return gettext("row %(row)d, column %(column)s: %(message)s") % values
        if self.row:
            return gettext("row %(row)d: %(message)s") % values
        return gettext("file: %(message)s") % values

    def as_list(self) -> list[Any]:
        """A JSON-ready form, kept in the session or a background job."""
        return [self.row, self.column, self.message, self.params or {}]

    @classmethod
    def from_list(cls, item: list[Any]) -> Problem:
        return cls(item[0], item[1], item[2], item[3] if len(item) > 3 else None)


@dataclass(slots=True)
class GoodRow:
    row: int
    clean: CleanTrip


SUMMARY_LABELS = {
    "rows": pgettext_lazy("census summary", "rows"),
    "created": pgettext_lazy("census summary", "created"),
    "updated": pgettext_lazy("census summary", "updated"),
    "unchanged": pgettext_lazy("census summary", "unchanged"),
    "rejected": pgettext_lazy("census summary", "rejected"),
}


@dataclass
class CensusReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    problems: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)
    imported: bool = False
    sheet: str = ""

    def summary(self) -> dict[str, int]:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
        }


# --- reading ---------------------------------------------------------------------------------


def _check_zip(data: bytes) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise CensusFileError(gettext_noop("the file is not a readable xlsx workbook")) from None
    total = sum(info.file_size for info in archive.infolist())
    if total > MAX_UNCOMPRESSED_BYTES or total > MAX_COMPRESSION_RATIO * max(len(data), 1):
        raise CensusFileError(
            gettext_noop(
                "the workbook unpacks to far more data than a census holds (a zip bomb?): refused"
            )
        )
    return archive


def _sheet_xml_paths(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → path of its XML part inside the xlsx."""
    try:
        workbook = archive.read("xl/workbook.xml").decode("utf-8", "replace")
        rels = archive.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
    except KeyError:
        return {}
    targets = dict(re.findall(r'Id="([^"]+)"[^>]*Target="([^"]+)"', rels))
    targets.update({k: v for v, k in re.findall(r'Target="([^"]+)"[^>]*Id="([^"]+)"', rels)})
    result = {}
    for name, rid in re.findall(r'<sheet[^>]*name="([^"]+)"[^>]*r:id="([^"]+)"', workbook):
        target = targets.get(rid, "")
        result[_xml_unescape(name)] = "xl/" + target.lstrip("/").removeprefix("xl/")
    return result


def _xml_unescape(text: str) -> str:
    return (
        text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")
    )


_CELL_WITH_FORMULA = re.compile(rb'<c r="([A-Z]+)(\d+)"[^>]*>(?:(?!</c>).)*?<f[ >/]', re.S)


def _formula_cells(archive: zipfile.ZipFile, path: str) -> set[tuple[int, int]]:
    """(row index 0-based, column index 0-based) of formula cells in one sheet part."""
    try:
        xml = archive.read(path)
    except KeyError:
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


@dataclass
class Table:
    sheet: str
    header_row: int  # 0-based index of the header row
    rows: list[list[Any]]  # all rows, including the header
    formulas: set[tuple[int, int]] = field(default_factory=set)
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)


def _find_header(rows: list[list[Any]]) -> int | None:
    for index, row in enumerate(rows[:10]):
        names = {_ALIAS.get(_header_text(cell)) for cell in row}
        if "name" in names and "id_number" in names:
            return index
    return None


def _header_text(cell: Any) -> str:
    return re.sub(r"[\s*＊]", "", str(cell or ""))


def read_table(data: bytes, filename: str) -> Table:
    """Read the first sheet that has the census columns; CensusFileError when none."""
    if len(data) > MAX_FILE_BYTES:
        raise CensusFileError(
            gettext_noop("the file is %(size)d MB; the limit is %(limit)d MB: split it"),
            {"size": len(data) // (1024 * 1024), "limit": MAX_FILE_BYTES // (1024 * 1024)},
        )
    lower = filename.lower()
    if lower.endswith(".csv") or not data.startswith(b"PK"):
        if lower.endswith((".xlsx", ".xlsm", ".xls")) and not data.startswith(b"PK"):
            raise CensusFileError(gettext_noop("the file is not a readable xlsx workbook"))
        return _read_csv(data)
    archive = _check_zip(data)
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:
        raise CensusFileError(
            gettext_noop("the workbook cannot be read (%(error)s)"), {"error": str(exc)[:200]}
        ) from None
    names = workbook.sheet_names
    for name in names:
        sheet = workbook.get_sheet_by_name(name)
        rows = sheet.to_python(skip_empty_area=False)
        if len(rows) > MAX_ROWS + 10:
            raise CensusFileError(
                gettext_noop("sheet %(sheet)s has %(rows)d rows; the limit is %(limit)d"),
                {"sheet": name, "rows": len(rows), "limit": MAX_ROWS},
            )
        header = _find_header(rows)
        if header is None:
            continue
        merged = list(sheet.merged_cell_ranges or [])
        formulas = _formula_cells(archive, _sheet_xml_paths(archive).get(name, ""))
        return Table(name, header, rows, formulas, merged)
    raise CensusFileError(
        gettext_noop(
            "no sheet has the census columns 姓名 and 身份证号 (sheets in the file: %(sheets)s)"
        ),
        {"sheets": ", ".join(names)},
    )


def _read_csv(data: bytes) -> Table:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes any byte string
        raise CensusFileError(gettext_noop("the CSV file is neither UTF-8 nor GBK"))
    rows: list[list[Any]] = [list(r) for r in csv.reader(io.StringIO(text))]
    if len(rows) > MAX_ROWS + 10:
        raise CensusFileError(
            gettext_noop("the file has %(rows)d rows; the limit is %(limit)d"),
            {"rows": len(rows), "limit": MAX_ROWS},
        )
    header = _find_header(rows)
    if header is None:
        raise CensusFileError(
            gettext_noop("the file has no header row with the columns 姓名 and 身份证号")
        )
    formulas = {
        (r, c)
        for r, row in enumerate(rows)
        for c, cell in enumerate(row)
        if r > header and isinstance(cell, str) and cell.startswith("=")
    }
    return Table("csv", header, rows, formulas)


# --- checking ---------------------------------------------------------------------------------


def _text(cell: Any) -> str:
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
    """A date from an Excel date, a serial number or text; None when empty; ValueError."""
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


_PLACE = re.compile(r"^(.+?(?:省|自治区|特别行政区|市))(.*)$")


def split_origin(text: str, key_group: str) -> tuple[str, str, str]:
    """(province, city, country) from 出发地."""
    text = text.strip()
    if not text:
        return "", "", ""
    match = _PLACE.match(text)
    if key_group == KeyGroup.INBOUND and not match:
        return "", "", text
    if match:
        return match.group(1), match.group(2), ""
    return text, "", ""


def _pinyin(name: str) -> tuple[str, str]:
    return name_pinyin_keys(name)


def check_rows(
    table: Table,
    *,
    actor: Any,
    default_division: str = "",
    progress: Callable[[int, int], None] | None = None,
) -> tuple[list[GoodRow], CensusReport]:
    """Check every data row; return the good ones and a report naming every problem."""
    report = CensusReport(sheet=table.sheet)
    header_cells = [_header_text(c) for c in table.rows[table.header_row]]
    raw_headers = [str(c or "").strip() for c in table.rows[table.header_row]]
    index: dict[str, int] = {}
    header_row_number = table.header_row + 1
    for position, text in enumerate(header_cells):
        key = _ALIAS.get(text)
        if key is None:
            if text:
                report.notes.append(
                    Problem(
                        header_row_number,
                        raw_headers[position],
                        gettext_noop("unknown column, ignored"),
                    )
                )
            continue
        if key in index:
            report.notes.append(
                Problem(
                    header_row_number,
                    raw_headers[position],
                    gettext_noop("duplicate column, ignored"),
                )
            )
            continue
        index[key] = position
    missing = [HEADER_OF[k] for k in REQUIRED if k not in index]
    if "division_code" not in index and not default_division:
        missing.append(HEADER_OF["division_code"])
    if missing:
        raise CensusFileError(
            gettext_noop("missing columns: %(columns)s"), {"columns": ", ".join(missing)}
        )
    column_name = {key: raw_headers[pos] for key, pos in index.items()}

    merged_cells: set[tuple[int, int]] = set()
    for (r0, c0), (r1, c1) in table.merged:
        for r in range(r0, r1 + 1):
            for c in range(c0, c1 + 1):
                merged_cells.add((r, c))

    # The command line (no actor) may import anywhere, or inside ``default_division``.
    if actor is not None:
        keys = actor.scope_keys(Perm.RETURNEES_REGISTER)
    else:
        keys = [default_division] if default_division else [""]
    divisions = {d.code: d for d in Division.objects.filter(level=Level.VILLAGE)}
    areas = active_risk_areas()
    today = timezone.localdate()
    good: list[GoodRow] = []
    seen: dict[tuple[str, date], int] = {}
    check_cells = bool(table.formulas or merged_cells)

    total = len(table.rows) - table.header_row - 1
    for r in range(table.header_row + 1, len(table.rows)):
        if progress is not None and (r - table.header_row) % 2000 == 0:
            progress(r - table.header_row, total)
        cells = table.rows[r]
        if not any(c is not None and str(c).strip() for c in cells):
            continue  # blank row
        row_number = r + 1
        report.rows += 1
        problems: list[Problem] = []
        width = len(cells)
        values = {key: cells[pos] if pos < width else None for key, pos in index.items()}
        cell = values.get

        def add(
            key: str,
            message: str,
            params: dict[str, Any] | None = None,
            row_number: int = row_number,
            problems: list[Problem] = problems,
        ) -> None:
            problems.append(
                Problem(row_number, column_name.get(key, HEADER_OF[key]), message, params)
            )

        if check_cells:
            for key, pos in index.items():
                if (r, pos) in table.formulas:
                    add(
                        key,
                        gettext_noop("formula cells are not accepted (paste the values instead)"),
                    )
                elif (r, pos) in merged_cells:
                    add(key, gettext_noop("merged cell: unmerge the cells and fill every row"))
        for key in REQUIRED:
            if (
                key in index
                and not _text(cell(key))
                and not any(p.column == column_name[key] for p in problems)
            ):
                add(key, gettext_noop("required, but empty"))
        raw_id = cell("id_number")
        if isinstance(raw_id, float | int) and not isinstance(raw_id, bool):
            add(
                "id_number",
                gettext_noop("stored as a number, which loses digits: format the column as text"),
            )
        group_text = _text(cell("key_group"))
        key_group = KEY_GROUP_WORDS.get(group_text, "")
        if group_text and not key_group:
            add(
                "key_group",
                gettext_noop("unknown key group '%(value)s' (use one of the list)"),
                {"value": group_text},
            )
        transport_text = _text(cell("transport"))
        transport = TRANSPORT_WORDS.get(
            transport_text, Transport.OTHER if not transport_text else ""
        )
        if not transport:
            add(
                "transport",
                gettext_noop("unknown transport '%(value)s' (use one of the list)"),
                {"value": transport_text},
            )
        risk_text = _text(cell("through_risk_area")).lower()
        through = risk_text in YES
        if risk_text not in YES and risk_text not in NO:
            add(
                "through_risk_area",
                gettext_noop("answer 是 or 否, not '%(value)s'"),
                {"value": risk_text},
            )
        dates: dict[str, date | None] = {}
        for key in ("departure_date", "arrival_date"):
            try:
                dates[key] = parse_date(cell(key))
            except (ValueError, OverflowError):
                add(
                    key,
                    gettext_noop("not a date: '%(value)s' (write 2020-02-03)"),
                    {"value": _text(cell(key))},
                )
                dates[key] = None
        code_text = _text(cell("division_code")) or default_division
        if problems:
            report.problems.extend(problems)
            report.rejected += 1
            continue
        departure = dates["departure_date"]
        assert departure is not None
        province, city, country = split_origin(_text(cell("origin")), key_group)
        data = TripData(
            id_number=_text(raw_id),
            name=_text(cell("name")),
            mobile=_text(cell("mobile")),
            key_group=key_group,
            departure_date=departure,
            arrival_date=dates["arrival_date"],
            division_code=code_text,
            transport=transport,
            transport_number=_text(cell("transport_number")),
            origin_province=province,
            origin_city=city,
            origin_country=country,
            through_risk_area=through,
            work_unit_name=_text(cell("work_unit_name")),
            notes=_text(cell("notes")),
        )
        try:
            clean = trip_data_clean(data, divisions=divisions, risk_areas=areas, today=today)
        except ValidationError as exc:
            for fname, messages in exc.message_dict.items():
                for message in messages:
                    add(FIELD_COLUMN.get(fname, "name"), *_cell_message(message, code_text))
            report.problems.extend(problems)
            report.rejected += 1
            continue
        if not any(clean.division.code.startswith(k) for k in keys):
            add(
                "division_code",
                gettext_noop("division %(code)s is outside your jurisdiction"),
                {"code": code_text},
            )
            report.problems.extend(problems)
            report.rejected += 1
            continue
        identity = (clean.id_number, departure)
        if identity in seen:
            problems.append(
                Problem(
                    row_number,
                    "",
                    gettext_noop("the same person and departure date as row %(row)d"),
                    {"row": seen[identity]},
                )
            )
            report.problems.extend(problems)
            report.rejected += 1
            continue
        seen[identity] = row_number
        good.append(GoodRow(row_number, clean))
    return good, report


#: The services' messages (in English: the rows are checked under ``translation.override``),
#: said shorter where the column already names the subject. Any other service message is its
#: own message id, translated by the returnees catalogue when shown.
CELL_MESSAGES = {
    "ID number must have 18 characters (or 15 digits for an old card)": gettext_noop(
        "must have 18 characters (or 15 digits for an old card)"
    ),
    "ID number must be 17 digits followed by a digit or X": gettext_noop(
        "must be 17 digits followed by a digit or X"
    ),
    "ID number holds an impossible birth date": gettext_noop("impossible birth date"),
    "ID number check digit is wrong": gettext_noop("wrong check digit"),
    "ID number holds an unknown address code (its first 6 digits)": gettext_noop(
        "unknown address code (the first 6 digits)"
    ),
    "ID number holds a birth date in the future": gettext_noop("birth date in the future"),
    "mobile number must be 11 digits starting with 13-19": gettext_noop(
        "must be 11 digits starting with 13-19"
    ),
}


def _cell_message(message: str, code: str) -> tuple[str, dict[str, Any] | None]:
    if message == "Unknown division code.":
        return gettext_noop("unknown division code '%(code)s'"), {"code": code}
    return CELL_MESSAGES.get(message, message), None


# --- writing ----------------------------------------------------------------------------------


def _receipts(n: int) -> list[str]:
    import secrets

    raw = secrets.token_bytes(9 * n)
    alphabet = RECEIPT_ALPHABET
    return ["R" + "".join(alphabet[b % 32] for b in raw[i * 9 : i * 9 + 9]) for i in range(n)]


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


PERSON_FIELDS = (
    "name",
    "mobile",
    "birth_date",
    "sex",
    "name_pinyin",
    "name_initials",
    "division_id",
    "division_code",
)
TRIP_FIELDS = (
    "key_group",
    "origin_province",
    "origin_city",
    "origin_country",
    "through_risk_area",
    "risk_area_id",
    "transport",
    "transport_number",
    "arrival_date",
    "division_id",
    "division_code",
    "work_unit_id",
    "work_unit_name",
    "notes",
)


def _insert(model: Any, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    """Insert plain tuples with ``executemany``: the bulk path, without model instances."""
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608 - names from the model
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY: PostgreSQL's bulk path, many times faster than row-by-row inserts.
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        for chunk in _chunks(rows, 5000):
            cursor.executemany(sql, chunk)


def _ids_of(numbers: list[str]) -> dict[str, int]:
    """Person ids by ID number (raw IN queries in chunks: no per-value lookup machinery)."""
    table = connection.ops.quote_name(Person._meta.db_table)
    result: dict[str, int] = {}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT id_number, id FROM {table} WHERE id_number = ANY(%s)",  # noqa: S608
                [numbers],
            )
            return dict(cursor.fetchall())
        for chunk in _chunks(numbers, 900):
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"SELECT id_number, id FROM {table} WHERE id_number IN ({marks})",  # noqa: S608
                chunk,
            )
            result.update(dict(cursor.fetchall()))
    return result


def _person_row(number: str, values: dict[str, Any], stamp: Any) -> tuple[Any, ...]:
    row = [number, *values.values(), stamp, stamp]
    row[3] = connection.ops.adapt_datefield_value(row[3])  # birth_date
    return tuple(row)


def write_rows(*, actor: Any, good: list[GoodRow], report: CensusReport, filename: str) -> None:
    """Create or update people and trips for the good rows, in the caller's transaction."""
    now = timezone.now()
    today = timezone.localdate()
    units = {
        (u.name, u.division_code[:6]): u.pk for u in WorkUnit.objects.only("name", "division_code")
    }
    wanted_people: dict[str, dict[str, Any]] = {}
    for g in good:
        c = g.clean
        name = c.data.name.strip()
        pinyin, initials = _pinyin(name)
        wanted_people[c.id_number] = {
            "name": name,
            "mobile": c.mobile,
            "birth_date": c.birth_date,
            "sex": c.sex,
            "name_pinyin": pinyin,
            "name_initials": initials,
            "division_id": c.division.pk,
            "division_code": c.division.code,
        }
    existing: dict[str, Person] = {}
    known = _ids_of(list(wanted_people))
    for chunk in _chunks(list(known.values()), BATCH):
        for p in Person.objects.filter(pk__in=chunk):
            existing[p.id_number] = p
    ops = connection.ops
    stamp = ops.adapt_datetimefield_value(now)
    new_numbers = [number for number in wanted_people if number not in existing]
    _insert(
        Person,
        ["id_number", *PERSON_FIELDS, "created_at", "updated_at"],
        [_person_row(number, wanted_people[number], stamp) for number in new_numbers],
    )
    changed_people = []
    for number, person in existing.items():
        values = wanted_people[number]
        if any(getattr(person, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(person, k, v)
            person.updated_at = now
            changed_people.append(person)
    if changed_people:
        Person.objects.bulk_update(changed_people, [*PERSON_FIELDS, "updated_at"], batch_size=BATCH)
    changed_numbers = {p.id_number for p in changed_people}
    person_ids = {p.id_number: p.pk for p in existing.values()}
    person_ids.update(_ids_of(new_numbers))

    trips: dict[tuple[int, date], ReturnTrip] = {}
    known_ids = [person_ids[n] for n in existing]
    for chunk in _chunks(known_ids, BATCH):
        for t in ReturnTrip.objects.filter(person_id__in=chunk):
            trips[(t.person_id, t.departure_date)] = t
    to_create: list[tuple[Any, ...]] = []
    to_update: list[ReturnTrip] = []
    receipts = iter(_receipts(len(good)))
    flows: list[tuple[str, str, date, int]] = []
    for g in good:
        c = g.clean
        d = c.data
        values = {
            "key_group": d.key_group,
            "origin_province": d.origin_province,
            "origin_city": d.origin_city,
            "origin_country": d.origin_country,
            "through_risk_area": bool(d.through_risk_area or c.risk_area is not None),
            "risk_area_id": c.risk_area.pk if c.risk_area else None,
            "transport": d.transport,
            "transport_number": d.transport_number,
            "arrival_date": d.arrival_date,
            "division_id": c.division.pk,
            "division_code": c.division.code,
            "work_unit_id": units.get((d.work_unit_name, c.division.code[:6])),
            "work_unit_name": d.work_unit_name,
            "notes": d.notes,
        }
        pid = person_ids[c.id_number]
        trip = trips.get((pid, d.departure_date))
        if trip is None:
            row = [
                pid,
                ops.adapt_datefield_value(d.departure_date),
                RegisteredVia.IMPORT,
                getattr(actor, "pk", None),
                next(receipts),
                "expected",
                stamp,
                stamp,
                *values.values(),
            ]
            row[16] = ops.adapt_datefield_value(row[16])  # arrival_date
            to_create.append(tuple(row))
            flows.append((metrics.REGISTERED, c.division.code, today, 1))
            flows.append((metrics.by_group(d.key_group), c.division.code, today, 1))
        elif any(getattr(trip, k) != v for k, v in values.items()):
            if trip.key_group != d.key_group:
                day = timezone.localdate(trip.created_at)
                flows.append((metrics.by_group(trip.key_group), trip.division_code, day, -1))
                flows.append((metrics.by_group(d.key_group), trip.division_code, day, 1))
            for k, v in values.items():
                if k in ("division_id", "division_code") and trip.status != "expected":
                    continue
                setattr(trip, k, v)
            trip.updated_at = now
            to_update.append(trip)
        elif c.id_number in changed_numbers:
            report.updated += 1
        else:
            report.unchanged += 1
    _insert(
        ReturnTrip,
        [
            "person_id",
            "departure_date",
            "registered_via",
            "registered_by_id",
            "receipt",
            "status",
            "created_at",
            "updated_at",
            *TRIP_FIELDS,
        ],
        to_create,
    )
    if to_update:
        ReturnTrip.objects.bulk_update(to_update, [*TRIP_FIELDS, "updated_at"], batch_size=BATCH)
    report.created += len(to_create)
    report.updated += len(to_update)
    bump_many(flows)
    if not (report.created or report.updated):
        return  # the same file again: nothing changes, not even the audit trail
    record_audit(
        actor,
        "returnee.import",
        None,
        division_code=min(actor.scope_keys(Perm.RETURNEES_REGISTER), key=len) if actor else "",
        file=filename,
        **report.summary(),
    )


def census_import(
    *,
    actor: Any,
    data: bytes,
    filename: str,
    default_division: str = "",
    skip_bad_rows: bool = False,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
    before_write: Callable[[], None] | None = None,
) -> CensusReport:
    """Read, check and (unless a bad row forbids it or it is a dry run) import, in one
    transaction. Raises CensusFileError when the file as a whole is unusable."""
    if default_division:
        try:
            default_division = division_scope_key(default_division)
        except InvalidNumber:
            raise CensusFileError(
                gettext_noop("the default community code '%(code)s' is not a division code"),
                {"code": default_division},
            ) from None
    table = read_table(data, filename)
    with translation.override("en"):  # the report is written in one language
        good, report = check_rows(
            table, actor=actor, default_division=default_division, progress=progress
        )
    del table  # the checked rows hold what the write needs
    if dry_run or (report.rejected and not skip_bad_rows) or not good:
        return report
    if before_write is not None:
        before_write()
    with transaction.atomic():
        write_rows(actor=actor, good=good, report=report, filename=filename)
    report.imported = True
    return report


# --- template and report workbooks -------------------------------------------------------------


def template_xlsx() -> bytes:
    """The census template: Chinese headers, one example row, dropdown lists."""
    import xlsxwriter

    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    sheet = book.add_worksheet("摸底排查")
    bold = book.add_format({"bold": True, "bg_color": "#EFEDF2", "border": 1})
    text = book.add_format({"num_format": "@"})
    sheet.write_row(0, 0, TEMPLATE_HEADERS, bold)
    example = [
        "张三",
        "11010519491231002X",
        "13812345678",
        "农牧民工",
        "河北省石家庄市",
        "否",
        "火车",
        "K1234",
        "2020-02-03",
        "2020-02-04",
        "152921110200",
        "",
        "示例行，导入前请删除",
    ]
    sheet.write_row(1, 0, example, text)
    widths = [10, 22, 14, 26, 18, 16, 10, 16, 12, 12, 16, 24, 24]
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width, text)
    at = {key: i for i, key in enumerate(COLUMNS)}
    sheet.data_validation(
        1,
        at["key_group"],
        200000,
        at["key_group"],
        {"validate": "list", "source": KEY_GROUP_CHOICES},
    )
    sheet.data_validation(
        1,
        at["through_risk_area"],
        200000,
        at["through_risk_area"],
        {"validate": "list", "source": ["是", "否"]},
    )
    sheet.data_validation(
        1,
        at["transport"],
        200000,
        at["transport"],
        {"validate": "list", "source": TRANSPORT_CHOICES},
    )
    sheet.freeze_panes(1, 0)
    book.close()
    return buf.getvalue()


def report_xlsx(report: CensusReport) -> bytes:
    """The validation report as a workbook: row, column, problem."""
    import xlsxwriter

    from fangkong.returnees.exports import neutralise

    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False})
    sheet = book.add_worksheet(pgettext("census report sheet", "Problems")[:31])
    bold = book.add_format({"bold": True})
    sheet.write_row(0, 0, [gettext("Row"), gettext("Column"), gettext("Problem")], bold)
    for i, problem in enumerate(_all_problems(report), start=1):
        sheet.write_number(i, 0, problem.row)
        sheet.write_string(i, 1, neutralise(problem.column))
        sheet.write_string(i, 2, neutralise(problem.text))
    summary = book.add_worksheet(pgettext("census report sheet", "Summary")[:31])
    for i, (key, value) in enumerate(report.summary().items()):
        summary.write_string(i, 0, str(SUMMARY_LABELS[key]))
        summary.write_number(i, 1, value)
    book.close()
    return buf.getvalue()


def _all_problems(report: CensusReport) -> Iterable[Problem]:
    yield from report.notes
    yield from report.problems


# --- background jobs ----------------------------------------------------------------------------

#: Uploads larger than this run as a background task with a progress bar.
BACKGROUND_BYTES = 2 * 1024 * 1024


def census_job_create(
    *, actor: Any, upload: Any, default_division: str, skip_bad_rows: bool, dry_run: bool
) -> CensusJob:
    """Keep the upload and queue its import (run by ``fangkong db_worker``)."""
    from fangkong.returnees.tasks import run_census_job

    keys = actor.scope_keys(Perm.RETURNEES_REGISTER)
    with transaction.atomic():
        job = CensusJob.objects.create(
            actor=actor,
            filename=upload.name[:200],
            file=upload,
            default_division=default_division,
            skip_bad_rows=skip_bad_rows,
            dry_run=dry_run,
            division_code=min(keys, key=len) if keys else "",
        )
        record_audit(actor, "returnee.import_queued", job, file=job.filename)
        transaction.on_commit(lambda: run_census_job.enqueue(job.pk))
    return job


def census_job_run(job_id: int) -> CensusJob:
    """Run a queued job: progress is saved as rows are checked; the file is deleted after."""
    job = CensusJob.objects.select_related("actor").get(pk=job_id)
    if job.status != CensusJobStatus.QUEUED:
        return job
    CensusJob.objects.filter(pk=job.pk).update(status=CensusJobStatus.CHECKING)

    def progress(done: int, total: int) -> None:
        CensusJob.objects.filter(pk=job.pk).update(rows_checked=done, rows_total=total)

    def before_write() -> None:
        CensusJob.objects.filter(pk=job.pk).update(status=CensusJobStatus.WRITING)

    try:
        with job.file.open("rb") as handle:
            data = handle.read()
        report = census_import(
            actor=job.actor,
            data=data,
            filename=job.filename,
            default_division=job.default_division,
            skip_bad_rows=job.skip_bad_rows,
            dry_run=job.dry_run,
            progress=progress,
            before_write=before_write,
        )
    except CensusFileError as exc:
        # The error is shown in the uploader's language: its message id is kept in the summary.
        with translation.override("en"):
            error = str(exc)[:500]
        CensusJob.objects.filter(pk=job.pk).update(
            status=CensusJobStatus.FAILED, error=error, summary={"error": exc.as_list()}
        )
    else:
        CensusJob.objects.filter(pk=job.pk).update(
            status=CensusJobStatus.DONE,
            rows_total=report.rows,
            rows_checked=report.rows,
            summary={**report.summary(), "imported": report.imported},
            problems=[p.as_list() for p in [*report.notes, *report.problems][:20000]],
        )
    finally:
        job.file.delete(save=False)  # personal data is not kept in files
        CensusJob.objects.filter(pk=job.pk).update(file="")
    job.refresh_from_db()
    return job
