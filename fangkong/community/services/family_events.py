"""Planned family events (weddings, funerals): declared, their outcome, the follow-up."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.accounts.models import User
from fangkong.community import metrics
from fangkong.community.models import FamilyEvent, FamilyEventKind, FamilyEventStatus
from fangkong.community.services.common import (
    FAMILY_EVENT_HORIZON_DAYS,
    MAX_PEOPLE,
    _choice,
    _date_within,
    _phone,
    _require_division,
    _text,
)
from fangkong.core.audit import record_audit
from fangkong.core.rollups import bump
from fangkong.divisions.models import Division


@transaction.atomic
def family_event_declare(
    *,
    actor: User,
    household_name: str,
    kind: str,
    planned_on: date,
    place: str,
    division: Division,
    expected_guests: int = 0,
    phone: str = "",
) -> FamilyEvent:
    """A household declares a planned wedding, funeral or celebration (红白事报备)."""
    _require_division(actor, division)
    today = timezone.localdate()
    event = FamilyEvent(
        household_name=_text(household_name, "household_name", max_length=60),
        phone=_phone(phone),
        kind=_choice(kind, FamilyEventKind, "kind"),
        planned_on=_date_within(
            planned_on,
            "planned_on",
            earliest=today - timedelta(days=7),
            latest=today + timedelta(days=FAMILY_EVENT_HORIZON_DAYS),
        ),
        place=_text(place, "place"),
        expected_guests=expected_guests,
        division=division,
        division_code=division.code,
        declared_by=actor,
    )
    if not 0 <= expected_guests <= MAX_PEOPLE:
        raise ValidationError(
            {"expected_guests": _("Between 0 and %(n)d people.") % {"n": MAX_PEOPLE}}
        )
    event.save()
    record_audit(actor, "family_event.declare", event, kind=event.kind, planned_on=planned_on)
    bump(metrics.FAMILY_EVENTS_DECLARED, division.code, metrics.day_of(event.created_at))
    return event


@transaction.atomic
def family_event_record_outcome(
    *,
    actor: User,
    event: FamilyEvent,
    outcome: str,
    postponed_to: date | None = None,
    conditions: str = "",
    notes: str = "",
) -> FamilyEvent:
    """declared → cancelled / postponed (to a date) / held small (under conditions)."""
    event = FamilyEvent.objects.select_for_update().get(pk=event.pk)
    if event.status != FamilyEventStatus.DECLARED:
        raise ValidationError(
            _("The outcome of this event is already recorded (%(status)s).")
            % {"status": event.get_status_display()}
        )
    _require_division(actor, event.division)
    if outcome not in (
        FamilyEventStatus.CANCELLED,
        FamilyEventStatus.POSTPONED,
        FamilyEventStatus.HELD_SMALL,
    ):
        raise ValidationError({"outcome": _("%(value)s is not an outcome.") % {"value": outcome}})
    today = timezone.localdate()
    event.postponed_to = None
    event.follow_up_on = event.planned_on
    if outcome == FamilyEventStatus.POSTPONED:
        if postponed_to is None:
            raise ValidationError({"postponed_to": _("Give the date it is postponed to.")})
        event.postponed_to = _date_within(
            postponed_to,
            "postponed_to",
            earliest=max(today, event.planned_on) + timedelta(days=1),
            latest=today + timedelta(days=FAMILY_EVENT_HORIZON_DAYS),
        )
        event.follow_up_on = event.postponed_to
    conditions = _text(conditions, "conditions", required=False, max_length=1000)
    if outcome == FamilyEventStatus.HELD_SMALL and not conditions:
        raise ValidationError(
            {"conditions": _("Say under which conditions it may be held (guests, hours...).")}
        )
    event.status = outcome
    event.conditions = conditions
    event.outcome_notes = _text(notes, "notes", required=False, max_length=1000)
    event.outcome_at = timezone.now()
    event.save(
        update_fields=[
            "status",
            "postponed_to",
            "conditions",
            "outcome_notes",
            "outcome_at",
            "follow_up_on",
            "updated_at",
        ]
    )
    record_audit(actor, "family_event.outcome", event, outcome=outcome, postponed_to=postponed_to)
    return event


@transaction.atomic
def family_event_follow_up(*, actor: User, event: FamilyEvent, notes: str) -> FamilyEvent:
    """The gacha worker checks on the day that the outcome held."""
    event = FamilyEvent.objects.select_for_update().get(pk=event.pk)
    if event.status == FamilyEventStatus.DECLARED:
        raise ValidationError(_("Record the outcome before following up."))
    if event.followed_up_at is not None:
        raise ValidationError(_("This event has already been followed up."))
    _require_division(actor, event.division)
    event.follow_up_notes = _text(notes, "notes", max_length=1000)
    event.followed_up_at = timezone.now()
    event.save(update_fields=["follow_up_notes", "followed_up_at", "updated_at"])
    record_audit(actor, "family_event.follow_up", event)
    return event
