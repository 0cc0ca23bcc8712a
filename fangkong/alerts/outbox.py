"""The transactional outbox: written with the alert, sent by the task worker.

``deliveries_create`` runs inside ``raise_event``'s transaction: each recipient who should get
the alert beyond the app gets one ``Delivery`` row (none when they have no phone, turned SMS
off, or the alert is below the severity they asked for; urgent alerts ignore those choices and
quiet hours). ``outbox_send_due`` is what the worker runs: it claims one due row at a time
(committed before the gateway is called), hands it to the gateway with its idempotency key,
and records the attempt and the gateway's answer. A failure worth retrying comes back later
(backoff doubling from ``FANGKONG_SMS_RETRY_SECONDS`` up to an hour, at most
``FANGKONG_SMS_MAX_ATTEMPTS``); a row left "being sent" by a worker that died is taken over
after ``FANGKONG_SMS_STALE_SECONDS`` and sent again with the same key. Each recipient gets at
most ``FANGKONG_SMS_PER_HOUR`` messages an hour; the rest wait their turn.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from datetime import datetime, time, timedelta
from typing import Any, Literal

from django.conf import settings
from django.db import transaction
from django.db.models import Min, Q
from django.utils import timezone, translation

from fangkong.alerts.gateways import Answer, Gateway, gateway, scrub
from fangkong.alerts.models import (
    SEVERITY_RANK,
    Alert,
    AttemptOutcome,
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
    Event,
    Preference,
    Severity,
)
from fangkong.lib.masking import mask_phone

logger = logging.getLogger("fangkong.alerts.outbox")
HOUR = timedelta(hours=1)


def in_quiet_hours(moment: datetime, start: time | None, end: time | None) -> datetime | None:
    """When ``moment`` lies in the quiet hours ``start``–``end`` (local time; they may run past
    midnight), the moment they end; else ``None``."""
    if start is None or end is None or start == end:
        return None
    local = timezone.localtime(moment)
    now = local.time()
    inside = start <= now < end if start < end else (now >= start or now < end)
    if not inside:
        return None
    ends = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    if ends <= local:
        ends += timedelta(days=1)
    return ends


def message_text(event: Event, language: str) -> str:
    with translation.override(language):
        return f"{event.title()}: {event.text()}"


def deliveries_create(event: Event, alerts: Iterable[Alert]) -> list[Delivery]:
    """The outbox rows for ``alerts`` of ``event`` (inside the event's transaction)."""
    alerts = list(alerts)
    if not alerts:
        return []
    from fangkong.accounts.models import User

    ids = [a.recipient_id for a in alerts]
    phones = dict(User.objects.filter(pk__in=ids).exclude(phone="").values_list("pk", "phone"))
    prefs = {p.user_id: p for p in Preference.objects.filter(user_id__in=ids)}
    urgent = event.severity == Severity.URGENT
    rows = []
    for alert in alerts:
        phone = phones.get(alert.recipient_id, "").replace(" ", "")
        if not phone:
            continue
        pref = prefs.get(alert.recipient_id)
        due = event.created_at
        held = ""
        if pref is not None and not urgent:
            if not pref.sms:
                continue
            if SEVERITY_RANK[Severity(event.severity)] < SEVERITY_RANK[Severity(pref.min_severity)]:
                continue
            quiet_end = in_quiet_hours(event.created_at, pref.quiet_start, pref.quiet_end)
            if quiet_end is not None:
                due, held = quiet_end, "quiet_hours"
        rows.append(
            Delivery(
                alert=alert,
                recipient_id=alert.recipient_id,
                phone=phone,
                division_code=event.division_code,
                text=message_text(event, alert.language),
                next_attempt_at=due,
                held_for=held,
                created_at=event.created_at,
            )
        )
    made = Delivery.objects.bulk_create(rows)
    for at in sorted({row.next_attempt_at for row in made}):
        schedule(at)
    return made


def schedule(at: datetime) -> None:
    """Have the worker run the outbox at ``at`` (once the current transaction commits)."""
    from fangkong.alerts.tasks import deliver_outbox

    def enqueue() -> None:
        if at <= timezone.now():
            deliver_outbox.enqueue()
        else:
            deliver_outbox.using(run_after=at).enqueue()

    transaction.on_commit(enqueue)


def backoff(attempts: int) -> timedelta:
    base = settings.FANGKONG_SMS_RETRY_SECONDS
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 3600))


def _due(now: datetime) -> Q:
    stale = now - timedelta(seconds=settings.FANGKONG_SMS_STALE_SECONDS)
    return Q(status=DeliveryStatus.PENDING, next_attempt_at__lte=now) | Q(
        status=DeliveryStatus.SENDING, claimed_at__lt=stale
    )


def _claim(now: datetime) -> tuple[Delivery, DeliveryAttempt] | Literal[False] | None:
    """Claim the next due delivery (committed). ``None``: nothing due; ``False``: the row found
    was put back for the recipient's hourly limit (look again)."""
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(_due(now))
            .order_by("next_attempt_at", "id")
            .first()
        )
        if delivery is None:
            return None
        if delivery.status == DeliveryStatus.PENDING:
            window = Delivery.objects.filter(phone=delivery.phone, sent_at__gt=now - HOUR).exclude(
                pk=delivery.pk
            )
            if window.count() >= settings.FANGKONG_SMS_PER_HOUR:
                oldest = window.aggregate(first=Min("sent_at"))["first"]
                delivery.next_attempt_at = oldest + HOUR
                delivery.held_for = "rate_limit"
                delivery.save(update_fields=["next_attempt_at", "held_for"])
                schedule(delivery.next_attempt_at)
                return False
        else:
            # Taken over from a worker that died mid-send: its attempt never got an answer.
            DeliveryAttempt.objects.filter(
                delivery=delivery, outcome=AttemptOutcome.SENDING
            ).update(outcome=AttemptOutcome.SUPERSEDED, finished_at=now)
        delivery.status = DeliveryStatus.SENDING
        delivery.claim = uuid.uuid4()
        delivery.claimed_at = now
        delivery.attempts += 1
        delivery.held_for = ""
        delivery.save(update_fields=["status", "claim", "claimed_at", "attempts", "held_for"])
        attempt = DeliveryAttempt.objects.create(
            delivery=delivery, number=delivery.attempts, started_at=now
        )
    return delivery, attempt


def _record(delivery: Delivery, attempt: DeliveryAttempt, answer: Answer) -> str:
    now = timezone.now()
    outcome = answer.outcome
    fields: dict[str, Any] = {"claim": None, "claimed_at": None}
    if outcome == "sent":
        fields.update(status=DeliveryStatus.SENT, sent_at=now, gateway_id=answer.message_id)
    elif outcome == "retry" and delivery.attempts < settings.FANGKONG_SMS_MAX_ATTEMPTS:
        fields.update(
            status=DeliveryStatus.PENDING, next_attempt_at=now + backoff(delivery.attempts)
        )
    else:
        outcome = "failed"
        fields.update(status=DeliveryStatus.FAILED)
    with transaction.atomic():
        mine = Delivery.objects.filter(
            pk=delivery.pk, claim=delivery.claim, status=DeliveryStatus.SENDING
        ).update(**fields)
        if not mine:
            outcome = AttemptOutcome.SUPERSEDED
        DeliveryAttempt.objects.filter(pk=attempt.pk).update(
            finished_at=now,
            outcome=outcome,
            http_status=answer.status,
            answer=scrub(answer.text, delivery.phone),
        )
        if mine and fields.get("status") == DeliveryStatus.PENDING:
            schedule(fields["next_attempt_at"])
    logger.info(
        "delivery %s attempt %s to %s: %s (%s) %s",
        delivery.pk,
        attempt.number,
        mask_phone(delivery.phone),
        outcome,
        answer.status or "-",
        scrub(answer.text, delivery.phone)[:120],
    )
    return str(outcome)


def outbox_send_due(*, limit: int = 200, via: Gateway | None = None) -> dict[str, int]:
    """Send what is due now, one claimed row at a time; returns counts by outcome."""
    sender = via or gateway()
    counts: dict[str, int] = {}
    for _n in range(limit):
        claimed = _claim(timezone.now())
        if claimed is None:
            break
        if claimed is False:
            counts["held"] = counts.get("held", 0) + 1
            continue
        delivery, attempt = claimed
        answer = sender.send(phone=delivery.phone, text=delivery.text, key=delivery.key)
        outcome = _record(delivery, attempt, answer)
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts
