"""Hostile uploads to the census import: refused with a clear message, nothing written, in
little memory; a GBK CSV is read and a formula cell refused by row and column."""

from __future__ import annotations

from pathlib import Path
from tempfile import TemporaryDirectory

import pytest
import time_machine
from django.utils import translation

from fangkong.accounts.roles import Role
from fangkong.core.models import AuditEntry
from fangkong.lib.spreadsheet import SpreadsheetError
from fangkong.lib.tests import hostile
from fangkong.returnees.census import MAX_FILE_BYTES, TEMPLATE_HEADERS, census_import
from fangkong.returnees.models import Person, ReturnTrip
from fangkong.returnees.tests.test_census_import import GOOD
from fangkong.test import BAYANHAOTE, BaseTestCase, make_user


@time_machine.travel("2020-02-05 10:00 +0800", tick=False)
class CensusHostileTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.worker = make_user("worker", Role.GRASSROOTS, BAYANHAOTE)

    def test_each_hostile_file_is_refused_with_a_clear_message_and_nothing_is_written(self):
        for what, data, name, says in hostile.refused_files(MAX_FILE_BYTES):
            with self.subTest(what), pytest.raises(SpreadsheetError) as caught:
                census_import(actor=self.worker, data=data, filename=name)
            with translation.override("en"):
                assert any(s in str(caught.value) for s in says), (what, str(caught.value))
            assert str(caught.value)  # and in Chinese, the default
        assert not Person.objects.exists() and not ReturnTrip.objects.exists()
        assert not AuditEntry.objects.filter(verb="returnee.import").exists()

    def test_the_page_refuses_a_zip_bomb_before_queuing_a_job(self):
        from django.core.files.uploadedfile import SimpleUploadedFile

        from fangkong.returnees.models import CensusJob

        response = self.client_for(self.worker).post(
            "/returnees/import/", {"file": SimpleUploadedFile("c.xlsx", hostile.zip_bomb())}
        )
        assert response.status_code == 200
        assert "疑似压缩炸弹" in response.content.decode()
        assert not CensusJob.objects.exists() and not Person.objects.exists()

    def test_a_gbk_csv_is_imported(self):
        rows = [TEMPLATE_HEADERS, *GOOD]
        report = census_import(actor=self.worker, data=hostile.gbk_csv(rows), filename="c.csv")
        assert report.imported and report.created == 2
        assert set(Person.objects.values_list("name", flat=True)) == {r[0] for r in GOOD}

    def test_a_formula_cell_is_refused_by_row_and_column_and_nothing_is_written(self):
        data = hostile.with_formula([TEMPLATE_HEADERS, *GOOD], (2, 0), GOOD[1][0])
        report = census_import(actor=self.worker, data=data, filename="c.xlsx")
        assert not report.imported
        assert [(p.row, p.column) for p in report.problems] == [(3, "姓名")]
        assert not Person.objects.exists()


def test_refusing_the_zip_bomb_takes_little_memory():
    with TemporaryDirectory() as tmp:
        path = Path(tmp) / "bomb.xlsx"
        path.write_bytes(hostile.zip_bomb())
        before, peak = hostile.peak_rss_refusing(
            str(path),
            "census.census_import(actor=None, data=open(PATH, 'rb').read(), filename='b.xlsx')",
        )
    print(f"census zip bomb: {before:.0f} MB after start-up, peak {peak:.0f} MB")
    assert peak - before < 50, (before, peak)
