"""Reliability: the server is SIGKILLed at random moments while a device uploads 20 batches
and retries each until it is acknowledged; afterwards every passage is stored exactly once.

Runs a real gunicorn against the test database (PostgreSQL or the SQLite test file).
"""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django.db.models import Sum

from fangkong.accounts.roles import Role
from fangkong.accounts.services import token_create
from fangkong.checkpoints.models import Passage
from fangkong.core.models import DailyCount
from fangkong.divisions.models import Division
from fangkong.divisions.services import divisions_load_file
from fangkong.test import BAYANHAOTE, LEFT_BANNER, make_user

from .helpers import item, opened

ROOT = Path(settings.BASE_DIR)
BATCHES = 20
BATCH_SIZE = 250


def _database_url() -> str:
    db = settings.DATABASES["default"]
    if connection.vendor == "postgresql":
        auth = quote(db.get("USER") or "postgres")
        if db.get("PASSWORD"):
            auth += ":" + quote(db["PASSWORD"])
        host = f"{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}"
        return f"postgresql://{auth}@{host}/{db['NAME']}"
    return f"sqlite:///{db['NAME']}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    def __init__(self, port: int) -> None:
        self.port = port
        self.proc: subprocess.Popen[bytes] | None = None
        self.env = {
            **os.environ,
            "FANGKONG_DATABASE_URL": _database_url(),
            "PYTHONPATH": str(ROOT),
            "FANGKONG_LOG_LEVEL": "WARNING",
        }

    def start(self) -> None:
        self.proc = subprocess.Popen(  # noqa: S603 - our own server
            [
                sys.executable,
                "-m",
                "gunicorn",
                "fangkong.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "1",
                "--log-level",
                "warning",
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

    def wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("the server did not start")


@pytest.mark.django_db(transaction=True)
def test_every_passage_is_stored_exactly_once_despite_random_kills():
    if not Division.objects.exists():
        divisions_load_file(path=ROOT / "data" / "alxa_divisions.csv")
    colleague = make_user("kill_staff", Role.STAFF, LEFT_BANNER)
    officer = make_user("kill_officer", Role.COMMANDER, LEFT_BANNER)
    inspector = make_user("kill_inspector", Role.INSPECTOR, BAYANHAOTE)
    checkpoint = opened(colleague, officer)
    _token, raw = token_create(actor=None, user=inspector, name="kill test")
    assert checkpoint.opened_at is not None
    base = checkpoint.opened_at + timedelta(seconds=1)
    batches = [
        [item(base + timedelta(milliseconds=b * BATCH_SIZE + i)) for i in range(BATCH_SIZE)]
        for b in range(BATCHES)
    ]
    sent = {p["client_uuid"] for batch in batches for p in batch}

    port = _free_port()
    server = Server(port)
    server.start()
    server.wait_ready()
    done = threading.Event()
    kills = 0
    rng = random.Random(4)

    def killer() -> None:
        nonlocal kills
        while not done.is_set() and kills < 8:
            time.sleep(rng.uniform(0.2, 1.2))
            if done.is_set():
                break
            server.kill()
            kills += 1
            server.start()
            server.wait_ready()

    thread = threading.Thread(target=killer, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}/api/v1/checkpoints/{checkpoint.pk}/passages:batch"
    acknowledged: dict[str, str] = {}
    attempts = 0
    try:
        for batch in batches:
            body = json.dumps({"passages": batch}).encode()
            while True:
                attempts += 1
                assert attempts < 500, "the upload never got through"
                request = urllib.request.Request(
                    url,
                    data=body,
                    method="POST",
                    headers={"Authorization": f"Bearer {raw}", "Content-Type": "application/json"},
                )
                try:
                    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                        results = json.loads(response.read())["results"]
                except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                    time.sleep(0.05)
                    continue
                assert [r["client_uuid"] for r in results] == [p["client_uuid"] for p in batch]
                for r in results:
                    assert r["outcome"] in ("stored", "duplicate"), r
                    acknowledged[r["client_uuid"]] = r["outcome"]
                break
    finally:
        done.set()
        thread.join(timeout=60)
        server.kill()

    print(f"kills={kills} attempts={attempts}")
    assert kills >= 1
    assert set(acknowledged) == sent
    stored = set(Passage.objects.values_list("client_uuid", flat=True))
    assert {str(u) for u in stored} == sent
    assert Passage.objects.count() == BATCHES * BATCH_SIZE
    total = DailyCount.objects.filter(metric="checkpoints.passages.passed").aggregate(
        n=Sum("value")
    )["n"]
    assert total == BATCHES * BATCH_SIZE
