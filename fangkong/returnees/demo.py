"""Demo returnees: work units, risk areas, a census of returnees, arrivals and observations.

Deterministic and idempotent: trips are keyed by ID number and departure date, dates count
from the start of the demo emergency period, and a second run changes nothing.
``census_rows`` and ``census_workbook`` also make the benchmark's census (with bad rows).
"""

from __future__ import annotations

import io
import random
from datetime import date, datetime, time, timedelta
from typing import Any, TextIO

from django.utils import timezone

from fangkong.accounts.models import User
from fangkong.core.models import EmergencyPeriod
from fangkong.divisions.models import Division, Level
from fangkong.lib import fake
from fangkong.returnees.census import TEMPLATE_HEADERS, census_import
from fangkong.returnees.models import (
    ObservationKind,
    ReturnTrip,
    RiskArea,
    TripStatus,
    UnitKind,
    WorkUnit,
)
from fangkong.returnees.services import (
    check_record,
    observation_start,
    trip_confirm_arrival,
)

UNITS = [
    ("阿拉善左旗人民医院", UnitKind.INSTITUTION, "152921"),
    ("阿拉善盟行政公署办公室", UnitKind.ORGAN, "1529"),
    ("内蒙古庆华集团有限公司", UnitKind.ENTERPRISE, "152921"),
    ("阿拉善职业技术学院", UnitKind.SCHOOL, "1529"),
]
RISK_AREAS = [("湖北省", "武汉市"), ("湖北省", "孝感市"), ("浙江省", "温州市")]
ORIGINS = [
    "湖北省武汉市", "北京市", "河北省石家庄市", "陕西省西安市", "甘肃省兰州市",
    "宁夏回族自治区银川市", "内蒙古自治区呼和浩特市", "内蒙古自治区包头市", "浙江省温州市",
    "广东省深圳市",
]  # fmt: skip
COUNTRIES = ["韩国", "日本", "蒙古国", "意大利", "美国"]
GROUPS = ["党政机关和企事业单位人员", "入境人员", "农牧民工", "高校学生", "其他"]
GROUP_WEIGHTS = [30, 3, 40, 20, 7]
TRANSPORTS = ["火车", "飞机", "客车", "自驾", "其他"]
BAD_KINDS = ("check_digit", "date", "division", "mobile", "group")


def _villages() -> list[str]:
    return list(
        Division.objects.filter(level=Level.VILLAGE, code__startswith="1529")
        .order_by("code")
        .values_list("code", flat=True)
    )


def census_rows(
    rng: random.Random,
    n: int,
    *,
    start: date,
    villages: list[str],
    bad_share: float = 0.0,
    units: list[str] | None = None,
) -> list[list[Any]]:
    """``n`` census rows in template column order; ``bad_share`` of them with one error."""
    rows: list[list[Any]] = []
    unit_names = units or []
    for i in range(n):
        group = rng.choices(GROUPS, GROUP_WEIGHTS)[0]
        departure = start + timedelta(days=rng.randint(0, 28))
        arrival = departure + timedelta(days=rng.randint(0, 2))
        transport = rng.choice(TRANSPORTS)
        if transport == "自驾":
            number = fake.plate(rng)
        elif transport == "火车":
            number = rng.choice("KTZDG") + str(rng.randint(10, 9999))
        elif transport == "飞机":
            number = rng.choice(["CA", "MU", "CZ", "GJ"]) + str(rng.randint(1000, 9999))
        else:
            number = ""
        origin = rng.choice(COUNTRIES) if group == "入境人员" else rng.choice(ORIGINS)
        through = "是" if "武汉" in origin and rng.random() < 0.5 else "否"
        unit = (
            rng.choice(unit_names)
            if unit_names and group in GROUPS[0::3] and rng.random() < 0.5
            else ""
        )
        row: list[Any] = [
            fake.chinese_name(rng),
            fake.id_number(rng),
            fake.mobile(rng),
            group,
            origin,
            through,
            transport,
            number,
            departure.isoformat(),
            arrival.isoformat(),
            rng.choice(villages),
            unit,
            "",
        ]
        if bad_share and rng.random() < bad_share:
            kind = BAD_KINDS[i % len(BAD_KINDS)]
            if kind == "check_digit":
                good = row[1]
                row[1] = good[:17] + ("0" if good[17] != "0" else "1")
            elif kind == "date":
                row[8] = "二月三日"
            elif kind == "division":
                row[10] = "152921999999"
            elif kind == "mobile":
                row[2] = "1234567"
            else:
                row[3] = "游客"
        rows.append(row)
    return rows


def census_workbook(rows: list[list[Any]]) -> bytes:
    """The rows as a census workbook (what a sumu office would send in)."""
    import xlsxwriter

    buf = io.BytesIO()
    book = xlsxwriter.Workbook(
        buf, {"in_memory": True, "constant_memory": True, "strings_to_numbers": False}
    )
    sheet = book.add_worksheet("摸底排查")
    sheet.write_row(0, 0, TEMPLATE_HEADERS)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            sheet.write_string(r, c, value)
    book.close()
    return buf.getvalue()


def _period_start() -> date:
    period = EmergencyPeriod.current()
    if period is None:
        return timezone.localdate() - timedelta(days=30)
    return timezone.localdate(period.starts_at)


def _history(worker: User, obs: Any, today: date) -> int:
    """The checks of the days before today, written once: one a day at 09:30, a few days
    missed, now and then a fever and its evening re-check, so that the due-for-release list
    shows people who can go and people held back (and why). Its own random numbers, so that
    the other demo data stay as they are."""
    if obs.checks.exists():
        return 0
    key = int(obs.person.id_number[14:17])
    rng = random.Random(key)  # noqa: S311 - demo data
    missed = key % 6 == 1
    fever = key % 9 == 4
    made = 0
    day = obs.start_date
    last = min(today, obs.planned_end) - timedelta(days=1)
    while day <= last:
        offset = (day - obs.start_date).days
        morning = timezone.make_aware(datetime.combine(day, time(9, 30)))
        if not (missed and offset == 3):
            check_record(
                actor=worker,
                observation=obs,
                temperature="37.8" if fever and offset == 2 else rng.choice(NORMAL),
                contact=rng.choice(["visit", "phone"]),
                checked_at=morning,
            )
            made += 1
        if fever and offset == 2:
            check_record(
                actor=worker,
                observation=obs,
                temperature="36.9",
                contact="visit",
                note="复测",
                checked_at=morning + timedelta(hours=9),
            )
            made += 1
        day += timedelta(days=1)
    return made


NORMAL = ["36.2", "36.4", "36.5", "36.6", "36.8", "37.0"]


def populate(*, rng: random.Random, scale: int, out: TextIO) -> None:
    from fangkong.returnees.services import risk_area_create, work_unit_create

    commander = User.objects.filter(username="commander").first()
    staff = User.objects.filter(username="staff").first()
    worker = User.objects.filter(username="grassroots").first()
    unit_admin = User.objects.filter(username="unit_admin").first()
    if commander is None or staff is None or worker is None:
        out.write("  returnees: skipped (the demo users are missing)\n")
        return
    for name, kind, code in UNITS:
        if not WorkUnit.objects.filter(name=name).exists():
            admins = [unit_admin] if unit_admin is not None and code == "152921" else []
            work_unit_create(
                actor=staff, name=name, kind=kind, division_code=code, uscc="", admins=admins
            )
    for province, city in RISK_AREAS:
        if not RiskArea.objects.filter(province=province, city=city, active=True).exists():
            risk_area_create(actor=commander, province=province, city=city)

    start = _period_start()
    rows = census_rows(
        rng,
        300 * scale,
        start=start,
        villages=_villages(),
        units=["阿拉善左旗人民医院", "内蒙古庆华集团有限公司"],
    )
    # One village of the demo grassroots worker gets a good share of them.
    home = [v for v in _villages() if v.startswith("152921110")]
    for row in rows[::3]:
        row[10] = rng.choice(home)
    report = census_import(
        actor=None, data=census_workbook(rows), filename="demo-census.xlsx", skip_bad_rows=True
    )
    out.write(
        f"  returnees: {report.created} created, {report.unchanged} unchanged, "
        f"{report.rejected} rejected\n"
    )

    today = timezone.localdate()
    arrived = observed = checked = 0
    expected = (
        ReturnTrip.objects.filter(
            division_code__startswith="152921110",
            status=TripStatus.EXPECTED,
            arrival_date__lte=today,
        )
        .select_related("person")
        .order_by("id")
    )
    for trip in expected:
        key = int(trip.person.id_number[14:17])
        if key % 4 == 3:
            continue  # leave some in the queue
        trip_confirm_arrival(actor=worker, trip=trip, observe=False)
        arrived += 1
        if trip.needs_observation or key % 5 == 0:
            obs_kind = (
                ObservationKind.CENTRALISED if trip.key_group == "inbound" else ObservationKind.HOME
            )
            observation_start(
                actor=worker,
                trip=trip,
                kind=obs_kind,
                place="集中隔离点（阿左旗宾馆）"
                if obs_kind == ObservationKind.CENTRALISED
                else "家中",
                start_date=trip.arrival_date,
            )
            observed += 1
    from fangkong.returnees.models import Observation, ObservationStatus

    for obs in (
        Observation.objects.filter(
            status=ObservationStatus.ACTIVE, division_code__startswith="152921110"
        )
        .select_related("person")
        .order_by("id")
    ):
        checked += _history(worker, obs, today)
        if int(obs.person.id_number[14:17]) % 3 == 2 or obs.checks.filter(day=today).exists():
            continue  # some are left overdue
        check_record(
            actor=worker,
            observation=obs,
            temperature=rng.choice(["36.2", "36.5", "36.6", "36.8", "37.0", "37.4"]),
            contact=rng.choice(["visit", "phone"]),
        )
        checked += 1
    out.write(f"  returnees: {arrived} arrivals confirmed, {observed} observed, {checked} checks\n")
