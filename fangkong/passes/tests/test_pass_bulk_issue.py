from __future__ import annotations

import io

import pytest
import xlsxwriter

from fangkong.lib.spreadsheet import SpreadsheetError
from fangkong.passes import services
from fangkong.passes.models import Driver, GreenPass, Vehicle
from fangkong.passes.tests.helpers import T0, PassesTestCase

HEADER = ["plate", "vehicle_type", "driver_name", "driver_id_number", "cargo", "origin",
          "destination", "days"]  # fmt: skip


def xlsx(rows: list[list[object]], header: list[str] = HEADER) -> bytes:
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    sheet = book.add_worksheet()
    all_rows: list[list[object]] = [list(header), *rows]
    for r, row in enumerate(all_rows):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    book.close()
    return buf.getvalue()


def fleet(n: int) -> list[list[object]]:
    return [
        [f"蒙M1234{i}", "厢式货车", "李四", "152921199001010013", "daily", "152921", "银川市", 5]
        for i in range(n)
    ]


class PassBulkIssueTests(PassesTestCase):
    def bulk(self, data: bytes) -> list[GreenPass]:
        return services.pass_bulk_issue(
            actor=self.transport, division=self.left, data=data, owner="阿拉善物流公司", now=T0
        )

    def test_a_fleet_gets_one_pass_per_row(self) -> None:
        passes = self.bulk(xlsx(fleet(5)))
        assert len(passes) == 5
        assert Vehicle.objects.filter(owner="阿拉善物流公司").count() == 5
        assert Driver.objects.count() == 1
        assert {(g.valid_until - g.valid_from).days for g in passes} == {5}

    def test_chinese_headers_and_cargo_names_are_understood(self) -> None:
        header = ["车牌号", "货物类别", "起点", "终点"]
        passes = self.bulk(xlsx([["蒙MD12345", "医疗物资", "152921", "兰州"]], header))
        assert passes[0].cargo == "medical"
        assert passes[0].vehicle.plate == "蒙MD12345"

    def test_any_bad_row_issues_nothing_and_names_every_row(self) -> None:
        rows = fleet(4)
        rows[1][0] = "蒙1234"  # bad plate, row 3
        rows[2][3] = "152921199001010014"  # wrong check digit, row 4
        rows[3][7] = 31  # too long, row 5
        with pytest.raises(SpreadsheetError) as info:
            self.bulk(xlsx(rows))
        messages = info.value.messages
        assert any(m.startswith("第 3 行") and "plate" in m for m in messages)
        assert any(m.startswith("第 4 行") and "driver_id_number" in m for m in messages)
        assert any(m.startswith("第 5 行") for m in messages)
        assert not any(m.startswith("第 2 行") for m in messages)
        assert not GreenPass.objects.exists()
        assert not Vehicle.objects.exists()

    def test_the_same_plate_twice_is_an_error(self) -> None:
        rows = fleet(2)
        rows[1][0] = rows[0][0]
        with pytest.raises(SpreadsheetError, match="第 2 行"):
            self.bulk(xlsx(rows))

    def test_missing_columns_and_files_that_are_not_spreadsheets(self) -> None:
        with pytest.raises(SpreadsheetError, match="cargo"):
            self.bulk(xlsx([["蒙M12345"]], ["plate"]))
        with pytest.raises(SpreadsheetError, match="xlsx"):
            self.bulk(b"PK\x03\x04 not really a zip")
        with pytest.raises(SpreadsheetError):
            self.bulk(xlsx([]))
