"""Reading the civil-affairs roster (xlsx) into checked rows; nothing is written here.

One sheet, one row per person. The head's row (relation 户主) carries the household's fields;
member rows follow with the same household number. Headers may be Chinese or English.
Every problem is reported as ``row N, column X: what is wrong``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from python_calamine import CalamineWorkbook

from fangkong.assistance.models import Category
from fangkong.lib.ids import InvalidNumber, division_scope_key, normalize_mobile, parse_id_number

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


class RosterError(ValueError):
    """The roster cannot be imported; ``errors`` lists every problem found."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors[:5]))
        self.errors = errors


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


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value).replace("/", "-").replace(".", "-")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError("date must be written as YYYY-MM-DD") from None


def read_roster(stream: IO[bytes]) -> list[HouseholdRow]:
    """Parse and check a roster; raise ``RosterError`` listing every problem."""
    try:
        book = CalamineWorkbook.from_filelike(stream)
        rows = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises several types for a non-xlsx file
        raise RosterError([f"the file is not a readable xlsx workbook ({exc})"]) from None
    if not rows:
        raise RosterError(["the sheet is empty"])
    header = [_text(h).lower() for h in rows[0]]
    index: dict[str, int] = {}
    for key, names in COLUMNS.items():
        for pos, title in enumerate(header):
            if title in {n.lower() for n in names}:
                index[key] = pos
    missing = [COLUMNS[k][0] for k in REQUIRED if k not in index]
    if missing:
        raise RosterError([f"row 1: missing column(s) {', '.join(missing)}"])

    errors: list[str] = []
    households: dict[str, HouseholdRow] = {}
    members: list[tuple[str, MemberRow]] = []
    seen_ids: dict[str, int] = {}

    def cell(values: list[Any], key: str) -> Any:
        pos = index.get(key)
        return values[pos] if pos is not None and pos < len(values) else None

    def err(row: int, key: str, message: str) -> None:
        errors.append(f"row {row}, column {COLUMNS[key][0]}: {message}")

    for number, values in enumerate(rows[1:], start=2):
        if len(errors) >= MAX_ERRORS:
            break
        if all(_text(v) == "" for v in values):
            continue
        key = _text(cell(values, "household"))
        name = _text(cell(values, "name"))
        relation = _text(cell(values, "relation"))
        if not key:
            err(number, "household", "household number is missing")
        if not name:
            err(number, "name", "name is missing")
        if not relation:
            err(number, "relation", "relation to the head is missing")
        id_text = _text(cell(values, "id_number"))
        id_number = ""
        if id_text:
            try:
                id_number = parse_id_number(id_text).number
            except InvalidNumber as exc:
                err(number, "id_number", str(exc))
            else:
                if id_number in seen_ids:
                    err(number, "id_number", f"the same ID number is on row {seen_ids[id_number]}")
                seen_ids.setdefault(id_number, number)
        phone = ""
        phone_text = _text(cell(values, "phone"))
        if phone_text:
            try:
                phone = normalize_mobile(phone_text)
            except InvalidNumber as exc:
                err(number, "phone", str(exc))
        person = MemberRow(number, name, relation, id_number, phone)
        if relation.lower() not in HEAD_RELATIONS:
            members.append((key, person))
            continue
        if not id_text:
            err(number, "id_number", "the head's ID number is missing")
        if key in households:
            err(
                number,
                "household",
                f"household {key} already has a head on row {households[key].row}",
            )
            continue
        division_code = ""
        try:
            division_code = division_scope_key(_text(cell(values, "division")))
        except InvalidNumber as exc:
            err(number, "division", str(exc))
        category_text = _text(cell(values, "category"))
        category = CATEGORY_WORDS.get(category_text) or CATEGORY_WORDS.get(category_text.lower())
        if category is None:
            err(
                number,
                "category",
                f"unknown category {category_text!r} (低保, 特困, 独居老人, 残疾, 留守儿童, 大病)",
            )
        allowance = Decimal(0)
        allowance_text = _text(cell(values, "allowance"))
        if allowance_text:
            try:
                allowance = Decimal(allowance_text).quantize(Decimal("0.01"))
            except InvalidOperation:
                err(number, "allowance", f"{allowance_text!r} is not an amount")
            else:
                if allowance < 0:
                    err(number, "allowance", "the allowance cannot be negative")
        next_review = None
        review_value = cell(values, "next_review")
        if _text(review_value):
            try:
                next_review = _date(review_value)
            except ValueError as exc:
                err(number, "next_review", str(exc))
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
            err(person.row, "household", f"household {key} has no head (户主) row")
        else:
            household.members.append(person)
    if errors:
        raise RosterError(errors[:MAX_ERRORS])
    if not households:
        raise RosterError(["the roster holds no household"])
    return list(households.values())
