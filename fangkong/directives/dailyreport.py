"""The daily report (日报) a division's HQ sends up: one section per measure, as xlsx or PDF.

Its figures come from the dashboard (the rollups), so its cost does not grow with history;
the implementation section reads the division's assignments (a few rows per notice).
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import xlsxwriter
from django.utils.translation import gettext as _

from fangkong.directives.dashboard import ChildRow, Dashboard, Row, StatRow, build_dashboard
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


def build_daily_report(*, division: Division, day: date, notes: str = "") -> DailyReport:
    return DailyReport(
        dashboard=build_dashboard(division=division, day=day),
        summary=assignment_summary(scope_key=division.code, today=day),
        overdue=overdue_assignments(scope_key=division.code, today=day),
        notes=notes.strip(),
    )


def _change(value: int | None) -> str:
    if value is None:
        return ""
    return f"+{value}" if value > 0 else str(value)


def _figure_header() -> list[str]:
    return [_("Figure"), _("Today / level"), _("Since yesterday"), _("Total")]


def _figure_cells(row: Row | StatRow) -> list[object]:
    if isinstance(row, StatRow):  # a median or an average, in words: "≈ 850 ms"
        return [row.label, row.headline_text, row.change_text, row.total_text]
    total: object = row.value if row.kind == "flow" else ""
    return [row.label, row.headline, _change(row.change), total]


def _child_cells(child: ChildRow) -> list[object]:
    """Counts as numbers, statistics in words."""
    return [v if isinstance(v, int) else t for v, t in zip(child.values, child.texts, strict=True)]


def _implementation_lines(report: DailyReport) -> list[str]:
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


def render_xlsx(report: DailyReport) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    bold = book.add_format({"bold": True})
    title_fmt = book.add_format({"bold": True, "font_size": 14})
    sheet = book.add_worksheet(_("Daily report"))
    sheet.set_column(0, 0, 40)
    sheet.set_column(1, 3, 16)
    row = 0
    sheet.write(row, 0, report.title, title_fmt)
    row += 2
    for group in report.dashboard.groups:
        heading = f"{group.measures} {group.title}".strip()
        sheet.write(row, 0, heading, bold)
        row += 1
        sheet.write_row(row, 0, _figure_header(), bold)
        row += 1
        for r in group.rows:
            sheet.write_row(row, 0, _figure_cells(r))
            row += 1
        row += 1
    sheet.write(row, 0, _("Implementation of measures"), bold)
    row += 1
    for line in _implementation_lines(report):
        sheet.write(row, 0, line)
        row += 1
    if report.notes:
        row += 1
        sheet.write(row, 0, _("Notes"), bold)
        sheet.write(row + 1, 0, report.notes)
    dash = report.dashboard
    if dash.children:
        below = book.add_worksheet(_("Below"))
        below.write_row(0, 0, [_("Division"), _("Code")], bold)
        labels = [r.label for g in dash.groups for r in g.rows]
        below.write_row(0, 2, labels, bold)
        for i, child in enumerate(dash.children, start=1):
            below.write_row(
                i, 0, [child.division.name, child.division.full_code, *_child_cells(child)]
            )
        below.set_column(0, 0, 24)
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
    pdf.ln(2)
    header_style = FontFace(fill_color=(239, 237, 242))
    for group in report.dashboard.groups:
        pdf.set_font("cjk", size=12)
        pdf.multi_cell(
            0, 8, f"{group.measures} {group.title}".strip(), new_x="LMARGIN", new_y="NEXT"
        )
        pdf.set_font("cjk", size=9)
        with pdf.table(
            col_widths=(84, 32, 32, 32), headings_style=header_style, line_height=6
        ) as table:
            table.row(_figure_header())
            for r in group.rows:
                table.row([str(c) for c in _figure_cells(r)])
        pdf.ln(3)
    pdf.set_font("cjk", size=12)
    pdf.multi_cell(0, 8, _("Implementation of measures"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=9)
    for line in _implementation_lines(report):
        pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    if report.notes:
        pdf.ln(2)
        pdf.set_font("cjk", size=12)
        pdf.multi_cell(0, 8, _("Notes"), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("cjk", size=9)
        pdf.multi_cell(0, 6, report.notes, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def render(report: DailyReport, fmt: str) -> bytes:
    if fmt == "xlsx":
        return render_xlsx(report)
    if fmt == "pdf":
        return render_pdf(report)
    raise ValueError(f"unknown format {fmt!r}: use xlsx or pdf")


def filename(report: DailyReport, fmt: str) -> str:
    return f"daily-report-{report.division.full_code}-{report.day.isoformat()}.{fmt}"
