"""Demo data: households in 阿拉善左旗, visits, applications, help requests, donations."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal
from typing import TextIO

from django.db import transaction
from django.utils import timezone

from fangkong.accounts.models import User
from fangkong.assistance.models import (
    Category,
    Channel,
    DonorKind,
    HelpCategory,
    HelpChannel,
    Household,
    Item,
    Urgency,
    Warehouse,
)
from fangkong.assistance.services import applications, donations, help_requests, households, visits
from fangkong.divisions.models import Division, Level
from fangkong.lib import fake

BANNER = "152921"
CATEGORIES = [c.value for c in Category]
ITEMS = [("大米", "袋", True), ("食用油", "桶", True), ("棉衣", "件", True), ("牛奶", "箱", True)]
ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def populate(*, rng: random.Random, scale: int, out: TextIO) -> None:
    worker = User.objects.filter(username="grassroots").first()
    caseworker = User.objects.filter(username="caseworker").first()
    commander = User.objects.filter(username="banner_commander").first()
    logistics = User.objects.filter(username="logistics").first()
    if not (worker and caseworker and commander and logistics):
        out.write("  skipped: the demo users are missing\n")
        return
    if Household.objects.filter(address__startswith="演示").exists():
        out.write("  assistance demo data already there\n")
        return
    villages = list(
        Division.objects.filter(code__startswith=BANNER, level=Level.VILLAGE).order_by("code")
    )
    town_villages = [v for v in villages if v.code.startswith("152921110")] or villages
    today = timezone.localdate()
    registered = []
    for n in range(60 * scale):
        division = town_villages[n % len(town_villages)] if n % 3 else rng.choice(villages)
        category = CATEGORIES[n % len(CATEGORIES)]
        registered.append(
            households.household_register(
                actor=caseworker,
                division=division,
                head_name=fake.chinese_name(rng),
                head_id_number=fake.id_number(rng, address_code=BANNER),
                head_phone=fake.mobile(rng),
                address=f"演示 {division.short_name} {rng.randint(1, 99)}号",
                category=category,
                monthly_allowance=Decimal(rng.choice([420, 560, 680, 760, 890])),
                next_review_date=today + timedelta(days=rng.randint(-20, 120)),
            )
        )
    sweep = visits.sweep_create(
        actor=caseworker,
        division=Division.objects.get(code="152921110"),
        title="巴彦浩特镇困难群众全面走访",
        due_date=today + timedelta(days=7),
    )
    visited = 0
    for household in registered:
        if not household.division_code.startswith("152921110") or rng.random() < 0.4:
            continue
        short_food = rng.random() < 0.3
        visits.visit_record(
            actor=worker,
            household=household,
            sweep=sweep,
            channel=rng.choice([c.value for c in Channel]),
            food_short=short_food,
            heating_short=rng.random() < 0.2,
            fodder_short=rng.random() < 0.1,
            needs="米面油各一份" if short_food else "",
            relief=[visits.Relief("cash", Decimal(300))] if short_food else [],
        )
        visited += 1
    for n in range(6):
        applications.application_submit(
            actor=worker,
            division=town_villages[n % len(town_villages)],
            kind=["dibao", "tekun", "temporary"][n % 3],
            applicant_name=fake.chinese_name(rng),
            applicant_id_number=fake.id_number(rng, address_code=BANNER),
            applicant_phone=fake.mobile(rng),
            amount_requested=Decimal(rng.choice([500, 800, 1000])),
            reason="疫情期间收入中断，家中无劳动力。",
        )
    for n in range(8):
        request = help_requests.help_request_create(
            actor=None,
            division=town_villages[n % len(town_villages)],
            name=fake.chinese_name(rng),
            phone=fake.mobile(rng),
            category=[c.value for c in HelpCategory][n % 6],
            urgency=Urgency.URGENT if n % 3 == 0 else Urgency.NORMAL,
            description="家中老人需要药品，无法出门购买。",
            channel=HelpChannel.WEB,
        )
        request.receipt_number = "H" + "".join(rng.choice(ALPHABET) for _ in range(8))
        request.save(update_fields=["receipt_number"])
        if n % 2:
            help_requests.help_request_answer(
                actor=worker, request=request, note="已联系村医上门送药，请保持电话畅通。"
            )
    with transaction.atomic():
        warehouse, _created = Warehouse.objects.get_or_create(
            name="盟后勤保障组物资库",
            defaults={"division": Division.objects.get(code="1529"), "division_code": "1529"},
        )
        items = [
            Item.objects.get_or_create(name=name, unit=unit, defaults={"whole_units": whole})[0]
            for name, unit, whole in ITEMS
        ]
    donor = donations.donor_create(actor=logistics, kind=DonorKind.COMPANY, name="内蒙古某粮油公司")
    for item in items:
        donations.lot_receive(
            actor=logistics,
            donor=donor,
            warehouse=warehouse,
            item=item,
            quantity=Decimal(200 * scale),
            expires_on=today + timedelta(days=180),
            value=Decimal(5000),
        )
    deliveries = donations.distribution_plan_create(
        actor=logistics,
        plan_name="春节慰问 大米",
        warehouse=warehouse,
        item=items[0],
        quantity_each=Decimal(1),
        division=Division.objects.get(code="152921110"),
        category=Category.TEKUN,
    )
    for delivery in deliveries[: len(deliveries) // 2]:
        donations.delivery_confirm(
            actor=logistics,
            delivery=delivery,
            proof_kind="receipt_code",
            receipt_code=delivery.receipt_code,
        )
    out.write(
        f"  assistance: {len(registered)} households, {visited} visits, 6 applications, "
        f"8 help requests, {len(deliveries)} deliveries\n"
    )
