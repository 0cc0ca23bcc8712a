"""Two keepers put the same person on duty at the same moment: only one shift is stored.
Runs on PostgreSQL with ``FANGKONG_DATABASE_URL`` (row locks), and on SQLite (one writer)."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from fangkong.accounts.models import User
from fangkong.accounts.roles import Role
from fangkong.checkpoints import services
from fangkong.checkpoints.models import Checkpoint, Shift
from fangkong.core.models import AuditEntry
from fangkong.divisions.models import Division
from fangkong.divisions.services import divisions_load_file
from fangkong.test import BAYANHAOTE, LEFT_BANNER, make_user

from .helpers import opened


@pytest.mark.django_db(transaction=True)
def test_two_creates_at_once_for_the_same_person_store_one_and_refuse_the_other():
    if not Division.objects.exists():
        divisions_load_file(path=Path(settings.BASE_DIR) / "data" / "alxa_divisions.csv")
    keeper = make_user("race_keeper", Role.STAFF, LEFT_BANNER)
    officer = make_user("race_cmd", Role.COMMANDER, LEFT_BANNER)
    make_user("race_person", Role.INSPECTOR, BAYANHAOTE, display_name="乌日娜")
    make_user("race_lead_1", Role.INSPECTOR, BAYANHAOTE)
    make_user("race_lead_2", Role.INSPECTOR, BAYANHAOTE)
    east = opened(keeper, officer, name="东口")
    west = opened(keeper, officer, name="西口")
    assert east.opened_at is not None
    start = east.opened_at + timedelta(hours=1)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    failures: list[BaseException] = []

    def book(checkpoint_id: int, leader: str) -> None:
        try:
            actor = User.objects.get(username="race_keeper")
            target = Checkpoint.objects.get(pk=checkpoint_id)
            lead = User.objects.get(username=leader)
            person = User.objects.get(username="race_person")
            barrier.wait()
            try:
                services.shift_create(
                    actor=actor,
                    checkpoint=target,
                    starts_at=start,
                    ends_at=start + timedelta(hours=8),
                    leader=lead,
                    members=[person],
                )
                outcomes.append("stored")
            except services.DoubleBooked as exc:
                outcomes.append("refused: " + " ".join(exc.messages))
        except BaseException as exc:  # reported below
            failures.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=book, args=(east.pk, "race_lead_1")),
        threading.Thread(target=book, args=(west.pk, "race_lead_2")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert failures == []
    assert sorted(o.split(":")[0] for o in outcomes) == ["refused", "stored"]
    refusal = next(o for o in outcomes if o.startswith("refused"))
    assert "乌日娜" in refusal
    assert Shift.objects.filter(members__username="race_person").count() == 1
    assert AuditEntry.objects.filter(verb="checkpoint.shift_create").count() == 1
