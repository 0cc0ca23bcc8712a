"""Alert pieces other apps' pages show: the dashboard's unacknowledged card."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import template
from django.utils.translation import gettext as _

from fangkong.alerts import selectors
from fangkong.lib.masking import mask_phone

register = template.Library()


@register.filter
def masked_phone(value: str) -> str:
    return mask_phone(value)


@register.filter
def span(value: timedelta | None) -> str:
    """A duration as hours and minutes (``2 h 05 min``), or a dash."""
    if value is None:
        return "—"
    minutes = int(value.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return _("%(h)d h %(m)02d min") % {"h": hours, "m": minutes}
    return _("%(m)d min") % {"m": minutes}


@register.inclusion_tag("alerts/_dashboard_card.html", takes_context=True)
def unacknowledged_card(context: dict[str, Any], division: Any) -> dict[str, Any]:
    actor = context["request"].user
    code = getattr(division, "code", "")
    return {
        "count": selectors.unacknowledged_count(actor=actor, within=code),
        "mean_ack": selectors.mean_time_to_acknowledge(actor=actor, within=code),
        "division": division,
    }
