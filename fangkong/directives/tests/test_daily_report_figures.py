"""The 日报 an officer can defend: hand-made cases with known answers, read back from the files."""

import io
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from io import StringIO

import openpyxl
import pypdfium2
import time_machine
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone, translation

from fangkong.accounts.roles import Role
from fangkong.assistance import metrics as assistance_metrics
from fangkong.assistance.tests.factories import stock
from fangkong.checkpoints import metrics as checkpoint_metrics
from fangkong.checkpoints import services as checkpoint_services
from fangkong.checkpoints.tests.helpers import opened
from fangkong.core import rollups
from fangkong.core.models import EmergencyPeriod
from fangkong.directives.dailyreport import (
    PDF_COLUMNS,
    build_daily_report,
    division_table,
    figure_line,
    render_pdf,
    render_xlsx,
)
from fangkong.directives.tests.test_dashboard import DAY, VILLAGE_L, MetricsMixin
from fangkong.divisions.models import Division
from fangkong.test import BAYANHAOTE, LEAGUE, LEFT_BANNER, BaseTestCase, make_user


def xlsx_sheets(data: bytes) -> dict[str, list[tuple[object, ...]]]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in book.worksheets}


def pdf_text(data: bytes) -> str:
    """The PDF's text with all white space removed (table cells run together in order)."""
    doc = pypdfium2.PdfDocument(data)
    text = "".join(page.get_textpage().get_text_range() for page in doc)
    return re.sub(r"\s+", "", text)


def report_for(code: str, day: date = DAY):
    with translation.override("zh-hans"):
        report = build_daily_report(division=Division.objects.get(code=code), day=day)
        return report, render_xlsx(report), render_pdf(report)


def figure_rows(sheet: list[tuple[object, ...]], labels: set[str]) -> dict[str, tuple]:
    return {row[0]: row for row in sheet if row and row[0] in labels}


def assert_same_figures(report, xlsx: bytes, pdf: bytes) -> int:
    """Every figure line and every per-division row of the xlsx is in the PDF, in order."""
    sheets = xlsx_sheets(xlsx)
    main = next(iter(sheets.values()))
    text = pdf_text(pdf)
    labels = {r.label for g in report.dashboard.groups for r in g.rows}
    rows = figure_rows(main, labels)
    assert len(rows) == len(labels)
    checked = 0
    for label, row in rows.items():
        cells = []
        for value in row[1:5]:
            if value is None:
                continue
            if isinstance(value, float):
                value = f"{value:.1f}"
            cells.append(str(value))
        # The change column carries its sign in the PDF; in the xlsx the number format does.
        expected = re.sub(r"\s+", "", label + row[1] if row[1] else label)
        assert expected in text, label
        numbers = [c for c in cells[1:] if c]
        for n in numbers:
            assert re.sub(r"\s+", "", n.lstrip("+")) in text, (label, n)
        checked += 1
    _names, labels_, lines = division_table(report)
    for start in range(0, len(labels_), PDF_COLUMNS):
        for division_line in lines:
            joined = "".join(str(v) for v in division_line.values[start : start + PDF_COLUMNS])
            name = re.sub(r"\s+", "", division_line.name)
            assert name + joined in text, name
            checked += 1
    return checked


class DailyReportFigureTests(MetricsMixin):
    def test_xlsx_cells_hold_numbers_as_numbers(self):
        self.bump_sample()
        _report, xlsx, _pdf = report_for(LEFT_BANNER)
        main = next(iter(xlsx_sheets(xlsx).values()))
        registered = next(r for r in main if r and r[0] == "登记返程人员")
        # today 3, since yesterday -1, total 7: all numbers, not text
        assert registered[2:5] == (3, -1, 7)
        assert all(isinstance(v, int) for v in registered[2:5])
        observed = next(r for r in main if r and r[0] == "隔离观察中")
        assert observed[2] == 4 and isinstance(observed[2], int) and observed[4] is None

    def test_the_header_names_the_issuing_hq_the_date_and_the_number(self):
        EmergencyPeriod.objects.create(
            name="一级响应", level="1", starts_at=datetime(2020, 1, 25, 2, 0, tzinfo=UTC)
        )
        report, xlsx, pdf = report_for(LEFT_BANNER)
        main = next(iter(xlsx_sheets(xlsx).values()))
        header = {row[0]: row[1] for row in main[1:4]}
        assert header == {
            "发布单位": "阿拉善左旗疫情防控工作指挥部",
            "日期": "2020-02-10",
            "编号": "第 17 期",  # 25 January is No. 1
        }
        text = pdf_text(pdf)
        assert "发布单位:阿拉善左旗疫情防控工作指挥部" in text
        assert "日期:2020-02-10" in text and "编号:第17期" in text
        assert report.number == 17

    def test_the_league_report_has_a_row_per_banner_and_the_total_is_their_sum(self):
        self.bump_sample()
        with transaction.atomic():
            rollups.bump("returnees.registered", LEAGUE, DAY, 2)  # recorded at the league itself
        report, xlsx, pdf = report_for(LEAGUE)
        sheets = xlsx_sheets(xlsx)
        assert "按区划" in sheets, list(sheets)
        sheet = sheets["按区划"]
        header = sheet[0]
        col = header.index("登记返程人员")
        by_name = {row[0]: row for row in sheet[1:]}
        assert by_name["阿拉善左旗"][col] == 3
        assert by_name["阿拉善右旗"][col] == 5
        assert by_name["额济纳旗"][col] == 0
        assert by_name["阿拉善盟本级"][col] == 2
        total = by_name["合计"]
        for c in range(2, len(header)):
            rows = [row[c] for name, row in by_name.items() if name != "合计"]
            assert total[c] == sum(int(str(v)) for v in rows)
            assert isinstance(total[c], int)
        # and the total equals the league's own figure on the first sheet
        main = next(iter(xlsx_sheets(xlsx).values()))
        assert next(r for r in main if r and r[0] == "登记返程人员")[2] == total[col] == 10
        assert_same_figures(report, xlsx, pdf)

    def test_the_pdf_and_the_xlsx_carry_the_same_figures(self):
        self.bump_sample()
        report, xlsx, pdf = report_for(LEAGUE)
        assert assert_same_figures(report, xlsx, pdf) >= 3


class MedianAndAverageTests(BaseTestCase):
    def test_a_median_is_the_bucket_its_records_prove_beside_an_average_of_the_same(self):
        median = rollups.STATISTICS[assistance_metrics.HELP_RESPONSE_MEDIAN]
        rows = [(median.bucket_metric(0), VILLAGE_L, DAY, 1) for _i in range(4)]
        rows += [
            (assistance_metrics.HELP_ANSWERED, VILLAGE_L, DAY, 4),
            (assistance_metrics.HELP_RESPONSE_MINUTES, VILLAGE_L, DAY, 0),
        ]
        with transaction.atomic():
            rollups.bump_many(rows)
        report, xlsx, _pdf = report_for(BAYANHAOTE)
        dash = report.dashboard
        med = figure_line(dash.row(assistance_metrics.HELP_RESPONSE_MEDIAN))
        avg = figure_line(dash.row(assistance_metrics.HELP_RESPONSE_AVERAGE))
        # four answers within a minute: "15 minutes or less", never "about 6 minutes"
        assert med.today == "不超过 15 分钟" and med.unit == "分钟"
        assert avg.today == 0.0 and avg.unit == "分钟"
        answered = dash.row(assistance_metrics.HELP_ANSWERED)
        assert dash.row(assistance_metrics.HELP_RESPONSE_MEDIAN).detail.startswith("共 4 条")
        assert answered.headline == 4
        main = next(iter(xlsx_sheets(xlsx).values()))
        row = next(r for r in main if r and r[0] == "求助答复平均用时")
        assert row[1] == "分钟" and isinstance(row[2], int | float) and row[2] == 0


class StockPerUnitTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.logistics = make_user("logi", Role.LOGISTICS, LEAGUE)

    def test_stock_is_reported_per_item_in_its_own_unit_never_summed(self):
        with time_machine.travel(datetime(2020, 2, 9, 2, 0, tzinfo=UTC), tick=False):
            stock(self.logistics, 12)  # 12 袋
            stock(self.logistics, 7, whole=False)  # 7 公斤
        report, xlsx, pdf = report_for(LEAGUE)
        group = next(g for g in report.dashboard.groups if g.app == "assistance")
        table = next(t for t in group.tables if t.name == assistance_metrics.STOCK_BY_ITEM)
        assert [(r.unit, r.value) for r in table.rows] == [("袋", Decimal(12)), ("公斤", 7)]
        # the sum across units is not shown anywhere
        assert report.dashboard.row(assistance_metrics.STOCK_UNITS) is None
        main = next(iter(xlsx_sheets(xlsx).values()))
        units = {r[1]: r[2] for r in main if r and r[1] in ("袋", "公斤")}
        assert units == {"袋": 12, "公斤": 7}
        assert all(isinstance(v, int) for v in units.values())
        assert "袋12" in pdf_text(pdf) and "公斤7" in pdf_text(pdf)
        assert 19 not in [c for r in main for c in r]
        earlier = build_daily_report(
            division=Division.objects.get(code=LEAGUE), day=date(2020, 2, 8)
        )
        group = next(g for g in earlier.dashboard.groups if g.app == "assistance")
        assert group.tables[0].rows == []  # nothing in stock the day before it came


@time_machine.travel(datetime(2020, 2, 10, 5, 0, tzinfo=UTC), tick=False)
class PassChecksCountedTests(BaseTestCase):
    def test_passes_checked_on_the_duty_page_are_counted_and_the_flagged_ones_too(self):
        inspector = make_user("insp", Role.INSPECTOR, BAYANHAOTE)
        checkpoint = opened(self.colleague, self.officer)
        at = datetime(2020, 2, 10, 5, 0, tzinfo=UTC)
        checkpoint_services.passage_log(
            actor=inspector,
            checkpoint=checkpoint,
            at=at,
            direction="in",
            subject="vehicle",
            result="fast_passed",
            plate="蒙M12345",
            pass_serial="152921-09999",  # a pass the server does not know
        )
        checkpoint_services.passage_log(
            actor=inspector,
            checkpoint=checkpoint,
            at=at,
            direction="in",
            subject="vehicle",
            result="passed",
            plate="蒙M54321",
        )
        report, xlsx, _pdf = report_for(LEFT_BANNER, date(2020, 2, 10))
        checked = report.dashboard.row(checkpoint_metrics.PASSES_CHECKED)
        flagged = report.dashboard.row(checkpoint_metrics.PASSAGES_FLAGGED)
        assert (checked.headline, flagged.headline) == (1, 1)
        before = rollups.figures(
            [LEFT_BANNER],
            [checkpoint_metrics.PASSES_CHECKED, checkpoint_metrics.PASSAGES_FLAGGED],
            on=date(2020, 2, 10),
        )
        rollups.rebuild([checkpoint_metrics.PASSES_CHECKED, checkpoint_metrics.PASSAGES_FLAGGED])
        after = rollups.figures(
            [LEFT_BANNER],
            [checkpoint_metrics.PASSES_CHECKED, checkpoint_metrics.PASSAGES_FLAGGED],
            on=date(2020, 2, 10),
        )
        assert before == after
        main = next(iter(xlsx_sheets(xlsx).values()))
        assert next(r for r in main if r and r[0] == "卡口核验通行证")[2] == 1


class DemoDailyReportTests(BaseTestCase):
    """The league's 日报 on the demo data: the banners add up, and both files agree."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        call_command("demo", stdout=StringIO())

    def test_the_demo_league_report_adds_up_and_its_pdf_and_xlsx_agree(self):
        day = timezone.localdate()
        report, xlsx, pdf = report_for(LEAGUE, day)
        sheets = xlsx_sheets(xlsx)
        table = sheets["按区划"]
        header, rows = table[0], table[1:]
        assert [r[0] for r in rows][:4] == [
            "阿拉善左旗",
            "阿拉善右旗",
            "额济纳旗",
            "内蒙古阿拉善高新技术产业开发区",
        ]
        total = rows[-1]
        assert total[0] == "合计"
        main = next(iter(sheets.values()))
        by_label = {r[0]: r for r in main if r and isinstance(r[0], str)}
        for c in range(2, len(header)):
            assert total[c] == sum(int(str(r[c])) for r in rows[:-1]), header[c]
            assert by_label[str(header[c])][2] == total[c], header[c]
        fever = report.dashboard.row("returnees.fever")
        assert fever is not None and int(str(total[header.index(fever.label)])) > 0
        assert assert_same_figures(report, xlsx, pdf) > 100
