"""The command dashboard's figures, read only from the daily rollups (``core.rollups``).

Whatever metrics the apps register appear here without code changes: they are grouped by the
app that registered them (the part of the name before the first dot), and each app's group is
headed by the measures of the founding notice it carries out (一…五). The cost of a dashboard is
a handful of queries over ``DailyCount`` rows (metrics × divisions × days), never over the
passages, people or requests themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

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

    @property
    def headline(self) -> int:
        """What a reader wants first: today's count for a flow, the level for a stock."""
        return self.today if self.kind == "flow" else self.value

    @property
    def change(self) -> int | None:
        """Change since yesterday of the headline figure (None when not compared)."""
        return None if self.yesterday is None else self.headline - self.yesterday


@dataclass
class Group:
    app: str
    measures: str
    title: str
    rows: list[Row] = field(default_factory=list)


@dataclass
class ChildRow:
    division: Division
    values: list[int]  # headline per metric, in ``Dashboard.metric_names`` order


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
    series: list[tuple[date, int]]

    def row(self, name: str) -> Row | None:
        for group in self.groups:
            for row in group.rows:
                if row.name == name:
                    return row
        return None


def grouped_metrics() -> list[tuple[str, str, str, list[rollups.Metric]]]:
    """Registered metrics grouped by app, known apps in notice order, then the others."""
    by_app: dict[str, list[rollups.Metric]] = {}
    for name in sorted(rollups.METRICS):
        by_app.setdefault(name.split(".", 1)[0], []).append(rollups.METRICS[name])
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
    """All figures of one division on one day: about five queries on the rollups.

    A stock's change since yesterday is its net change on the day, known without another
    query; a flow's needs yesterday's figures, read only when ``compare`` is true.
    """
    groups_spec = grouped_metrics()
    names = [m.name for _app, _measures, _title, ms in groups_spec for m in ms]
    kinds = {m.name: m.kind for _app, _m, _t, ms in groups_spec for m in ms}
    keys = [division.code]
    now = rollups.figures(keys, names, on=day) if names else {}
    flows = [name for name in names if kinds[name] == "flow"]
    before = rollups.figures(keys, flows, on=day - timedelta(days=1)) if compare and flows else {}
    groups: list[Group] = []
    for app, measures, title, metric_list in groups_spec:
        group = Group(app, measures, title)
        for metric in metric_list:
            fig = now[metric.name]
            yesterday: int | None
            if metric.kind == "stock":
                yesterday = fig["total"] - fig["today"]
            elif metric.name in before:
                yesterday = before[metric.name]["today"]
            else:
                yesterday = None
            group.rows.append(
                Row(
                    metric.name,
                    _(str(metric.label)),
                    metric.kind,
                    fig["today"],
                    fig["total"],
                    yesterday,
                )
            )
        groups.append(group)

    children: list[ChildRow] = []
    child_level = ""
    level = _child_level(division)
    if level is not None and names:
        child_level, key_length = level
        by_child = rollups.figures_by_child(division.code, key_length, names, on=day)
        for child in Division.objects.filter(parent=division).order_by("code"):
            figs = by_child.get(child.code, {})
            values = []
            for name in names:
                fig = figs.get(name, {"today": 0, "total": 0})
                values.append(fig["today"] if kinds[name] == "flow" else fig["total"])
            children.append(ChildRow(child, values))

    if selected not in kinds:
        selected = names[0] if names else ""
    series: list[tuple[date, int]] = []
    if selected:
        start = day - timedelta(days=SERIES_DAYS - 1)
        daily = rollups.series(keys, selected, start=start, end=day)
        level_value = 0
        if kinds[selected] == "stock":
            level_value = rollups.figures(keys, [selected], on=start - timedelta(days=1))[selected][
                "total"
            ]
        for offset in range(SERIES_DAYS):
            d = start + timedelta(days=offset)
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
    )
