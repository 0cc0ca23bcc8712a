"""Demo data for the community measures: gathering reports (some handled), planned family
events, a hygiene campaign with tasks and inspections, and bulletins with confirmations.

Idempotent (a second run finds the demo campaign and changes nothing) and deterministic
(the same seed gives the same data)."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import TextIO

from django.utils import timezone

from fangkong.accounts.models import User
from fangkong.community import metrics
from fangkong.community.models import (
    AreaKind,
    FamilyEventKind,
    GatheringKind,
    GatheringReport,
    HygieneCampaign,
)
from fangkong.community.services import family_events, gatherings, hygiene, publicity
from fangkong.core.rollups import rebuild
from fangkong.divisions.models import Division, Level
from fangkong.lib import fake

DEMO_CAMPAIGN = "2020年冬春爱国卫生运动（演示）"
CHECKLIST = [
    ("生活垃圾清运及时，无积存", 30),
    ("公共厕所清洁、有消毒记录", 20),
    ("农贸市场摊位整洁、通风", 15),
    ("牲畜棚圈粪污清理", 15),
    ("饮用水源地防护", 10),
    ("公共场所消毒并公示", 10),
]
PLACES = ["饭店包间", "村委会广场", "牧民家中", "农贸市场", "KTV", "清真寺旁", "婚庆大厅"]


def populate(*, rng: random.Random, scale: int, out: TextIO) -> None:
    if HygieneCampaign.objects.filter(name=DEMO_CAMPAIGN).exists():
        out.write("  community: already there\n")
        return
    staff = User.objects.filter(username="staff").first()
    worker = User.objects.filter(username="grassroots").first()
    if staff is None or worker is None:
        out.write("  community: skipped (demo users staff and grassroots are missing)\n")
        return
    now = timezone.now()
    left_sumu = list(Division.objects.filter(code__startswith="152921", level=Level.TOWNSHIP))
    all_sumu = list(Division.objects.filter(code__startswith="1529", level=Level.TOWNSHIP))
    home_gachas = list(Division.objects.filter(code__startswith="152921110", level=Level.VILLAGE))
    if not left_sumu or not home_gachas:
        out.write("  community: skipped (Alxa divisions are not loaded)\n")
        return

    # Gathering reports over the last ten days; two of three handled.
    kinds = list(GatheringKind.values)
    reports = []
    for i in range(24 * scale):
        place = rng.choice(home_gachas if i % 3 == 0 else all_sumu)
        actor = worker if place.code.startswith("152921110") else staff
        report = gatherings.gathering_report(
            actor=actor if i % 4 else None,
            kind=rng.choice(kinds),
            place=f"{place.short_name}{rng.choice(PLACES)}",
            division=place,
            occurs_at=now + timedelta(hours=rng.randint(-48, 72)),
            estimated_people=rng.choice([15, 30, 50, 80, 120, 200]),
            organiser=fake.chinese_name(rng) if i % 2 else "",
            description="群众反映有人聚集办酒席" if i % 2 else "",
        )
        reports.append((report, actor))
    outcomes = ["stopped", "postponed", "dissuaded", "false_report"]
    backdated = []
    for i, (report, actor) in enumerate(reports):
        reported_at = now - timedelta(days=rng.randint(0, 9), minutes=rng.randint(60, 600))
        handled_at = None
        if i % 3:
            gatherings.gathering_assign(actor=actor, report=report)
            gatherings.gathering_handle(
                actor=actor, report=report, outcome=rng.choice(outcomes), notes="已到现场劝导"
            )
            handled_at = reported_at + timedelta(minutes=rng.randint(15, 240))
        backdated.append((report.pk, reported_at, handled_at))
    for pk, reported_at, handled_at in backdated:
        fields = {"created_at": reported_at}
        if handled_at is not None:
            fields.update(handled_at=handled_at, assigned_at=reported_at + timedelta(minutes=5))
        GatheringReport.objects.filter(pk=pk).update(**fields)

    # Planned family events in the home sumu.
    today = timezone.localdate()
    event_kinds = list(FamilyEventKind.values)
    for i in range(8 * scale):
        event = family_events.family_event_declare(
            actor=worker,
            household_name=fake.chinese_name(rng),
            phone=fake.mobile(rng),
            kind=rng.choice(event_kinds),
            planned_on=today + timedelta(days=rng.randint(0, 20)),
            place=f"{rng.choice(home_gachas).short_name}家中",
            division=rng.choice(home_gachas),
            expected_guests=rng.choice([20, 50, 100, 150]),
        )
        if i % 4 == 1:
            family_events.family_event_record_outcome(
                actor=worker, event=event, outcome="postponed", postponed_to=today + timedelta(60)
            )
        elif i % 4 == 2:
            family_events.family_event_record_outcome(
                actor=worker, event=event, outcome="held_small", conditions="不超过10人，不设宴席"
            )
        elif i % 4 == 3:
            family_events.family_event_record_outcome(
                actor=worker, event=event, outcome="cancelled"
            )

    # The hygiene campaign: tasks across the league, some inspected, one failing.
    league = Division.objects.get(code="1529")
    campaign = hygiene.campaign_create(
        actor=staff,
        name=DEMO_CAMPAIGN,
        starts_on=today - timedelta(days=10),
        ends_on=today + timedelta(days=80),
        division=league,
        checklist=CHECKLIST,
    )
    items = list(campaign.checklist.all())
    areas = list(AreaKind.values)
    for i, sumu in enumerate(all_sumu[: 16 * scale]):
        task = hygiene.task_create(
            actor=staff,
            campaign=campaign,
            area=areas[i % len(areas)],
            title=f"{sumu.short_name}{AreaKind(areas[i % len(areas)]).label}",
            division=sumu,
            responsible_name=fake.chinese_name(rng),
            responsible_phone=fake.mobile(rng),
            due_on=today + timedelta(days=rng.randint(-3, 20)),
        )
        if i % 3 == 2:
            continue
        results = {item.pk: rng.random() < 0.8 for item in items}
        passed = hygiene.weighted_score(items, results) >= campaign.pass_score
        hygiene.inspection_record(
            actor=staff,
            task=task,
            results=results,
            problems="" if passed else "部分区域垃圾未清运",
            rectification_due=None if passed else today + timedelta(days=rng.randint(2, 7)),
        )

    # Bulletins and publicity, passed on by some gachas of the home sumu.
    banner = Division.objects.get(code="152921")
    home = Division.objects.get(code="152921110")
    bulletins = [
        ("致全盟农牧民朋友的一封信", "不聚集、不串门、不办酒席；出门戴口罩，勤洗手，常通风。"),
        ("关于暂停一切红白喜事宴请的通告", "疫情期间红事缓办、白事简办、宴会不办，请相互转告。"),
        ("爱国卫生运动倡议书", "清理房前屋后垃圾，整治棚圈环境，做好公共场所消毒。"),
    ]
    for n, (title, body) in enumerate(bulletins):
        material = publicity.material_publish(
            actor=staff,
            title=title,
            kind="text",
            body=body,
            division=league,
            targets=[banner] if n != 1 else [home],
        )
        for gacha in home_gachas[: len(home_gachas) * (n + 1) // 4]:
            publicity.conveyance_confirm(
                actor=worker,
                material=material,
                gacha=gacha,
                method=rng.choice(["loudspeaker", "wechat", "door"]),
            )
    rebuild(metrics.ALL)
    out.write(
        f"  community: {len(reports)} gathering reports, {8 * scale} family events, "
        f"1 hygiene campaign, {len(bulletins)} bulletins\n"
    )
