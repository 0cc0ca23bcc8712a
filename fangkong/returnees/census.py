"""The screening census (摸底排查): read a spreadsheet, check every row, import in one go.

Reading takes xlsx (python-calamine) or CSV (UTF-8 or GBK, as Chinese Excel saves it). Every
problem names its row (as numbered in the spreadsheet) and column. Writing is one transaction
on bulk paths: all-or-nothing unless the caller chooses to skip bad rows; re-importing the
same file changes nothing.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from operator import itemgetter
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop, pgettext, pgettext_lazy

from fangkong.accounts.roles import Perm
from fangkong.core.audit import record_audit
from fangkong.core.rollups import bump_many
from fangkong.divisions.models import Division, Level
from fangkong.lib.ids import (
    InvalidNumber,
    division_scope_key,
    id_number_parts,
    normalize_mobile,
    normalize_plate,
    parse_id_number,
)
from fangkong.lib.runtime import collector_paused
from fangkong.lib.spreadsheet import (
    Columns,
    Problem,
    Sheet,
    SpreadsheetError,
    cell_text,
    parse_date,
    precheck,
    read_spreadsheet,
)
from fangkong.lib.spreadsheet import render_message as render_message
from fangkong.returnees import metrics
from fangkong.returnees.models import (
    CensusJob,
    CensusJobStatus,
    KeyGroup,
    Person,
    RegisteredVia,
    ReturnTrip,
    RiskArea,
    Transport,
    WorkUnit,
)
from fangkong.returnees.services import (
    RECEIPT_ALPHABET,
    CleanTrip,
    TripData,
    active_risk_areas,
    matching_risk_area,
    name_pinyin_keys,
    trip_data_clean,
)

MAX_FILE_BYTES = 50 * 1024 * 1024
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
# A mobile number is required, as on the public form (the worker must be able to call).
REQUIRED = ("name", "id_number", "mobile", "key_group", "departure_date")
#: The 备注 of the template's example row: a row that carries it is never imported.
EXAMPLE_MARK = "示例行：不会导入"
TEMPLATE_HEADERS = [aliases[0] for aliases in COLUMNS.values()]
HEADER_OF = {key: aliases[0] for key, aliases in COLUMNS.items()}
CENSUS_COLUMNS = Columns(COLUMNS)

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


CensusFileError = SpreadsheetError


@dataclass(slots=True)
class GoodRow:
    """A checked row, reduced to the values the write needs (no model instances)."""

    row: int
    id_number: str
    departure_date: date
    person: tuple[Any, ...]  # name, mobile, birth_date, sex, division_code
    trip: tuple[Any, ...]  # TRIP_FIELDS without work_unit_id (found by name when writing)


def good_row(row: int, clean: CleanTrip) -> GoodRow:
    """The write's values of one row checked by ``trip_data_clean``."""
    d = clean.data
    division = clean.division
    area = clean.risk_area
    return GoodRow(
        row,
        clean.id_number,
        d.departure_date,
        (d.name.strip(), clean.mobile, clean.birth_date, clean.sex, division.code),
        (
            d.key_group,
            d.origin_province,
            d.origin_city,
            d.origin_country,
            bool(d.through_risk_area or area is not None),
            area.pk if area is not None else None,
            d.transport,
            d.transport_number,
            d.arrival_date,
            division.pk,
            division.code,
            d.work_unit_name,
            d.notes,
        ),
    )


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
    dry_run: bool = False  # checked and counted (what would be created, updated), not saved

    def summary(self) -> dict[str, int]:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
        }


# --- reading ---------------------------------------------------------------------------------

Table = Sheet


def census_precheck(upload: Any) -> None:
    """Refuse (CensusFileError) a file too large, a zip bomb or too many rows before it is
    read or queued: the checks of ``read_table`` that need nothing unpacked."""
    precheck(upload, upload.name or "", max_rows=MAX_ROWS, max_bytes=MAX_FILE_BYTES)


def read_table(data: bytes, filename: str) -> Table:
    """Read the first sheet that has the census columns (姓名 and 身份证号), with its formula
    cells (refused by the check); CensusFileError when the file is unusable."""
    return read_spreadsheet(
        data,
        filename,
        columns=CENSUS_COLUMNS,
        header_keys=("name", "id_number"),
        max_rows=MAX_ROWS,
        max_bytes=MAX_FILE_BYTES,
        find_formulas=True,
    )


# --- checking ---------------------------------------------------------------------------------


_text = cell_text


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
    fast_path: bool = True,
    sink: Callable[[GoodRow], bool] | None = None,
    skip_bad_rows: bool = True,
) -> tuple[list[GoodRow], CensusReport]:
    """Check every data row; return the good ones and a report naming every problem.

    Rows without a problem are checked by a fast path with per-value caches; any doubt sends
    a row to the full check (``fast_path=False`` sends every row, as the tests compare).
    ``sink`` may take a good row as soon as it is checked (it returns True when it did),
    until a bad row makes the import all-or-nothing's "nothing" (unless ``skip_bad_rows``)."""
    report = CensusReport(sheet=table.sheet)
    found = CENSUS_COLUMNS.map(table.rows[table.header_row])
    index = found.index
    header_row_number = table.header_row + 1
    ignored = [(p, t, gettext_noop("unknown column, ignored")) for p, t in found.unknown]
    ignored += [(p, t, gettext_noop("duplicate column, ignored")) for p, t in found.duplicates]
    for _position, text, message in sorted(ignored):
        report.notes.append(Problem(header_row_number, text, message))
    missing = [HEADER_OF[k] for k in REQUIRED if k not in index]
    if "division_code" not in index and not default_division:
        missing.append(HEADER_OF["division_code"])
    if missing:
        raise CensusFileError(
            gettext_noop("missing columns: %(columns)s"), {"columns": ", ".join(missing)}
        )
    column_name = found.names

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
    fast = _fast_checker(
        index,
        default_division=default_division,
        keys=keys,
        divisions=divisions,
        areas=areas,
        today=today,
        seen=seen,
    )
    special_rows = {r for r, _ in table.formulas} | {r for r, _ in merged_cells}
    p_notes = index.get("notes", -1)

    rows = table.rows
    total = len(rows) - table.header_row - 1
    for r in range(table.header_row + 1, len(rows)):
        if progress is not None and (r - table.header_row) % 2000 == 0:
            progress(r - table.header_row, total)
        cells = rows[r]
        for c in cells:
            if c is not None and (c.strip() if type(c) is str else str(c).strip()):
                break
        else:
            continue  # blank row
        row_number = r + 1
        if p_notes >= 0 and p_notes < len(cells) and cells[p_notes] == EXAMPLE_MARK:
            report.notes.append(
                Problem(
                    row_number,
                    column_name["notes"],
                    gettext_noop("the template's example row: not imported"),
                )
            )
            continue
        report.rows += 1
        if fast_path and r not in special_rows:
            checked = fast(cells, row_number)
            if checked is not None:
                if sink is None or (report.rejected and not skip_bad_rows) or not sink(checked):
                    good.append(checked)
                continue
        # The full check: names every problem of the row (or accepts what the fast one left).
        problems: list[Problem] = []
        width = len(cells)
        values = {key: cells[pos] if pos < width else None for key, pos in index.items()}
        cell = values.get
        who = _text(cell("name"))[:40]

        def add(
            key: str,
            message: str,
            params: dict[str, Any] | None = None,
            row_number: int = row_number,
            problems: list[Problem] = problems,
            who: str = who,
        ) -> None:
            problems.append(
                Problem(row_number, column_name.get(key, HEADER_OF[key]), message, params, who)
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
                    who,
                )
            )
            report.problems.extend(problems)
            report.rejected += 1
            continue
        seen[identity] = row_number
        checked = good_row(row_number, clean)
        if sink is None or (report.rejected and not skip_bad_rows) or not sink(checked):
            good.append(checked)
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


_UNSEEN: Any = object()


def _fast_checker(
    index: dict[str, int],
    *,
    default_division: str,
    keys: list[str],
    divisions: dict[str, Division],
    areas: list[RiskArea],
    today: date,
    seen: dict[tuple[str, date], int],
) -> Callable[[list[Any], int], GoodRow | None]:
    """The check of a row that has no problem, with look-ups cached per distinct value
    (dates, divisions, origins, risk areas; ID number places in ``fangkong.lib.ids``).

    It applies the rules of ``trip_data_clean`` and the census's own, and gives the same
    values; at the first doubt (any problem, or a cell it does not read as plain text) it
    returns None and the row goes through the full check, which names every problem.
    """
    need = max(index.values()) + 1
    p_name, p_id, p_mobile, p_group, p_departure = (index[k] for k in REQUIRED)
    p_origin, p_risk, p_transport, p_number, p_arrival, p_division, p_unit, p_notes = (
        index.get(k, -1)
        for k in (
            "origin",
            "through_risk_area",
            "transport",
            "transport_number",
            "arrival_date",
            "division_code",
            "work_unit_name",
            "notes",
        )
    )
    born_by = date.today()  # what parse_id_number compares birth dates with
    latest = today + timedelta(days=60)
    dates: dict[Any, date] = {}
    places: dict[str, Division | None] = {}
    origins: dict[tuple[str, str], tuple[str, str, str]] = {}
    area_of: dict[tuple[str, str, str], RiskArea | None] = {}
    car = Transport.CAR

    def place(code: str) -> Division | None:
        """The village of a code, if it is one and lies in the actor's jurisdiction."""
        try:
            division = divisions.get(division_scope_key(code))
        except InvalidNumber:
            division = None
        if division is None or division.level != Level.VILLAGE:
            return None
        return division if any(division.code.startswith(k) for k in keys) else None

    def check(cells: list[Any], row_number: int) -> GoodRow | None:
        if len(cells) < need:
            return None
        raw_id = cells[p_id]
        if type(raw_id) is not str:
            return None
        c = cells[p_name]
        name = c.strip() if type(c) is str else _text(c)
        c = cells[p_group]
        key_group = KEY_GROUP_WORDS.get(c.strip() if type(c) is str else _text(c))
        if not name or len(name) > 50 or not key_group:
            return None
        c = cells[p_departure]
        departure = dates.get(c)
        if departure is None:
            try:
                departure = parse_date(c)
            except (ValueError, OverflowError):
                return None
            if departure is None:
                return None
            dates[c] = departure
        if departure > latest:
            return None
        arrival = None
        if p_arrival >= 0:
            c = cells[p_arrival]
            if c is not None and c != "":
                arrival = dates.get(c)
                if arrival is None:
                    try:
                        arrival = parse_date(c)
                    except (ValueError, OverflowError):
                        return None
                    if arrival is None:
                        return None
                    dates[c] = arrival
                if arrival < departure:
                    return None
        c = cells[p_mobile]
        text = c.strip() if type(c) is str else _text(c)
        if not text:
            return None
        try:
            mobile = normalize_mobile(text)
        except InvalidNumber:
            return None
        transport = Transport.OTHER
        if p_transport >= 0:
            c = cells[p_transport]
            text = c.strip() if type(c) is str else _text(c)
            if text:
                if text not in TRANSPORT_WORDS:
                    return None
                transport = TRANSPORT_WORDS[text]
        through = False
        if p_risk >= 0:
            c = cells[p_risk]
            text = (c.strip() if type(c) is str else _text(c)).lower()
            if text in YES:
                through = True
            elif text not in NO:
                return None
        number = ""
        if p_number >= 0:
            c = cells[p_number]
            number = c.strip() if type(c) is str else _text(c)
            if transport == car and number:
                try:
                    number = normalize_plate(number)
                except InvalidNumber:
                    return None
        code = default_division
        if p_division >= 0:
            c = cells[p_division]
            code = (c.strip() if type(c) is str else _text(c)) or default_division
        division = places.get(code, _UNSEEN)
        if division is _UNSEEN:
            division = places[code] = place(code)
        if division is None:
            return None
        parts = id_number_parts(raw_id, today=born_by)
        if parts is None:
            return None
        id_number, birth, sex = parts
        identity = (id_number, departure)
        if identity in seen:
            return None
        origin = ""
        if p_origin >= 0:
            c = cells[p_origin]
            origin = c.strip() if type(c) is str else _text(c)
        split = origins.get((origin, key_group))
        if split is None:
            split = origins[(origin, key_group)] = split_origin(origin, key_group)
        area = area_of.get(split, _UNSEEN)
        if area is _UNSEEN:
            area = area_of[split] = matching_risk_area(*split, areas)
        unit = ""
        if p_unit >= 0:
            c = cells[p_unit]
            unit = c.strip() if type(c) is str else _text(c)
        notes = ""
        if p_notes >= 0:
            c = cells[p_notes]
            notes = c.strip() if type(c) is str else _text(c)
        seen[identity] = row_number
        return GoodRow(
            row_number,
            id_number,
            departure,
            (name, mobile, birth, sex, division.code),
            (
                key_group,
                split[0],
                split[1],
                split[2],
                through or area is not None,
                area.pk if area is not None else None,
                transport,
                number,
                arrival,
                division.id,
                division.code,
                unit,
                notes,
            ),
        )

    return check


# --- writing ----------------------------------------------------------------------------------

_RECEIPT_BYTES = bytes(ord(RECEIPT_ALPHABET[b % len(RECEIPT_ALPHABET)]) for b in range(256))


def _receipts(n: int) -> list[str]:
    """``n`` receipt numbers as ``new_receipt`` makes them (9 random characters after R)."""
    import secrets

    assert 256 % len(RECEIPT_ALPHABET) == 0  # every character equally likely
    text = secrets.token_bytes(9 * n).translate(_RECEIPT_BYTES).decode("ascii")
    return ["R" + text[i : i + 9] for i in range(0, 9 * n, 9)]


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
_TRIP_DIVISION = (TRIP_FIELDS.index("division_id"), TRIP_FIELDS.index("division_code"))


def _names(columns: Iterable[str]) -> str:
    return ", ".join(connection.ops.quote_name(c) for c in columns)


def _copy_types(model: Any, columns: list[str]) -> list[str]:
    """PostgreSQL type names of the columns (``varchar(50)`` → ``varchar``) for binary COPY."""
    from psycopg.postgres import types

    fields = {f.column: f for f in model._meta.concrete_fields}
    names = []
    for column in columns:
        info = types.get(fields[column].db_type(connection).split("(")[0])
        assert info is not None, column
        names.append(info.name)
    return names


@contextmanager
def _inserter(
    model: Any, columns: list[str], cursor: Any = None
) -> Iterator[Callable[[tuple[Any, ...]], None]]:
    """A function that inserts one plain tuple, on the bulk path: PostgreSQL streams the rows
    by binary COPY as they are made (the server inserts while the caller builds the next
    ones; dates and ids go over as they are, not as text to format and parse); SQLite takes
    them by ``executemany`` in chunks."""
    table = connection.ops.quote_name(model._meta.db_table)
    names = _names(columns)
    with ExitStack() as stack:
        if cursor is None:
            cursor = stack.enter_context(connection.cursor())
        if connection.vendor == "postgresql":
            sql = f"COPY {table} ({names}) FROM STDIN (FORMAT BINARY)"
            with cursor.cursor.copy(sql) as copy:
                copy.set_types(_copy_types(model, columns))
                yield copy.write_row
            return
        marks = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608 - model names
        chunk: list[tuple[Any, ...]] = []

        def put(row: tuple[Any, ...]) -> None:
            chunk.append(row)
            if len(chunk) >= 5000:
                cursor.executemany(sql, chunk)
                chunk.clear()

        yield put
        if chunk:
            cursor.executemany(sql, chunk)


def _update(model: Any, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    """``UPDATE … WHERE id = …`` for each tuple (its values, then the id)."""
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    sets = ", ".join(f"{connection.ops.quote_name(c)} = %s" for c in columns)
    with connection.cursor() as cursor:
        for chunk in _chunks(rows, 5000):
            cursor.executemany(f"UPDATE {table} SET {sets} WHERE id = %s", chunk)  # noqa: S608


def _select_where_in(
    model: Any, columns: Iterable[str], key: str, values: list[Any]
) -> list[tuple[Any, ...]]:
    """Rows of ``model`` whose ``key`` is one of ``values``: one query on PostgreSQL (the
    values travel as one text, not as thousands of parameters), chunks of IN on SQLite."""
    if not values:
        return []
    table = connection.ops.quote_name(model._meta.db_table)
    where = connection.ops.quote_name(key)
    select = f"SELECT {_names(columns)} FROM {table} WHERE {where}"  # noqa: S608 - model names
    result: list[tuple[Any, ...]] = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cast = "::bigint[]" if isinstance(values[0], int) else ""
            cursor.execute(
                f"{select} = ANY(string_to_array(%s, ','){cast})",
                [",".join(map(str, values))],
            )
            return cursor.fetchall()
        for chunk in _chunks(values, 900):
            cursor.execute(f"{select} IN ({', '.join(['%s'] * len(chunk))})", chunk)
            result.extend(cursor.fetchall())
    return result


def _new_ids(model: Any, n: int) -> list[int] | None:
    """On PostgreSQL, ``n`` ids taken from the table's sequence, so that rows can be copied
    in with their ids (no look-up afterwards); None elsewhere."""
    if connection.vendor != "postgresql":
        return None
    if not n:
        return []
    with connection.cursor() as cursor:
        # The sequence is looked up once: called in the select list, pg_get_serial_sequence
        # would run once per id, and cost more than the ids. One array, not n rows, comes back.
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [model._meta.db_table])
        (sequence,) = cursor.fetchone()
        cursor.execute(
            "SELECT array_agg(nextval(%s::regclass)) FROM generate_series(1, %s)", [sequence, n]
        )
        return list(cursor.fetchone()[0])


def _aware(value: datetime) -> datetime:
    # SQLite gives naive UTC datetimes to a raw cursor.
    return timezone.make_aware(value, UTC) if timezone.is_naive(value) else value


class TripStream:
    """Trips streamed into the table while the file is still being checked (PostgreSQL).

    It takes the good rows of people the database does not know and the file names once
    (most of a census): their ids are taken from the sequence before the check, and each
    such row's trip goes out by binary COPY as soon as the row is checked, so that the server
    inserts while Python checks the next rows. Their people are copied in with the other new
    people afterwards (the trip's foreign key is checked at commit). Every other row (a known
    person, a person with several rows) goes the ordinary way, after the check.
    """

    def __init__(self, table: Table, *, actor: Any) -> None:
        self.ids: dict[str, int] = {}
        self.people: list[tuple[Any, ...]] = []  # (id, id_number, *GoodRow.person)
        self.created = 0
        self.registered: dict[tuple[str, str], int] = {}
        self.by = getattr(actor, "pk", None)
        self.stamp = timezone.now()
        self.units = _units()
        self._receipts: list[str] = []
        self._stack = ExitStack()
        self._put: Callable[[tuple[Any, ...]], None] | None = None
        header = [CENSUS_COLUMNS.key(c) for c in table.rows[table.header_row]]
        if "id_number" not in header:
            return
        at = header.index("id_number")
        count: dict[str, int] = {}
        for cells in table.rows[table.header_row + 1 :]:
            raw = cells[at] if at < len(cells) else None
            if type(raw) is str:
                number = _normal_id_number(raw)
                count[number] = count.get(number, 0) + 1
        once = [n for n, c in count.items() if c == 1 and len(n) == 18]
        known = {row[0] for row in _select_where_in(Person, ("id_number",), "id_number", once)}
        # Ids in ID number order: the people go in by id (below), and then both unique
        # indexes take their new keys in order.
        once = sorted(n for n in once if n not in known)
        self.ids = dict(zip(once, _new_ids(Person, len(once)) or [], strict=True))

    def __call__(self, g: GoodRow) -> bool:
        pk = self.ids.get(g.id_number)
        if pk is None:
            return False
        if self._put is None:
            cursor = self._stack.enter_context(connection.cursor())
            self._put = self._stack.enter_context(_inserter(ReturnTrip, TRIP_COLUMNS, cursor))
        if not self._receipts:
            self._receipts = _receipts(2000)
        t = g.trip
        unit = self.units.get((t[11], t[10][:6])) if t[11] else None
        head = (pk, g.departure_date, RegisteredVia.IMPORT, self.by, self._receipts.pop())
        self._put((*head, "expected", self.stamp, self.stamp, *t[:11], unit, *t[11:]))
        self.people.append((pk, g.id_number, *g.person))
        self.created += 1
        key = (t[10], t[0])
        self.registered[key] = self.registered.get(key, 0) + 1
        return True

    def close(self) -> None:
        """Finish the COPY (the server catches up with the rows sent)."""
        self._stack.close()


def _normal_id_number(raw: str) -> str:
    """An ID number as ``parse_id_number`` writes it (15-digit numbers converted), for
    telling which people the file names once; the check itself comes later."""
    text = raw.strip().upper()
    if len(text) == 15 and text.isdigit():
        try:
            return parse_id_number(text).number
        except InvalidNumber:
            pass
    return text


def _units() -> dict[tuple[str, str], int]:
    """Work units by (name, banner): a row's 工作单位 is matched within its banner."""
    return {
        (name, code[:6]): pk
        for pk, name, code in WorkUnit.objects.values_list("pk", "name", "division_code")
    }


TRIP_COLUMNS = [
    "person_id",
    "departure_date",
    "registered_via",
    "registered_by_id",
    "receipt",
    "status",
    "created_at",
    "updated_at",
    *TRIP_FIELDS,
]


def write_rows(
    *,
    actor: Any,
    good: list[GoodRow],
    report: CensusReport,
    filename: str,
    stream: TripStream | None = None,
) -> None:
    """Create or update people and trips for the good rows, in the caller's transaction.

    Plain tuples all the way: the people and trips the file names are fetched in one query
    each, new rows go in on the bulk path, changed rows are updated by id.
    """
    now = timezone.now()
    today = timezone.localdate()
    ops = connection.ops
    postgres = connection.vendor == "postgresql"
    stamp = now if postgres else ops.adapt_datetimefield_value(now)
    day = (lambda d: d) if postgres else ops.adapt_datefield_value
    units = stream.units if stream is not None else _units()

    # People: the last row of each ID number gives the person's details.
    wanted: dict[str, tuple[Any, ...]] = {}
    for g in good:
        name, mobile, birth, sex, division_code = g.person
        wanted[g.id_number] = (name, mobile, birth, sex, *_pinyin(name), division_code)
    known = {
        row[0]: (row[1], row[2:])
        for row in _select_where_in(
            Person, ("id_number", "id", *PERSON_FIELDS), "id_number", list(wanted)
        )
    }
    # In ID number order, and trips below in person order: the unique indexes then take
    # their new keys in order, which PostgreSQL and SQLite do much faster than scattered ones.
    new_numbers = sorted(number for number in wanted if number not in known)
    ids = _new_ids(Person, len(new_numbers))
    if ids is not None:
        with _inserter(
            Person, ["id", "id_number", *PERSON_FIELDS, "created_at", "updated_at"]
        ) as put:
            for pk, number, name, mobile, birth, sex, code in (
                sorted(stream.people, key=itemgetter(0)) if stream is not None else ()
            ):
                pinyin = _pinyin(name)
                put((pk, number, name, mobile, birth, sex, *pinyin, code, stamp, stamp))
            for pk, number in zip(ids, new_numbers, strict=True):
                put((pk, number, *wanted[number], stamp, stamp))
        person_ids = dict(zip(new_numbers, ids, strict=True))
    else:
        with _inserter(Person, ["id_number", *PERSON_FIELDS, "created_at", "updated_at"]) as put:
            for number in new_numbers:
                values = wanted[number]
                put((number, *values[:2], day(values[2]), *values[3:], stamp, stamp))
        person_ids = dict(_select_where_in(Person, ("id_number", "id"), "id_number", new_numbers))
    changed_people = set()
    person_updates = []
    for number, (pk, values) in known.items():
        person_ids[number] = pk
        person = wanted[number]
        if tuple(values) != person:
            changed_people.add(number)
            person_updates.append((*person[:2], day(person[2]), *person[3:], stamp, pk))
    _update(Person, [*PERSON_FIELDS, "updated_at"], person_updates)

    # Trips: one per person and departure date.
    trips = {
        (row[1], row[2]): row
        for row in _select_where_in(
            ReturnTrip,
            ("id", "person_id", "departure_date", "status", "created_at", *TRIP_FIELDS),
            "person_id",
            [pk for pk, _ in known.values()],
        )
    }
    to_update: list[tuple[Any, ...]] = []
    registered: dict[tuple[str, str], int] = {}
    flows: list[tuple[str, str, date, int]] = []
    receipts = iter(_receipts(len(good)))
    by = getattr(actor, "pk", None)
    via = RegisteredVia.IMPORT
    created = 0
    with _inserter(ReturnTrip, TRIP_COLUMNS) as put:
        for g in sorted(good, key=lambda g: (person_ids[g.id_number], g.departure_date)):
            t = g.trip
            unit = units.get((t[11], t[10][:6])) if t[11] else None
            pid = person_ids[g.id_number]
            trip = trips.get((pid, g.departure_date)) if trips else None
            if trip is None:
                row = (pid, day(g.departure_date), via, by, next(receipts), "expected", stamp)
                put((*row, stamp, *t[:8], day(t[8]), *t[9:11], unit, *t[11:]))
                created += 1
                group_key = (t[10], t[0])
                registered[group_key] = registered.get(group_key, 0) + 1
                continue
            values = (*t[:11], unit, *t[11:])
            trip_id, _, _, status, created_at, *old = trip
            if tuple(old) != values:
                old_group, division_code = old[0], old[_TRIP_DIVISION[1]]
                if old_group != t[0]:
                    created_day = timezone.localdate(_aware(created_at))
                    flows.append((metrics.by_group(old_group), division_code, created_day, -1))
                    flows.append((metrics.by_group(t[0]), division_code, created_day, 1))
                update: list[Any] = list(values)
                if status != "expected":  # an arrived trip stays where it arrived
                    for i in _TRIP_DIVISION:
                        update[i] = old[i]
                update[8] = day(update[8])
                to_update.append((*update, stamp, trip_id))
            elif g.id_number in changed_people:
                report.updated += 1
            else:
                report.unchanged += 1
    _update(ReturnTrip, [*TRIP_FIELDS, "updated_at"], to_update)
    if stream is not None:
        created += stream.created
        for key, count in stream.registered.items():
            registered[key] = registered.get(key, 0) + count
    report.created += created
    report.updated += len(to_update)
    for (code, group), count in registered.items():
        flows.append((metrics.REGISTERED, code, today, count))
        flows.append((metrics.by_group(group), code, today, count))
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
    with collector_paused():  # a census is over a million objects and no reference cycles
        return _census_import(
            actor=actor,
            data=data,
            filename=filename,
            default_division=default_division,
            skip_bad_rows=skip_bad_rows,
            dry_run=dry_run,
            progress=progress,
            before_write=before_write,
        )


def _census_import(
    *,
    actor: Any,
    data: bytes,
    filename: str,
    default_division: str,
    skip_bad_rows: bool,
    dry_run: bool,
    progress: Callable[[int, int], None] | None,
    before_write: Callable[[], None] | None,
) -> CensusReport:
    if default_division:
        try:
            default_division = division_scope_key(default_division)
        except InvalidNumber:
            raise CensusFileError(
                gettext_noop("the default community code '%(code)s' is not a division code"),
                {"code": default_division},
            ) from None
    table = read_table(data, filename)
    # A background job reports progress while it checks, so it checks before its write
    # transaction opens; otherwise, on PostgreSQL, the trips of new people stream into the
    # table during the check (TripStream), in the same transaction as the rest.
    streaming = (
        connection.vendor == "postgresql" and not dry_run and progress is before_write is None
    )
    with transaction.atomic() if streaming else nullcontext():
        stream = TripStream(table, actor=actor) if streaming else None
        try:
            with translation.override("en"):  # the report is written in one language
                good, report = check_rows(
                    table,
                    actor=actor,
                    default_division=default_division,
                    progress=progress,
                    sink=stream,
                    skip_bad_rows=skip_bad_rows,
                )
        finally:
            if stream is not None:
                stream.close()
        del table  # the checked rows hold what the write needs
        nothing = not good and not (stream is not None and stream.created)
        if dry_run and good:
            # What the import would create, update or leave: the write itself, undone.
            with transaction.atomic():
                write_rows(actor=actor, good=good, report=report, filename=filename, stream=None)
                transaction.set_rollback(True)
            report.dry_run = True
            return report
        if dry_run or (report.rejected and not skip_bad_rows) or nothing:
            report.dry_run = dry_run
            if streaming:
                transaction.set_rollback(True)  # the trips streamed before a bad row
            return report
        if before_write is not None:
            before_write()
        with transaction.atomic():
            write_rows(actor=actor, good=good, report=report, filename=filename, stream=stream)
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
        EXAMPLE_MARK,
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
    headers = [gettext("Row"), gettext("Person"), gettext("Column"), gettext("Problem")]
    sheet.write_row(0, 0, headers, bold)
    for i, problem in enumerate(_all_problems(report), start=1):
        sheet.write_number(i, 0, problem.row)
        sheet.write_string(i, 1, neutralise(problem.who))
        sheet.write_string(i, 2, neutralise(problem.column))
        sheet.write_string(i, 3, neutralise(problem.text))
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
            summary={**report.summary(), "imported": report.imported, "dry_run": report.dry_run},
            problems=[p.as_list() for p in [*report.notes, *report.problems][:20000]],
        )
    finally:
        job.file.delete(save=False)  # personal data is not kept in files
        CensusJob.objects.filter(pk=job.pk).update(file="")
    job.refresh_from_db()
    return job
