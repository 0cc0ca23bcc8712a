"""Pure rules of the assistance app: deadlines, escalation levels, dates, numbers."""

from __future__ import annotations

import calendar
import secrets
from datetime import date, timedelta

from django.conf import settings

from fangkong.assistance.models import ApplicationStatus, HelpLevel, Urgency

DEFAULT_HELP_DEADLINE_HOURS = {Urgency.URGENT: 2, Urgency.NORMAL: 24}

# How long each application step may take.
APPLICATION_STEP_DAYS = {
    ApplicationStatus.GACHA_REVIEW: 3,
    ApplicationStatus.PUBLIC_NOTICE: 7,
    ApplicationStatus.SUMU_REVIEW: 5,
    ApplicationStatus.COMBINED_REVIEW: 2,
    ApplicationStatus.BANNER_APPROVAL: 5,
}
PUBLIC_NOTICE_DAYS = 7
REVIEW_INTERVAL_MONTHS = 12

_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I


def help_deadline(urgency: str) -> timedelta:
    hours = getattr(settings, "ASSISTANCE_HELP_DEADLINE_HOURS", {}).get(
        urgency, DEFAULT_HELP_DEADLINE_HOURS[Urgency(urgency)]
    )
    return timedelta(hours=hours)


def level_for(code: str) -> HelpLevel:
    if len(code) >= 12:
        return HelpLevel.GACHA
    if len(code) >= 9:
        return HelpLevel.SUMU
    return HelpLevel.BANNER


def next_level(level: str, division_code: str) -> tuple[HelpLevel, str] | None:
    """The level above and the division code it answers at; None at the banner."""
    if level == HelpLevel.GACHA:
        return HelpLevel.SUMU, division_code[:9]
    if level == HelpLevel.SUMU:
        return HelpLevel.BANNER, division_code[:6]
    return None


def assigned_code_for(level: str, division_code: str) -> str:
    return {HelpLevel.GACHA: division_code, HelpLevel.SUMU: division_code[:9]}.get(
        HelpLevel(level), division_code[:6]
    )


def add_months(day: date, months: int) -> date:
    month0 = day.month - 1 + months
    year = day.year + month0 // 12
    month = month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def random_code(prefix: str, length: int) -> str:
    return prefix + "".join(secrets.choice(_ALPHABET) for _ in range(length))
