"""Households: the civil-affairs roster import, registration and status changes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from fangkong.assistance import metrics
from fangkong.assistance.models import Category, Household, HouseholdMember, HouseholdStatus
from fangkong.assistance.roster import read_roster
from fangkong.assistance.services.permissions import CASEWORK, _require
from fangkong.core.audit import record_audit
from fangkong.core.numbers import number_error
from fangkong.core.rollups import bump
from fangkong.divisions.models import Division
from fangkong.lib.ids import InvalidNumber, normalize_mobile, parse_id_number
from fangkong.lib.masking import mask_id_number
from fangkong.lib.spreadsheet import Problem, SpreadsheetError


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    members: int


def households_import(*, actor: Any, stream: IO[bytes], filename: str = "") -> ImportResult:
    """Import the civil-affairs roster: every row checked first, then all or nothing."""
    rows = read_roster(stream, filename)
    errors: list[Problem] = []
    codes = {row.division_code for row in rows}
    divisions = {d.code: d for d in Division.objects.filter(code__in=codes)}
    for row in rows:
        division = divisions.get(row.division_code)
        if division is None:
            errors.append(
                Problem(
                    row.row,
                    "区划代码",
                    gettext_noop("no division %(code)s"),
                    {"code": row.division_code},
                )
            )
        elif not actor.can(CASEWORK, row.division_code):
            errors.append(
                Problem(
                    row.row,
                    "区划代码",
                    gettext_noop("%(code)s is outside your jurisdiction"),
                    {"code": row.division_code},
                )
            )
    if errors:
        raise SpreadsheetError(problems=errors)
    existing = {
        h.head_id_number: h
        for h in Household.objects.filter(head_id_number__in=[r.head.id_number for r in rows])
    }
    for row in rows:
        found = existing.get(row.head.id_number)
        if found is not None and not actor.can(CASEWORK, found.division_code):
            errors.append(
                Problem(
                    row.row,
                    "身份证号",
                    gettext_noop("this household is registered outside your jurisdiction"),
                )
            )
    if errors:
        raise SpreadsheetError(problems=errors)
    now = timezone.now()
    today = metrics.day_of(now)
    created = updated = member_count = 0
    with transaction.atomic():
        for row in rows:
            household = existing.get(row.head.id_number)
            fields = {
                "division": divisions[row.division_code],
                "division_code": row.division_code,
                "head_name": row.head.name,
                "head_phone": row.head.phone,
                "address": row.address,
                "category": row.category,
                "monthly_allowance": row.allowance,
                "next_review_date": row.next_review,
            }
            if household is None:
                household = Household.objects.create(head_id_number=row.head.id_number, **fields)
                bump(metrics.HOUSEHOLDS_ACTIVE, row.division_code, today)
                created += 1
            else:
                if household.status == HouseholdStatus.ACTIVE:
                    bump(metrics.HOUSEHOLDS_ACTIVE, household.division_code, today, -1)
                    bump(metrics.HOUSEHOLDS_ACTIVE, row.division_code, today)
                for key, value in fields.items():
                    setattr(household, key, value)
                household.save()
                household.members.all().delete()
                updated += 1
            HouseholdMember.objects.bulk_create(
                [
                    HouseholdMember(
                        household=household,
                        name=m.name,
                        relation=m.relation,
                        id_number=m.id_number,
                        phone=m.phone,
                    )
                    for m in row.members
                ]
            )
            member_count += len(row.members)
        record_audit(
            actor,
            "household.import",
            None,
            division_code=min(codes, key=len) if len(codes) == 1 else "",
            filename=filename,
            created=created,
            updated=updated,
            members=member_count,
        )
    return ImportResult(created, updated, member_count)


@transaction.atomic
def household_register(
    *,
    actor: Any,
    division: Division,
    head_name: str,
    head_id_number: str,
    head_phone: str = "",
    address: str = "",
    category: str,
    monthly_allowance: Decimal = Decimal(0),
    next_review_date: date | None = None,
) -> Household:
    _require(actor, CASEWORK, division.code)
    try:
        number = parse_id_number(head_id_number).number
        phone = normalize_mobile(head_phone) if head_phone else ""
    except InvalidNumber as exc:
        raise ValidationError(number_error(exc)) from None
    if Category(category) and monthly_allowance < 0:
        raise ValidationError(_("The allowance cannot be negative."))
    if Household.objects.filter(head_id_number=number).exists():
        raise ValidationError(_("A household with this head's ID number is already registered."))
    household = Household.objects.create(
        division=division,
        division_code=division.code,
        head_name=head_name,
        head_id_number=number,
        head_phone=phone,
        address=address,
        category=category,
        monthly_allowance=monthly_allowance,
        next_review_date=next_review_date,
    )
    bump(metrics.HOUSEHOLDS_ACTIVE, division.code, metrics.day_of(household.created_at))
    record_audit(actor, "household.register", household, id_number=mask_id_number(number))
    return household


HOUSEHOLD_TRANSITIONS = {
    HouseholdStatus.ACTIVE: {HouseholdStatus.SUSPENDED, HouseholdStatus.CLOSED},
    HouseholdStatus.SUSPENDED: {HouseholdStatus.ACTIVE, HouseholdStatus.CLOSED},
    HouseholdStatus.CLOSED: set(),
}


@transaction.atomic
def household_set_status(
    *, actor: Any, household: Household, status: str, reason: str
) -> Household:
    """Suspend, reinstate or close a household (closed is final); a reason is required."""
    household = Household.objects.select_for_update().get(pk=household.pk)
    _require(actor, CASEWORK, household.division_code)
    target = HouseholdStatus(status)
    if target not in HOUSEHOLD_TRANSITIONS[HouseholdStatus(household.status)]:
        raise ValidationError(
            _("A household that is %(from)s cannot become %(to)s.")
            % {"from": household.get_status_display(), "to": target.label}
        )
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the change.")})
    old = household.status
    household.status = target
    household.save(update_fields=["status", "updated_at"])
    day = metrics.day_of(timezone.now())
    if old == HouseholdStatus.ACTIVE:
        bump(metrics.HOUSEHOLDS_ACTIVE, household.division_code, day, -1)
    elif target == HouseholdStatus.ACTIVE:
        bump(metrics.HOUSEHOLDS_ACTIVE, household.division_code, day)
    record_audit(actor, "household.status", household, old=old, new=target, reason=reason)
    return household
