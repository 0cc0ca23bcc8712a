"""Hostile uploads to the fleet bulk issue: refused with a clear message, no pass issued, in
little memory; a GBK CSV is issued; a formula cell is read as its value."""

from __future__ import annotations

from pathlib import Path
from tempfile import TemporaryDirectory

import pytest
from django.utils import translation

from fangkong.core.models import AuditEntry
from fangkong.lib.spreadsheet import SpreadsheetError
from fangkong.lib.tests import hostile
from fangkong.passes import services
from fangkong.passes.models import GreenPass, Vehicle
from fangkong.passes.tests.helpers import T0, PassesTestCase
from fangkong.passes.tests.test_pass_bulk_issue import HEADER, fleet


class BulkIssueHostileTests(PassesTestCase):
    def bulk(self, data: bytes, name: str) -> list[GreenPass]:
        return services.pass_bulk_issue(
            actor=self.transport, division=self.left, data=data, now=T0, filename=name
        )

    def test_each_hostile_file_is_refused_with_a_clear_message_and_nothing_is_issued(self):
        for what, data, name, says in hostile.refused_files(services.MAX_FILE_BYTES):
            with self.subTest(what), pytest.raises(SpreadsheetError) as caught:
                self.bulk(data, name)
            with translation.override("en"):
                assert any(s in str(caught.value) for s in says), (what, str(caught.value))
        assert not GreenPass.objects.exists() and not Vehicle.objects.exists()
        assert not AuditEntry.objects.filter(verb="passes.bulk_issue").exists()

    def test_the_page_refuses_a_zip_bomb_with_the_message(self):
        from django.core.files.uploadedfile import SimpleUploadedFile

        response = self.client_for(self.transport).post(
            "/passes/bulk/",
            {"issuer": "152921", "file": SimpleUploadedFile("fleet.xlsx", hostile.zip_bomb())},
        )
        assert response.status_code == 200
        assert "压缩炸弹" in response.content.decode()
        assert not GreenPass.objects.exists()

    def test_a_gbk_csv_is_issued(self):
        passes = self.bulk(hostile.gbk_csv([HEADER, *fleet(2)]), "fleet.csv")
        assert sorted(p.vehicle.plate for p in passes) == ["蒙M12340", "蒙M12341"]

    def test_a_formula_cell_is_read_as_its_value(self):
        data = hostile.with_formula([HEADER, *fleet(1)], (1, 5), "152921")
        [issued] = self.bulk(data, "fleet.xlsx")
        assert issued.origin == "152921"


def test_refusing_the_zip_bomb_takes_little_memory():
    with TemporaryDirectory() as tmp:
        path = Path(tmp) / "bomb.xlsx"
        path.write_bytes(hostile.zip_bomb())
        before, peak = hostile.peak_rss_refusing(
            str(path), "passes._read_sheet(open(PATH, 'rb').read(), 'bomb.xlsx')"
        )
    print(f"fleet zip bomb: {before:.0f} MB after start-up, peak {peak:.0f} MB")
    assert peak - before < 50, (before, peak)
