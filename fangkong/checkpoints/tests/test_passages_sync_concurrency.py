"""Two devices (or a device and its own retry) upload the same batch at the same moment."""

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
from fangkong.checkpoints.models import Checkpoint, Passage
from fangkong.divisions.models import Division
from fangkong.divisions.services import divisions_load_file
from fangkong.test import BAYANHAOTE, LEFT_BANNER, make_user

from .helpers import item, opened


@pytest.mark.django_db(transaction=True)
def test_the_same_batch_uploaded_twice_at_once_is_stored_once():
    if not Division.objects.exists():
        divisions_load_file(path=Path(settings.BASE_DIR) / "data" / "alxa_divisions.csv")
    colleague = make_user("race_staff", Role.STAFF, LEFT_BANNER)
    officer = make_user("race_officer", Role.COMMANDER, LEFT_BANNER)
    make_user("race_inspector", Role.INSPECTOR, BAYANHAOTE)
    checkpoint = opened(colleague, officer)
    assert checkpoint.opened_at is not None
    batch = [item(checkpoint.opened_at + timedelta(seconds=i + 1)) for i in range(300)]
    barrier = threading.Barrier(2)
    outcomes: list[list[str]] = []
    failures: list[BaseException] = []

    def upload() -> None:
        try:
            actor = User.objects.get(username="race_inspector")
            target = Checkpoint.objects.get(pk=checkpoint.pk)
            barrier.wait()
            results = services.passages_sync(actor=actor, checkpoint=target, items=batch)
            outcomes.append([r.outcome for r in results])
        except BaseException as exc:  # reported below
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=upload) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert failures == []
    assert len(outcomes) == 2
    for first, second in zip(outcomes[0], outcomes[1], strict=True):
        assert {first, second} == {"stored", "duplicate"}
    assert Passage.objects.count() == len(batch)
