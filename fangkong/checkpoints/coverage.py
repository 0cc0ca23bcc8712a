"""Roster coverage: which minutes of a period have no shift of at least N people.

Pure functions on plain values (no database), used by selectors and tests.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Gap:
    starts_at: datetime
    ends_at: datetime

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


def _floor_minute(value: datetime) -> datetime:
    return value.replace(second=0, microsecond=0)


def _ceil_minute(value: datetime) -> datetime:
    floored = _floor_minute(value)
    return floored if floored == value else floored + timedelta(minutes=1)


def coverage_gaps(
    shifts: Iterable[tuple[datetime, datetime, int]],
    *,
    start: datetime,
    end: datetime,
    min_people: int,
) -> list[Gap]:
    """Every stretch of whole minutes in [start, end) not covered by one shift of at least
    ``min_people`` people. ``shifts`` are (starts_at, ends_at, people) triples.

    A minute counts as covered only if a single qualifying shift spans all of it, so a shift
    ending at 08:00:30 leaves the minute 08:00 uncovered.
    """
    start, end = _floor_minute(start), _floor_minute(end)
    if end <= start:
        return []
    covering = sorted(
        (_ceil_minute(s), _floor_minute(e))
        for s, e, people in shifts
        if people >= min_people and _floor_minute(e) > _ceil_minute(s)
    )
    gaps: list[Gap] = []
    cursor = start
    for s, e in covering:
        if e <= cursor:
            continue
        if s > cursor:
            gaps.append(Gap(cursor, min(s, end)))
        cursor = max(cursor, e)
        if cursor >= end:
            break
    if cursor < end:
        gaps.append(Gap(cursor, end))
    return [g for g in gaps if g.ends_at > g.starts_at]
