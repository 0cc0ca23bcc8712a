"""The daily report (日报) a division's HQ sends up: one section per measure, as xlsx or PDF.

Its figures come from the dashboard (the rollups), so its cost does not grow with history;
the implementation section reads the division's assignments (a few rows per notice).
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

import xlsxwriter
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, pgettext

from fangkong.directives.dashboard import Dashboard, Row, StatRow, build_dashboard
from fangkong.directives.models import Assignment
from fangkong.directives.selectors import assignment_summary, overdue_assignments
from fangkong.divisions.models import Division

# Noto Sans CJK (Debian's fonts-noto-cjk); index 2 of the collection is Simplified Chinese.
FONT_CANDIDATES = [
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 2),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
]


class FontMissing(RuntimeError):
    """No font that can render Chinese text is installed."""


@dataclass
class DailyReport:
    dashboard: Dashboard
    summary: dict[str, int]
    overdue: list[Assignment]
    notes: str
    number: int | None  # 第 N 期: the day of the emergency period (None outside one)

    @property
    def division(self) -> Division:
        return self.dashboard.division

    @property
    def day(self) -> date:
        return self.dashboard.day

    @property
    def title(self) -> str:
        return _("%(division)s epidemic prevention daily report, %(day)s") % {
            "division": self.division.name,
            "day": self.day.isoformat(),
        }

    @property
    def issuer(self) -> str:
        return _("%(division)s epidemic prevention and control headquarters") % {
            "division": self.division.name
        }

    @property
    def number_text(self) -> str:
        if self.number is None:
            return "—"
        return _("No. %(n)d") % {"n": self.number}

    def header(self) -> list[tuple[str, str]]:
        """The lines under the title: who issues it, for which day, its number."""
        return [
            (_("Issued by"), self.issuer),
            (_("Date"), self.day.isoformat()),
            (_("Number"), self.number_text),
        ]


def report_number(day: date) -> int | None:
    """The report's number: the day of the emergency period in force that day (its first day
    is No. 1), so each day's report has one number whoever makes it and however often."""
    from fangkong.core.models import EmergencyPeriod

    end = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))
    period = EmergencyPeriod.objects.active_at(end - timedelta(microseconds=1)).order_by(
        "starts_at"
    )
    first = period.first()
    if first is None:
        return None
    return (day - timezone.localdate(first.starts_at)).days + 1


def build_daily_report(*, division: Division, day: date, notes: str = "") -> DailyReport:
    return DailyReport(
        dashboard=build_dashboard(division=division, day=day),
        summary=assignment_summary(scope_key=division.code, today=day),
        overdue=overdue_assignments(scope_key=division.code, today=day),
        notes=notes.strip(),
        number=report_number(day),
    )


Cell = int | float | str | None
#: Figures per table of the PDF's per-division pages (landscape): few enough for whole labels.
PDF_COLUMNS = 6


@dataclass(frozen=True)
class FigureLine:
    """One figure as both renderings carry it: counts and averages as numbers, a median as
    the bucket it lies in (words), nothing where a figure does not apply."""

    name: str
    label: str
    unit: str
    today: Cell
    change: Cell
    total: Cell


UNIT_NAMES = {
    "ms": gettext_noop("milliseconds"),
    "min": gettext_noop("minutes"),
    "points": gettext_noop("points"),
}


def _number(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def figure_line(row: Row | StatRow) -> FigureLine:
    if isinstance(row, StatRow):
        unit = _(UNIT_NAMES.get(row.unit, row.unit))
        if row.kind == "median":  # a bucket, in words: "15 min or less"
            return FigureLine(row.name, row.label, unit, row.headline_text, None, row.total_text)
        return FigureLine(
            row.name, row.label, unit, _number(row.today), _number(row.change), _number(row.value)
        )
    total = row.value if row.kind == "flow" else None
    return FigureLine(row.name, row.label, "", row.headline, row.change, total)


def _figure_header() -> list[str]:
    return [_("Figure"), _("Unit"), _("Today / level"), _("Since yesterday"), _("Total")]


def _text(value: Cell, *, signed: bool = False) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        text = f"{value:.1f}"
        return f"+{text}" if signed and value > 0 else text
    if isinstance(value, int):
        return f"+{value}" if signed and value > 0 else str(value)
    return value


def _quantity(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


@dataclass(frozen=True)
class DivisionLine:
    """One row of the per-division table: a child (banner), the division itself, the total."""

    name: str
    code: str
    values: list[int]
    scope: str | None = None  # the division whose records the row counts (None: not one)


def division_table(report: DailyReport) -> tuple[list[str], list[str], list[DivisionLine]]:
    """(metric names, labels, rows) of the per-division table: each child's counts, what is
    recorded at the division itself when anything is, and the total, which is their sum and
    equals the division's own figures. Medians and averages do not add up: not in it."""
    dash = report.dashboard
    if not dash.children:
        return [], [], []
    columns = [i for i, name in enumerate(dash.metric_names) if dash.counted(name)]
    names = [dash.metric_names[i] for i in columns]
    label_of = {r.name: r.label for g in dash.groups for r in g.rows}
    labels = [label_of[n] for n in names]
    lines = [
        DivisionLine(
            c.division.name,
            c.division.full_code,
            [int(c.values[i] or 0) for i in columns],
            c.division.code,
        )
        for c in dash.children
    ]
    own = [int(dash.at_division[i] or 0) for i in columns]
    if any(own):
        lines.append(
            DivisionLine(
                _("Recorded at %(division)s itself") % {"division": dash.division.short_name},
                dash.division.full_code,
                own,
            )
        )
    total = [sum(line.values[k] for line in lines) for k in range(len(columns))]
    label = pgettext("sum of the rows", "Total")
    lines.append(DivisionLine(label, dash.division.full_code, total, dash.division.code))
    return names, labels, lines


def implementation_lines(report: DailyReport) -> list[str]:
    s = report.summary
    lines = [
        _(
            "Assignments: %(done)d done, %(progress)d in progress, %(todo)d not started, "
            "%(overdue)d overdue."
        )
        % {
            "done": s["done"],
            "progress": s["in_progress"],
            "todo": s["not_started"],
            "overdue": s["overdue"],
        }
    ]
    for a in report.overdue:
        lines.append(
            _("Overdue: %(division)s — %(measure)s (deadline %(deadline)s)")
            % {
                "division": a.division.short_name,
                "measure": f"{a.measure.notice.title[:30]} {a.measure.number}、{a.measure.title}",
                "deadline": a.deadline.isoformat(),
            }
        )
    return lines


def _table_header() -> list[str]:
    return [_("Item"), _("Unit"), _("Quantity")]


def render_xlsx(report: DailyReport) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    bold = book.add_format({"bold": True})
    wrap_bold = book.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    title_fmt = book.add_format({"bold": True, "font_size": 14})
    signed = book.add_format({"num_format": "+0;-0;0"})
    signed_tenths = book.add_format({"num_format": "+0.0;-0.0;0.0"})
    tenths = book.add_format({"num_format": "0.0"})
    sheet = book.add_worksheet(_("Daily report"))
    sheet.set_column(0, 0, 44)
    sheet.set_column(1, 4, 14)
    row = 0
    sheet.write(row, 0, report.title, title_fmt)
    row += 1
    for key, value in report.header():
        sheet.write_row(row, 0, [key, value])
        row += 1
    row += 1

    def cell(r: int, c: int, value: Cell, *, change: bool = False) -> None:
        if value is None:
            sheet.write_blank(r, c, None)
        elif isinstance(value, float):
            sheet.write_number(r, c, value, signed_tenths if change else tenths)
        elif isinstance(value, int):
            sheet.write_number(r, c, value, signed if change else None)
        else:
            sheet.write_string(r, c, value)

    for group in report.dashboard.groups:
        heading = f"{group.measures} {group.title}".strip()
        sheet.write(row, 0, heading, bold)
        row += 1
        sheet.write_row(row, 0, _figure_header(), bold)
        row += 1
        for r in group.rows:
            line = figure_line(r)
            sheet.write_string(row, 0, line.label)
            sheet.write_string(row, 1, line.unit)
            cell(row, 2, line.today)
            cell(row, 3, line.change, change=True)
            cell(row, 4, line.total)
            row += 1
        for table in group.tables:
            row += 1
            sheet.write(row, 0, table.label, bold)
            row += 1
            sheet.write_row(row, 0, _table_header(), bold)
            row += 1
            for item in table.rows:
                sheet.write_string(row, 0, item.label)
                sheet.write_string(row, 1, item.unit)
                sheet.write_number(row, 2, _quantity(item.value))
                row += 1
        row += 1
    sheet.write(row, 0, _("Implementation of measures"), bold)
    row += 1
    for text in implementation_lines(report):
        sheet.write(row, 0, text)
        row += 1
    if report.notes:
        row += 1
        sheet.write(row, 0, _("Notes"), bold)
        sheet.write(row + 1, 0, report.notes)
    _names, labels, lines = division_table(report)
    if lines:
        below = book.add_worksheet(_("By division"))
        below.write_row(0, 0, [_("Division"), _("Code"), *labels], wrap_bold)
        below.set_row(0, 64)
        for i, division_line in enumerate(lines, start=1):
            fmt = bold if i == len(lines) else None
            below.write_string(i, 0, division_line.name, fmt)
            below.write_string(i, 1, division_line.code, fmt)
            for k, count in enumerate(division_line.values):
                below.write_number(i, 2 + k, count, fmt)
        below.set_column(0, 0, 26)
        below.set_column(1, 1, 14)
        below.set_column(2, 1 + len(labels), 12)
        below.freeze_panes(1, 1)
    book.close()
    return buffer.getvalue()


def find_font() -> tuple[str, int]:
    for path, index in FONT_CANDIDATES:
        if Path(path).exists():
            return path, index
    raise FontMissing("no Chinese font found; install fonts-noto-cjk")


def render_pdf(report: DailyReport) -> bytes:
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    logging.getLogger("fontTools").setLevel(logging.WARNING)  # it logs every subset step
    path, index = find_font()
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_font("cjk", fname=path, collection_font_number=index)
    pdf.set_title(report.title)
    pdf.add_page()
    pdf.set_font("cjk", size=15)
    pdf.multi_cell(0, 9, report.title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=10)
    for key, value in report.header():
        pdf.multi_cell(0, 6, f"{key}: {value}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    header_style = FontFace(fill_color=(239, 237, 242))
    for group in report.dashboard.groups:
        pdf.set_font("cjk", size=12)
        pdf.multi_cell(
            0, 8, f"{group.measures} {group.title}".strip(), new_x="LMARGIN", new_y="NEXT"
        )
        pdf.set_font("cjk", size=9)
        with pdf.table(
            col_widths=(80, 20, 30, 25, 25), headings_style=header_style, line_height=6
        ) as table:
            table.row(_figure_header())
            for r in group.rows:
                line = figure_line(r)
                table.row(
                    [
                        line.label,
                        line.unit,
                        _text(line.today),
                        _text(line.change, signed=True),
                        _text(line.total),
                    ]
                )
        for breakdown in group.tables:
            pdf.ln(2)
            pdf.set_font("cjk", size=10)
            pdf.multi_cell(0, 7, breakdown.label, new_x="LMARGIN", new_y="NEXT")
            pdf.set_font("cjk", size=9)
            with pdf.table(
                col_widths=(100, 40, 40), headings_style=header_style, line_height=6
            ) as table:
                table.row(_table_header())
                for item in breakdown.rows:
                    table.row([item.label, item.unit, _text(_quantity(item.value))])
        pdf.ln(3)
    pdf.set_font("cjk", size=12)
    pdf.multi_cell(0, 8, _("Implementation of measures"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=9)
    for text in implementation_lines(report):
        pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
    if report.notes:
        pdf.ln(2)
        pdf.set_font("cjk", size=12)
        pdf.multi_cell(0, 8, _("Notes"), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("cjk", size=9)
        pdf.multi_cell(0, 6, report.notes, new_x="LMARGIN", new_y="NEXT")
    _names, labels, lines = division_table(report)
    if lines:
        # Landscape, a few figures per table so that no label is squeezed to a letter a line.
        pdf.add_page(orientation="L")
        pdf.set_font("cjk", size=12)
        pdf.multi_cell(0, 8, _("By division"), new_x="LMARGIN", new_y="NEXT")
        for start in range(0, len(labels), PDF_COLUMNS):
            chunk = range(start, min(start + PDF_COLUMNS, len(labels)))
            pdf.set_font("cjk", size=8)
            with pdf.table(
                col_widths=(55, *(37 for _k in chunk)),
                headings_style=header_style,
                line_height=5,
            ) as table:
                table.row([_("Division"), *(labels[k] for k in chunk)])
                for division_line in lines:
                    table.row([division_line.name, *(str(division_line.values[k]) for k in chunk)])
            pdf.ln(3)
    return bytes(pdf.output())


def render(report: DailyReport, fmt: str) -> bytes:
    if fmt == "xlsx":
        return render_xlsx(report)
    if fmt == "pdf":
        return render_pdf(report)
    raise ValueError(f"unknown format {fmt!r}: use xlsx or pdf")


def filename(report: DailyReport, fmt: str) -> str:
    return f"daily-report-{report.division.full_code}-{report.day.isoformat()}.{fmt}"
