"""Demo emergency period: a Level I response in force, as in February 2020."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import TextIO

from django.utils import timezone

from fangkong.core.models import EmergencyPeriod, ResponseLevel
from fangkong.core.services import emergency_period_create

DEMO_PERIOD_NAME = "新冠肺炎疫情一级响应（演示）"


def populate(*, rng: random.Random, scale: int, out: TextIO) -> None:
    if EmergencyPeriod.objects.filter(name=DEMO_PERIOD_NAME).exists():
        out.write("  emergency period: already there\n")
        return
    if EmergencyPeriod.current() is not None:
        out.write("  emergency period: another period is in force; left as it is\n")
        return
    start = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=30)
    emergency_period_create(
        actor=None,
        name=DEMO_PERIOD_NAME,
        level=ResponseLevel.LEVEL_I,
        starts_at=start,
        ends_at=None,
        simplified_assistance_approval=True,
        review_extension_months=3,
        observation_days=14,
        notes="",
    )
    out.write("  emergency period: created\n")
