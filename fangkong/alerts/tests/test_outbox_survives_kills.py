"""Reliability: the task worker is SIGKILLed while the gateway holds its request; after a
restart every alert's SMS is delivered, none lost, none delivered twice.

Runs a real ``db_worker`` against the test database (PostgreSQL or the SQLite test file) and a
real HTTP gateway on 127.0.0.1.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection, transaction

from fangkong.accounts.roles import Role
from fangkong.alerts import kinds
from fangkong.alerts.models import Delivery, DeliveryAttempt
from fangkong.alerts.services import raise_event
from fangkong.alerts.tests.gateway import Gateway
from fangkong.divisions.models import Division
from fangkong.divisions.services import divisions_load_file
from fangkong.test import BAYANHAOTE, LEFT_BANNER, make_user

ROOT = Path(settings.BASE_DIR)
VILLAGE = "152921110200"
EVENTS = 6


def _database_url() -> str:
    db = settings.DATABASES["default"]
    if connection.vendor == "postgresql":
        auth = quote(db.get("USER") or "postgres")
        if db.get("PASSWORD"):
            auth += ":" + quote(db["PASSWORD"])
        host = f"{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}"
        return f"postgresql://{auth}@{host}/{db['NAME']}"
    return f"sqlite:///{db['NAME']}"


class Worker:
    def __init__(self, gateway_url: str) -> None:
        self.proc: subprocess.Popen[bytes] | None = None
        self.env = {
            **os.environ,
            "FANGKONG_DATABASE_URL": _database_url(),
            "PYTHONPATH": str(ROOT),
            "FANGKONG_LOG_LEVEL": "WARNING",
            "FANGKONG_SMS_BACKEND": "http",
            "FANGKONG_SMS_URL": gateway_url,
            "FANGKONG_SMS_TIMEOUT": "5",
            "FANGKONG_SMS_STALE_SECONDS": "2",
            "FANGKONG_SMS_RETRY_SECONDS": "1",
        }

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "db_worker",
                "--interval",
                "0.2",
                "--no-startup-delay",
                "--no-reload",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()


@pytest.mark.django_db(transaction=True)
def test_no_sms_is_lost_or_delivered_twice_when_the_worker_is_killed_mid_send():
    if not Division.objects.exists():
        divisions_load_file(path=ROOT / "data" / "alxa_divisions.csv")
    make_user("kill_sumu", Role.GRASSROOTS, BAYANHAOTE, phone="13800000001")
    make_user("kill_officer", Role.COMMANDER, LEFT_BANNER, phone="13800000002")
    make_user("kill_staff", Role.STAFF, LEFT_BANNER, phone="13800000003")
    gateway = Gateway().start()
    # The third request is held for 3 s: the worker is killed while it waits for the answer.
    gateway.then("ok", "ok", ("slow", 3.0))
    for n in range(EVENTS):
        with transaction.atomic():
            raise_event(
                kinds.FEVER_RECORDED,
                key=f"kill:{n}",
                division_code=VILLAGE,
                params={"person": f"人{n}", "place": "南田", "temperature": "38.5", "when": "now"},
            )
    keys = set(Delivery.objects.values_list("alert_id", flat=True))
    assert Delivery.objects.count() == EVENTS * 3 == len(keys)
    expected = {d.key for d in Delivery.objects.all()}

    worker = Worker(gateway.url)
    worker.start()
    try:
        assert gateway.arrived.wait(60), "the worker never reached the gateway"
        time.sleep(0.3)
        worker.kill()  # mid-send: the gateway holds the request and will deliver it
        in_flight = Delivery.objects.filter(status="sending")
        assert in_flight.count() == 1
        killed_key = in_flight.get().key
        time.sleep(3.2)  # the gateway delivers the message the dead worker sent
        assert killed_key in gateway.delivered
        worker.start()
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if Delivery.objects.exclude(status="sent").count() == 0:
                break
            time.sleep(0.3)
    finally:
        worker.kill()
        gateway.stop()

    assert Delivery.objects.exclude(status="sent").count() == 0, list(
        Delivery.objects.exclude(status="sent").values_list("status", "attempts")
    )
    # Not one lost: the gateway delivered every alert+recipient's message...
    assert set(gateway.delivered) == expected
    # ...and not one twice: one message per key; only the killed one was asked for again, with
    # its own key, and the gateway answered with the message it had already sent.
    asked = [r.headers["Idempotency-Key"] for r in gateway.requests]
    assert len(asked) == len(expected) + 1
    assert [k for k in set(asked) if asked.count(k) > 1] == [killed_key]
    taken_over = Delivery.objects.get(status="sent", attempts=2)
    assert taken_over.key == killed_key
    assert taken_over.gateway_id == gateway.delivered[killed_key]
    assert list(taken_over.log.values_list("outcome", flat=True).order_by("number")) == [
        "superseded",
        "sent",
    ]
    assert DeliveryAttempt.objects.filter(outcome="sent").count() == len(expected)
