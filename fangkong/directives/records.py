"""The list behind each figure: the records a dashboard or daily report figure counts.

Each app declares, beside its metrics, the records behind them (``rollups.RecordList``): the
same filters as the metric's recount, read from the source tables. A figure links here with
its metric, division, day and ``which`` (the day's records, or those up to the day; a stock's
level is the records in the state at the end of the day), and the list's length is the figure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from statistics import fmean, median
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from fangkong.core import rollups
from fangkong.directives.dailyreport import DailyReport, DivisionLine
from fangkong.directives.dashboard import Dashboard
from fangkong.divisions.models import Division


@dataclass
class Found:
    name: str
    label: str
    kind: str  # flow | stock | median | average
    which: str
    records: rollups.RecordList
    rows: Any
    columns: list[str]
    numeric: list[bool]
    count: int
    observed: list[float] | None  # a statistic's observed values, for its exact figures

    @property
    def exact(self) -> dict[str, float] | None:
        """A statistic's exact median and mean over the listed records."""
        if not self.observed:
            return None
        return {"median": median(self.observed), "average": fmean(self.observed)}


def _entry(name: str) -> tuple[str, str] | None:
    if name in rollups.METRICS and not rollups.METRICS[name].hidden:
        metric = rollups.METRICS[name]
        return str(metric.label), metric.kind
    if name in rollups.STATISTICS:
        statistic = rollups.STATISTICS[name]
        return str(statistic.label), statistic.kind
    return None


def records_for(name: str, *, division: Division, day: date, which: str) -> Found | None:
    """The records behind a figure, or None when the figure has no list."""
    entry = _entry(name)
    listed = rollups.RECORDS.get(name)
    if entry is None or listed is None:
        return None
    label, kind = entry
    chosen: rollups.Which = "total" if kind == "stock" or which == "total" else "today"
    rows = listed.rows(division.code, day, chosen)
    count = rows.count() if hasattr(rows, "count") and not isinstance(rows, list) else len(rows)
    observed = None
    if listed.value is not None:
        observed = [float(listed.value(r)) for r in rows]
    return Found(
        name=name,
        label=_(label),
        kind=kind,
        which=which,
        records=listed,
        rows=rows,
        columns=[_(str(c.label)) for c in listed.columns],
        numeric=[c.numeric for c in listed.columns],
        count=count,
        observed=observed,
    )


def table(found: Found, rows: Any) -> list[dict[str, Any]]:
    """The page's rows: each record's cells, its division's name and its own page."""
    rows = list(rows)
    codes = {getattr(r, "division_code", "") for r in rows} - {""}
    names = dict(Division.objects.filter(code__in=codes).values_list("code", "name"))
    result = []
    for r in rows:
        url = found.records.url(r) if found.records.url else None
        result.append(
            {
                "cells": [
                    (label, c.value(r), c.numeric)
                    for label, c in zip(found.columns, found.records.columns, strict=True)
                ],
                "division": names.get(getattr(r, "division_code", ""), ""),
                "url": url,
            }
        )
    return result


def link(name: str, *, division: Division, day: date, which: str = "today") -> str | None:
    """The address of the list behind a figure (None: no list is declared for it)."""
    if name not in rollups.RECORDS:
        return None
    query = urlencode(
        {"metric": name, "division": division.code, "date": day.isoformat(), "which": which}
    )
    return f"{reverse('directives:figure-records')}?{query}"


def attach_links(dash: Dashboard) -> Dashboard:
    """Give every figure of a dashboard (and of its children's rows) its list's address."""
    base = reverse("directives:figure-records")
    day = dash.day.isoformat()

    def address(name: str, code: str, which: str) -> str | None:
        if name not in rollups.RECORDS:
            return None
        query = urlencode({"metric": name, "division": code, "date": day, "which": which})
        return f"{base}?{query}"

    for group in dash.groups:
        for row in group.rows:
            row.link = address(row.name, dash.division.code, "today")
            if row.kind != "stock":
                row.total_link = address(row.name, dash.division.code, "total")
    for child in dash.children:
        child.links = [address(n, child.division.code, "today") for n in dash.metric_names]
    return dash


def division_rows(
    report: DailyReport, names: list[str], lines: list[DivisionLine]
) -> list[tuple[DivisionLine, list[tuple[int, str | None]]]]:
    """The per-division table with each count's list: a banner's own, the total's the whole
    division's (the row of what is recorded at the division itself has no list of its own)."""
    day = report.day
    rows = []
    for line in lines:
        cells: list[tuple[int, str | None]] = []
        for name, value in zip(names, line.values, strict=True):
            address = None
            if line.scope is not None and name in rollups.RECORDS:
                query = urlencode(
                    {
                        "metric": name,
                        "division": line.scope,
                        "date": day.isoformat(),
                        "which": "today",
                    }
                )
                address = f"{reverse('directives:figure-records')}?{query}"
            cells.append((value, address))
        rows.append((line, cells))
    return rows
