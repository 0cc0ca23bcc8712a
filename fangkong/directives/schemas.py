from __future__ import annotations

import datetime
from datetime import date

from ninja import Schema


class MeasureOut(Schema):
    number: str
    title: str
    text: str


class NoticeOut(Schema):
    id: int
    kind: str
    title: str
    division_code: str
    issuer: str
    doc_number: str
    date: date
    public: bool
    source: str
    cites: list[str]
    measures: list[MeasureOut]


class MeasureIn(Schema):
    title: str
    text: str = ""


class NoticeIn(Schema):
    """A notice written from scratch; measures are numbered 一、二、… in the order given."""

    division_code: str  # the issuing HQ
    kind: str = "notice"
    title: str
    date: date
    body: str
    doc_number: str = ""
    issuer_name: str = ""
    public: bool = False
    measures: list[MeasureIn] = []


class NoticeChangeIn(Schema):
    """Corrections to a notice's fields; a field left out keeps its value."""

    kind: str | None = None
    title: str | None = None
    date: datetime.date | None = None
    body: str | None = None
    doc_number: str | None = None
    issuer_name: str | None = None
    public: bool | None = None


class ParseIn(Schema):
    text: str


class ParsedOut(Schema):
    title: str
    issuer: str
    date: date | None
    doc_number: str
    source: str
    cites: list[str]
    measures: list[MeasureOut]
    body: str


class MatrixCellOut(Schema):
    assignment_id: int
    division_code: str
    status: str
    returned: bool
    overdue: bool
    deadline: date


class MatrixRowOut(Schema):
    number: str
    title: str
    cells: list[MatrixCellOut]


class MatrixOut(Schema):
    divisions: list[str]
    rows: list[MatrixRowOut]
    overdue: int


class ReportIn(Schema):
    text: str
    status: str
    figures: dict[str, float] = {}


class ReportOut(Schema):
    id: int
    assignment_id: int
    status: str
    state: str


class FigureOut(Schema):
    metric: str
    label: str
    kind: str
    today: int
    value: int
    change: int | None


class StatisticOut(Schema):
    """A median (estimated from a histogram) or an average; null when nothing was recorded."""

    metric: str
    label: str
    kind: str  # median | average
    unit: str  # ms | min | points
    today: float | None
    to_date: float | None
    change: float | None
    text: str  # today's value as shown: "≈ 850 ms"
    detail: str  # a median's count and bucket range


class GroupOut(Schema):
    app: str
    measures: str
    title: str
    figures: list[FigureOut]
    statistics: list[StatisticOut]


class ChildOut(Schema):
    code: str
    name: str
    values: dict[str, int]
    statistics: dict[str, float | None]


class DashboardOut(Schema):
    division_code: str
    date: date
    groups: list[GroupOut]
    children: list[ChildOut]


class AssignIn(Schema):
    measure_ids: list[int]
    division_codes: list[str]
    deadline: date


class AssignmentOut(Schema):
    id: int
    measure_id: int
    division_code: str
    deadline: date
    status: str


class ReturnIn(Schema):
    comment: str


class EvidenceOut(Schema):
    id: int
    name: str
    url: str  # served only to those who may see the report


class ImplementationReportOut(Schema):
    id: int
    status: str
    state: str  # submitted | returned
    text: str
    figures: dict[str, float]
    return_comment: str  # why it was sent back (empty while it stands)
    author: str
    created_at: datetime.datetime
    evidence: list[EvidenceOut]


class ReporterAssignmentOut(Schema):
    """An assignment as the reporting HQ sees it: the measure, the deadline, the latest report."""

    id: int
    notice_id: int
    notice_title: str
    notice_doc_number: str
    issuer: str
    measure_number: str
    measure_title: str
    measure_text: str
    division_code: str
    division_name: str
    deadline: date
    status: str
    returned: bool
    overdue: bool
    latest_report: ImplementationReportOut | None


class AssignmentDetailOut(ReporterAssignmentOut):
    reports: list[ImplementationReportOut]  # newest first
