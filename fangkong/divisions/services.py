"""Loading the division tree from a CSV file (``code,name,level,parent_code``)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from pypinyin import Style, lazy_pinyin

from fangkong.core.audit import record_audit
from fangkong.divisions.models import LEVEL_KEY_LENGTH, LEVEL_ORDER, Division, Level, short_name_for
from fangkong.lib.ids import InvalidNumber, division_full_code, division_scope_key

REQUIRED_COLUMNS = ("code", "name", "level", "parent_code")


class DivisionFileError(ValueError):
    """The division file cannot be loaded; the message names the line."""


@dataclass
class LoadResult:
    created: int = 0
    renamed: int = 0
    moved: int = 0
    unchanged: int = 0
    renames: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.created + self.renamed + self.moved + self.unchanged


@dataclass(frozen=True)
class _Row:
    line: int
    code: str
    name: str
    level: Level
    parent_code: str


def pinyin_keys(name: str) -> tuple[str, str]:
    """Full pinyin (``bayanhaotezhen``) and initials (``byhtz``) of a Chinese name."""
    syllables = [s.lower() for s in lazy_pinyin(name, errors="ignore") if s.strip()]
    initials = lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore")
    return "".join(syllables), "".join(i.lower() for i in initials if i.strip())


def _parse(text: str) -> list[_Row]:
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        raise DivisionFileError("line 1: the file is empty") from None
    header = [h.strip().lstrip("\ufeff") for h in header]
    if tuple(header[:4]) != REQUIRED_COLUMNS:
        raise DivisionFileError(
            f"line 1: the header must be {','.join(REQUIRED_COLUMNS)}, not {','.join(header)}"
        )
    rows: list[_Row] = []
    seen: dict[str, int] = {}
    levels = {level.value for level in Level}
    for line, record in enumerate(reader, start=2):
        if not record or all(not cell.strip() for cell in record):
            continue
        if len(record) != 4:
            raise DivisionFileError(f"line {line}: expected 4 fields, found {len(record)}")
        raw_code, name, level, raw_parent = (cell.strip() for cell in record)
        if not name:
            raise DivisionFileError(f"line {line}: the name is empty")
        if level not in levels:
            raise DivisionFileError(
                f"line {line}: unknown level {level!r} "
                f"(expected one of {', '.join(sorted(levels))})"
            )
        try:
            code = division_scope_key(raw_code)
            parent_code = division_scope_key(raw_parent) if raw_parent else ""
        except InvalidNumber as exc:
            raise DivisionFileError(f"line {line}: {exc}") from None
        if len(code) != LEVEL_KEY_LENGTH[Level(level)]:
            raise DivisionFileError(f"line {line}: code {raw_code} does not fit level {level}")
        if code in seen:
            raise DivisionFileError(
                f"line {line}: duplicate code {raw_code} (first seen on line {seen[code]})"
            )
        seen[code] = line
        rows.append(_Row(line, code, name, Level(level), parent_code))
    if not rows:
        raise DivisionFileError("the file has a header but no divisions")
    return rows


def _check_tree(rows: list[_Row]) -> None:
    """Every parent is in the file or already loaded, above its child, and a prefix of it."""
    parents: dict[str, Level] = {row.code: row.level for row in rows}
    for code, level in Division.objects.filter(
        code__in={r.parent_code for r in rows} - set(parents)
    ).values_list("code", "level"):
        parents[code] = Level(level)
    top = min(LEVEL_ORDER.index(row.level) for row in rows)
    root_seen = False
    for row in rows:
        parent_level = parents.get(row.parent_code)
        if parent_level is None:
            # The root's parent may lie outside the file (Alxa's parent 150000 is Inner Mongolia).
            if LEVEL_ORDER.index(row.level) == top and not root_seen:
                root_seen = True
                continue
            raise DivisionFileError(
                f"line {row.line}: parent {row.parent_code or '(empty)'} of {row.code} {row.name} "
                "is neither in the file nor already loaded"
            )
        if LEVEL_ORDER.index(parent_level) >= LEVEL_ORDER.index(row.level):
            raise DivisionFileError(
                f"line {row.line}: parent {row.parent_code} ({parent_level}) is not above "
                f"{row.code} ({row.level})"
            )
        if not row.code.startswith(row.parent_code):
            raise DivisionFileError(
                f"line {row.line}: code {row.code} does not lie under its parent {row.parent_code}"
            )


def divisions_load_file(*, path: Path, actor: Any = None) -> LoadResult:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DivisionFileError(f"{path.name}: not UTF-8 text ({exc.reason})") from None
    return divisions_load(text=text, actor=actor, source=path.name)


@transaction.atomic
def divisions_load(*, text: str, actor: Any = None, source: str = "") -> LoadResult:
    """Load divisions: create new ones, apply renames and moves, change nothing else.

    Idempotent: a second load of the same file changes nothing. A refused file loads nothing.
    """
    rows = _parse(text)
    _check_tree(rows)
    existing = {d.code: d for d in Division.objects.all()}
    result = LoadResult()
    # Parents first, so each child can point at its parent.
    for row in sorted(rows, key=lambda r: (LEVEL_ORDER.index(r.level), r.code)):
        parent = existing.get(row.parent_code)
        current = existing.get(row.code)
        pinyin, initials = pinyin_keys(short_name_for(row.name))
        if current is None:
            current = Division.objects.create(
                code=row.code,
                full_code=division_full_code(row.code),
                name=row.name,
                short_name=short_name_for(row.name),
                level=row.level,
                parent=parent,
                parent_code=row.parent_code,
                pinyin=pinyin,
                initials=initials,
            )
            existing[row.code] = current
            result.created += 1
            continue
        changed: list[str] = []
        if current.name != row.name:
            result.renames.append((row.code, current.name, row.name))
            current.name = row.name
            current.short_name = short_name_for(row.name)
            current.pinyin, current.initials = pinyin, initials
            changed += ["name", "short_name", "pinyin", "initials"]
            result.renamed += 1
        if current.parent_code != row.parent_code or (parent and current.parent_id != parent.pk):
            current.parent, current.parent_code = parent, row.parent_code
            changed += ["parent", "parent_code"]
            result.moved += 1
        if changed:
            current.save(update_fields=[*changed, "updated_at"])
        else:
            result.unchanged += 1
    if result.created or result.renamed or result.moved:
        record_audit(
            actor,
            "divisions.load",
            None,
            division_code=min((r.code for r in rows), key=len),
            source=source,
            created=result.created,
            renamed=result.renamed,
            moved=result.moved,
            renames=[list(r) for r in result.renames],
        )
    return result
