"""The command dashboard's figures, read only from the daily rollups (``core.rollups``).

Whatever metrics the apps register appear here without code changes: they are grouped by the
app that registered them (the part of the name before the first dot), and each app's group is
headed by the measures of the founding notice it carries out (一…五). The cost of a dashboard is
a handful of queries over ``DailyCount`` rows (metrics × divisions × days), never over the
passages, people or requests themselves.

The apps' statistics (``rollups.Median``, ``rollups.Average``) appear among their counts: a
median is estimated from the same queries' histogram buckets, an average from a sum and a count.
Their parts (the buckets, the sums) are hidden metrics, read but not shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from fangkong.core import rollups
from fangkong.divisions.models import LEVEL_KEY_LENGTH, Division, Level
from fangkong.divisions.selectors import division_ancestors

# app prefix → (measures of the notice it carries out, group title); unknown apps follow.
APP_GROUPS: list[tuple[str, str, str]] = [
    ("returnees", "一", gettext_noop("Post-holiday return: returnees and health observation")),
    ("checkpoints", "二、四", gettext_noop("Checkpoints, duty rosters and passages")),
    ("passes", "四", gettext_noop("Supply vehicles: green-channel passes")),
    ("community", "二、三", gettext_noop("Gatherings, publicity and the hygiene campaign")),
    ("assistance", "五", gettext_noop("Vulnerable households: visits, help and supplies")),
    ("directives", "", gettext_noop("Notices and implementation")),
]
SERIES_DAYS = 14
# The menu entries this app adds to ``accounts.navigation``, translated in this app's catalogue.
MENU_LABELS = (
    gettext_noop("Dashboard"),
    gettext_noop("Notices"),
    gettext_noop("Measures to carry out"),
)


@dataclass
class Row:
    name: str
    label: str
    kind: str
    today: int  # flow: the day's value; stock: the day's net change
    value: int  # flow: total up to the day; stock: level on the day
    yesterday: int | None  # the headline the day before (None: not compared)
    link: str | None = None  # the list behind the headline (``records.attach_links``)
    total_link: str | None = None  # the list behind a flow's total

    @property
    def headline(self) -> int:
        """What a reader wants first: today's count for a flow, the level for a stock."""
        return self.today if self.kind == "flow" else self.value

    @property
    def change(self) -> int | None:
        """Change since yesterday of the headline figure (None when not compared)."""
        return None if self.yesterday is None else self.headline - self.yesterday

    @property
    def headline_text(self) -> str:
        return str(self.headline)

    @property
    def change_text(self) -> str:
        change = self.change
        if change is None:
            return ""
        return f"+{change}" if change > 0 else str(change)

    @property
    def total_text(self) -> str:
        return str(self.value) if self.kind == "flow" else ""

    @property
    def detail(self) -> str:
        return ""


def _tenths(value: float) -> str:
    """One decimal, half up (77.75 → 77.8), in the reader's number format."""
    return number_format(Decimal(repr(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP), 1)


def _amount(unit: str, value: float) -> str:
    """A duration or score in words the reader knows: 850 ms, 1.2 s, 35 min, 2.5 h, 86.5."""
    if unit == "ms":
        if value < 1000:
            return _("%(n)s ms") % {"n": number_format(round(value))}
        return _("%(n)s s") % {"n": _tenths(value / 1000)}
    if unit == "min":
        if value < 120:
            return _("%(n)s min") % {"n": number_format(round(value))}
        return _("%(n)s h") % {"n": _tenths(value / 60)}
    return _tenths(value)


def _estimate_text(unit: str, estimate: rollups.Estimate | None) -> str:
    """The bucket the median lies in, which the records prove, not a point inside it that
    they may contradict (answers all within a minute read "15 min or less", not "≈ 6 min")."""
    if estimate is None:
        return "—"
    if estimate.upper is None:
        return _("over %(amount)s") % {"amount": _amount(unit, estimate.lower)}
    if estimate.lower == 0:
        return _("%(amount)s or less") % {"amount": _amount(unit, estimate.upper)}
    return _("%(lower)s to %(upper)s") % {
        "lower": _amount(unit, estimate.lower),
        "upper": _amount(unit, estimate.upper),
    }


def _bucket_text(unit: str, estimate: rollups.Estimate | None) -> str:
    if estimate is None:
        return ""
    if estimate.upper is None:
        return _("%(count)d recorded; the median is over %(lower)s") % {
            "count": estimate.count,
            "lower": _amount(unit, estimate.lower),
        }
    return _("%(count)d recorded; the median lies between %(lower)s and %(upper)s") % {
        "count": estimate.count,
        "lower": _amount(unit, estimate.lower),
        "upper": _amount(unit, estimate.upper),
    }


def statistic_value(
    statistic: rollups.Statistic, figures: dict[str, dict[str, int]], which: str
) -> tuple[float | None, str, str]:
    """(number, text, detail) of a statistic from rollup figures (``today`` or ``total``)."""
    if isinstance(statistic, rollups.Median):
        estimate = statistic.of(figures, which)
        return (
            None if estimate is None else estimate.value,
            _estimate_text(statistic.unit, estimate),
            _bucket_text(statistic.unit, estimate),
        )
    average = statistic.of(figures, which)
    text = "—" if average is None else _amount(statistic.unit, average)
    return average, text, ""


@dataclass
class StatRow:
    """A median or an average: today's value, the value up to the day, and yesterday's."""

    name: str
    label: str
    kind: str  # "median" | "average"
    unit: str
    today: float | None
    value: float | None
    yesterday: float | None
    headline_text: str
    total_text: str
    detail: str  # for a median: how many were recorded and the bucket it lies in
    link: str | None = None
    total_link: str | None = None

    @property
    def headline(self) -> float | None:
        return self.today

    @property
    def change(self) -> float | None:
        if self.today is None or self.yesterday is None:
            return None
        return self.today - self.yesterday

    @property
    def change_text(self) -> str:
        change = self.change
        if change is None:
            return ""
        sign = "+" if change > 0 else "-" if change < 0 else "±"
        return sign + _amount(self.unit, abs(change))


@dataclass
class Table:
    """A breakdown (``rollups.Breakdown``): one row per item, each in its own unit."""

    name: str
    label: str
    rows: list[rollups.BreakdownRow]


@dataclass
class Group:
    app: str
    measures: str
    title: str
    rows: list[Row | StatRow] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)


@dataclass
class ChildRow:
    division: Division
    # headline per column, in ``Dashboard.metric_names`` order: a count, or a statistic's value
    values: list[int | float | None]
    texts: list[str]
    links: list[str | None] = field(default_factory=list)

    @property
    def cells(self) -> list[tuple[str, str | None]]:
        """(text, the list behind it) per column."""
        links = self.links or [None] * len(self.texts)
        return list(zip(self.texts, links, strict=True))


@dataclass
class Dashboard:
    division: Division
    day: date
    ancestors: list[Division]
    groups: list[Group]
    metric_names: list[str]
    child_level: str
    children: list[ChildRow]
    selected: str
    series: list[tuple[date, float | None]]
    # Per column of ``metric_names``: the division's own headline (``totals``), and what is
    # recorded at the division itself rather than under a child (``at_division``), so that
    # the children's rows and ``at_division`` add up to ``totals`` for every count.
    totals: list[int | float | None] = field(default_factory=list)
    at_division: list[int | None] = field(default_factory=list)

    def counted(self, name: str) -> bool:
        """Whether a column is a count (adds up across divisions), not a median or average."""
        row = self.row(name)
        return isinstance(row, Row)

    def row(self, name: str) -> Row | StatRow | None:
        for group in self.groups:
            for row in group.rows:
                if row.name == name:
                    return row
        return None


Entry = rollups.Metric | rollups.Statistic


def grouped_metrics() -> list[tuple[str, str, str, list[Entry]]]:
    """Shown metrics and statistics grouped by app, known apps in notice order, then the
    others; within an app by name, so a statistic sits beside the counts it is made of."""
    by_app: dict[str, list[Entry]] = {}
    entries: dict[str, Entry] = {n: m for n, m in rollups.METRICS.items() if not m.hidden}
    entries.update(rollups.STATISTICS)
    for name in sorted(entries):
        by_app.setdefault(name.split(".", 1)[0], []).append(entries[name])
    result = []
    for app, measures, title in APP_GROUPS:
        if app in by_app:
            result.append((app, measures, _(title), by_app.pop(app)))
    for app in sorted(by_app):
        result.append((app, "", app, by_app[app]))
    return result


def _child_level(division: Division) -> tuple[str, int] | None:
    order = [Level.LEAGUE, Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE]
    if division.level not in order or division.level == Level.VILLAGE:
        return None
    child = order[order.index(Level(division.level)) + 1]
    return child, LEVEL_KEY_LENGTH[child]


def build_dashboard(
    *, division: Division, day: date, selected: str = "", compare: bool = True
) -> Dashboard:
    """All figures of one division on one day, and its children's: five queries in all, two
    of them on the rollups (``rollups.overview``).

    A stock's change since yesterday is its net change on the day; a flow's (and a
    statistic's) compares with yesterday's day values, which come with the same query.
    ``compare=False`` leaves the changes of flows and statistics out.
    """
    groups_spec = grouped_metrics()
    entries = {e.name: e for _app, _measures, _title, es in groups_spec for e in es}
    names = list(entries)
    kinds = {name: e.kind for name, e in entries.items()}
    statistics = {
        n: e for n, e in entries.items() if isinstance(e, rollups.Median | rollups.Average)
    }
    # What to read: the shown metrics and the parts of the statistics (buckets, sums, counts).
    read = [n for n in names if n not in statistics]
    for statistic in statistics.values():
        read.extend(m for m in statistic.metrics if m not in read)
    keys = [division.code]
    level = _child_level(division)
    seen = rollups.overview(
        division.code, read, on=day, child_key_length=None if level is None else level[1]
    )
    now = seen.totals
    # Yesterday's day values of the flows (a stock's change is its own day value).
    before = (
        {n: {"today": f["yesterday"]} for n, f in now.items() if rollups.METRICS[n].kind == "flow"}
        if compare
        else {}
    )
    groups: list[Group] = []
    for app, measures, title, entry_list in groups_spec:
        group = Group(app, measures, title)
        for entry in entry_list:
            if isinstance(entry, rollups.Metric):
                group.rows.append(_metric_row(entry, now, before))
            else:
                group.rows.append(_stat_row(entry, now, before if compare else None))
        for breakdown in sorted(rollups.BREAKDOWNS.values(), key=lambda b: b.name):
            if breakdown.name.split(".", 1)[0] == app:
                rows = breakdown.rows(division.code, day)
                group.tables.append(Table(breakdown.name, _(str(breakdown.label)), rows))
        groups.append(group)

    children: list[ChildRow] = []
    child_level = ""
    if level is not None and names:
        child_level = level[0]
        by_child = seen.children
        for child in Division.objects.filter(parent=division).order_by("code"):
            figs = by_child.get(child.code, {})
            values: list[int | float | None] = []
            texts: list[str] = []
            for name in names:
                if name in statistics:
                    number, text, _detail = statistic_value(statistics[name], figs, "today")
                    values.append(number)
                    texts.append(text)
                else:
                    fig = figs.get(name, {"today": 0, "total": 0})
                    count = fig["today"] if kinds[name] == "flow" else fig["total"]
                    values.append(count)
                    texts.append(str(count))
            children.append(ChildRow(child, values, texts))
    rows_by_name = {r.name: r for g in groups for r in g.rows}
    totals: list[int | float | None] = [rows_by_name[n].headline for n in names]
    at_division: list[int | None] = []
    if children:
        for index, name in enumerate(names):
            if name in statistics:
                at_division.append(None)
            else:
                own = int(totals[index] or 0)
                at_division.append(own - sum(int(c.values[index] or 0) for c in children))

    if selected not in kinds:
        selected = names[0] if names else ""
    series: list[tuple[date, float | None]] = []
    if selected:
        start = day - timedelta(days=SERIES_DAYS - 1)
        days = [start + timedelta(days=offset) for offset in range(SERIES_DAYS)]
        if selected in statistics:
            series = _stat_series(statistics[selected], keys, days)
        else:
            daily = rollups.series(keys, selected, start=start, end=day)
            level_value = 0
            if kinds[selected] == "stock":
                level_value = rollups.figures(keys, [selected], on=start - timedelta(days=1))[
                    selected
                ]["total"]
            for d in days:
                if kinds[selected] == "stock":
                    level_value += daily.get(d, 0)
                    series.append((d, level_value))
                else:
                    series.append((d, daily.get(d, 0)))
    return Dashboard(
        division=division,
        day=day,
        ancestors=division_ancestors(division),
        groups=groups,
        metric_names=names,
        child_level=child_level,
        children=children,
        selected=selected,
        series=series,
        totals=totals,
        at_division=at_division,
    )


def _metric_row(
    metric: rollups.Metric, now: dict[str, dict[str, int]], before: dict[str, dict[str, int]]
) -> Row:
    fig = now[metric.name]
    yesterday: int | None
    if metric.kind == "stock":
        yesterday = fig["total"] - fig["today"]
    elif metric.name in before:
        yesterday = before[metric.name]["today"]
    else:
        yesterday = None
    return Row(
        metric.name, _(str(metric.label)), metric.kind, fig["today"], fig["total"], yesterday
    )


def _stat_row(
    statistic: rollups.Statistic,
    now: dict[str, dict[str, int]],
    before: dict[str, dict[str, int]] | None,
) -> StatRow:
    today, today_text, detail = statistic_value(statistic, now, "today")
    total, total_text, _detail = statistic_value(statistic, now, "total")
    yesterday = None
    if before is not None:
        yesterday, _text, _d = statistic_value(statistic, before, "today")
    return StatRow(
        name=statistic.name,
        label=_(str(statistic.label)),
        kind=statistic.kind,
        unit=statistic.unit,
        today=today,
        value=total,
        yesterday=yesterday,
        headline_text=today_text,
        total_text=total_text,
        detail=detail,
    )


def _stat_series(
    statistic: rollups.Statistic, keys: list[str], days: list[date]
) -> list[tuple[date, float | None]]:
    """A statistic day by day, from its parts' daily values in one query."""
    daily = rollups.series_many(keys, statistic.metrics, start=days[0], end=days[-1])
    result: list[tuple[date, float | None]] = []
    for d in days:
        figs = {m: {"today": daily[m].get(d, 0)} for m in statistic.metrics}
        value, _text, _detail = statistic_value(statistic, figs, "today")
        result.append((d, None if value is None else round(value, 1)))
    return result
