"""A fast pass logged on an invalid pass: one alert per passage, to the HQ that issued the pass
and to the HQ of the checkpoint's banner, in their language; nobody else."""

from __future__ import annotations

import json
import tempfile
from datetime import UTC, datetime, timedelta

import time_machine
from django.test import override_settings
from django.utils import translation

from fangkong.accounts.roles import Role
from fangkong.accounts.services import token_create
from fangkong.alerts import kinds
from fangkong.alerts.models import Alert, Event, Preference
from fangkong.checkpoints import services
from fangkong.checkpoints.models import Passage
from fangkong.checkpoints.tests.helpers import item, opened
from fangkong.passes import services as pass_services
from fangkong.passes.models import GreenPass
from fangkong.test import (
    BAYANHAOTE,
    LEAGUE,
    LEFT_BANNER,
    RIGHT_BANNER,
    BaseTestCase,
    division,
    make_user,
)

NOW = datetime(2020, 2, 10, 4, 0, tzinfo=UTC)
KEY_DIR = tempfile.mkdtemp(prefix="fk-alert-keys-")


def _issue(code: str, plate: str, *, valid_from: datetime, days: int = 7) -> GreenPass:
    return pass_services.pass_create_full(
        actor=None,
        division=division(code),
        plate=plate,
        cargo="medical",
        origin="152921",
        destination="银川市",
        days=days,
        now=valid_from,
    )


@override_settings(FANGKONG_KEY_DIR=KEY_DIR)
@time_machine.travel(NOW, tick=False)
class PassageAlertTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.inspector = make_user("insp", Role.INSPECTOR, BAYANHAOTE)
        cls.league_transport = make_user("league_transport", Role.TRANSPORT, LEAGUE)
        cls.right_transport = make_user("right_transport", Role.TRANSPORT, RIGHT_BANNER)
        cls.sumu = make_user("sumu_worker", Role.GRASSROOTS, BAYANHAOTE)
        Preference.objects.create(user=cls.outsider, language="en")
        with time_machine.travel(NOW - timedelta(days=3), tick=False):
            cls.checkpoint = opened(cls.colleague, cls.officer)
        with override_settings(FANGKONG_KEY_DIR=KEY_DIR):
            at = NOW - timedelta(days=2)
            for code in (LEAGUE, LEFT_BANNER, RIGHT_BANNER):
                pass_services.key_create(actor=None, division=division(code), now=at)
            cls.good = _issue(LEFT_BANNER, "蒙M10001", valid_from=at)
            cls.league_revoked = _issue(LEAGUE, "蒙M20002", valid_from=at)
            cls.right_expired = _issue(RIGHT_BANNER, "蒙B30003", valid_from=at, days=1)
            pass_services.pass_revoke(
                actor=None, green=cls.league_revoked, reason="丢失", now=NOW - timedelta(hours=1)
            )
        _token, cls.raw = token_create(actor=None, user=cls.inspector, name="phone")

    def sync(self, items):
        response = self.client.post(
            f"/api/v1/checkpoints/{self.checkpoint.pk}/passages:batch",
            data=json.dumps({"passages": items}),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {self.raw}",
        )
        assert response.status_code == 200, response.content
        return response.json()["results"]

    def fast(self, serial, plate):
        return item(
            NOW - timedelta(minutes=5),
            subject="vehicle",
            plate=plate,
            result="fast_passed",
            pass_serial=serial,
        )

    def recipients(self, event):
        return set(event.alerts.values_list("recipient__username", flat=True))

    def test_each_flagged_passage_alerts_the_issuing_and_the_local_hq_once(self):
        revoked = self.fast(self.league_revoked.serial, "蒙M20002")
        expired = self.fast(self.right_expired.serial, "蒙B30003")
        unknown = self.fast("152921-NOSUCH", "蒙M99999")
        good = self.fast(self.good.serial, "蒙M10001")
        results = self.sync([revoked, expired, unknown, good])
        assert [r["reason"] for r in results] == [
            "pass_revoked",
            "pass_expired",
            "pass_unknown",
            None,
        ]
        events = {e.key: e for e in Event.objects.filter(kind=kinds.PASSAGE_INVALID_PASS)}
        assert set(events) == {f"passage:{i['client_uuid']}" for i in (revoked, expired, unknown)}
        local = {"officer", "colleague"}  # 阿拉善左旗 HQ: the checkpoint's banner
        assert self.recipients(events[f"passage:{revoked['client_uuid']}"]) == local | {
            "league_commander",
            "league_transport",
        }
        assert self.recipients(events[f"passage:{expired['client_uuid']}"]) == local | {
            "outsider",
            "right_transport",
        }
        # An unknown pass has no issuer the server knows: the local HQ alone.
        assert self.recipients(events[f"passage:{unknown['client_uuid']}"]) == local
        for nobody in ("insp", "sumu_worker"):
            assert not Alert.objects.filter(recipient__username=nobody).exists()
        event = events[f"passage:{revoked['client_uuid']}"]
        assert event.url == f"/checkpoints/{self.checkpoint.pk}/"
        assert event.division_code == self.checkpoint.division_code
        # The passages themselves are all stored (the trucks did pass).
        assert Passage.objects.count() == 4

    def test_a_retried_batch_raises_nothing_twice(self):
        revoked = self.fast(self.league_revoked.serial, "蒙M20002")
        self.sync([revoked])
        assert self.sync([revoked])[0]["outcome"] == "duplicate"
        flagged = Event.objects.filter(kind=kinds.PASSAGE_INVALID_PASS)
        assert flagged.count() == 1
        assert Alert.objects.filter(event__in=flagged).count() == 4

    def test_the_text_is_in_each_recipients_language(self):
        self.sync([self.fast(self.right_expired.serial, "蒙B30003")])
        mine = Alert.objects.filter(event__kind=kinds.PASSAGE_INVALID_PASS)
        english = mine.get(recipient=self.outsider)
        chinese = mine.get(recipient=self.officer)
        assert (english.language, chinese.language) == ("en", "zh-hans")
        name = self.checkpoint.name
        with translation.override(english.language):
            assert english.event.text() == (
                f"蒙B30003 was fast-passed at {name} (02-10 11:55): the pass has expired."
            )
        with translation.override(chinese.language):
            assert chinese.event.title() == "无效通行证被快速放行"
            assert (
                chinese.event.text()
                == f"蒙B30003 在 {name} 被快速放行（02-10 11:55）：通行证已过期。"
            )

    def test_one_passage_logged_by_hand_alerts_too(self):
        services.passage_log(
            actor=self.inspector,
            checkpoint=self.checkpoint,
            at=NOW - timedelta(minutes=1),
            direction="in",
            subject="vehicle",
            result="fast_passed",
            plate="蒙M20002",
            pass_serial=self.league_revoked.serial,
        )
        event = Event.objects.get(kind=kinds.PASSAGE_INVALID_PASS)
        assert event.params["reason"] == "pass_revoked"
        assert self.recipients(event) == {
            "officer",
            "colleague",
            "league_commander",
            "league_transport",
        }
