"""Periodic reviews: moving the review dates due in a period by some months, and back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.assistance import rules
from fangkong.assistance.models import (
    Household,
    HouseholdStatus,
    ReviewExtension,
    ReviewExtensionItem,
)
from fangkong.assistance.services.permissions import EXTEND, _require
from fangkong.core.audit import record_audit
from fangkong.divisions.models import Division


def reviews_due_in(division_code: str, due_from: date, due_to: date) -> Any:
    return Household.objects.filter(
        division_code__startswith=division_code,
        status=HouseholdStatus.ACTIVE,
        next_review_date__gte=due_from,
        next_review_date__lte=due_to,
    )


@dataclass(frozen=True)
class ExtensionOutcome:
    extension: ReviewExtension | None
    households: int
    applied: bool  # False: a dry run, or this window was already extended


def review_extension_apply(
    *,
    actor: Any,
    division: Division,
    due_from: date,
    due_to: date,
    months: int,
    dry_run: bool = False,
) -> ExtensionOutcome:
    """Move every review due in [due_from, due_to] in a division by ``months``.

    Applying the same window twice extends once: the second call returns the first extension.
    """
    _require(actor, EXTEND, division.code)
    if due_to < due_from:
        raise ValidationError(_("The end of the period must not come before its start."))
    if not 1 <= months <= 24:
        raise ValidationError(_("Extend by 1 to 24 months."))
    with transaction.atomic():
        already = ReviewExtension.objects.filter(
            division_code=division.code, due_from=due_from, due_to=due_to, reverted_at__isnull=True
        ).first()
        if already is not None:
            return ExtensionOutcome(already, already.household_count, False)
        households = list(
            reviews_due_in(division.code, due_from, due_to)
            .select_for_update()
            .only("id", "next_review_date", "division_code")
        )
        if dry_run:
            return ExtensionOutcome(None, len(households), False)
        try:
            with transaction.atomic():
                extension = ReviewExtension.objects.create(
                    division=division,
                    division_code=division.code,
                    due_from=due_from,
                    due_to=due_to,
                    months=months,
                    household_count=len(households),
                    applied_by=actor,
                )
        except IntegrityError:
            existing = ReviewExtension.objects.get(
                division_code=division.code,
                due_from=due_from,
                due_to=due_to,
                reverted_at__isnull=True,
            )
            return ExtensionOutcome(existing, existing.household_count, False)
        items = []
        for h in households:
            assert h.next_review_date is not None
            new = rules.add_months(h.next_review_date, months)
            items.append(
                ReviewExtensionItem(
                    extension=extension, household=h, old_date=h.next_review_date, new_date=new
                )
            )
            h.next_review_date = new
        ReviewExtensionItem.objects.bulk_create(items, batch_size=2000)
        Household.objects.bulk_update(households, ["next_review_date"], batch_size=2000)
        record_audit(
            actor,
            "review_extension.apply",
            extension,
            due_from=due_from,
            due_to=due_to,
            months=months,
            households=len(households),
        )
        return ExtensionOutcome(extension, len(households), True)


@transaction.atomic
def review_extension_revert(*, actor: Any, extension: ReviewExtension) -> int:
    """Put back the review dates an extension moved (those not changed since)."""
    extension = ReviewExtension.objects.select_for_update().get(pk=extension.pk)
    _require(actor, EXTEND, extension.division_code)
    if extension.reverted_at is not None:
        raise ValidationError(_("This extension was already reverted."))
    restored = 0
    for item in extension.items.all().iterator(chunk_size=2000):
        restored += Household.objects.filter(
            pk=item.household_id, next_review_date=item.new_date
        ).update(next_review_date=item.old_date)
    extension.reverted_at = timezone.now()
    extension.reverted_by = actor
    extension.save(update_fields=["reverted_at", "reverted_by", "updated_at"])
    record_audit(actor, "review_extension.revert", extension, restored=restored)
    return restored
