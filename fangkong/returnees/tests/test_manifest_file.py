"""A convoy manifest from a spreadsheet goes through the one reader: a GBK CSV and an xlsx
(formula cells as their values) give one line a row; hostile files are refused by name."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from fangkong.lib.tests import hostile
from fangkong.returnees.services import MANIFEST_FILE_BYTES, manifest_lines_from_file

ROWS = [
    ["座位", "姓名", "身份证号", "手机号", "社区代码"],
    ["1", "张三", "11010519491231002X", "13812345678", "152921110200"],
    ["2", "李四", "152921199001010013", "13912345678", "152921110200"],
]
LINES = (
    "\n1\t张三\t11010519491231002X\t13812345678\t152921110200"
    "\n2\t李四\t152921199001010013\t13912345678\t152921110200"
)


def test_a_gbk_csv_gives_one_line_a_row_without_the_header():
    assert manifest_lines_from_file(hostile.gbk_csv(ROWS), "m.csv") == LINES


def test_a_formula_cell_reads_as_its_value():
    data = hostile.with_formula(ROWS, (2, 1), "李四")
    assert manifest_lines_from_file(data, "m.xlsx") == LINES


@pytest.mark.parametrize(
    ("what", "data", "name", "says"), hostile.refused_files(MANIFEST_FILE_BYTES)
)
def test_a_hostile_file_is_refused_with_a_clear_message(what, data, name, says):
    with pytest.raises(ValidationError) as caught:
        manifest_lines_from_file(data, name)
    with translation.override("en"):
        text = " ".join(caught.value.message_dict["file"])
    assert any(s in text for s in says), (what, text)
