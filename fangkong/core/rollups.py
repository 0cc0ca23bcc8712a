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

Counts add up; medians and averages do not. Two *statistics* are built from flow metrics:

- a ``Median`` (``register_median``) is a histogram: one hidden flow metric per bucket of the
  observed duration (``<name>.b00`` …), bumped by one when an event is recorded. Buckets add up
  across days and divisions like any count, and the median is estimated from the cumulative
  buckets: the bucket holding the middle observation, and a value interpolated inside it;
- an ``Average`` (``register_average``) divides a hidden flow metric holding the sum of the
  observed values by the flow metric counting them.

Both read the same rows as the counts, so their cost does not grow with history either.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from itertools import pairwise
from typing import Any, Literal

from django.db import connection, transaction
from django.db.models import Case, Q, Sum, Value, When
from django.db.models.functions import Substr
from django.utils import timezone

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
    hidden: bool = False  # a part of a statistic (a bucket, a sum), not a figure of its own


METRICS: dict[str, Metric] = {}


def register_metric(
    name: str, label: Any, kind: Kind, recount: Recount | None = None, *, hidden: bool = False
) -> None:
    """Declare a metric (call from an AppConfig.ready). Re-registering replaces it.

    Pass the label lazily (``gettext_lazy``) so that each reader sees it in their language.
    ``hidden`` metrics are kept and rebuilt like the others but only read through a statistic.
    """
    if len(name) > 64:
        raise ValueError(f"metric name {name!r}: at most 64 characters")
    METRICS[name] = Metric(name, label, kind, recount, hidden)


# --- statistics: medians from histograms, averages from sums ----------------------------------

#: Recount of a histogram: (bucket index, division code, day, observations in that bucket).
BucketRecount = Callable[[], Iterable[tuple[int, str, date, int]]]


@dataclass(frozen=True)
class Estimate:
    """A median estimated from a histogram: it lies in ``[lower, upper]`` (``upper`` None:
    past the last bound, where ``value`` is only the lower bound)."""

    count: int
    lower: int
    upper: int | None
    value: float


@dataclass(frozen=True)
class Median:
    """A median of durations (or any non-negative quantity) kept as a histogram.

    Bucket ``i`` holds the observations ``v`` with ``bounds[i-1] < v <= bounds[i]`` (the first
    from 0, the last past ``bounds[-1]``); each is the hidden flow metric ``<name>.bNN``.
    """

    name: str
    label: Any
    unit: str  # the unit of the observed values: "ms", "min"
    bounds: tuple[int, ...]
    recount: BucketRecount | None = None
    kind: str = "median"

    @property
    def metrics(self) -> list[str]:
        return [f"{self.name}.b{index:02d}" for index in range(len(self.bounds) + 1)]

    def bucket(self, value: float) -> int:
        """The index of the bucket an observation falls in."""
        if value < 0:
            raise ValueError(f"{self.name}: a negative observation ({value})")
        return bisect_left(self.bounds, value)

    def bucket_metric(self, value: float) -> str:
        return self.metrics[self.bucket(value)]

    def bucket_range(self, index: int) -> tuple[int, int | None]:
        lower = 0 if index == 0 else self.bounds[index - 1]
        upper = self.bounds[index] if index < len(self.bounds) else None
        return lower, upper

    def bucket_expression(self, field: str) -> Case:
        """A SQL expression giving each row's bucket index, for recounts grouped in the database."""
        whens = [
            When(**{f"{field}__lte": bound}, then=Value(i)) for i, bound in enumerate(self.bounds)
        ]
        return Case(*whens, default=Value(len(self.bounds)))

    def estimate(self, counts: Sequence[int]) -> Estimate | None:
        """The median of the observations counted per bucket (None without observations).

        The bucket is the one holding the lower middle observation (rank ⌈n/2⌉); the value
        is interpolated inside it as if its observations were spread evenly.
        """
        n = sum(counts)
        if n <= 0:
            return None
        rank = (n + 1) // 2
        before = 0
        for index, count in enumerate(counts):
            if count > 0 and before + count >= rank:
                lower, upper = self.bucket_range(index)
                if upper is None:
                    return Estimate(n, lower, None, float(lower))
                share = (rank - before - 0.5) / count
                return Estimate(n, lower, upper, lower + share * (upper - lower))
            before += count
        raise ValueError(f"{self.name}: negative bucket counts {list(counts)}")

    def of(self, figures: Mapping[str, Mapping[str, int]], which: str) -> Estimate | None:
        """The estimate from ``figures`` (as ``figures()`` returns): ``today`` or ``total``."""
        return self.estimate([figures.get(m, {}).get(which, 0) for m in self.metrics])


@dataclass(frozen=True)
class Average:
    """``sum_metric / count_metric``; the sum is kept in units of ``1 / scale``."""

    name: str
    label: Any
    unit: str
    sum_metric: str
    count_metric: str
    scale: int = 1
    kind: str = "average"

    @property
    def metrics(self) -> list[str]:
        return [self.sum_metric, self.count_metric]

    def of(self, figures: Mapping[str, Mapping[str, int]], which: str) -> float | None:
        count = figures.get(self.count_metric, {}).get(which, 0)
        if count <= 0:
            return None
        return figures.get(self.sum_metric, {}).get(which, 0) / count / self.scale


Statistic = Median | Average
STATISTICS: dict[str, Statistic] = {}


class _BucketRecount:
    """The recount of one bucket, a slice of the histogram's recount (``rebuild`` runs the
    histogram's recount once for all its buckets)."""

    def __init__(self, median: str, index: int) -> None:
        self.median = median
        self.index = index

    def __call__(self) -> Iterable[tuple[str, date, int]]:
        return _histogram_rows(self.median).get(self.index, [])


def _histogram_rows(name: str) -> dict[int, list[tuple[str, date, int]]]:
    median = STATISTICS[name]
    assert isinstance(median, Median) and median.recount is not None
    by_bucket: dict[int, dict[tuple[str, date], int]] = {}
    for index, code, day, n in median.recount():
        if not 0 <= index <= len(median.bounds):
            raise ValueError(f"{name}: bucket {index} out of range")
        cell = by_bucket.setdefault(index, {})
        cell[(code, day)] = cell.get((code, day), 0) + n
    return {
        index: [(code, day, n) for (code, day), n in cells.items()]
        for index, cells in by_bucket.items()
    }


def register_median(
    name: str, label: Any, *, unit: str, bounds: Sequence[int], recount: BucketRecount | None = None
) -> Median:
    """Declare a median kept as a histogram, and its hidden bucket metrics (flows)."""
    bounds = tuple(bounds)
    if not bounds or any(b <= a for a, b in pairwise(bounds)) or bounds[0] <= 0:
        raise ValueError(f"median {name!r}: bounds must be positive and increasing: {bounds}")
    median = Median(name, label, unit, bounds, recount)
    STATISTICS[name] = median
    for index, metric in enumerate(median.metrics):
        lower, upper = median.bucket_range(index)
        register_metric(
            metric,
            f"{name} ({lower}, {'' if upper is None else upper}] {unit}",
            "flow",
            None if recount is None else _BucketRecount(name, index),
            hidden=True,
        )
    return median


def register_average(
    name: str,
    label: Any,
    *,
    unit: str,
    sum_metric: str,
    count_metric: str,
    scale: int = 1,
) -> Average:
    """Declare an average of two registered flow metrics (register those first)."""
    for part in (sum_metric, count_metric):
        if part not in METRICS or METRICS[part].kind != "flow":
            raise ValueError(f"average {name!r}: {part!r} is not a registered flow metric")
    average = Average(name, label, unit, sum_metric, count_metric, scale)
    STATISTICS[name] = average
    return average


# --- breakdowns: figures that do not add up across their rows --------------------------------


@dataclass(frozen=True)
class BreakdownRow:
    label: str
    unit: str  # each row keeps its own unit of measure: 袋 and 公斤 are never summed
    value: Decimal


@dataclass(frozen=True)
class Breakdown:
    """A figure per item with its unit (goods in stock), read from the source when shown.

    ``rows(scope_key, day)`` gives the rows within a division as of the end of ``day``; the
    sources are small (items × warehouses), so the cost does not grow with the people or
    passages counted elsewhere.
    """

    name: str
    label: Any
    rows: Callable[[str, date], list[BreakdownRow]]


BREAKDOWNS: dict[str, Breakdown] = {}


def register_breakdown(
    name: str, label: Any, rows: Callable[[str, date], list[BreakdownRow]]
) -> Breakdown:
    """Declare a breakdown (call from an AppConfig.ready); it is shown in its app's group."""
    breakdown = Breakdown(name, label, rows)
    BREAKDOWNS[name] = breakdown
    return breakdown


# --- records: the list behind each figure ----------------------------------------------------

Which = Literal["today", "total"]


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The first moment of ``day`` and of the day after, in the local time zone."""
    start = timezone.make_aware(datetime.combine(day, time.min))
    return start, timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


@dataclass(frozen=True)
class Column:
    label: Any  # a lazy translation
    value: Callable[[Any], Any]
    numeric: bool = False


@dataclass(frozen=True)
class RecordList:
    """The records a figure counts, so that the figure opens the list behind it.

    ``rows(scope_key, day, which)``: for a flow, ``today`` is the records of the day and
    ``total`` those up to the day; for a stock both are the records in the state at the end
    of the day (its level). The list is read from the source tables, with the same filters
    as the metric's recount, so its length equals the figure. For a statistic the rows are
    the observations it is made of and ``value`` gives each one's observed amount.
    """

    rows: Callable[[str, date, Which], Any]  # a QuerySet, or a list for derived rows
    columns: Sequence[Column]
    url: Callable[[Any], str | None] | None = None
    value: Callable[[Any], float] | None = None


RECORDS: dict[str, RecordList] = {}


def register_records(name: str, records: RecordList) -> None:
    """Declare the list behind a metric or a statistic (call after registering it)."""
    if name not in METRICS and name not in STATISTICS:
        raise ValueError(f"records for {name!r}: register the metric or statistic first")
    RECORDS[name] = records


def happened(
    queryset: Callable[[], Any], field: str, *, code: str = "division_code"
) -> Callable[[str, date, Which], Any]:
    """Rows of a flow dated by a date-time ``field``: on the day, or up to its end."""

    def rows(scope_key: str, day: date, which: Which) -> Any:
        start, end = day_bounds(day)
        qs = queryset().filter(**{f"{code}__startswith": scope_key, f"{field}__lt": end})
        if which == "today":
            qs = qs.filter(**{f"{field}__gte": start})
        return qs

    return rows


def happened_on(
    queryset: Callable[[], Any], field: str, *, code: str = "division_code"
) -> Callable[[str, date, Which], Any]:
    """Rows of a flow dated by a date ``field`` (a check's day)."""

    def rows(scope_key: str, day: date, which: Which) -> Any:
        qs = queryset().filter(**{f"{code}__startswith": scope_key})
        return qs.filter(**{field: day} if which == "today" else {f"{field}__lte": day})

    return rows


def in_state(
    queryset: Callable[[], Any],
    entered: str,
    left: Q | Callable[[datetime], Q] | None = None,
    *,
    code: str = "division_code",
) -> Callable[[str, date, Which], Any]:
    """Rows of a stock: entered before the end of the day and not left by then. ``left(end)``
    is the condition of a row that had left the state before ``end``."""

    def rows(scope_key: str, day: date, which: Which) -> Any:
        _start, end = day_bounds(day)
        qs = queryset().filter(**{f"{code}__startswith": scope_key, f"{entered}__lt": end})
        if left is not None:
            qs = qs.exclude(left(end) if callable(left) else left)
        return qs

    return rows


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


@dataclass
class Overview:
    """A division's figures and, for a drill-down, its children's, each with yesterday's
    day value: ``{metric: {"today", "total", "yesterday"}}``."""

    totals: dict[str, dict[str, int]]
    children: dict[str, dict[str, dict[str, int]]]


def overview(
    scope_key: str, metrics: Iterable[str], *, on: date, child_key_length: int | None = None
) -> Overview:
    """``figures`` of one division, its children's (``figures_by_child``) and yesterday's day
    values, from the same two queries: the running totals grouped by child and metric, and
    the days from yesterday on. The division's totals are the sum over its children and what
    is recorded at the division itself, so no row is read twice.
    """
    names = list(metrics)
    totals = {name: {"today": 0, "total": 0, "yesterday": 0} for name in names}
    children: dict[str, dict[str, dict[str, int]]] = {}
    if not names:
        return Overview(totals, children)
    yesterday = on - timedelta(days=1)
    running = RunningCount.objects.filter(division_code__startswith=scope_key, metric__in=names)
    recent = DailyCount.objects.filter(
        division_code__startswith=scope_key, metric__in=names, day__gte=yesterday
    )
    group = ["metric"]
    if child_key_length is not None:
        running = running.annotate(child=Substr("division_code", 1, child_key_length))
        recent = recent.annotate(child=Substr("division_code", 1, child_key_length))
        group = ["child", "metric"]

    def cells(row: dict[str, Any]) -> list[dict[str, int]]:
        found = [totals[row["metric"]]]
        child = row.get("child")
        if child is not None and len(child) == child_key_length:  # else: at the division itself
            found.append(
                children.setdefault(child, {}).setdefault(
                    row["metric"], {"today": 0, "total": 0, "yesterday": 0}
                )
            )
        return found

    for row in running.values(*group).annotate(total=Sum("value")):
        for cell in cells(row):
            cell["total"] += row["total"] or 0
    day_values = recent.values(*group).annotate(
        later=Sum("value", filter=Q(day__gt=on)),
        today=Sum("value", filter=Q(day=on)),
        yesterday=Sum("value", filter=Q(day=yesterday)),
    )
    for row in day_values:
        for cell in cells(row):
            cell["today"] += row["today"] or 0
            cell["yesterday"] += row["yesterday"] or 0
            cell["total"] -= row["later"] or 0
    return Overview(totals, children)


def series_many(
    scope_keys: Iterable[str], metrics: Iterable[str], *, start: date, end: date
) -> dict[str, dict[date, int]]:
    """Day-by-day values of several metrics in one query: {metric: {day: value}}."""
    names = list(metrics)
    result: dict[str, dict[date, int]] = {name: {} for name in names}
    rows = (
        DailyCount.objects.filter(
            scope_q(scope_keys), metric__in=names, day__gte=start, day__lte=end
        )
        .values("metric", "day")
        .annotate(value=Sum("value"))
    )
    for row in rows:
        result[row["metric"]][row["day"]] = row["value"]
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
    histograms: dict[str, dict[int, list[tuple[str, date, int]]]] = {}
    for name in names:
        metric = METRICS[name]
        if metric.recount is None:
            continue
        DailyCount.objects.filter(metric=name).delete()
        recount = metric.recount
        if isinstance(recount, _BucketRecount):  # one recount of the source for all buckets
            if recount.median not in histograms:
                histograms[recount.median] = _histogram_rows(recount.median)
            counted: Iterable[tuple[str, date, int]] = histograms[recount.median].get(
                recount.index, []
            )
        else:
            counted = recount()
        rows = [
            DailyCount(metric=name, division_code=code, day=day, value=value)
            for code, day, value in counted
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
