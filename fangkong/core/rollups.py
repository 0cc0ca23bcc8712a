"""Daily rollups: the figures dashboards and daily reports read.

A figure is a *metric* counted per division and day in ``DailyCount``. Services bump it in
their own transaction (``bump("passages.fast_passed", division_code, day)``), so a
dashboard reads a few hundred small rows instead of scanning history: its cost does not grow
with the number of passages, people or requests.

Two kinds of metric:

- ``flow``: things that happen on a day (passages logged, returnees registered). "Today" is
  the day's row; "total" is the sum over all days.
- ``stock``: things that are in a state (under observation, checkpoints open). Services bump
  +1 when a record enters the state and -1 when it leaves, on the day it happens; the level
  on a day is the sum of all deltas up to and including that day.

Each app registers its metrics with a ``recount`` function that computes the true figures
from the source tables; ``fangkong rebuild_rollups`` replaces the rollups with the recount
(after a bulk load, or to repair drift), and tests compare the two.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from django.db import connection, transaction
from django.db.models import Q, Sum
from django.db.models.functions import Substr

from fangkong.core.jurisdiction import scope_q
from fangkong.core.models import DailyCount, RunningCount

Kind = Literal["flow", "stock"]
Recount = Callable[[], Iterable[tuple[str, date, int]]]


@dataclass(frozen=True)
class Metric:
    name: str
    label: Any  # str or a lazy translation: shown in the reader's language
    kind: Kind
    recount: Recount | None = None


METRICS: dict[str, Metric] = {}


def register_metric(name: str, label: Any, kind: Kind, recount: Recount | None = None) -> None:
    """Declare a metric (call from an AppConfig.ready). Re-registering replaces it.

    Pass the label lazily (``gettext_lazy``) so that each reader sees it in their language.
    """
    METRICS[name] = Metric(name, label, kind, recount)


_DAILY_UPSERT = (
    "INSERT INTO {table} (metric, division_code, day, value) VALUES (%s, %s, %s, %s) "
    "ON CONFLICT (metric, division_code, day) DO UPDATE SET value = {table}.value + excluded.value"
)
_RUNNING_UPSERT = (
    "INSERT INTO {table} (metric, division_code, value) VALUES (%s, %s, %s) "
    "ON CONFLICT (metric, division_code) DO UPDATE SET value = {table}.value + excluded.value"
)


def bump(metric: str, division_code: str, day: date, delta: int = 1) -> None:
    """Add ``delta`` to a metric for one division and day, in the caller's transaction."""
    if delta:
        bump_many([(metric, division_code, day, delta)])


def bump_many(rows: Iterable[tuple[str, str, date, int]]) -> None:
    """Bump several (metric, division_code, day, delta) at once, summing duplicates first.

    Two upserts per distinct key: the day's count and the running total of the division.
    """
    totals: dict[tuple[str, str, date], int] = {}
    running: dict[tuple[str, str], int] = {}
    for metric, code, day, delta in rows:
        totals[(metric, code, day)] = totals.get((metric, code, day), 0) + delta
        running[(metric, code)] = running.get((metric, code), 0) + delta
    daily_params = [(m, code, day, delta) for (m, code, day), delta in totals.items() if delta]
    running_params = [(m, code, delta) for (m, code), delta in running.items() if delta]
    if not daily_params:
        return
    with connection.cursor() as cursor:
        cursor.executemany(_DAILY_UPSERT.format(table=DailyCount._meta.db_table), daily_params)
        if running_params:
            cursor.executemany(
                _RUNNING_UPSERT.format(table=RunningCount._meta.db_table), running_params
            )


def figures(
    scope_keys: Iterable[str], metrics: Iterable[str], *, on: date
) -> dict[str, dict[str, int]]:
    """For each metric: ``today`` (the day's value) and ``total`` (flows: all days up to
    ``on``; stocks: the level on ``on``).

    The total is the running total less whatever is dated after ``on`` (later days, and
    future-dated exits such as a pass's expiry), so neither query grows with history: one
    reads a row per division and metric, the other only the days from ``on`` on.
    """
    keys = list(scope_keys)
    names = list(metrics)
    result = {name: {"today": 0, "total": 0} for name in names}
    if not names:
        return result
    running = (
        RunningCount.objects.filter(scope_q(keys), metric__in=names)
        .values("metric")
        .annotate(total=Sum("value"))
    )
    for row in running:
        result[row["metric"]]["total"] = row["total"] or 0
    recent = (
        DailyCount.objects.filter(scope_q(keys), metric__in=names, day__gte=on)
        .values("metric")
        .annotate(later=Sum("value", filter=Q(day__gt=on)), today=Sum("value", filter=Q(day=on)))
    )
    for row in recent:
        figure = result[row["metric"]]
        figure["today"] = row["today"] or 0
        figure["total"] -= row["later"] or 0
    return result


def figures_by_child(
    parent_key: str, child_key_length: int, metrics: Iterable[str], *, on: date
) -> dict[str, dict[str, dict[str, int]]]:
    """Figures per child division (drill-down): {child scope key: {metric: {today, total}}}."""
    names = list(metrics)
    result: dict[str, dict[str, dict[str, int]]] = {}
    if not names:
        return result

    def bucket(child: str, metric: str) -> dict[str, int] | None:
        if len(child) < child_key_length:
            return None  # recorded at the parent itself, not under a child
        return result.setdefault(child, {}).setdefault(metric, {"today": 0, "total": 0})

    running = (
        RunningCount.objects.filter(division_code__startswith=parent_key, metric__in=names)
        .annotate(child=Substr("division_code", 1, child_key_length))
        .values("child", "metric")
        .annotate(total=Sum("value"))
    )
    for row in running:
        figure = bucket(row["child"], row["metric"])
        if figure is not None:
            figure["total"] = row["total"] or 0
    recent = (
        DailyCount.objects.filter(
            division_code__startswith=parent_key, metric__in=names, day__gte=on
        )
        .annotate(child=Substr("division_code", 1, child_key_length))
        .values("child", "metric")
        .annotate(later=Sum("value", filter=Q(day__gt=on)), today=Sum("value", filter=Q(day=on)))
    )
    for row in recent:
        figure = bucket(row["child"], row["metric"])
        if figure is not None:
            figure["today"] = row["today"] or 0
            figure["total"] -= row["later"] or 0
    return result


def series(scope_keys: Iterable[str], metric: str, *, start: date, end: date) -> dict[date, int]:
    """Day-by-day values of one metric between two dates (inclusive), for charts."""
    rows = (
        DailyCount.objects.filter(scope_q(scope_keys), metric=metric, day__gte=start, day__lte=end)
        .values("day")
        .annotate(value=Sum("value"))
    )
    return {row["day"]: row["value"] for row in rows}


@transaction.atomic
def rebuild(metric_names: Iterable[str] | None = None) -> dict[str, int]:
    """Replace the rollups of the named (default: all recountable) metrics with a recount."""
    names = list(metric_names) if metric_names is not None else list(METRICS)
    written: dict[str, int] = {}
    for name in names:
        metric = METRICS[name]
        if metric.recount is None:
            continue
        DailyCount.objects.filter(metric=name).delete()
        rows = [
            DailyCount(metric=name, division_code=code, day=day, value=value)
            for code, day, value in metric.recount()
            if value
        ]
        DailyCount.objects.bulk_create(rows, batch_size=2000)
        written[name] = len(rows)
    refresh_running_totals(list(written))
    return written


@transaction.atomic
def refresh_running_totals(metric_names: Iterable[str] | None = None) -> None:
    """Recompute running totals from the daily counts (after a rebuild or a bulk load)."""
    names = list(metric_names) if metric_names is not None else None
    stale = RunningCount.objects.all()
    daily = DailyCount.objects.all()
    if names is not None:
        stale = stale.filter(metric__in=names)
        daily = daily.filter(metric__in=names)
    stale.delete()
    RunningCount.objects.bulk_create(
        [
            RunningCount(metric=row["metric"], division_code=row["division_code"], value=row["v"])
            for row in daily.values("metric", "division_code").annotate(v=Sum("value"))
            if row["v"]
        ],
        batch_size=2000,
    )
