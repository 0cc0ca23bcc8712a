"""Benchmark: the screening census import against the floor of reading and inserting the rows.

A census workbook of 100,000 rows (3 % bad, made by the demo generator) is imported with
``skip_bad_rows`` (read, check every row, create people and trips, rollups, audit). The floor,
measured in the same run on the same file: a raw calamine read of the sheet plus inserting the
same rows into a bare table (SQLite ``executemany``; PostgreSQL ``COPY``). Peak memory of the
process over the first round is checked against 500 MB. Prints::

    bench import_100k_sqlite: value=<s>s floor=<s>s ratio=<r> target<=3 ok|MISS
    bench import_100k_peak_memory: value=<MB>MB floor=500MB ratio=<r> target<=1 ok|MISS

The machine is shared and its load changes within a run, so floor and import run in
interleaved rounds (``BENCH_ROUNDS``, default 3), each import into emptied tables, and the
figure is the median of each: one busy moment then moves neither side much.

``BENCH_SCALE`` scales the number of rows. Uses a throwaway SQLite database, or
FANGKONG_DATABASE_URL (its returnee rows are removed before and after each round).
"""

from __future__ import annotations

import io
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

TARGET = 3.0
MEMORY_LIMIT_MB = 500


def floor_seconds(data: bytes, vendor: str) -> float:
    from django.db import connection
    from python_calamine import CalamineWorkbook

    start = time.perf_counter()
    rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    body = [[str(c) for c in row] for row in rows[1:]]
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_bare_census")
        cursor.execute(
            "CREATE TABLE bench_bare_census ("
            + ", ".join(f"c{i} varchar(200)" for i in range(13))
            + ")"
        )
        if vendor == "postgresql":
            with cursor.cursor.copy("COPY bench_bare_census FROM STDIN") as copy:
                for row in body:
                    copy.write_row(row)
        else:
            cursor.executemany(
                "INSERT INTO bench_bare_census VALUES (" + ", ".join(["%s"] * 13) + ")",  # noqa: S608
                body,
            )
        elapsed = time.perf_counter() - start
        cursor.execute("DROP TABLE bench_bare_census")
    return elapsed


def main() -> int:
    import _django

    vendor = _django.setup()
    from django.db import connection

    from fangkong.returnees.census import census_import

    scale = float(os.environ.get("BENCH_SCALE", "1"))
    n = max(1000, int(100_000 * scale))
    _django.clear_returnees()
    with tempfile.TemporaryDirectory() as tmp:
        # Made in a child process, so that the peak memory below is the import's own.
        path = Path(tmp) / "census.xlsx"
        subprocess.run([sys.executable, __file__, "--make", str(path), str(n)], check=True)
        data = path.read_bytes()

    rounds = max(1, int(os.environ.get("BENCH_ROUNDS", "3")))
    floors: list[float] = []
    values: list[float] = []
    peak_mb = 0.0
    for _ in range(rounds):
        floors.append(floor_seconds(data, vendor))
        start = time.perf_counter()
        report = census_import(actor=None, data=data, filename="bench.xlsx", skip_bad_rows=True)
        values.append(time.perf_counter() - start)
        assert report.imported and report.rows == n and report.rejected > 0, report.summary()
        _django.clear_returnees()
        if not peak_mb:
            # After the first round: memory freed later is kept by the allocator for reuse, so
            # the process's peak would grow with the rounds without the import needing more.
            peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    connection.close()
    floor = statistics.median(floors)
    value = statistics.median(values)

    label = "postgres" if vendor == "postgresql" else "sqlite"
    size = f"{n // 1000}k"
    ratio = value / floor
    ok = ratio <= TARGET
    print(
        f"bench import_{size}_{label}: value={value:.2f}s floor={floor:.2f}s "
        f"ratio={ratio:.2f} target<={TARGET:g} {'ok' if ok else 'MISS'}"
    )
    mem_ratio = peak_mb / MEMORY_LIMIT_MB
    mem_ok = mem_ratio <= 1
    print(
        f"bench import_{size}_peak_memory: value={peak_mb:.0f}MB floor={MEMORY_LIMIT_MB}MB "
        f"ratio={mem_ratio:.2f} target<=1 {'ok' if mem_ok else 'MISS'}"
    )
    return 0 if ok and mem_ok else 1


def make(path: str, n: int) -> None:
    import _django

    _django.setup()
    from fangkong.returnees.demo import _villages, census_rows, census_workbook

    rows = census_rows(
        random.Random(2020), n, start=date(2020, 2, 1), villages=_villages(), bad_share=0.03
    )
    Path(path).write_bytes(census_workbook(rows))


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--make":
        make(sys.argv[2], int(sys.argv[3]))
        raise SystemExit(0)
    raise SystemExit(main())
