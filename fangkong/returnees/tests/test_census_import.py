from __future__ import annotations

import io
import json
import zipfile
from datetime import date, datetime
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

import pytest
import time_machine
import xlsxwriter
from django.core.management import call_command
from python_calamine import CalamineWorkbook

from fangkong.accounts.roles import Role
from fangkong.core.models import AuditEntry
from fangkong.core.rollups import figures
from fangkong.returnees import metrics
from fangkong.returnees.census import (
    TEMPLATE_HEADERS,
    CensusFileError,
    census_import,
    report_xlsx,
    template_xlsx,
)
from fangkong.returnees.models import KeyGroup, Person, RegisteredVia, ReturnTrip, Transport
from fangkong.returnees.services import trip_confirm_arrival
from fangkong.returnees.tests.helpers import (
    ID_2,
    ID_3,
    OTHER_VILLAGE,
    RIGHT_VILLAGE,
    STANDARD_ID,
    VILLAGE,
)
from fangkong.test import BAYANHAOTE, BaseTestCase, make_user

GOOD: list[list[Any]] = [
    [
        "张三",
        STANDARD_ID,
        "13812345678",
        "农牧民工",
        "河北省石家庄市",
        "否",
        "火车",
        "K1234",
        "2020-02-03",
        "2020-02-04",
        VILLAGE,
        "",
        "",
    ],
    [
        "李四",
        ID_2,
        "13912345678",
        "入境人员",
        "韩国",
        "否",
        "飞机",
        "KE123",
        "2020/2/1",
        "2020年2月2日",
        VILLAGE,
        "",
        "备注",
    ],
]


def workbook(
    rows: list[list[Any]],
    *,
    headers: list[str] = TEMPLATE_HEADERS,
    sheet: str = "摸底排查",
    extra_sheet_first: bool = False,
    formula_at: tuple[int, int] | None = None,
    merge: tuple[int, int, int, int] | None = None,
    date_cells: bool = False,
) -> bytes:
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_numbers": False})
    if extra_sheet_first:
        book.add_worksheet("说明").write(0, 0, "填表说明")
    ws = book.add_worksheet(sheet)
    ws.write_row(0, 0, headers)
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if date_cells and isinstance(value, date):
                ws.write_datetime(r, c, datetime(value.year, value.month, value.day), date_format)
            else:
                ws.write_string(r, c, value) if isinstance(value, str) else ws.write(r, c, value)
    if formula_at:
        ws.write_formula(
            formula_at[0], formula_at[1], '=HYPERLINK("http://x","王五")', None, "王五"
        )
    if merge:
        ws.merge_range(*merge, "合并")
    book.close()
    return buf.getvalue()


@time_machine.travel("2020-02-05 10:00 +0800", tick=False)
class CensusImportTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.worker = make_user("worker", Role.GRASSROOTS, BAYANHAOTE)

    def run_import(self, data: bytes, name: str = "census.xlsx", **kw: Any):
        return census_import(actor=self.worker, data=data, filename=name, **kw)

    def test_a_clean_workbook_imports_every_row_and_a_second_import_changes_nothing(self):
        data = workbook(GOOD)
        report = self.run_import(data)
        assert report.summary() == {
            "rows": 2,
            "created": 2,
            "updated": 0,
            "unchanged": 0,
            "rejected": 0,
        }
        trip = ReturnTrip.objects.get(person__id_number=ID_2)
        assert trip.key_group == KeyGroup.INBOUND and trip.origin_country == "韩国"
        assert trip.departure_date == date(2020, 2, 1) and trip.arrival_date == date(2020, 2, 2)
        assert trip.transport == Transport.FLIGHT and trip.registered_via == RegisteredVia.IMPORT
        zhang = ReturnTrip.objects.get(person__id_number=STANDARD_ID)
        assert (zhang.origin_province, zhang.origin_city) == ("河北省", "石家庄市")
        assert Person.objects.get(id_number=STANDARD_ID).name_initials == "zs"
        before = list(ReturnTrip.objects.values_list("pk", "updated_at", "receipt").order_by("pk"))
        again = self.run_import(data)
        assert again.summary() == {
            "rows": 2,
            "created": 0,
            "updated": 0,
            "unchanged": 2,
            "rejected": 0,
        }
        assert (
            list(ReturnTrip.objects.values_list("pk", "updated_at", "receipt").order_by("pk"))
            == before
        )
        rolled = figures(
            ["1529"], [metrics.REGISTERED, metrics.by_group("inbound")], on=date(2020, 2, 5)
        )
        assert rolled[metrics.REGISTERED]["today"] == 2
        assert rolled[metrics.by_group("inbound")]["today"] == 1
        assert AuditEntry.objects.filter(verb="returnee.import").count() == 1

    def test_a_changed_row_updates_its_trip(self):
        self.run_import(workbook(GOOD))
        changed = [list(GOOD[0]), GOOD[1]]
        changed[0][7] = "K9999"
        report = self.run_import(workbook(changed))
        assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
        assert ReturnTrip.objects.get(person__id_number=STANDARD_ID).transport_number == "K9999"

    def test_a_re_import_updates_people_and_trips_and_an_arrived_trip_stays_where_it_arrived(
        self,
    ):
        self.run_import(workbook(GOOD))
        trip_confirm_arrival(
            actor=self.worker, trip=ReturnTrip.objects.get(person__id_number=ID_2), observe=False
        )
        changed = [list(GOOD[0]), list(GOOD[1]), list(GOOD[1])]
        changed[0][0] = "张三丰"  # the person changes, the trip does not
        changed[1][3] = changed[2][3] = "其他"  # the key group changes (was 入境人员) ...
        changed[1][10] = changed[2][10] = OTHER_VILLAGE  # ... and the village, after arrival
        changed[2][8] = changed[2][9] = "2020-02-04"  # a second trip of the same person
        newcomer = list(GOOD[0])
        newcomer[:2] = ["王五", ID_3]  # someone new, named once (streamed on PostgreSQL)
        report = self.run_import(workbook([*changed, newcomer]))
        assert (report.created, report.updated, report.unchanged) == (2, 2, 0)
        assert ReturnTrip.objects.get(person__id_number=ID_3).person.name_initials == "ww"
        person = Person.objects.get(id_number=STANDARD_ID)
        assert (person.name, person.name_initials) == ("张三丰", "zsf")
        moved = ReturnTrip.objects.get(person__id_number=ID_2, departure_date=date(2020, 2, 1))
        assert moved.key_group == KeyGroup.OTHER and moved.division_code == VILLAGE
        later = ReturnTrip.objects.get(person__id_number=ID_2, departure_date=date(2020, 2, 4))
        assert later.division_code == OTHER_VILLAGE and later.receipt != moved.receipt
        assert Person.objects.get(id_number=ID_2).division_code == OTHER_VILLAGE
        rolled = figures(
            ["1529"],
            [metrics.REGISTERED, metrics.by_group("inbound"), metrics.by_group("other")],
            on=date(2020, 2, 5),
        )
        assert rolled[metrics.REGISTERED]["today"] == 4
        assert rolled[metrics.by_group("inbound")]["today"] == 0
        assert rolled[metrics.by_group("other")]["today"] == 2
        assert AuditEntry.objects.filter(verb="returnee.import").count() == 2

    def test_one_bad_row_imports_nothing_and_names_row_and_column(self):
        bad = list(GOOD[1])
        bad[1] = "110105194912310020"
        report = self.run_import(workbook([GOOD[0], bad]))
        assert not report.imported and report.rejected == 1
        assert [(p.row, p.column) for p in report.problems] == [(3, "身份证号")]
        assert "check digit" in report.problems[0].message
        assert not ReturnTrip.objects.exists()

    def test_skipping_bad_rows_imports_the_good_ones(self):
        bad = list(GOOD[1])
        bad[8] = "明天"
        report = self.run_import(workbook([GOOD[0], bad]), skip_bad_rows=True)
        assert report.imported and report.summary()["created"] == 1 and report.rejected == 1
        assert (
            str(report.problems[0])
            == "row 3 (李四), column 出发日期: not a date: '明天' (write 2020-02-03)"
        )

    def test_impossible_birth_dates_unknown_and_outside_divisions_are_each_named(self):
        rows = [list(GOOD[0]) for _ in range(3)]
        rows[0][1] = "110105194902300027"
        rows[1][10] = "152921999999"
        rows[2][10] = RIGHT_VILLAGE
        report = self.run_import(workbook(rows))
        messages = {(p.row, p.column): p.message for p in report.problems}
        assert "birth date" in messages[(2, "身份证号")]
        assert "unknown division code" in messages[(3, "目的地区划代码")]
        assert "outside your jurisdiction" in messages[(4, "目的地区划代码")]

    def test_excel_date_cells_blank_rows_and_aliased_columns_in_any_order_are_read(self):
        headers = [
            "证件号码",
            "姓名",
            "联系电话",
            "返程类别",
            "出发日期",
            "到达日期",
            "目的地区划代码",
            "车次/航班/车牌",
            "交通方式",
            "多余的列",
        ]
        rows: list[list[Any]] = [
            [
                STANDARD_ID,
                "张三",
                "13812345678",
                "高校学生",
                date(2020, 2, 3),
                date(2020, 2, 4),
                VILLAGE,
                "蒙M12345",
                "自驾",
                "x",
            ],
            ["", "", "", "", "", "", "", "", "", ""],
            [ID_3, "王五", "13700000000", "其他", date(2020, 2, 1), "", VILLAGE, "", "", ""],
        ]
        report = self.run_import(workbook(rows, headers=headers, date_cells=True))
        assert report.summary()["created"] == 2, report.problems
        assert report.rows == 2
        assert [str(n) for n in report.notes] == ["row 1, column 多余的列: unknown column, ignored"]
        trip = ReturnTrip.objects.get(person__id_number=STANDARD_ID)
        assert trip.departure_date == date(2020, 2, 3) and trip.transport_number == "蒙M12345"

    def test_missing_columns_are_named(self):
        headers = ["姓名", "身份证号", "手机号"]
        with pytest.raises(
            CensusFileError, match="missing columns: 返程类别, 出发日期, 目的地区划代码"
        ):
            self.run_import(workbook([["张三", STANDARD_ID, ""]], headers=headers))

    def test_the_census_is_found_on_a_later_sheet_and_a_workbook_without_it_is_refused(self):
        report = self.run_import(workbook(GOOD, extra_sheet_first=True))
        assert report.sheet == "摸底排查" and report.created == 2
        with pytest.raises(CensusFileError, match="no sheet has the columns 姓名、身份证号"):
            self.run_import(workbook([["x"]], headers=["别的表"], sheet="Sheet1"))

    def test_formula_and_merged_cells_are_refused_by_row_and_column(self):
        report = self.run_import(workbook(GOOD, formula_at=(2, 0), merge=(1, 11, 2, 11)))
        found = {(p.row, p.column, p.message.split(" ")[0]) for p in report.problems}
        assert (3, "姓名", "formula") in found
        assert (2, "工作单位", "merged") in found
        assert not ReturnTrip.objects.exists()

    def test_an_id_number_stored_as_a_number_is_refused(self):
        row = list(GOOD[0])
        row[1] = 110105194912310021
        report = self.run_import(workbook([row]))
        assert "stored as a number" in report.problems[0].message

    def test_a_gbk_csv_as_chinese_excel_saves_it_is_read(self):
        text = ",".join(TEMPLATE_HEADERS) + "\r\n" + "\r\n".join(",".join(r) for r in GOOD) + "\r\n"
        report = self.run_import(text.encode("gbk"), name="census.csv")
        assert report.created == 2
        assert Person.objects.get(id_number=STANDARD_ID).name == "张三"

    def test_a_csv_formula_is_refused(self):
        row = list(GOOD[0])
        row[0] = '=HYPERLINK("http://x","张三")'
        text = (
            ",".join(TEMPLATE_HEADERS) + "\n" + ",".join(f'"{c}"' if "," in c else c for c in row)
        )
        report = self.run_import(text.encode("utf-8"), name="c.csv")
        assert report.problems[0].column == "姓名" and "formula" in report.problems[0].message

    def test_a_file_over_50_mb_is_refused(self):
        with pytest.raises(CensusFileError, match="limit is 50 MB"):
            self.run_import(b"PK" + b"\0" * (50 * 1024 * 1024), name="big.xlsx")

    def test_a_zip_bomb_is_refused_before_it_is_unpacked(self):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("xl/worksheets/sheet1.xml", b"0" * (60 * 1024 * 1024))
        with pytest.raises(CensusFileError, match="zip bomb"):
            self.run_import(buf.getvalue())

    def test_a_file_that_is_not_a_workbook_is_refused(self):
        with pytest.raises(CensusFileError, match="not a readable xlsx"):
            self.run_import(b"hello", name="x.xlsx")

    def test_the_template_has_chinese_headers_an_example_row_and_imports_cleanly(self):
        data = template_xlsx()
        rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
        assert rows[0][:4] == ["姓名", "身份证号", "手机号", "返程类别"]
        assert rows[1][1] == STANDARD_ID
        assert b"dataValidation" in zipfile.ZipFile(io.BytesIO(data)).read(
            "xl/worksheets/sheet1.xml"
        )
        report = self.run_import(data)
        assert (report.rows, report.created, report.rejected) == (0, 0, 0)
        assert [str(n) for n in report.notes] == [
            "row 2, column 备注: the template's example row: not imported"
        ]
        assert not Person.objects.exists()

    def test_the_report_workbook_lists_row_column_and_problem(self):
        bad = list(GOOD[0])
        bad[2] = "12345"
        report = self.run_import(workbook([bad]))
        rows = (
            CalamineWorkbook.from_filelike(io.BytesIO(report_xlsx(report)))
            .get_sheet_by_index(0)
            .to_python()
        )
        # the active language (here English); the person named beside the row
        assert rows[0] == ["Row", "Person", "Column", "Problem"]
        assert rows[1][:3] in ([2.0, "张三", "手机号"], [2, "张三", "手机号"])

    def test_a_missing_mobile_number_is_an_error_as_on_the_public_form(self):
        bad = list(GOOD[1])
        bad[2] = ""
        report = self.run_import(workbook([GOOD[0], bad]))
        assert not report.imported and report.rejected == 1
        assert [str(p) for p in report.problems] == [
            "row 3 (李四), column 手机号: required, but empty"
        ]
        assert not Person.objects.exists()
        with pytest.raises(CensusFileError, match="missing columns: 手机号"):
            headers = [h for h in TEMPLATE_HEADERS if h != "手机号"]
            self.run_import(
                workbook([[c for i, c in enumerate(GOOD[0]) if i != 2]], headers=headers)
            )

    def test_a_dry_run_says_what_would_be_created_updated_and_rejected_and_saves_nothing(self):
        self.run_import(workbook([GOOD[0]]))
        changed = list(GOOD[0])
        changed[7] = "K9999"  # the same person and trip, another train
        bad = list(GOOD[1])
        bad[2] = ""
        third = list(GOOD[1])
        third[1] = ID_3
        audit = AuditEntry.objects.count()
        trips = list(ReturnTrip.objects.values_list("pk", "transport_number", "updated_at"))
        report = self.run_import(workbook([changed, bad, third]), dry_run=True)
        assert report.dry_run and not report.imported
        assert report.summary() == {
            "rows": 3, "created": 1, "updated": 1, "unchanged": 0, "rejected": 1
        }  # fmt: skip
        assert list(ReturnTrip.objects.values_list("pk", "transport_number", "updated_at")) == trips
        assert Person.objects.count() == 1 and AuditEntry.objects.count() == audit
        rolled = figures(["1529"], [metrics.REGISTERED], on=date(2020, 2, 5))
        assert rolled[metrics.REGISTERED]["today"] == 1  # the first import's person only


@time_machine.travel("2020-02-05 10:00 +0800", tick=False)
class ImportCommandTests(BaseTestCase):
    def test_the_command_prints_one_json_line_and_exits_1_on_a_bad_row(self):
        bad = list(GOOD[1])
        bad[3] = "游客"
        with TemporaryDirectory() as tmp:
            path = Path(tmp) / "c.xlsx"
            path.write_bytes(workbook([GOOD[0], bad]))
            out = io.StringIO()
            with pytest.raises(SystemExit) as exit_info:
                call_command("import_returnees", str(path), stdout=out, stderr=io.StringIO())
            assert exit_info.value.code == 1
            assert json.loads(out.getvalue()) == {
                "rows": 2,
                "created": 0,
                "updated": 0,
                "unchanged": 0,
                "rejected": 1,
            }
            assert not ReturnTrip.objects.exists()
            out = io.StringIO()
            report = Path(tmp) / "r.xlsx"
            call_command(
                "import_returnees",
                str(path),
                "--skip-bad-rows",
                "--report",
                str(report),
                stdout=out,
                stderr=io.StringIO(),
            )
            assert json.loads(out.getvalue())["created"] == 1
            assert report.stat().st_size > 0

    def test_the_division_option_fills_missing_codes_and_bounds_the_rows(self):
        headers = [h for h in TEMPLATE_HEADERS if h != "目的地区划代码"]
        rows = [[c for i, c in enumerate(GOOD[0]) if i != 10]]
        with TemporaryDirectory() as tmp:
            path = Path(tmp) / "c.xlsx"
            path.write_bytes(workbook(rows, headers=headers))
            out = io.StringIO()
            call_command(
                "import_returnees", str(path), "--division", VILLAGE, "--dry-run", stdout=out
            )
            assert json.loads(out.getvalue())["rejected"] == 0
            assert not ReturnTrip.objects.exists()
            call_command("import_returnees", str(path), "--division", VILLAGE, stdout=io.StringIO())
            assert ReturnTrip.objects.get().division_code == VILLAGE
