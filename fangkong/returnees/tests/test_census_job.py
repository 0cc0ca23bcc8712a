from __future__ import annotations

import io
from datetime import datetime
from unittest import mock
from zoneinfo import ZoneInfo

import time_machine

from fangkong.accounts.roles import Role
from fangkong.returnees import census
from fangkong.returnees.models import CensusJob, CensusJobStatus, ReturnTrip
from fangkong.returnees.tasks import run_census_job
from fangkong.returnees.tests.test_census_import import GOOD, workbook
from fangkong.test import BAYANHAOTE, BaseTestCase, make_user

TZ = ZoneInfo("Asia/Shanghai")


@time_machine.travel(datetime(2020, 2, 5, 10, tzinfo=TZ), tick=False)
class CensusJobTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.worker = make_user("worker", Role.GRASSROOTS, BAYANHAOTE)

    def test_a_large_upload_runs_in_the_background_and_reports_its_progress(self):
        client = self.client_for(self.worker)
        data = io.BytesIO(workbook(GOOD))
        data.name = "big.xlsx"
        with (
            mock.patch.object(census, "BACKGROUND_BYTES", 100),
            self.captureOnCommitCallbacks(execute=False) as callbacks,
        ):
            response = client.post("/returnees/import/", {"file": data, "skip_bad_rows": "on"})
        job = CensusJob.objects.get()
        assert response.status_code == 302 and response["Location"].endswith(f"/jobs/{job.pk}/")
        assert len(callbacks) == 1  # the task is queued once the upload is committed
        page = client.get(f"/returnees/import/jobs/{job.pk}/").content.decode()
        assert 'hx-trigger="every 2s"' in page
        assert run_census_job.call(job.pk) == CensusJobStatus.DONE
        job.refresh_from_db()
        assert job.summary["created"] == 2 and job.percent == 100
        assert not job.file  # the uploaded file is not kept
        assert ReturnTrip.objects.count() == 2
        fragment = client.get(f"/returnees/import/jobs/{job.pk}/", HTTP_HX_REQUEST="true")
        assert "every 2s" not in fragment.content.decode()

    def test_a_background_dry_run_says_what_it_would_do_and_saves_nothing(self):
        client = self.client_for(self.worker)
        bad = list(GOOD[1])
        bad[2] = ""  # no mobile number
        data = io.BytesIO(workbook([GOOD[0], bad]))
        data.name = "big.xlsx"
        with (
            mock.patch.object(census, "BACKGROUND_BYTES", 100),
            self.captureOnCommitCallbacks(execute=False),
        ):
            client.post("/returnees/import/", {"file": data, "dry_run": "on"})
        job = CensusJob.objects.get()
        assert run_census_job.call(job.pk) == CensusJobStatus.DONE
        job.refresh_from_db()
        assert job.summary["dry_run"] and not job.summary["imported"]
        assert (job.summary["created"], job.summary["rejected"]) == (1, 1)
        assert not ReturnTrip.objects.exists()
        page = client.get(f"/returnees/import/jobs/{job.pk}/").content.decode()
        assert "试运行：未保存任何内容" in page
        assert "导入将新增 1，更新 0，未变 0；拒绝 1。" in page
        assert "李四" in page  # the refused row's person

    def test_only_the_uploader_sees_the_job(self):
        job = CensusJob.objects.create(
            actor=self.worker, filename="x.xlsx", division_code="152921110"
        )
        other = make_user("other", Role.GRASSROOTS, BAYANHAOTE)
        assert self.client_for(other).get(f"/returnees/import/jobs/{job.pk}/").status_code == 404
        assert (
            self.client_for(self.outsider).get(f"/returnees/import/jobs/{job.pk}/").status_code
            == 404
        )
