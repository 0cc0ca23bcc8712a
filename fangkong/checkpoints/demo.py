"""Demo checkpoints in every state, rosters with some gaps, passages and two reports.

Idempotent: a checkpoint whose name exists is left alone (with its roster and passages);
passages carry UUIDs drawn from the seeded generator, so a rerun stores nothing twice.
"""

from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, TextIO

from django.utils import timezone

from fangkong.accounts.models import User
from fangkong.accounts.roles import Role
from fangkong.accounts.services import RoleGrant, user_create
from fangkong.checkpoints import services
from fangkong.checkpoints.models import Checkpoint, Kind, Status, Transition, UnauthorisedReport
from fangkong.core.rollups import METRICS, rebuild
from fangkong.divisions.selectors import division_by_code
from fangkong.lib import fake

DEMO_PASSWORD = "fangkong-demo-2020"  # noqa: S105 - the shared demo password
EXTRA_INSPECTORS = [
    ("cp_inspector_1", "巴彦浩特镇卡口 王检查员"),
    ("cp_inspector_2", "巴彦浩特镇卡口 乌日娜"),
    ("cp_inspector_3", "巴彦浩特镇卡口 巴特尔"),
    ("cp_inspector_4", "巴彦浩特镇卡口 其其格"),
    ("cp_inspector_5", "高速卡口 张建国"),
    ("cp_inspector_6", "高速卡口 李红梅"),
    ("cp_inspector_7", "高速卡口 敖登"),
]

# name, division code, kind, final status, location, (lat, lon), min people
CHECKPOINTS: list[tuple[str, str, str, str, str, tuple[str, str] | None, int]] = [
    (
        "巴彦浩特东关卡口",
        "152921110201",
        Kind.VILLAGE_ENTRANCE,
        Status.OPEN,
        "东关村进村路口",
        ("38.8520", "105.7350"),
        2,
    ),
    (
        "巴彦浩特西口检查点",
        "152921110",
        Kind.TOWNSHIP_ROAD,
        Status.OPEN,
        "S218 西出口",
        ("38.8300", "105.6500"),
        2,
    ),
    (
        "京藏高速阿左旗收费站",
        "152921",
        Kind.HIGHWAY,
        Status.OPEN,
        "G6 京藏高速 阿左旗出口",
        ("38.9600", "105.8200"),
        3,
    ),
    (
        "策克口岸检查站",
        "152923104",
        Kind.BORDER_PORT,
        Status.REQUESTED,
        "策克口岸货运通道",
        ("41.9500", "101.2100"),
        3,
    ),
    ("腾格里额里斯镇南口", "152921115", Kind.TOWNSHIP_ROAD, Status.REQUESTED, "X502 县道", None, 2),
    (
        "吉兰泰镇北卡口",
        "152921112",
        Kind.COUNTY_ROAD,
        Status.SUSPENDED,
        "S314 北入口",
        ("39.7500", "105.7300"),
        2,
    ),
    ("宗别立镇东卡口", "152921113", Kind.TOWNSHIP_ROAD, Status.APPROVED, "宗别立镇东", None, 2),
    (
        "温都尔勒图镇临时卡口",
        "152921102",
        Kind.VILLAGE_ENTRANCE,
        Status.CLOSED,
        "温都尔勒图镇政府东",
        None,
        2,
    ),
    (
        "前西花园村自设路障",
        "152921110203",
        Kind.VILLAGE_ENTRANCE,
        Status.REJECTED,
        "村口土路",
        None,
        2,
    ),
]


def _user(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def _inspectors(out: TextIO) -> list[User]:
    division = division_by_code("152921110")
    people = []
    for username, name in EXTRA_INSPECTORS:
        user = _user(username)
        if user is None and division is not None:
            user = user_create(
                actor=None,
                username=username,
                password=DEMO_PASSWORD,
                display_name=name,
                grants=[RoleGrant(Role.INSPECTOR, division)],
                must_change_password=False,
            )
        if user is not None:
            people.append(user)
    for username in ("inspector", "grassroots"):
        user = _user(username)
        if user is not None:
            people.append(user)
    return people


def _roster(
    checkpoint: Checkpoint, people: list[User], staff: User, now: datetime, *, gap_day: int | None
) -> None:
    """12-hour shifts 08:00/20:00 for 7 days from today; ``gap_day``'s night shift is short."""
    tz = timezone.get_current_timezone()
    base = datetime.combine(timezone.localdate(now), datetime.min.time(), tzinfo=tz)
    start = base + timedelta(hours=8) - timedelta(days=1)
    for n in range(16):
        s = start + timedelta(hours=12 * n)
        leader = people[n % len(people)]
        members = [people[(n + 1) % len(people)]]
        if gap_day is not None and n == 2 * gap_day + 3:
            members = []  # one person: below the minimum, a gap in red
        if checkpoint.min_staff > 2:
            members.append(people[(n + 2) % len(people)])
        services.shift_create(
            actor=staff,
            checkpoint=checkpoint,
            starts_at=s,
            ends_at=s + timedelta(hours=12) - (timedelta(hours=2) if n == 9 else timedelta()),
            leader=leader,
            members=members,
        )
    first = checkpoint.shifts.order_by("starts_at").first()
    if first is not None:
        services.shift_handover(
            actor=first.leader, shift=first, note="夜间车流少，路障完好，体温枪电池已更换。"
        )


def _passages(
    checkpoint: Checkpoint, inspector: User, now: datetime, *, rng: random.Random, count: int
) -> int:
    results = ["passed"] * 14 + ["fast_passed"] * 3 + ["turned_back"] * 2 + ["referred"]
    items: list[dict[str, Any]] = []
    for _ in range(count):
        at = now - timedelta(minutes=rng.randint(1, 60 * 40))
        result = rng.choice(results)
        vehicle = result == "fast_passed" or rng.random() < 0.4
        items.append(
            {
                "client_uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                "at": at.isoformat(),
                "direction": rng.choice(["in", "out"]),
                "subject": "vehicle" if vehicle else "person",
                "plate": fake.plate(rng) if vehicle else None,
                "person_name": fake.chinese_name(rng),
                "id_number": fake.id_number(rng),
                "temperature": float(
                    Decimal(
                        str(round(rng.uniform(35.9, 37.6 if result == "referred" else 37.2), 1))
                    )
                ),
                "result": result,
                "pass_serial": f"P-2020-{rng.randint(1, 999999):06d}"
                if result == "fast_passed"
                else None,
            }
        )
    stored = 0
    for i in range(0, len(items), 1000):
        results_ = services.passages_sync(
            actor=inspector, checkpoint=checkpoint, items=items[i : i + 1000]
        )
        stored += sum(r.outcome == "stored" for r in results_)
    return stored


def populate(*, rng: random.Random, scale: int, out: TextIO) -> None:
    staff = _user("staff")
    grassroots = _user("grassroots")
    banner = _user("banner_commander")
    league = _user("commander")
    if not (staff and grassroots and banner and league):
        out.write("  skipped: the demo users are missing\n")
        return
    people = _inspectors(out)
    inspector = _user("inspector") or people[0]
    by_name = {p.username: p for p in people}
    teams = [
        [by_name[n] for n in names if n in by_name]
        for names in (
            ("cp_inspector_1", "cp_inspector_2", "inspector"),
            ("cp_inspector_3", "grassroots", "cp_inspector_4"),
            ("cp_inspector_5", "cp_inspector_6", "cp_inspector_7"),
        )
    ]
    now = timezone.now()
    created = stored = 0
    for name, code, kind, status, location, coords, min_staff in CHECKPOINTS:
        if Checkpoint.objects.filter(name=name).exists():
            continue
        division = division_by_code(code)
        if division is None:
            continue
        requester = grassroots if grassroots.can("checkpoints.request", division.code) else staff
        checkpoint = services.checkpoint_request(
            actor=requester,
            name=name,
            division=division,
            kind=kind,
            department=f"{division.short_name}防控工作组",
            reason="按盟指挥部通知，在进出道路设置24小时检查点。",
            location=location,
            latitude=Decimal(coords[0]) if coords else None,
            longitude=Decimal(coords[1]) if coords else None,
            min_staff=min_staff,
        )
        created += 1
        if status == Status.REQUESTED:
            continue
        approver = league if services.may_decide(league, checkpoint) else banner
        if status == Status.REJECTED:
            services.checkpoint_reject(
                actor=approver, checkpoint=checkpoint, reason="村自设路障，未经批准，不予设立。"
            )
            continue
        services.checkpoint_approve(actor=approver, checkpoint=checkpoint, reason="同意设立。")
        if status == Status.APPROVED:
            continue
        services.checkpoint_open(actor=staff, checkpoint=checkpoint, reason="人员到位，开始值守。")
        # The demo pretends the checkpoint opened two days ago, so it has history.
        opened_at = now - timedelta(days=2)
        Checkpoint.objects.filter(pk=checkpoint.pk).update(opened_at=opened_at)
        Transition.objects.filter(checkpoint=checkpoint, to_status=Status.OPEN).update(at=opened_at)
        checkpoint.refresh_from_db()
        if code.startswith("152921110") or kind == Kind.HIGHWAY:
            # Each checkpoint has its own team: nobody is on two checkpoints at once.
            team = teams.pop(0) if teams else []
            if team:
                _roster(checkpoint, team, staff, now, gap_day=3 if "东关" in name else None)
        if code.startswith("152921110"):
            stored += _passages(checkpoint, inspector, now, rng=rng, count=400 * scale)
        if status == Status.SUSPENDED:
            services.checkpoint_suspend(
                actor=banner, checkpoint=checkpoint, reason="沙尘暴，暂停值守。"
            )
        if status == Status.CLOSED:
            services.checkpoint_close(
                actor=banner, checkpoint=checkpoint, reason="疫情缓解，撤除。"
            )
    lent = by_name.get("cp_inspector_5")
    west = Checkpoint.objects.filter(name="巴彦浩特西口检查点", status=Status.OPEN).first()
    if created and lent is not None and west is not None:
        # One confirmed double booking, for the HQ's list of roster problems.
        tz = timezone.get_current_timezone()
        noon = datetime.combine(
            timezone.localdate(now) + timedelta(days=1), datetime.min.time(), tzinfo=tz
        ) + timedelta(hours=10)
        services.shift_create(
            actor=staff,
            checkpoint=west,
            starts_at=noon,
            ends_at=noon + timedelta(hours=4),
            leader=lent,
            override_reason="高速卡口人员临时借调西口协助检查。",
        )
    if not UnauthorisedReport.objects.exists():
        for code, where, what in [
            (
                "152921111",
                "嘉尔嘎勒赛汉镇 X501 路段 12 公里处",
                "有人用车辆堵路，拦截过往车辆收费。",
            ),
            ("152921114", "敖伦布拉格镇牧区路口", "牧民自设路障，不让外来车辆通行。"),
        ]:
            division = division_by_code(code)
            if division is not None:
                services.unauthorised_report(
                    actor=None,
                    division=division,
                    location=where,
                    description=what,
                    reporter_name="热心群众",
                )
    if created:
        # The demo back-dated the openings above: recount the figures from the records.
        rebuild([name for name in METRICS if name.startswith("checkpoints.")])
    out.write(f"  checkpoints: {created} created; passages: {stored} stored\n")
