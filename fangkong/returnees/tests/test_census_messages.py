"""The census report speaks the user's language: on screen, in the xlsx and from the CLI."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.utils import translation
from python_calamine import CalamineWorkbook

from fangkong.accounts.roles import Role
from fangkong.returnees import census
from fangkong.returnees.models import CensusJob, ReturnTrip
from fangkong.returnees.tasks import run_census_job
from fangkong.returnees.tests.test_census_import import GOOD, workbook
from fangkong.test import BAYANHAOTE, BaseTestCase, make_user

TZ = ZoneInfo("Asia/Shanghai")


def bad_file() -> bytes:
    """Row 2 good; row 3 a wrong check digit, row 4 a text date and an unknown key group."""
    wrong_digit = list(GOOD[1])
    wrong_digit[1] = "110105194912310020"
    text_date = list(GOOD[0])
    text_date[1] = "152922198505050029"
    text_date[3] = "游客"
    text_date[8] = "明天"
    return workbook([GOOD[0], wrong_digit, text_date])


def sheet_rows(data: bytes, index: int = 0) -> list[list[Any]]:
    return CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(index).to_python()


def upload(name: str = "census.xlsx", data: bytes | None = None) -> io.BytesIO:
    handle = io.BytesIO(data if data is not None else bad_file())
    handle.name = name
    return handle


@time_machine.travel(datetime(2020, 2, 5, 10, tzinfo=TZ), tick=False)
class CensusReportLanguageTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.worker = make_user("worker", Role.GRASSROOTS, BAYANHAOTE)

    def english_client(self) -> Client:
        client = self.client_for(self.worker)
        client.cookies["django_language"] = "en"
        return client

    def test_the_chinese_page_and_report_name_row_column_and_problem_in_chinese(self):
        client = self.client_for(self.worker)  # the site's language: Chinese
        page = client.post("/returnees/import/", {"file": upload()}).content.decode()
        assert "校验位错误" in page
        assert "不是日期：“明天”（请写成 2020-02-03）" in page
        assert "无法识别的返程类别“游客”（请从下拉列表中选择）" in page
        assert "wrong check digit" not in page and "not a date" not in page
        assert not ReturnTrip.objects.exists()
        report = client.get("/returnees/import/report.xlsx")
        rows = sheet_rows(report.content)
        assert rows[0] == ["行号", "人员", "列", "问题"]
        assert [3.0, "李四", "身份证号", "校验位错误"] in rows
        assert [4.0, "张三", "出发日期", "不是日期：“明天”（请写成 2020-02-03）"] in rows
        summary = sheet_rows(report.content, 1)
        assert ["行数", 3.0] in summary and ["拒收", 2.0] in summary

    def test_the_english_ui_gets_the_same_report_in_english(self):
        client = self.english_client()
        page = client.post("/returnees/import/", {"file": upload()}).content.decode()
        assert "wrong check digit" in page
        assert "not a date: &#x27;明天&#x27; (write 2020-02-03)" in page
        assert "校验位错误" not in page
        rows = sheet_rows(client.get("/returnees/import/report.xlsx").content)
        assert rows[0] == ["Row", "Person", "Column", "Problem"]
        assert [3.0, "李四", "身份证号", "wrong check digit"] in rows
        assert [4.0, "张三", "返程类别", "unknown key group '游客' (use one of the list)"] in rows

    def test_the_same_stored_report_follows_the_language_of_whoever_downloads_it(self):
        client = self.client_for(self.worker)
        client.post("/returnees/import/", {"file": upload()})
        chinese = sheet_rows(client.get("/returnees/import/report.xlsx").content)
        client.cookies["django_language"] = "en"
        english = sheet_rows(client.get("/returnees/import/report.xlsx").content)
        assert [3.0, "李四", "身份证号", "校验位错误"] in chinese
        assert [3.0, "李四", "身份证号", "wrong check digit"] in english

    def test_file_errors_are_translated_too(self):
        headers = ["姓名", "身份证号", "手机号"]
        data = workbook([["张三", GOOD[0][1], ""]], headers=headers)
        page = (
            self.client_for(self.worker)
            .post("/returnees/import/", {"file": upload(data=data)})
            .content.decode()
        )
        assert "缺少列：返程类别, 出发日期, 目的地区划代码" in page
        english = self.english_client().post("/returnees/import/", {"file": upload(data=data)})
        assert "missing columns: 返程类别, 出发日期, 目的地区划代码" in english.content.decode()
        wrong_sheet = workbook([["x"]], headers=["别的表"], sheet="Sheet1")
        page = (
            self.client_for(self.worker)
            .post("/returnees/import/", {"file": upload(data=wrong_sheet)})
            .content.decode()
        )
        assert "没有一个工作表含有「姓名、身份证号」列（文件中的工作表：Sheet1）" in page

    def test_the_report_workbook_never_holds_a_formula_from_the_file(self):
        header = ",".join([*census.TEMPLATE_HEADERS, "=1+2"])
        text = header + "\n" + ",".join([*GOOD[0], "x"]) + "\n"
        report = census.census_import(
            actor=self.worker, data=text.encode(), filename="c.csv", dry_run=True
        )
        assert [(p.column, p.message) for p in report.notes] == [
            ("=1+2", "unknown column, ignored")
        ]
        data = census.report_xlsx(report)
        assert sheet_rows(data)[1][2] == "'=1+2"
        assert b"<f>" not in data

    def test_a_problem_reads_as_one_line_in_either_language(self):
        problem = census.Problem(1834, "身份证号", "wrong check digit")
        with translation.override("zh-hans"):
            assert str(problem) == "第 1834 行「身份证号」：校验位错误"
        assert str(problem) == "row 1834, column 身份证号: wrong check digit"
        duplicate = census.Problem(
            9, "", "the same person and departure date as row %(row)d", {"row": 4}
        )
        with translation.override("zh-hans"):
            assert str(duplicate) == "第 9 行：与第 4 行是同一人、同一出发日期"

    def test_good_rows_make_no_problem_objects(self):
        created: list[Any] = []
        original = census.Problem.__init__

        def spy(self: Any, *args: Any, **kwargs: Any) -> None:
            created.append(args)
            original(self, *args, **kwargs)

        with mock.patch.object(census.Problem, "__init__", spy):
            report = census.census_import(
                actor=self.worker, data=workbook(GOOD), filename="c.xlsx", dry_run=True
            )
            assert report.rows == 2 and report.rejected == 0
            assert created == []
            census.census_import(
                actor=self.worker, data=bad_file(), filename="c.xlsx", dry_run=True
            )
        assert len(created) == 3  # the bad rows' problems, and only those

    def test_a_background_job_shows_and_downloads_its_report_in_the_viewers_language(self):
        client = self.client_for(self.worker)
        with (
            mock.patch.object(census, "BACKGROUND_BYTES", 100),
            self.captureOnCommitCallbacks(execute=False),
        ):
            client.post("/returnees/import/", {"file": upload()})
        job = CensusJob.objects.get()
        run_census_job.call(job.pk)
        page = client.get(f"/returnees/import/jobs/{job.pk}/").content.decode()
        assert "校验位错误" in page
        rows = sheet_rows(client.get(f"/returnees/import/jobs/{job.pk}/report.xlsx").content)
        assert (
            rows[0] == ["行号", "人员", "列", "问题"]
            and [3.0, "李四", "身份证号", "校验位错误"] in rows
        )
        english = self.english_client()
        assert (
            "wrong check digit" in english.get(f"/returnees/import/jobs/{job.pk}/").content.decode()
        )
        other = make_user("other", Role.GRASSROOTS, BAYANHAOTE)
        assert (
            self.client_for(other).get(f"/returnees/import/jobs/{job.pk}/report.xlsx").status_code
            == 404
        )
        assert (
            self.client_for(self.outsider)
            .get(f"/returnees/import/jobs/{job.pk}/report.xlsx")
            .status_code
            == 404
        )

    def test_a_failed_background_job_says_why_in_the_viewers_language(self):
        client = self.client_for(self.worker)
        data = workbook([["x"]], headers=["别的表"], sheet="Sheet1")
        with (
            mock.patch.object(census, "BACKGROUND_BYTES", 100),
            self.captureOnCommitCallbacks(execute=False),
        ):
            client.post("/returnees/import/", {"file": upload(data=data)})
        job = CensusJob.objects.get()
        run_census_job.call(job.pk)
        job.refresh_from_db()
        assert job.error.startswith("no sheet has the columns 姓名、身份证号")
        assert (
            "没有一个工作表含有「姓名、身份证号」列"
            in client.get(f"/returnees/import/jobs/{job.pk}/").content.decode()
        )
        page = self.english_client().get(f"/returnees/import/jobs/{job.pk}/").content.decode()
        assert "no sheet has the columns 姓名、身份证号" in page


@time_machine.travel(datetime(2020, 2, 5, 10, tzinfo=TZ), tick=False)
class ImportCommandLanguageTests(BaseTestCase):
    def run_command(self, *options: str) -> tuple[str, bytes]:
        with TemporaryDirectory() as tmp:
            path = Path(tmp) / "c.xlsx"
            path.write_bytes(bad_file())
            report = Path(tmp) / "r.xlsx"
            err = io.StringIO()
            with pytest.raises(SystemExit):
                call_command(
                    "import_returnees",
                    str(path),
                    "--report",
                    str(report),
                    *options,
                    stdout=io.StringIO(),
                    stderr=err,
                )
            return err.getvalue(), report.read_bytes()

    def test_the_command_writes_its_problems_and_report_in_chinese(self):
        err, report = self.run_command("--language", "zh-hans")
        assert "第 3 行（李四）「身份证号」：校验位错误" in err
        assert "第 4 行（张三）「出发日期」：不是日期：“明天”（请写成 2020-02-03）" in err
        rows = sheet_rows(report)
        assert (
            rows[0] == ["行号", "人员", "列", "问题"]
            and [3.0, "李四", "身份证号", "校验位错误"] in rows
        )

    def test_the_command_writes_its_problems_and_report_in_english(self):
        err, report = self.run_command("--language", "en")
        assert "row 3 (李四), column 身份证号: wrong check digit" in err
        rows = sheet_rows(report)
        assert rows[0] == ["Row", "Person", "Column", "Problem"]
        assert [3.0, "李四", "身份证号", "wrong check digit"] in rows
