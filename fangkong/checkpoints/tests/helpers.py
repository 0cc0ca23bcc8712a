"""Builders shared by the checkpoint tests."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from fangkong.accounts.models import User
from fangkong.checkpoints import services
from fangkong.checkpoints.models import Checkpoint, Kind
from fangkong.test import BAYANHAOTE, division

VALID_ID = "152921199001010013"


def requested(
    actor: User, *, code: str = BAYANHAOTE, kind: str = Kind.VILLAGE_ENTRANCE, name: str = "东口"
) -> Checkpoint:
    return services.checkpoint_request(
        actor=actor,
        name=name,
        division=division(code),
        kind=kind,
        department="巴彦浩特镇政府",
        reason="Road entrance check",
    )


def opened(requester: User, approver: User, **kwargs: Any) -> Checkpoint:
    checkpoint = requested(requester, **kwargs)
    services.checkpoint_approve(actor=approver, checkpoint=checkpoint, reason="ok")
    services.checkpoint_open(actor=requester, checkpoint=checkpoint, reason="staffed")
    checkpoint.refresh_from_db()
    return checkpoint


def item(when: datetime, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "client_uuid": str(uuid.uuid4()),
        "at": when.isoformat(),
        "direction": "in",
        "subject": "person",
        "plate": None,
        "person_name": "张三",
        "id_number": VALID_ID,
        "temperature": 36.5,
        "result": "passed",
        "pass_serial": None,
    }
    data.update(overrides)
    return data
