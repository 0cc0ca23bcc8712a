"""A fast pass logged on a pass the server knows is not good: stored, flagged, shown."""

import json
import tempfile
from datetime import UTC, datetime, timedelta

import time_machine
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from fangkong.accounts.roles import Role
from fangkong.accounts.services import token_create
from fangkong.checkpoints import services
from fangkong.checkpoints.models import Passage
from fangkong.passes import services as pass_services
from fangkong.passes.models import GreenPass
from fangkong.test import BAYANHAOTE, LEFT_BANNER, BaseTestCase, division, make_user

from .helpers import item, opened

NOW = datetime(2020, 2, 10, 4, 0, tzinfo=UTC)
KEY_DIR = tempfile.mkdtemp(prefix="fk-flag-keys-")


def _issue(plate: str, *, valid_from: datetime, days: int = 7) -> GreenPass:
    green = pass_services.pass_create_full(
        actor=None,
        division=division(LEFT_BANNER),
        plate=plate,
        cargo="medical",
        origin="152921",
        destination="银川市",
        days=days,
        now=valid_from,
    )
    return green


@override_settings(FANGKONG_KEY_DIR=KEY_DIR)
@time_machine.travel(NOW, tick=False)
class PassageFlagTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.inspector = make_user("insp", Role.INSPECTOR, BAYANHAOTE)
        with time_machine.travel(NOW - timedelta(days=3), tick=False):
            cls.checkpoint = opened(cls.colleague, cls.officer)
        with override_settings(FANGKONG_KEY_DIR=KEY_DIR):
            at = NOW - timedelta(days=2)
            pass_services.key_create(actor=None, division=division(LEFT_BANNER), now=at)
            cls.good = _issue("蒙M10001", valid_from=at)
            cls.revoked = _issue("蒙M10002", valid_from=at)
            pass_services.pass_revoke(
                actor=None, green=cls.revoked, reason="丢失", now=NOW - timedelta(hours=1)
            )
            cls.expired = _issue("蒙M10003", valid_from=at, days=1)
            cls.later = _issue("蒙M10004", valid_from=at)
            GreenPass.objects.filter(pk=cls.later.pk).update(valid_from=NOW + timedelta(days=1))
        _token, cls.raw = token_create(actor=None, user=cls.inspector, name="phone")

    def post(self, items):
        return self.client.post(
            f"/api/v1/checkpoints/{self.checkpoint.pk}/passages:batch",
            data=json.dumps({"passages": items}),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {self.raw}",
        )

    def fast(self, serial, *, at=None, **extra):
        return item(
            at or NOW - timedelta(minutes=5),
            subject="vehicle",
            plate="蒙M10001",
            result="fast_passed",
            pass_serial=serial,
            **extra,
        )

    def test_each_bad_pass_is_stored_flagged_with_its_reason(self):
        items = [
            self.fast(self.good.serial),
            self.fast(self.revoked.serial),
            self.fast(self.revoked.serial, at=NOW - timedelta(hours=2)),  # before the revocation
            self.fast(self.expired.serial),
            self.fast(self.later.serial),
            self.fast("152921-NOSUCH"),
            self.fast(None),
            item(NOW - timedelta(minutes=5), result="turned_back", pass_serial=self.revoked.serial),
        ]
        response = self.post(items)
        assert response.status_code == 200, response.content
        results = response.json()["results"]
        assert [r["outcome"] for r in results] == ["stored"] * len(items)
        assert [r["reason"] for r in results] == [
            None,
            "pass_revoked",
            None,
            "pass_expired",
            "pass_not_yet_valid",
            "pass_unknown",
            "pass_missing",
            None,
        ]
        stored = {str(p.client_uuid): p.flag for p in Passage.objects.all()}
        assert [stored[i["client_uuid"]] for i in items] == [
            "" if r["reason"] is None else r["reason"] for r in results
        ]

    def test_a_retry_of_a_flagged_passage_stores_nothing_twice(self):
        flagged = self.fast(self.revoked.serial)
        self.post([flagged])
        again = self.post([flagged]).json()["results"]
        assert again == [
            {"client_uuid": flagged["client_uuid"], "outcome": "duplicate", "reason": None}
        ]
        assert Passage.objects.get().flag == "pass_revoked"

    def test_the_passes_are_checked_in_one_query_per_batch(self):
        serials = [self.good.serial, self.revoked.serial, self.expired.serial, "X-1", "X-2"]
        items = [self.fast(serials[i % len(serials)]) for i in range(200)]
        with CaptureQueriesContext(connection) as queries:
            results = self.post(items).json()["results"]
        assert len(results) == 200
        table = GreenPass._meta.db_table
        assert sum(table in q["sql"] for q in queries.captured_queries) == 1
        assert Passage.objects.exclude(flag="").count() == 160

    def test_one_passage_logged_by_hand_is_flagged_too(self):
        passage = services.passage_log(
            actor=self.inspector,
            checkpoint=self.checkpoint,
            at=NOW - timedelta(minutes=1),
            direction="in",
            subject="vehicle",
            result="fast_passed",
            plate="蒙M10002",
            pass_serial=self.revoked.serial,
        )
        assert passage.flag == "pass_revoked"
        page = self.client_for(self.inspector).post(
            f"/checkpoints/{self.checkpoint.pk}/passages/",
            {
                "at": "2020-02-10T11:58",
                "direction": "in",
                "subject": "vehicle",
                "plate": "蒙M10009",
                "result": "fast_passed",
            },
            follow=True,
        )
        assert Passage.objects.filter(plate="蒙M10009").get().flag == "pass_missing"
        assert "无通行证编号" in page.content.decode()

    def test_the_checkpoint_page_shows_the_flags_and_filters_by_them(self):
        yesterday = self.fast(self.expired.serial, at=NOW - timedelta(days=1))
        self.post([self.fast(self.good.serial), self.fast("152921-NOSUCH"), yesterday])
        url = f"/checkpoints/{self.checkpoint.pk}/"
        page = self.client_for(self.officer).get(url).content.decode()
        assert page.count('data-testid="flagged-passage"') == 1  # today's list: two passages
        assert 'data-flag="pass_unknown"' in page
        assert 'data-testid="flagged-banner"' in page
        assert "通行证未在系统中登记" in page or "Pass unknown" in page
        only = self.client_for(self.officer).get(url, {"flagged": "1"}).content.decode()
        assert only.count('data-testid="flagged-passage"') == 2  # every day's flagged passages
        assert only.count("<tr") == 3  # the header row and the two flagged ones
        assert 'data-flag="pass_expired"' in only
