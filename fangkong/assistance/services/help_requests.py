"""Help requests from the public and the hotline: answer, close, escalate when overdue."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.assistance import metrics, rules
from fangkong.assistance.alerting import help_overdue_alert
from fangkong.assistance.models import HelpChannel, HelpLevel, HelpRequest, HelpStatus
from fangkong.assistance.services.permissions import CASEWORK, _require
from fangkong.core.audit import record_audit
from fangkong.core.numbers import number_error
from fangkong.core.rollups import bump
from fangkong.divisions.models import Division
from fangkong.lib.ids import InvalidNumber, normalize_mobile
from fangkong.lib.masking import mask_phone


@transaction.atomic
def help_request_create(
    *,
    actor: Any,
    division: Division,
    name: str,
    phone: str,
    category: str,
    urgency: str,
    description: str,
    channel: str,
    address: str = "",
) -> HelpRequest:
    """A request for help from the public (actor None) or entered by staff from the hotline."""
    if channel == HelpChannel.HOTLINE:
        _require(actor, CASEWORK, division.code)
    try:
        mobile = normalize_mobile(phone)
    except InvalidNumber as exc:
        raise ValidationError({"phone": number_error(exc)}) from None
    if not description.strip():
        raise ValidationError({"description": _("Say what help is needed.")})
    now = timezone.now()
    level = rules.level_for(division.code)
    request = HelpRequest(
        division=division,
        division_code=division.code,
        name=name.strip(),
        phone=mobile,
        address=address,
        category=category,
        urgency=urgency,
        description=description.strip(),
        channel=channel,
        entered_by=actor if actor is not None and actor.is_authenticated else None,
        level=level,
        assigned_code=rules.assigned_code_for(level, division.code),
        deadline_at=now + rules.help_deadline(urgency),
        created_at=now,
    )
    for _attempt in range(5):
        request.receipt_number = rules.random_code("H", 8)
        if not HelpRequest.objects.filter(receipt_number=request.receipt_number).exists():
            break
    request.full_clean(exclude=["entered_by"])
    request.save()
    day = metrics.day_of(now)
    bump(metrics.HELP_RECEIVED, division.code, day)
    bump(metrics.HELP_OPEN, division.code, day)
    record_audit(
        actor if request.entered_by else None,
        "help_request.create",
        request,
        channel=channel,
        urgency=urgency,
        phone=mask_phone(mobile),
    )
    return request


@transaction.atomic
def help_request_answer(*, actor: Any, request: HelpRequest, note: str) -> HelpRequest:
    request = HelpRequest.objects.select_for_update().get(pk=request.pk)
    _require(actor, CASEWORK, request.division_code)
    if request.status != HelpStatus.OPEN:
        raise ValidationError(_("This request was already answered."))
    if not note.strip():
        raise ValidationError({"note": _("Write the answer the requester will see.")})
    now = timezone.now()
    request.status = HelpStatus.ANSWERED
    request.responded_at = now
    request.responded_by = actor
    request.response_note = note.strip()
    request.save(
        update_fields=["status", "responded_at", "responded_by", "response_note", "updated_at"]
    )
    day = metrics.day_of(now)
    bump(metrics.HELP_OPEN, request.division_code, day, -1)
    bump(metrics.HELP_ANSWERED, request.division_code, day)
    minutes = request.response_minutes or 0
    bump(metrics.HELP_RESPONSE_MINUTES, request.division_code, day, minutes)
    bump(*metrics.response_bump(request.division_code, day, minutes))
    record_audit(actor, "help_request.answer", request, level=request.level)
    return request


@transaction.atomic
def help_request_close(*, actor: Any, request: HelpRequest, note: str = "") -> HelpRequest:
    """Close a request; it needs a response note (the answer given, or one written now)."""
    request = HelpRequest.objects.select_for_update().get(pk=request.pk)
    _require(actor, CASEWORK, request.division_code)
    if request.status == HelpStatus.CLOSED:
        raise ValidationError(_("This request is already closed."))
    if request.status == HelpStatus.OPEN:
        if not note.strip():
            raise ValidationError({"note": _("A request is closed only with a response note.")})
        request = help_request_answer(actor=actor, request=request, note=note)
    elif note.strip():
        request.response_note = f"{request.response_note}\n{note.strip()}"
    request.status = HelpStatus.CLOSED
    request.closed_at = timezone.now()
    request.save(update_fields=["status", "closed_at", "response_note", "updated_at"])
    record_audit(actor, "help_request.close", request)
    return request


def help_requests_escalate(*, now: datetime | None = None) -> int:
    """Move every open request past its deadline one level up (gacha → sumu → banner).

    Each escalation sets a new deadline from now, so running it again before that deadline
    changes nothing: the command is idempotent. At the banner a request stays overdue.
    """
    now = now or timezone.now()
    moved = 0
    due = HelpRequest.objects.filter(
        status=HelpStatus.OPEN, deadline_at__lt=now, level__in=[HelpLevel.GACHA, HelpLevel.SUMU]
    ).values_list("pk", flat=True)
    for pk in list(due.iterator(chunk_size=2000)):
        with transaction.atomic():
            request = (
                HelpRequest.objects.select_for_update()
                .filter(pk=pk, status=HelpStatus.OPEN, deadline_at__lt=now)
                .exclude(level=HelpLevel.BANNER)
                .first()
            )
            if request is None:
                continue
            step = rules.next_level(request.level, request.division_code)
            assert step is not None
            old_level = request.level
            request.level, request.assigned_code = step
            request.deadline_at = now + rules.help_deadline(request.urgency)
            request.escalated_at = now
            request.save(
                update_fields=[
                    "level",
                    "assigned_code",
                    "deadline_at",
                    "escalated_at",
                    "updated_at",
                ]
            )
            bump(metrics.HELP_OVERDUE, request.division_code, metrics.day_of(now))
            record_audit(
                None, "help_request.escalate", request, from_level=old_level, to_level=request.level
            )
            help_overdue_alert(request=request)
            moved += 1
    return moved
