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
