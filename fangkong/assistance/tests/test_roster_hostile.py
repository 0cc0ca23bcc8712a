"""Hostile uploads to the household roster import: refused with a clear message, nothing
written, in little memory; a GBK CSV is imported; a formula cell is read as its value."""

from __future__ import annotations

import io
from pathlib import Path
from tempfile import TemporaryDirectory

import pytest

from fangkong.accounts.roles import Role
from fangkong.assistance.models import Household, HouseholdMember
from fangkong.assistance.roster import MAX_FILE_BYTES
from fangkong.assistance.services import households
from fangkong.assistance.tests.factories import HEADER, EnglishTestCase, id_number, village
from fangkong.core.models import AuditEntry
from fangkong.lib.spreadsheet import SpreadsheetError
from fangkong.lib.tests import hostile
from fangkong.test import LEFT_BANNER, make_user


class RosterHostileTests(EnglishTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.caseworker = make_user("cw", Role.CASEWORKER, LEFT_BANNER)
        cls.v = village()

    def rows(self) -> list[list[object]]:
        code = self.v.full_code
        return [
            ["1", "王大", "户主", id_number(1), "13800001111", code, "低保", "560", "2020-06-30", "一号"],  # noqa: E501
            ["1", "王小", "子女", id_number(2), "", "", "", "", "", ""],
        ]  # fmt: skip

    def run_import(self, data: bytes, name: str) -> households.ImportResult:
        stream = io.BytesIO(data)
        return households.households_import(actor=self.caseworker, stream=stream, filename=name)

    def test_each_hostile_file_is_refused_with_a_clear_message_and_nothing_is_written(self):
        for what, data, name, says in hostile.refused_files(MAX_FILE_BYTES):
            with self.subTest(what), pytest.raises(SpreadsheetError) as caught:
                self.run_import(data, name)
            assert any(s in str(caught.value) for s in says), (what, str(caught.value))
        assert not Household.objects.exists()
        assert not AuditEntry.objects.filter(verb="household.import").exists()

    def test_the_page_refuses_a_zip_bomb_with_the_message(self):
        client = self.client_for(self.caseworker)
        upload = io.BytesIO(hostile.zip_bomb())
        upload.name = "roster.xlsx"
        response = client.post("/assistance/households/import/", {"file": upload})
        assert response.status_code == 200
        assert "zip bomb" in response.content.decode()
        assert not Household.objects.exists()

    def test_a_gbk_csv_is_imported(self):
        result = self.run_import(hostile.gbk_csv([HEADER, *self.rows()]), "roster.csv")
        assert (result.created, result.members) == (1, 1)
        assert HouseholdMember.objects.get().name == "王小"

    def test_a_formula_cell_is_read_as_its_value(self):
        data = hostile.with_formula([HEADER, *self.rows()], (2, 1), "王小")
        result = self.run_import(data, "roster.xlsx")
        assert result.members == 1
        assert HouseholdMember.objects.get().name == "王小"


def test_refusing_the_zip_bomb_takes_little_memory():
    with TemporaryDirectory() as tmp:
        path = Path(tmp) / "bomb.xlsx"
        path.write_bytes(hostile.zip_bomb())
        before, peak = hostile.peak_rss_refusing(
            str(path), "roster.read_roster(open(PATH, 'rb'), 'bomb.xlsx')"
        )
    print(f"roster zip bomb: {before:.0f} MB after start-up, peak {peak:.0f} MB")
    assert peak - before < 50, (before, peak)
