"""Demo green channel: keys for the league and 阿拉善左旗, a supply fleet with passes.

Idempotent: keys are created only where an HQ has none, and the fleet only once (found by its
owner name). Plates, drivers, cargo and routes come from ``rng``; serials and signatures are
random by nature (ECDSA), so they differ between databases.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import TextIO

from django.utils import timezone

from fangkong.divisions.selectors import division_by_code
from fangkong.lib import fake
from fangkong.passes import services
from fangkong.passes.models import Cargo, SigningKey, Vehicle

DEMO_OWNER = "阿拉善盟应急物资运输车队（演示）"
DESTINATIONS = ["银川市", "兰州市", "呼和浩特市", "152922", "152923", "152921110"]


def populate(*, rng: random.Random, scale: int, out: TextIO) -> None:
    now = timezone.now()
    made = 0
    for code in ("1529", "152921"):
        division = division_by_code(code)
        if division is None:
            out.write(f"  skipped keys of {code}: division not loaded\n")
            return
        if not SigningKey.objects.filter(
            division_code=division.code, is_root=False, retired_at__isnull=True
        ).exists():
            made += len(services.key_create(actor=None, division=division, now=now))
    out.write(f"  signing keys: {made} created\n")
    if Vehicle.objects.filter(owner=DEMO_OWNER).exists():
        out.write("  fleet: already there\n")
        return
    issued = 0
    cargos = list(Cargo.values)
    for index in range(12 * scale):
        division = division_by_code("1529" if index % 3 else "152921")
        assert division is not None
        green = services.pass_create_full(
            actor=None,
            division=division,
            plate=fake.plate(rng),
            vehicle_type=rng.choice(["厢式货车", "冷藏车", "罐车", "平板货车"]),
            owner=DEMO_OWNER,
            driver_name=fake.chinese_name(rng),
            driver_id_number=fake.id_number(rng),
            driver_phone=fake.mobile(rng),
            cargo=rng.choice(cargos),
            origin=rng.choice(["152921", "152900", "包头市"]),
            destination=rng.choice(DESTINATIONS),
            days=rng.choice([3, 7, 7, 14, 30]),
            now=now - timedelta(hours=rng.randint(0, 48)),
        )
        issued += 1
        if index % 7 == 6:
            services.pass_revoke(actor=None, green=green, reason="车辆已更换（演示）", now=now)
    out.write(f"  passes: {issued} issued\n")
