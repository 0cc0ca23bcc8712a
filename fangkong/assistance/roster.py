"""Reading the civil-affairs roster (xlsx, or CSV in UTF-8 or GBK) into checked rows; nothing
is written here.

One sheet, one row per person. The head's row (relation 户主) carries the household's fields;
member rows follow with the same household number. Headers may be Chinese or English. The
file is read by the one spreadsheet reader (``fangkong.lib.spreadsheet``: size, zip bomb and
row limits before anything is unpacked); every problem is a ``Problem`` with its row and column.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.utils.translation import gettext_noop

from fangkong.assistance.models import Category
from fangkong.core.numbers import number_error
from fangkong.lib.ids import InvalidNumber, division_scope_key, normalize_mobile, parse_id_number
from fangkong.lib.spreadsheet import (
    Columns,
    Problem,
    SpreadsheetError,
    cell_text,
    check_size,
    parse_date,
    read_spreadsheet,
)

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20_000
MAX_ERRORS = 50

COLUMNS = {
    "household": ("户编号", "household number"),
    "name": ("姓名", "name"),
    "relation": ("与户主关系", "relation"),
    "id_number": ("身份证号", "id number"),
    "phone": ("联系电话", "phone"),
    "division": ("区划代码", "division code"),
    "category": ("类别", "category"),
    "allowance": ("月保障金", "monthly allowance"),
    "next_review": ("下次核查日期", "next review date"),
    "address": ("住址", "address"),
}
REQUIRED = ("household", "name", "relation", "id_number")
HEAD_RELATIONS = {"户主", "本人", "head"}
CATEGORY_WORDS = {
    "低保": Category.DIBAO,
    "特困": Category.TEKUN,
    "独居老人": Category.ELDERLY_ALONE,
    "残疾": Category.DISABLED,
    "残疾人": Category.DISABLED,
    "留守儿童": Category.LEFT_BEHIND,
    "大病": Category.SERIOUS_ILLNESS,
    "重病": Category.SERIOUS_ILLNESS,
    **{c.value: Category(c.value) for c in Category},
}


@dataclass
class MemberRow:
    row: int
    name: str
    relation: str
    id_number: str
    phone: str


@dataclass
class HouseholdRow:
    row: int
    key: str
    head: MemberRow
    division_code: str
    category: str
    allowance: Decimal
    next_review: date | None
    address: str
    members: list[MemberRow] = field(default_factory=list)


ROSTER_COLUMNS = Columns(COLUMNS)


def read_roster(stream: IO[bytes], filename: str = "roster.xlsx") -> list[HouseholdRow]:
    """Parse and check a roster; raise ``SpreadsheetError`` listing every problem."""
    check_size(getattr(stream, "size", None), MAX_FILE_BYTES)
    data = stream.read(MAX_FILE_BYTES + 1)
    sheet = read_spreadsheet(
        data,
        filename or "roster.xlsx",
        columns=ROSTER_COLUMNS,
        header_keys=("name", "id_number"),
        max_rows=MAX_ROWS,
        max_bytes=MAX_FILE_BYTES,
    )
    found = ROSTER_COLUMNS.map(sheet.rows[sheet.header_row])
    index = found.index
    missing = ROSTER_COLUMNS.missing(found, REQUIRED)
    if missing:
        raise SpreadsheetError(
            gettext_noop("missing columns: %(columns)s"),
            {"columns": ", ".join(missing)},
            row=sheet.header_row + 1,
        )
    _text = cell_text
    errors: list[Problem] = []
    households: dict[str, HouseholdRow] = {}
    members: list[tuple[str, MemberRow]] = []
    seen_ids: dict[str, int] = {}

    def cell(values: list[Any], key: str) -> Any:
        pos = index.get(key)
        return values[pos] if pos is not None and pos < len(values) else None

    def err(row: int, key: str, message: str, params: dict[str, Any] | None = None) -> None:
        errors.append(Problem(row, found.names.get(key, COLUMNS[key][0]), message, params))

    for number, values in sheet.body():
        if len(errors) >= MAX_ERRORS:
            break
        key = _text(cell(values, "household"))
        name = _text(cell(values, "name"))
        relation = _text(cell(values, "relation"))
        if not key:
            err(number, "household", gettext_noop("household number is missing"))
        if not name:
            err(number, "name", gettext_noop("name is missing"))
        if not relation:
            err(number, "relation", gettext_noop("relation to the head is missing"))
        id_text = _text(cell(values, "id_number"))
        id_number = ""
        if id_text:
            try:
                id_number = parse_id_number(id_text).number
            except InvalidNumber as exc:
                err(number, "id_number", number_error(exc))
            else:
                if id_number in seen_ids:
                    err(
                        number,
                        "id_number",
                        gettext_noop("the same ID number is on row %(row)d"),
                        {"row": seen_ids[id_number]},
                    )
                seen_ids.setdefault(id_number, number)
        phone = ""
        phone_text = _text(cell(values, "phone"))
        if phone_text:
            try:
                phone = normalize_mobile(phone_text)
            except InvalidNumber as exc:
                err(number, "phone", number_error(exc))
        person = MemberRow(number, name, relation, id_number, phone)
        if relation.lower() not in HEAD_RELATIONS:
            members.append((key, person))
            continue
        if not id_text:
            err(number, "id_number", gettext_noop("the head's ID number is missing"))
        if key in households:
            err(
                number,
                "household",
                gettext_noop("household %(key)s already has a head on row %(row)d"),
                {"key": key, "row": households[key].row},
            )
            continue
        division_code = ""
        try:
            division_code = division_scope_key(_text(cell(values, "division")))
        except InvalidNumber as exc:
            err(number, "division", number_error(exc))
        category_text = _text(cell(values, "category"))
        category = CATEGORY_WORDS.get(category_text) or CATEGORY_WORDS.get(category_text.lower())
        if category is None:
            err(
                number,
                "category",
                gettext_noop(
                    "unknown category '%(value)s' (低保, 特困, 独居老人, 残疾, 留守儿童, 大病)"
                ),
                {"value": category_text},
            )
        allowance = Decimal(0)
        allowance_text = _text(cell(values, "allowance"))
        if allowance_text:
            try:
                allowance = Decimal(allowance_text).quantize(Decimal("0.01"))
            except InvalidOperation:
                err(
                    number,
                    "allowance",
                    gettext_noop("'%(value)s' is not an amount"),
                    {"value": allowance_text},
                )
            else:
                if allowance < 0:
                    err(number, "allowance", gettext_noop("the allowance cannot be negative"))
        next_review = None
        review_value = cell(values, "next_review")
        if _text(review_value):
            try:
                next_review = parse_date(review_value)
            except (ValueError, OverflowError):
                err(number, "next_review", gettext_noop("date must be written as YYYY-MM-DD"))
        households[key] = HouseholdRow(
            row=number,
            key=key,
            head=person,
            division_code=division_code,
            category=str(category or ""),
            allowance=allowance,
            next_review=next_review,
            address=_text(cell(values, "address")),
        )
    for key, person in members:
        household = households.get(key)
        if household is None:
            err(
                person.row,
                "household",
                gettext_noop("household %(key)s has no head (户主) row"),
                {"key": key},
            )
        else:
            household.members.append(person)
    if errors:
        raise SpreadsheetError(problems=errors[:MAX_ERRORS])
    if not households:
        raise SpreadsheetError(gettext_noop("the roster holds no household"))
    return list(households.values())
