from __future__ import annotations

import io
import struct
import zipfile
from datetime import date, datetime

import pytest
import xlsxwriter
from django.utils import translation

from fangkong.lib import spreadsheet
from fangkong.lib.spreadsheet import (
    Columns,
    Problem,
    SpreadsheetError,
    parse_date,
    read_spreadsheet,
)
from fangkong.lib.tests import hostile

COLUMNS = Columns(
    {
        "name": ("姓名", "名字", "name"),
        "id_number": ("身份证号", "身份证号码", "id number"),
        "arrival": ("到达日期",),
    }
)
KEYS = ("name", "id_number")


def xlsx(rows: list[list[object]], *, sheets: int = 1) -> bytes:
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    for n in range(sheets):
        sheet = book.add_worksheet(f"S{n}")
        if n == sheets - 1:
            for r, row in enumerate(rows):
                sheet.write_row(r, 0, row)
    book.close()
    return buf.getvalue()


def read(data: bytes, name: str = "f.xlsx", **kwargs: object) -> spreadsheet.Sheet:
    options: dict[str, object] = {"columns": COLUMNS, "header_keys": KEYS, "max_rows": 1000}
    options.update(kwargs)
    return read_spreadsheet(data, name, **options)  # type: ignore[arg-type]


def english(exc: SpreadsheetError) -> str:
    with translation.override("en"):
        return str(exc)


def test_it_finds_the_header_by_any_alias_on_a_later_row_and_sheet():
    data = xlsx(
        [["摸排表"], [" 名字 ", "身份证号码*", "到达日期"], ["张三", "x", "2020-02-03"]], sheets=2
    )
    sheet = read(data)
    assert sheet.sheet == "S1" and sheet.header_row == 1
    found = COLUMNS.map(sheet.rows[sheet.header_row])
    assert found.index == {"name": 0, "id_number": 1, "arrival": 2}
    assert found.names["id_number"] == "身份证号码*"
    assert [n for n, _ in sheet.body()] == [3]


def test_a_csv_in_utf8_with_a_bom_and_one_in_gbk_read_the_same():
    rows = [["姓名", "身份证号"], ["张三", "11010519491231002X"]]
    gbk = read(hostile.gbk_csv(rows), "c.csv")
    bom = read("\ufeff姓名,身份证号\n张三,11010519491231002X\n".encode(), "c.csv")
    assert gbk.rows == bom.rows == rows


def test_a_formula_cell_reads_as_its_value_and_is_found_when_asked():
    rows: list[list[object]] = [["姓名", "身份证号"], [None, "1"]]
    data = hostile.with_formula(rows, (1, 0), "张三")
    assert read(data).rows[1][0] == "张三"
    assert read(data, find_formulas=True).formulas == {(1, 0)}
    assert read(xlsx(rows), find_formulas=True).formulas == set()


def test_a_file_over_the_limit_is_refused_before_it_is_read():
    with pytest.raises(SpreadsheetError) as caught:
        read(hostile.too_large(2 * 1024 * 1024), max_bytes=2 * 1024 * 1024)
    assert english(caught.value) == "the file is 3 MB; the limit is 2 MB: split it"
    with translation.override("zh-hans"):
        assert str(caught.value) == "文件大小为 3 MB，上限为 2 MB：请拆分后上传"


def test_a_zip_bomb_is_refused_from_its_directory_without_unpacking(monkeypatch):
    calls: list[object] = []
    monkeypatch.setattr(
        spreadsheet.python_calamine.CalamineWorkbook, "from_filelike", lambda f: calls.append(f)
    )
    with pytest.raises(SpreadsheetError) as caught:
        read(hostile.zip_bomb())
    assert "unpacks to 1025 MB" in english(caught.value) and "zip bomb" in english(caught.value)
    assert calls == []  # calamine never saw it


def test_an_entry_that_unpacks_to_more_than_it_declares_is_refused():
    rows: list[list[object]] = [["姓名", "身份证号"]]
    rows += [[f"人{i}", str(i)] for i in range(2000)]
    good = xlsx(rows)
    data = bytearray(good)
    info = zipfile.ZipFile(io.BytesIO(good)).getinfo("xl/worksheets/sheet1.xml")
    struct.pack_into("<I", data, info.header_offset + 22, 1000)  # local header: 1000 bytes
    at = data.find(b"PK\x01\x02")
    while at != -1:
        name_length = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46 : at + 46 + name_length] == b"xl/worksheets/sheet1.xml":
            struct.pack_into("<I", data, at + 24, 1000)  # central directory: 1000 bytes
        at = data.find(b"PK\x01\x02", at + 4)
    with pytest.raises(SpreadsheetError) as caught:
        read(bytes(data))
    assert "cannot be read" in english(caught.value) or "not a readable" in english(caught.value)


def test_a_sheet_of_a_million_rows_is_refused_by_its_dimension_or_by_counting():
    with pytest.raises(SpreadsheetError) as caught:
        read(hostile.million_rows(), max_rows=200_000)
    assert english(caught.value) == ("sheet Sheet1 has 1000001 rows; the limit is 200000: split it")
    with pytest.raises(SpreadsheetError) as caught:
        read(hostile.million_rows(honest_dimension=False), max_rows=200_000)
    assert "has 1000001 rows" in english(caught.value)


def test_a_csv_of_too_many_lines_is_refused_before_it_is_parsed():
    data = ("姓名,身份证号\n" + "张三,1\n" * 1200).encode()
    with pytest.raises(SpreadsheetError) as caught:
        read(data, "c.csv")
    assert english(caught.value) == "the file has 1201 rows; the limit is 1000: split it"


@pytest.mark.parametrize(
    ("data", "name", "says"),
    [
        (hostile.wrong_type(), "f.xlsx", "PDF"),
        (hostile.wrong_type(), "f.csv", "PDF"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 30, "f.png", "image"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 30, "f.xls", ".xls"),
        (b"hello", "f.xlsx", "not a readable xlsx"),
        (b"PK\x03\x04 not a zip", "f.xlsx", "not a readable xlsx"),
        (b"ab\0cd\n", "f.txt", "not a spreadsheet"),
    ],
)
def test_a_file_of_the_wrong_type_is_refused_with_what_it_is(data, name, says):
    with pytest.raises(SpreadsheetError) as caught:
        read(data, name)
    assert says in english(caught.value)


def test_no_header_names_the_columns_looked_for_and_the_sheets():
    with pytest.raises(SpreadsheetError) as caught:
        read(xlsx([["别的"]], sheets=2))
    assert (
        english(caught.value)
        == "no sheet has the columns 姓名、身份证号 (sheets in the file: S0, S1)"
    )


def test_a_problem_names_row_column_and_person_in_either_language():
    problem = Problem(1834, "身份证号", "ID number check digit is wrong")
    with translation.override("zh-hans"):
        assert str(problem) == "第 1834 行「身份证号」：身份证号校验位错误"
    with translation.override("en"):
        assert str(problem) == "row 1834, column 身份证号: ID number check digit is wrong"
        named = Problem(7, "手机号", "required, but empty", who="张三")
        assert str(named) == "row 7 (张三), column 手机号: required, but empty"
        error = SpreadsheetError(problems=[problem, named])
        assert (error.row, error.column) == (1834, "身份证号")
        assert error.messages == [str(problem), str(named)]
    assert Problem.from_list(named.as_list()) == named


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("2020-02-03", date(2020, 2, 3)),
        ("2020/2/3", date(2020, 2, 3)),
        ("2020.2.3", date(2020, 2, 3)),
        ("2020年2月3日", date(2020, 2, 3)),
        ("20200203", date(2020, 2, 3)),
        (43864, date(2020, 2, 3)),
        (datetime(2020, 2, 3, 8, 0), date(2020, 2, 3)),
        ("", None),
        (None, None),
    ],
)
def test_dates_are_read_as_people_write_them(cell, expected):
    assert parse_date(cell) == expected


@pytest.mark.parametrize("cell", ["2020-13-01", "明天", 12, True])
def test_a_cell_that_is_not_a_date_is_an_error(cell):
    with pytest.raises(ValueError):
        parse_date(cell)
