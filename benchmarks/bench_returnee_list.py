"""Benchmark: the returnee list's first page at 1,000,000 people against the same page at 10,000.

The page is the whole request (``/returnees/`` as a league commander: jurisdiction filter, no
total count, people, communities and observation joined, near-duplicate flags, masking and the
template). The floor is the same page when the tables hold 10,000 people and trips, measured in
the same run before the tables grow. Prints::

    bench returnee_list_1m: value=<ms>ms floor=<ms>ms ratio=<r> target<=2 ok|MISS

``BENCH_SCALE`` scales the large size (0.1 → 100,000). Uses a throwaway SQLite database, or
FANGKONG_DATABASE_URL (its returnee rows are removed before and after).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

TARGET = 2.0
SMALL = 10_000
NAMES = ["张伟", "王芳", "李娜", "刘强", "陈静", "杨洋", "巴特尔", "其其格", "乌云", "赵磊"]


def grow(start: int, stop: int, villages: list[tuple[int, str]], vendor: str) -> None:
    """Add people and trips numbered ``start`` to ``stop`` - 1, on the bulk path."""
    from datetime import date

    from django.db import connection
    from django.utils import timezone

    from fangkong.returnees.models import Person, ReturnTrip

    ops = connection.ops
    stamp = ops.adapt_datetimefield_value(timezone.now())
    born = ops.adapt_datefield_value(date(1990, 1, 1))
    left = ops.adapt_datefield_value(date(2020, 2, 1))
    groups = ["staff", "inbound", "migrant", "student", "other"]
    person_cols = [
        "id", "id_number", "name", "mobile", "birth_date", "sex", "name_pinyin",
        "name_initials", "division_code", "created_at", "updated_at",
    ]  # fmt: skip
    trip_cols = [
        "id", "person_id", "key_group", "origin_province", "origin_city", "origin_country",
        "through_risk_area", "transport", "transport_number", "departure_date", "division_id",
        "division_code", "work_unit_name", "registered_via", "receipt", "status", "notes",
        "created_at", "updated_at",
    ]  # fmt: skip
    step = 50_000
    for low in range(start, stop, step):
        high = min(stop, low + step)
        people = []
        trips = []
        for i in range(low, high):
            div_id, code = villages[i % len(villages)]
            people.append(
                (i, f"{i:018d}", NAMES[i % 10], f"138{i % 100_000_000:08d}", born,
                 "MF"[i % 2], "zhangwei", "zw", code, stamp, stamp)
            )  # fmt: skip
            trips.append(
                (i, i, groups[i % 5], "河北省", "石家庄市", "", False, "train", "K1",
                 left, div_id, code, "", "import", f"B{i:09d}", "expected", "", stamp, stamp)
            )  # fmt: skip
        for model, cols, rows in ((Person, person_cols, people), (ReturnTrip, trip_cols, trips)):
            table = model._meta.db_table
            with connection.cursor() as cursor:
                if vendor == "postgresql":
                    with cursor.cursor.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
                        for row in rows:
                            copy.write_row(row)
                else:
                    marks = ", ".join(["%s"] * len(cols))
                    cursor.executemany(
                        f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({marks})",  # noqa: S608
                        rows,
                    )
    if vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {Person._meta.db_table}")
            cursor.execute(f"ANALYZE {ReturnTrip._meta.db_table}")
            for model in (Person, ReturnTrip):
                table = model._meta.db_table
                sql = f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"  # noqa: S608, E501
                cursor.execute(sql)


def page_ms(client: object, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get("/returnees/")  # type: ignore[attr-defined]
        times.append(time.perf_counter() - start)
        assert response.status_code == 200 and response.content.count(b"<tr>") >= 50
    return statistics.median(times) * 1000


def main() -> int:
    import _django

    vendor = _django.setup()
    from django.db import transaction
    from django.test import Client

    from fangkong.accounts.models import User
    from fangkong.accounts.roles import Role
    from fangkong.accounts.services import RoleGrant, user_create
    from fangkong.divisions.models import Division, Level

    scale = float(os.environ.get("BENCH_SCALE", "1"))
    large = max(SMALL * 2, int(1_000_000 * scale))
    _django.clear_returnees()
    villages = list(
        Division.objects.filter(level=Level.VILLAGE).order_by("code").values_list("id", "code")
    )
    user = User.objects.filter(username="bench_commander").first()
    if user is None:
        user = user_create(
            actor=None,
            username="bench_commander",
            password="bench-password-2020",  # noqa: S106 - throwaway benchmark user
            grants=[RoleGrant(Role.COMMANDER, Division.objects.get(code="1529"))],
            display_name="bench",
            must_change_password=False,
        )
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    base = 10_000_000
    if vendor == "sqlite":
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous=OFF")  # a throwaway database: load it fast
    with transaction.atomic():
        grow(base, base + SMALL, villages, vendor)
    page_ms(client, 3)  # warm up
    floor = page_ms(client, 21)
    with transaction.atomic():
        grow(base + SMALL, base + large, villages, vendor)
    page_ms(client, 3)
    value = page_ms(client, 21)
    _django.clear_returnees()

    ratio = value / floor
    ok = ratio <= TARGET
    size = f"{large // 1_000_000}m" if large >= 1_000_000 else f"{large // 1000}k"
    print(
        f"bench returnee_list_{size}: value={value:.1f}ms floor={floor:.1f}ms "
        f"ratio={ratio:.2f} target<={TARGET:g} {'ok' if ok else 'MISS'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
