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
from typing import Literal

from django.db import connection, transaction
from django.db.models import Q, Sum

from fangkong.core.jurisdiction import scope_q
from fangkong.core.models import DailyCount

Kind = Literal["flow", "stock"]
Recount = Callable[[], Iterable[tuple[str, date, int]]]


@dataclass(frozen=True)
class Metric:
    name: str
    label: str
    kind: Kind
    recount: Recount | None = None


METRICS: dict[str, Metric] = {}


def register_metric(name: str, label: str, kind: Kind, recount: Recount | None = None) -> None:
    """Declare a metric (call from an AppConfig.ready). Re-registering replaces it."""
    METRICS[name] = Metric(name, str(label), kind, recount)


def bump(metric: str, division_code: str, day: date, delta: int = 1) -> None:
    """Add ``delta`` to a metric for one division and day, in the caller's transaction."""
    if delta == 0:
        return
    table = DailyCount._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (metric, division_code, day, value) VALUES (%s, %s, %s, %s) "  # noqa: S608 - table name from the model
            f"ON CONFLICT (metric, division_code, day) "
            f"DO UPDATE SET value = {table}.value + excluded.value",
            [metric, division_code, day, delta],
        )


def bump_many(rows: Iterable[tuple[str, str, date, int]]) -> None:
    """Bump several (metric, division_code, day, delta) at once, summing duplicates first."""
    totals: dict[tuple[str, str, date], int] = {}
    for metric, code, day, delta in rows:
        key = (metric, code, day)
        totals[key] = totals.get(key, 0) + delta
    params = [(m, code, day, delta) for (m, code, day), delta in totals.items() if delta]
    if not params:
        return
    table = DailyCount._meta.db_table
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} (metric, division_code, day, value) VALUES (%s, %s, %s, %s) "  # noqa: S608 - table name from the model
            f"ON CONFLICT (metric, division_code, day) "
            f"DO UPDATE SET value = {table}.value + excluded.value",
            params,
        )


def figures(
    scope_keys: Iterable[str], metrics: Iterable[str], *, on: date
) -> dict[str, dict[str, int]]:
    """For each metric: ``today`` (the day's value) and ``total`` (flows: all days up to
    ``on``; stocks: the level on ``on``). One query per call."""
    names = list(metrics)
    result = {name: {"today": 0, "total": 0} for name in names}
    rows = (
        DailyCount.objects.filter(scope_q(scope_keys), metric__in=names, day__lte=on)
        .values("metric")
        .annotate(total=Sum("value"), today=Sum("value", filter=Q(day=on)))
    )
    for row in rows:
        result[row["metric"]] = {"today": row["today"] or 0, "total": row["total"] or 0}
    return result


def figures_by_child(
    parent_key: str, child_key_length: int, metrics: Iterable[str], *, on: date
) -> dict[str, dict[str, dict[str, int]]]:
    """Figures per child division (drill-down): {child scope key: {metric: {today, total}}}."""
    from django.db.models.functions import Substr

    names = list(metrics)
    rows = (
        DailyCount.objects.filter(
            division_code__startswith=parent_key, metric__in=names, day__lte=on
        )
        .annotate(child=Substr("division_code", 1, child_key_length))
        .values("child", "metric")
        .annotate(total=Sum("value"), today=Sum("value", filter=Q(day=on)))
    )
    result: dict[str, dict[str, dict[str, int]]] = {}
    for row in rows:
        if len(row["child"]) < child_key_length:
            continue  # recorded at the parent itself, not under a child
        bucket = result.setdefault(row["child"], {})
        bucket[row["metric"]] = {"today": row["today"] or 0, "total": row["total"] or 0}
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
    return written
