"""Benchmark: the league dashboard and daily report at full volume against 1% of it.

The dashboard and the daily report read only the daily rollups (``core.rollups``), never the
passages, people or requests themselves. So the data set is built as the rollups such a volume
leaves behind: 10,000,000 passages (three results), 1,000,000 returnees (four key groups, plus
the under-observation stock) and 1,000,000 help requests (opened, and the open stock), spread
over the 264 gacha/villages of Alxa and a 60-day emergency period. Each (metric, village, day)
cell gets a Poisson-distributed count with the same weights for both volumes, and only the
non-zero cells become ``DailyCount`` rows, as ``bump`` would leave them.

The statistics count too: the 1,000,000 fast passes fill both fast-pass timing histograms
(scan → verdict, verdict → logged) and the help requests answered fill the answer-time
histogram, each observation in one bucket (a log-normal spread over the buckets), beside
the sum and count an average reads; so the dashboard estimates its medians from full
histograms at full volume. At full volume nearly
every cell is filled; at 1% many are empty. The two data sets live in two SQLite databases
(throwaway, under a temp dir) and are measured alternately in the same process: the value is
the median server time of ``GET /directives/dashboard/`` (or of the xlsx daily report) as the
league commander on the full data set; the floor is the same request on the 1% data set.

Prints::

    bench dashboard_league_full_vs_1pct: value=<ms>ms floor=<ms>ms ratio=<r> target<=2 ok|MISS
    bench daily_report_league_full_vs_1pct: value=<ms>ms floor=<ms>ms ratio=<r> target<=2 ok|MISS

``BENCH_SCALE`` (float, default 1) scales the number of timed rounds, not the volume.
"""

from __future__ import annotations

import math
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

TARGET = 2.0
DAYS = 60
END = date(2020, 3, 31)
VOLUMES = {
    # metric: (kind, total events at full volume, number of sub-metrics sharing it)
    "checkpoints.passages.passed": ("flow", 8_500_000),
    "checkpoints.passages.fast_passed": ("flow", 1_000_000),
    "checkpoints.passages.refused": ("flow", 500_000),
    "returnees.registered.officials": ("flow", 250_000),
    "returnees.registered.inbound": ("flow", 250_000),
    "returnees.registered.migrant_workers": ("flow", 250_000),
    "returnees.registered.students": ("flow", 250_000),
    "returnees.under_observation": ("stock", 1_000_000),
    "assistance.help.opened": ("flow", 1_000_000),
    "assistance.help.open": ("stock", 1_000_000),
}


#: The registered statistics filled at full volume: (observations, typical value).
STATISTIC_VOLUMES = {
    "checkpoints.fast_pass.scan_ms": (1_000_000, 400.0),
    "checkpoints.fast_pass.log_ms": (1_000_000, 2500.0),
    "assistance.help.response_median": (900_000, 90.0),
}
AVERAGE_PARTS = {
    "assistance.help.answered": 900_000,
    "assistance.help.response_minutes": 900_000,  # a sum: its cells, not its size, cost
    "community.hygiene.inspections": 100_000,
    "community.hygiene.score_tenths": 100_000,
}


def _statistic_volumes() -> dict[str, tuple[str, int]]:
    """Each bucket metric gets its share of the observations of a log-normal spread."""
    from fangkong.core.rollups import STATISTICS, Median

    volumes: dict[str, tuple[str, int]] = {}
    rng = random.Random(7)
    for name, (events, typical) in STATISTIC_VOLUMES.items():
        median = STATISTICS[name]
        assert isinstance(median, Median)
        shares = [0] * len(median.metrics)
        for _ in range(20_000):
            shares[median.bucket(rng.lognormvariate(math.log(typical), 0.9))] += 1
        for metric, share in zip(median.metrics, shares, strict=True):
            if share:
                volumes[metric] = ("flow", events * share // 20_000)
    for metric, events in AVERAGE_PARTS.items():
        volumes[metric] = ("flow", events)
    return volumes


def _poisson(rng: random.Random, mean: float) -> int:
    if mean > 50:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    threshold, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= threshold:
            return k
        k += 1


def _rows(villages: list[str], fraction: float, seed: int) -> list[tuple[str, str, str, int]]:
    rng = random.Random(seed)
    weights = {code: rng.uniform(0.2, 1.8) for code in villages}
    total_weight = sum(weights.values())
    days = [END - timedelta(days=n) for n in range(DAYS)]
    rows = []
    for metric, (kind, events) in VOLUMES.items():
        for code in villages:
            per_day = events * fraction * weights[code] / total_weight / DAYS
            for day in days:
                if kind == "flow":
                    value = _poisson(rng, per_day)
                else:
                    # a stock: entries that day minus the exits of those who entered 14 days ago
                    value = _poisson(rng, per_day) - _poisson(rng, per_day)
                if value:
                    rows.append((metric, code, day.isoformat(), value))
    return rows


def _build_db(path: Path, villages: list[str], fraction: float) -> int:
    from django.core.management import call_command
    from django.db import connection, connections

    from fangkong.core.models import DailyCount

    _use(path)
    call_command("migrate", verbosity=0)
    call_command("load_divisions", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    from fangkong.accounts.roles import Role
    from fangkong.accounts.services import RoleGrant, user_create
    from fangkong.divisions.models import Division

    user_create(
        actor=None,
        username="bench",
        password="bench-password-2020",  # noqa: S106
        grants=[RoleGrant(Role.COMMANDER, Division.objects.get(code="1529"))],
        display_name="bench",
        must_change_password=False,
    )
    from fangkong.core.rollups import refresh_running_totals

    rows = _rows(villages, fraction, seed=2020)
    table = DailyCount._meta.db_table
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} (metric, division_code, day, value) VALUES (%s, %s, %s, %s)",  # noqa: S608
            rows,
        )
    # As ``bump`` would have left them: the running totals beside the daily counts.
    refresh_running_totals()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    connections["default"].close()
    return len(rows)


def _use(path: Path) -> None:
    from django.db import connections

    connections["default"].close()
    connections["default"].settings_dict["NAME"] = str(path)


def main() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="bench-dashboard-"))
    os.environ["FANGKONG_VAR_DIR"] = str(tmp)
    os.environ.pop("FANGKONG_DATABASE_URL", None)  # two SQLite files, swapped between runs
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fangkong.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import django

    django.setup()
    import csv
    import logging

    from django.conf import settings
    from django.test import Client

    from fangkong.core.rollups import register_metric

    logging.disable(logging.WARNING)
    for name, (kind, _events) in VOLUMES.items():
        register_metric(name, name, kind)  # type: ignore[arg-type]
    VOLUMES.update(_statistic_volumes())

    with open(Path(settings.BASE_DIR) / "data" / "alxa_divisions.csv", encoding="utf-8") as f:
        villages = [row["code"] for row in csv.DictReader(f) if len(row["code"]) == 12]
    full, small = tmp / "full.sqlite3", tmp / "small.sqlite3"
    full_rows = _build_db(full, villages, 1.0)
    small_rows = _build_db(small, villages, 0.01)
    print(f"# rollup rows: full {full_rows}, 1% {small_rows}", file=sys.stderr)

    scale = float(os.environ.get("BENCH_SCALE", "1"))
    rounds = max(3, int(7 * scale))
    urls = {
        "dashboard_league_full_vs_1pct": f"/directives/dashboard/?date={END}",
        "daily_report_league_full_vs_1pct": f"/directives/daily-report/?date={END}&format=xlsx",
    }
    failed = False
    for name, url in urls.items():
        times: dict[Path, list[float]] = {full: [], small: []}
        for index in range(rounds + 1):
            order = (full, small) if index % 2 == 0 else (small, full)
            for path in order:
                _use(path)
                client = Client()
                client.login(username="bench", password="bench-password-2020")  # noqa: S106
                start = time.perf_counter()
                response = client.get(url, HTTP_HOST="127.0.0.1")
                elapsed = time.perf_counter() - start
                if response.status_code != 200:
                    print(f"bench {name}: setup failed, HTTP {response.status_code}")
                    return 1
                if index:  # the first round warms caches
                    times[path].append(elapsed)
        value = statistics.median(times[full]) * 1000
        floor = statistics.median(times[small]) * 1000
        ratio = value / floor
        verdict = "ok" if ratio <= TARGET else "MISS"
        failed |= verdict == "MISS"
        print(
            f"bench {name}: value={value:.1f}ms floor={floor:.1f}ms ratio={ratio:.2f} "
            f"target<={TARGET:g} {verdict}"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
