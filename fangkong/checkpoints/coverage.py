"""Roster coverage: which minutes of a period have no shift of at least N people.

Pure functions on plain values (no database), used by selectors and tests.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta


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


_HOURS = re.compile(r"^\s*(\d{1,2})[:：](\d{2})\s*[-–—~～至到]\s*(\d{1,2})[:：](\d{2})\s*$")


def daily_hours(planned_hours: str) -> tuple[time, time] | None:
    """A checkpoint's planned hours as (opens, closes) local times, or None for around the
    clock ("24h", "24小时", "全天", or anything that is not ``HH:MM-HH:MM``). ``closes`` at or
    before ``opens`` means the checkpoint closes the next morning (``22:00-06:00``)."""
    match = _HOURS.match(planned_hours or "")
    if not match:
        return None
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if h1 > 23 or h2 > 24 or m1 > 59 or m2 > 59 or (h2 == 24 and m2):
        return None
    opens, closes = time(h1, m1), time(0, 0) if h2 == 24 else time(h2, m2)
    if opens == closes:
        return None
    return opens, closes


def open_windows(
    planned_hours: str, *, start: datetime, end: datetime
) -> list[tuple[datetime, datetime]]:
    """The stretches of [start, end) when a checkpoint with these planned hours is open
    (local days of ``start``'s time zone)."""
    hours = daily_hours(planned_hours)
    if hours is None:
        return [(start, end)] if end > start else []
    opens, closes = hours
    tz = start.tzinfo
    day = start.date() - timedelta(days=1)  # yesterday's window may run past midnight
    windows = []
    while day <= end.date():
        w_start = datetime.combine(day, opens, tzinfo=tz)
        w_end = datetime.combine(
            day + timedelta(days=1 if closes <= opens else 0), closes, tzinfo=tz
        )
        s, e = max(w_start, start), min(w_end, end)
        if e > s:
            windows.append((s, e))
        day += timedelta(days=1)
    return windows


def gaps_in_hours(
    shifts: list[tuple[datetime, datetime, int]],
    *,
    planned_hours: str,
    start: datetime,
    end: datetime,
    min_people: int,
) -> list[Gap]:
    """``coverage_gaps`` within the checkpoint's open hours only."""
    gaps: list[Gap] = []
    for s, e in open_windows(planned_hours, start=start, end=end):
        gaps += coverage_gaps(shifts, start=s, end=e, min_people=min_people)
    return gaps
