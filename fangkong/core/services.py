"""Write use cases of the core app: emergency periods."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from fangkong.core.audit import record_audit
from fangkong.core.models import EmergencyPeriod

PERIOD_FIELDS = (
    "name",
    "level",
    "starts_at",
    "ends_at",
    "simplified_assistance_approval",
    "review_extension_months",
    "observation_days",
    "notes",
)


def _validate_period(period: EmergencyPeriod) -> None:
    period.full_clean()
    if period.ends_at is not None and period.ends_at <= period.starts_at:
        raise ValidationError({"ends_at": _("The end must come after the start.")})
    overlapping = EmergencyPeriod.objects.exclude(pk=period.pk).filter(
        Q(ends_at__isnull=True) | Q(ends_at__gt=period.starts_at)
    )
    if period.ends_at is not None:
        overlapping = overlapping.filter(starts_at__lt=period.ends_at)
    first = overlapping.first()
    if first is not None:
        raise ValidationError(
            _("This period overlaps %(name)s; end that one first.") % {"name": first.name}
        )


@transaction.atomic
def emergency_period_create(*, actor: Any, **fields: Any) -> EmergencyPeriod:
    period = EmergencyPeriod(**{k: v for k, v in fields.items() if k in PERIOD_FIELDS})
    _validate_period(period)
    period.save()
    record_audit(actor, "emergency_period.create", period, division_code="", **_summary(period))
    return period


@transaction.atomic
def emergency_period_update(
    *, actor: Any, period: EmergencyPeriod, **fields: Any
) -> EmergencyPeriod:
    changed = {}
    for key, value in fields.items():
        if key in PERIOD_FIELDS and getattr(period, key) != value:
            changed[key] = [getattr(period, key), value]
            setattr(period, key, value)
    if not changed:
        return period
    _validate_period(period)
    period.save(update_fields=[*changed.keys(), "updated_at"])
    record_audit(actor, "emergency_period.update", period, division_code="", changed=changed)
    return period


def _summary(period: EmergencyPeriod) -> dict[str, Any]:
    return {field: getattr(period, field) for field in PERIOD_FIELDS if field != "notes"}
