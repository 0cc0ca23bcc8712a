import io
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management import CommandError, call_command
from django.utils.translation import gettext
from python_calamine import CalamineWorkbook

from fangkong.directives import tasks
from fangkong.directives.dailyreport import build_daily_report, render_pdf, render_xlsx
from fangkong.directives.models import DailyReportFile
from fangkong.directives.tests.helpers import assign_all, notice_for
from fangkong.directives.tests.test_dashboard import DAY, MetricsMixin
from fangkong.divisions.models import Division
from fangkong.test import LEAGUE, LEFT_BANNER, BaseTestCase


def _cells(data: bytes) -> list[list[Any]]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    return book.get_sheet_by_index(0).to_python()


class DailyReportTests(MetricsMixin):
    def test_the_xlsx_has_a_section_per_measure_with_figures_and_changes(self):
        self.bump_sample()
        notice = notice_for(self.league_commander, LEAGUE)
        assign_all(self.league_commander, notice, [LEFT_BANNER], date(2020, 2, 1))
        report = build_daily_report(
            division=Division.objects.get(code=LEFT_BANNER), day=DAY, notes="风沙大，卡口加固"
        )
        rows = _cells(render_xlsx(report))
        flat = [str(c) for row in rows for c in row]
        assert any("阿拉善左旗" in c for c in flat[:1])
        # The label is shown in the active language (the returnees catalogue translates it).
        label = gettext("Returnees registered")
        registered = next(r for r in rows if r and r[0] == label)
        assert registered[2:5] == [3, -1, 7]  # today, since yesterday, total: numbers
        assert any(str(r[0]).startswith("一") for r in rows if r)
        assert any("风沙大" in c for c in flat)
        assert sum(1 for c in flat if "2020-02-01" in c) == 2  # both measures overdue

    def test_the_pdf_embeds_a_chinese_font(self):
        self.bump_sample()
        report = build_daily_report(division=Division.objects.get(code=LEAGUE), day=DAY)
        data = render_pdf(report)
        assert data.startswith(b"%PDF")
        assert b"NotoSansCJK" in data or b"Noto" in data
        assert b"/ToUnicode" in data

    def test_the_command_writes_the_file(self):
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "r.xlsx"
            call_command(
                "daily_report",
                "--division",
                "152921000000",
                "--date",
                str(DAY),
                "--format",
                "xlsx",
                "-o",
                str(out),
                stdout=io.StringIO(),
            )
            assert _cells(out.read_bytes())[0][0].startswith("阿拉善左旗")

    def test_the_command_names_a_bad_division_or_date(self):
        with self.assertRaisesMessage(CommandError, "--division 9999"):
            call_command("daily_report", "--division", "9999", "-o", "x.xlsx")
        with self.assertRaisesMessage(CommandError, "--date 2020-13-01"):
            call_command("daily_report", "--division", LEAGUE, "--date", "2020-13-01", "-o", "x")

    def test_the_evening_task_keeps_each_banners_reports(self):
        made = tasks.daily_reports_make.call(day=str(DAY), reschedule=False)
        assert made == 2 * 4 + 2  # league and four banners, xlsx and PDF
        assert DailyReportFile.objects.filter(day=DAY).count() == made
        again = tasks.daily_reports_make.call(day=str(DAY), reschedule=False)
        assert DailyReportFile.objects.filter(day=DAY).count() == again
        record = DailyReportFile.objects.get(division_code=LEFT_BANNER, format="pdf")
        assert (
            self.client_for(self.officer).get(f"/directives/daily-report/{record.pk}/").status_code
            == 200
        )
        assert (
            self.client_for(self.outsider).get(f"/directives/daily-report/{record.pk}/").status_code
            == 404
        )

    def test_the_next_evening_is_eight_oclock_local_time(self):
        from datetime import datetime
        from zoneinfo import ZoneInfo

        shanghai = ZoneInfo("Asia/Shanghai")
        assert tasks.next_evening(datetime(2020, 2, 10, 9, 0, tzinfo=shanghai)) == datetime(
            2020, 2, 10, 20, 0, tzinfo=shanghai
        )
        assert tasks.next_evening(datetime(2020, 2, 10, 21, 0, tzinfo=shanghai)).day == 11


class DailyReportDownloadTests(BaseTestCase):
    def test_the_commander_downloads_xlsx_and_pdf(self):
        client = self.client_for(self.league_commander)
        xlsx = client.get(f"/directives/daily-report/?division={LEFT_BANNER}&date={DAY}")
        assert xlsx.status_code == 200
        assert "daily-report-152921000000-2020-02-10.xlsx" in xlsx["Content-Disposition"]
        pdf = client.get(f"/directives/daily-report/?division={LEFT_BANNER}&format=pdf")
        assert pdf.content.startswith(b"%PDF")
        noted = client.get(f"/directives/daily-report/?division={LEFT_BANNER}&notes=沙尘暴预警")
        assert any("沙尘暴预警" in str(c) for row in _cells(noted.content) for c in row)

    def test_an_outsider_gets_not_found(self):
        client = self.client_for(self.outsider)
        response = client.get(f"/directives/daily-report/?division={LEFT_BANNER}")
        assert response.status_code == 404
        assert (
            client.get(f"/directives/daily-report/?division={LEFT_BANNER}&format=doc").status_code
            == 404
        )


class ScheduleTests(BaseTestCase):
    def test_schedule_enqueues_the_evening_task_and_the_task_enqueues_the_next(self):
        from django_tasks_db.models import DBTaskResult

        call_command("daily_report", "--schedule", stdout=io.StringIO())
        queued = DBTaskResult.objects.get()
        assert queued.task_path.endswith("daily_reports_make")
        assert queued.run_after is not None
        tasks.daily_reports_make.call(day=str(DAY))
        assert DBTaskResult.objects.count() == 2
