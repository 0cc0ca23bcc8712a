"""The inspector's duty page at /checkpoints/<id>/duty/ and the timings it sends (issue 5)."""

import json
import uuid
from datetime import UTC, datetime, timedelta

import time_machine

from fangkong.accounts.roles import Role
from fangkong.checkpoints.models import Passage
from fangkong.test import BAYANHAOTE, BaseTestCase, make_user

from .helpers import item, opened, requested

NOW = datetime(2020, 2, 10, 4, 0, tzinfo=UTC)


@time_machine.travel(NOW, tick=False)
class DutyPageTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.inspector = make_user("insp", Role.INSPECTOR, BAYANHAOTE)
        with time_machine.travel(NOW - timedelta(hours=2), tick=False):
            cls.checkpoint = opened(cls.colleague, cls.officer)
        cls.url = f"/checkpoints/{cls.checkpoint.pk}/duty/"

    def test_the_page_points_at_the_checkpoint_batch_and_a_worker_scoped_to_itself(self):
        response = self.client_for(self.inspector).get(self.url)
        assert response.status_code == 200
        html = response.content.decode()
        assert f'data-batch-url="/api/v1/checkpoints/{self.checkpoint.pk}/passages:batch"' in html
        assert f'data-sw-scope="{self.url}"' in html
        assert f'data-sw-url="{self.url}sw.js?assets=' in html
        worker = self.client_for(self.inspector).get(f"{self.url}sw.js")
        assert worker.status_code == 200
        assert worker["Content-Type"] == "application/javascript"

    def test_the_checkpoint_page_links_to_the_duty_page(self):
        page = self.client_for(self.inspector).get(f"/checkpoints/{self.checkpoint.pk}/")
        assert f'href="{self.url}"' in page.content.decode()

    def test_a_checkpoint_that_is_not_open_has_no_duty_page(self):
        closed = requested(self.colleague, name="西口")
        assert (
            self.client_for(self.inspector).get(f"/checkpoints/{closed.pk}/duty/").status_code
            == 404
        )

    def test_an_outsider_and_a_commander_without_duty_get_404(self):
        assert self.client_for(self.outsider).get(self.url).status_code == 404
        assert self.client_for(self.outsider).get(f"{self.url}sw.js").status_code == 404
        assert self.client_for(self.officer).get(self.url).status_code == 404

    def test_the_batch_takes_the_pages_extra_fields_and_keeps_the_timings(self):
        base = dict(subject="vehicle", plate="蒙M12345", person_name=None, id_number=None)
        fast = dict(base, result="fast_passed", pass_serial="152921-00001", verdict="valid")
        when = NOW - timedelta(minutes=3)
        items = [
            item(when, **fast, scan_ms=120, log_ms=800),
            item(when, **fast, scan_ms=300, log_ms=1000),
            item(when, **fast, scan_ms=200, log_ms="soon"),  # a bad timing is dropped
            item(when, **base, result="turned_back", verdict="revoked", reason="吊销", scan_ms=9),
        ]
        response = self.client_for(self.inspector).post(
            f"/api/v1/checkpoints/{self.checkpoint.pk}/passages:batch",
            data=json.dumps({"passages": items}),
            content_type="application/json",
        )
        assert response.status_code == 200, response.content
        assert [r["outcome"] for r in response.json()["results"]] == ["stored"] * 4
        stored = {str(p.client_uuid): (p.scan_ms, p.log_ms) for p in Passage.objects.all()}
        assert [stored[i["client_uuid"]] for i in items] == [
            (120, 800),
            (300, 1000),
            (200, None),
            (9, None),
        ]
        page = self.client_for(self.inspector).get(f"/checkpoints/{self.checkpoint.pk}/")
        html = page.content.decode()
        # Fast-passed vehicles only: median(120, 300, 200) and median(800, 1000).
        assert 'data-testid="median-scan">200 ms<' in html
        assert 'data-testid="median-log">900 ms<' in html
        assert uuid.UUID(items[0]["client_uuid"])
