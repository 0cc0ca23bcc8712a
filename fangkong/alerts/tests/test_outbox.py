"""The outbox: written with the alert, sent through a real local HTTP gateway, retried with
backoff on its failures, each attempt logged with its answer, never sent twice; preferences,
quiet hours, the hourly limit; phone numbers never in full in a log."""

from __future__ import annotations

import tempfile
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangkong.accounts.roles import Role
from fangkong.alerts import kinds
from fangkong.alerts.gateways import GatewayConfigError, HttpGateway
from fangkong.alerts.kinds import SUMU_OFFICE, EventKind
from fangkong.alerts.models import Delivery, DeliveryAttempt, Preference, Severity
from fangkong.alerts.outbox import in_quiet_hours, outbox_send_due
from fangkong.alerts.services import raise_event
from fangkong.alerts.tests.gateway import Gateway
from fangkong.test import BAYANHAOTE, BaseTestCase, make_user

TZ = ZoneInfo("Asia/Shanghai")
VILLAGE = "152921110200"
PHONE = "13812345678"
NOTICE = "test_notice"


def _kind_for_tests() -> None:
    if NOTICE not in kinds.KINDS:
        kinds.register(
            EventKind(
                name=NOTICE,
                title=_("Fever recorded"),
                text=_(
                    "%(person)s in %(place)s: %(temperature)s °C at the daily check (%(when)s)."
                ),
                severity=Severity.WARNING,
                audience=(SUMU_OFFICE,),
                params=("person", "place", "temperature", "when"),
            )
        )


def fever(key: str, kind: str = kinds.FEVER_RECORDED):
    with transaction.atomic():
        return raise_event(
            kind,
            key=key,
            division_code=VILLAGE,
            params={
                "person": "王五",
                "place": "南田",
                "temperature": "38.6",
                "when": "02-05 17:00",
            },
        )


class OutboxTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        _kind_for_tests()
        cls.sumu = make_user("sumu_officer", Role.GRASSROOTS, BAYANHAOTE, phone=PHONE)
        cls.no_phone = make_user("no_phone", Role.GRASSROOTS, BAYANHAOTE)
        cls.english = make_user("english", Role.GRASSROOTS, BAYANHAOTE, phone="13900001111")
        Preference.objects.create(user=cls.english, language="en")
        cls.secret = Path(tempfile.mkdtemp()) / "sms-credentials"
        cls.secret.write_text("hq-sms:s3cret\n", encoding="utf-8")

    def setUp(self) -> None:
        self.gateway = Gateway().start()
        self.addCleanup(self.gateway.stop)
        self.settings_override = override_settings(
            FANGKONG_SMS_BACKEND="http",
            FANGKONG_SMS_URL=self.gateway.url,
            FANGKONG_SMS_CREDENTIALS_FILE=str(self.secret),
            FANGKONG_SMS_TIMEOUT=1,
        )
        self.settings_override.enable()
        self.addCleanup(self.settings_override.disable)

    def due_now(self) -> None:
        Delivery.objects.exclude(status="sent").update(next_attempt_at=timezone.now())

    def test_the_outbox_row_is_written_with_the_alert_in_the_recipients_language(self):
        event = fever("c1")
        rows = {d.recipient.username: d for d in Delivery.objects.select_related("recipient")}
        assert set(rows) == {"sumu_officer", "english"}  # nobody without a phone
        assert rows["sumu_officer"].text.startswith("发现发热: 南田 王五：每日健康监测体温 38.6")
        assert rows["english"].text == (
            "Fever recorded: 王五 in 南田: 38.6 °C at the daily check (02-05 17:00)."
        )
        assert all(d.alert.event_id == event.pk and d.status == "pending" for d in rows.values())

    def test_a_rolled_back_event_leaves_no_outbox_row(self):
        with pytest.raises(RuntimeError), transaction.atomic():
            fever("c1")
            raise RuntimeError("the caller fails")
        assert not Delivery.objects.exists()

    def test_sent_through_the_gateway_once_with_credentials_and_logged(self):
        fever("c1")
        assert outbox_send_due() == {"sent": 2}
        assert outbox_send_due() == {}  # nothing is sent twice
        assert len(self.gateway.requests) == 2
        first = next(r for r in self.gateway.requests if r.body["to"] == PHONE)
        assert first.headers["Authorization"] == "Basic aHEtc21zOnMzY3JldA=="
        assert first.body["text"].startswith("发现发热")
        delivery = Delivery.objects.get(phone=PHONE)
        assert first.headers["Idempotency-Key"] == delivery.key == first.body["id"]
        assert delivery.status == "sent" and delivery.gateway_id.startswith("m")
        attempt = DeliveryAttempt.objects.get(delivery=delivery)
        assert (attempt.outcome, attempt.http_status) == ("sent", 200)
        assert '"status": "accepted"' in attempt.answer

    def test_a_500_is_retried_with_backoff_and_each_attempt_logged(self):
        self.gateway.then("500", "503")
        fever("c1")
        before = timezone.now()
        assert outbox_send_due() == {"retry": 2}
        for delivery in Delivery.objects.all():
            assert delivery.status == "pending" and delivery.attempts == 1
            wait = delivery.next_attempt_at - before
            assert timedelta(seconds=29) < wait < timedelta(seconds=32)
        assert outbox_send_due() == {}  # not due yet
        self.due_now()
        assert outbox_send_due() == {"sent": 2}
        log = list(
            DeliveryAttempt.objects.order_by("delivery_id", "number").values_list(
                "number", "outcome", "http_status"
            )
        )
        assert sorted(log) == [
            (1, "retry", 500),
            (1, "retry", 503),
            (2, "sent", 200),
            (2, "sent", 200),
        ]
        assert "gateway says 50" in DeliveryAttempt.objects.filter(number=1).first().answer
        # The second try waits twice as long as the first.
        self.gateway.then("500", "500", "500", "500")
        fever("c2")
        outbox_send_due()
        self.due_now()
        start = timezone.now()
        outbox_send_due()
        row = Delivery.objects.filter(alert__event__key="c2").first()
        assert row.attempts == 2
        assert timedelta(seconds=59) < row.next_attempt_at - start < timedelta(seconds=62)

    def test_a_timeout_is_retried_and_a_slow_answer_in_time_is_sent(self):
        self.gateway.then(("slow", 1.6), ("slow", 0.3))
        fever("c1")
        counts = outbox_send_due()
        assert counts == {"retry": 1, "sent": 1}
        timed_out = DeliveryAttempt.objects.get(outcome="retry")
        assert timed_out.http_status is None and timed_out.answer == "no answer within 1 s"
        self.due_now()
        assert outbox_send_due() == {"sent": 1}
        # The gateway had delivered the timed-out message late: the retry carries the same key
        # and the gateway answers with the first message's id instead of sending it again.
        assert Delivery.objects.filter(status="sent").count() == 2
        assert len(self.gateway.delivered) == 2

    def test_a_refused_connection_is_retried(self):
        fever("c1")
        with override_settings(FANGKONG_SMS_URL="http://127.0.0.1:9/sms"):
            assert outbox_send_due() == {"retry": 2}
        assert DeliveryAttempt.objects.filter(answer__startswith="connection failed").count() == 2

    def test_a_rejected_message_fails_at_once_and_retries_stop_at_the_limit(self):
        self.gateway.then("400")
        fever("c1")
        with override_settings(FANGKONG_SMS_MAX_ATTEMPTS=2):
            self.gateway.then("500", "500")
            counts = outbox_send_due()
            assert counts == {"failed": 1, "retry": 1}
            self.due_now()
            assert outbox_send_due() == {"failed": 1}
        statuses = sorted(Delivery.objects.values_list("status", "attempts"))
        assert statuses == [("failed", 1), ("failed", 2)]

    def test_phone_numbers_never_appear_in_full_in_logs_or_answers(self):
        self.gateway.then("echo", "echo")
        fever("c1")
        with self.assertLogs("fangkong.alerts", level="INFO") as logs:
            outbox_send_due()
        text = "\n".join(logs.output)
        assert "138****5678" in text
        assert PHONE not in text and "13900001111" not in text
        answers = " ".join(DeliveryAttempt.objects.values_list("answer", flat=True))
        assert "138****5678" in answers and PHONE not in answers

    def test_the_console_backend_logs_the_message_with_the_phone_masked(self):
        fever("c1")
        with (
            override_settings(FANGKONG_SMS_BACKEND="console"),
            self.assertLogs("fangkong.alerts.sms", level="INFO") as logs,
        ):
            assert outbox_send_due() == {"sent": 2}
        assert any("138****5678" in line and "发现发热" in line for line in logs.output)
        assert PHONE not in "\n".join(logs.output)

    def test_each_recipient_gets_at_most_the_hourly_limit(self):
        with override_settings(FANGKONG_SMS_PER_HOUR=2):
            for key in ("c1", "c2", "c3"):
                fever(key)
            counts = outbox_send_due()
        assert counts == {"sent": 4, "held": 2}
        held = Delivery.objects.filter(held_for="rate_limit")
        assert held.count() == 2 and all(d.status == "pending" for d in held)
        for d in held:
            assert d.next_attempt_at > timezone.now() + timedelta(minutes=59)

    def test_preferences_and_quiet_hours_hold_back_what_is_not_urgent(self):
        Preference.objects.create(user=self.sumu, sms=False)
        fever("n1", kind=NOTICE)
        assert set(Delivery.objects.values_list("recipient__username", flat=True)) == {"english"}
        fever("u1")  # urgent: SMS whatever the preference
        assert Delivery.objects.filter(recipient=self.sumu).count() == 1
        Preference.objects.filter(user=self.english).update(min_severity="urgent")
        fever("n2", kind=NOTICE)
        assert not Delivery.objects.filter(alert__event__key="n2").exists()
        Preference.objects.filter(user=self.english).update(
            min_severity="info", quiet_start=time(22, 0), quiet_end=time(7, 0)
        )

        with time_machine.travel(datetime(2020, 2, 5, 23, 30, tzinfo=TZ), tick=False):
            fever("n3", kind=NOTICE)
            fever("u2")
        quiet = Delivery.objects.get(alert__event__key="n3", recipient=self.english)
        assert quiet.held_for == "quiet_hours"
        assert quiet.next_attempt_at == datetime(2020, 2, 6, 7, 0, tzinfo=TZ)
        urgent = Delivery.objects.get(alert__event__key="u2", recipient=self.english)
        assert urgent.held_for == "" and urgent.next_attempt_at == datetime(
            2020, 2, 5, 23, 30, tzinfo=TZ
        )

    def test_a_row_left_sending_by_a_dead_worker_is_taken_over_after_the_stale_time(self):
        fever("c1")
        delivery = Delivery.objects.get(phone=PHONE)
        Delivery.objects.exclude(pk=delivery.pk).delete()
        # A worker claimed it and died before any answer.
        DeliveryAttempt.objects.create(delivery=delivery, number=1, started_at=timezone.now())
        Delivery.objects.filter(pk=delivery.pk).update(
            status="sending", attempts=1, claimed_at=timezone.now()
        )
        assert outbox_send_due() == {}  # not stale yet
        Delivery.objects.filter(pk=delivery.pk).update(
            claimed_at=timezone.now() - timedelta(minutes=3)
        )
        assert outbox_send_due() == {"sent": 1}
        log = list(delivery.log.order_by("number").values_list("number", "outcome"))
        assert log == [(1, "superseded"), (2, "sent")]


def test_quiet_hours_across_midnight():
    at = datetime(2020, 2, 5, 23, 0, tzinfo=TZ)
    assert in_quiet_hours(at, time(22), time(7)) == datetime(2020, 2, 6, 7, tzinfo=TZ)
    assert in_quiet_hours(at.replace(hour=6), time(22), time(7)) == datetime(
        2020, 2, 5, 7, tzinfo=TZ
    )
    assert in_quiet_hours(at.replace(hour=12), time(22), time(7)) is None
    assert in_quiet_hours(at.replace(hour=12), time(12), time(14)) == at.replace(hour=14)
    assert in_quiet_hours(at, None, time(7)) is None


def test_a_badly_configured_gateway_says_what_is_wrong(tmp_path):
    with pytest.raises(GatewayConfigError, match="FANGKONG_SMS_URL"):
        HttpGateway(url="ftp://x", template='{"to": "{phone}", "text": "{text}"}')
    with pytest.raises(GatewayConfigError, match=r"must contain \{text\}"):
        HttpGateway(url="http://x", template='{"to": "{phone}"}')
    with pytest.raises(GatewayConfigError, match="FANGKONG_SMS_CREDENTIALS_FILE"):
        HttpGateway(
            url="http://x",
            template='{"to": "{phone}", "text": "{text}"}',
            credentials_file=str(tmp_path / "missing"),
        )
    token = tmp_path / "token"
    token.write_text("abc123\n")
    gateway = HttpGateway(
        url="http://x", template='{"to": "{phone}", "text": "{text}"}', credentials_file=str(token)
    )
    assert gateway.authorization == "Bearer abc123"
    assert (
        gateway.body(phone="1", text='say "hi"\n', key="k")
        == b'{"to": "1", "text": "say \\"hi\\"\\n"}'
    )
