"""The events checkpoints raise through the alerts app (kinds are in ``fangkong.alerts.kinds``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.urls import reverse
from django.utils import timezone

from fangkong.alerts import kinds
from fangkong.alerts.services import raise_event
from fangkong.checkpoints.models import Checkpoint


def flagged_passage_alerts(
    *, actor: Any, checkpoint: Checkpoint, rows: Iterable[dict[str, Any]]
) -> None:
    """Each newly stored passage flagged on an invalid pass alerts the HQ that issued the pass
    (when the server knows it: ``flag_fast_passes`` leaves its code in ``issuer_code``) and the
    HQ of the checkpoint's banner: one event per passage, inside the transaction storing it."""
    flagged = [row for row in rows if row.get("flag")]
    if not flagged:
        return
    url = reverse("checkpoints:checkpoint-detail", args=[checkpoint.pk])
    for row in flagged:
        at = row["at"]
        raise_event(
            kinds.PASSAGE_INVALID_PASS,
            key=f"passage:{row['client_uuid']}",
            division_code=checkpoint.division_code,
            params={
                "plate": row.get("plate") or row.get("pass_serial") or "—",
                "checkpoint": checkpoint.name,
                "when": timezone.localtime(at).strftime("%m-%d %H:%M"),
                "reason": row["flag"],
            },
            url=url,
            actor=actor,
            places={"issuer": row.get("issuer_code", "")},
        )


def request_waiting_alert(*, actor: Any, checkpoint: Checkpoint) -> None:
    """A new checkpoint request alerts the commanders of the HQ that approves it (once)."""
    raise_event(
        kinds.CHECKPOINT_REQUEST_WAITING,
        key=f"checkpoint:{checkpoint.pk}",
        division_code=checkpoint.division_code,
        params={
            "checkpoint": checkpoint.name,
            "place": checkpoint.division.short_name,
            "by": str(actor) if actor is not None else "—",
        },
        url=reverse("checkpoints:checkpoint-detail", args=[checkpoint.pk]),
        actor=actor,
        places={"approver": checkpoint.approval_code},
    )
