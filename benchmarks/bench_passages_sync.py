"""Benchmark: passages through the sync endpoint of a real server against a raw bulk load.

A gunicorn with 2 workers serves ``POST /api/v1/checkpoints/{id}/passages:batch``; a client
with two keep-alive connections uploads N passages in batches of 1,000 (bodies built before the
clock starts; two extra warm-up batches, not counted, load both workers first). The floor is the
same rows written straight into a copy of the passage table (same columns, same indexes and
unique key and foreign keys) in the same run: PostgreSQL ``COPY``, SQLite ``executemany``. The
foreign keys are part of the same work: every passage row written to the real table has its
checkpoint and inspector checked, by a raw load as much as by the endpoint (on PostgreSQL this
about doubles the database's work per row; ``CREATE TABLE … (LIKE …)`` leaves them out, so they
are added to the copy; SQLite's copy is made from the table's own statement and always had them).

The floor commits once per 1,000 rows, as the endpoint must: a device's batch is acknowledged
only once it is durable, so every batch is its own transaction (one WAL flush on PostgreSQL, one
journal sync on SQLite). A single COPY of all N rows in one transaction would compare the
endpoint with a load that skips N/1,000 - 1 commits the endpoint cannot skip.

The machine is shared and its load changes within a run, so the work goes in rounds: each round
loads a tenth of the batches through the floor, uploads the same tenth through the endpoint, then
replays that tenth (every batch is replayed once, after it was acknowledged), and the times are
summed per kind. Load noise then falls on the floor, the upload and the replay alike instead of
on whichever ran during a busy minute. The replay must store nothing new and be at least as fast
as the first upload. Prints::

    bench passages_sync_sqlite: value=<rows/s> floor=<rows/s> ratio=<r> target>=0.3 ok|MISS
    bench passages_replay_sqlite: value=<rows/s> floor=<rows/s> ratio=<r> target>=1 ok|MISS

and the same two lines for PostgreSQL when ``FANGKONG_DATABASE_URL`` names a server (the script
creates and drops a throwaway database there). ``BENCH_SCALE`` (default 1) scales N =
1,000,000 × scale: by default the issue's 1,000,000 passages (about 3 minutes for both
databases on an idle 2-core machine); ``BENCH_SCALE=0.1`` for a quick look.
"""

from __future__ import annotations

import http.client
import json
import os
import queue
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BATCH = 1000
ROUNDS = 10


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _upload(port: int, path: str, token: str, bodies: list[bytes]) -> tuple[float, list[dict]]:
    """Send every body over two keep-alive connections; returns seconds and all results."""
    jobs: queue.Queue[tuple[int, bytes]] = queue.Queue()
    for index, body in enumerate(bodies):
        jobs.put((index, body))
    answers: list[Any] = [None] * len(bodies)
    errors: list[str] = []

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        while True:
            try:
                index, body = jobs.get_nowait()
            except queue.Empty:
                break
            conn.request("POST", path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
            if response.status != 200:
                errors.append(f"{response.status}: {data[:200]!r}")
                break
            answers[index] = json.loads(data)["results"]
        conn.close()

    start = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    if errors:
        raise RuntimeError(f"upload failed: {errors[0]}")
    return elapsed, [r for batch in answers for r in batch]


def run(backend: str) -> int:
    scale = float(os.environ.get("BENCH_SCALE", "1"))
    rows = max(BATCH, int(1_000_000 * scale) // BATCH * BATCH)
    tmp = tempfile.mkdtemp(prefix="bench-passages-")
    os.environ["FANGKONG_VAR_DIR"] = tmp
    admin_url = os.environ.get("FANGKONG_DATABASE_URL", "")
    db_name = f"bench_passages_{os.getpid()}"
    if backend == "postgres":
        import psycopg

        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{db_name}"')
        base, _slash, _old = admin_url.rpartition("/")
        os.environ["FANGKONG_DATABASE_URL"] = f"{base}/{db_name}"
    else:
        os.environ.pop("FANGKONG_DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fangkong.settings")
    sys.path.insert(0, str(ROOT))
    server: subprocess.Popen[bytes] | None = None
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection
        from django.utils import timezone

        from fangkong.accounts.roles import Role
        from fangkong.accounts.services import RoleGrant, token_create, user_create
        from fangkong.checkpoints import services
        from fangkong.checkpoints.models import Checkpoint, Passage
        from fangkong.divisions.models import Division
        from fangkong.divisions.services import divisions_load_file
        from fangkong.lib import fake

        call_command("migrate", verbosity=0)
        divisions_load_file(path=ROOT / "data" / "alxa_divisions.csv")

        def person(name: str, role: str, code: str) -> Any:
            return user_create(
                actor=None,
                username=name,
                password="bench-password-2020",  # noqa: S106 - throwaway database
                grants=[RoleGrant(role, Division.objects.get(code=code))],
                must_change_password=False,
            )

        staff = person("bench_staff", Role.STAFF, "152921")
        commander = person("bench_commander", Role.COMMANDER, "152921")
        inspector = person("bench_inspector", Role.INSPECTOR, "152921110")
        checkpoint = services.checkpoint_request(
            actor=staff,
            name="bench",
            division=Division.objects.get(code="152921110"),
            kind="township_road",
            department="bench",
            reason="bench",
        )
        services.checkpoint_approve(actor=commander, checkpoint=checkpoint, reason="bench")
        services.checkpoint_open(actor=staff, checkpoint=checkpoint, reason="bench")
        opened_at = timezone.now() - timedelta(days=30)
        Checkpoint.objects.filter(pk=checkpoint.pk).update(opened_at=opened_at)
        _token, raw = token_create(actor=None, user=inspector, name="bench")

        import random

        rng = random.Random(7)
        results = ["passed"] * 8 + ["fast_passed", "turned_back"]
        people = [(fake.chinese_name(rng), fake.id_number(rng)) for _ in range(5000)]
        plates = [fake.plate(rng) for _ in range(2000)]
        items = []
        for i in range(rows + 2 * BATCH):  # the last two batches only warm the workers up
            result = results[i % len(results)]
            vehicle = i % 3 == 0 or result == "fast_passed"
            name, number = people[i % len(people)]
            at = opened_at + timedelta(seconds=i * 2)
            items.append(
                {
                    "client_uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                    "at": at.isoformat(),
                    "direction": "in" if i % 2 else "out",
                    "subject": "vehicle" if vehicle else "person",
                    "plate": plates[i % len(plates)] if vehicle else None,
                    "person_name": name,
                    "id_number": number,
                    "temperature": 36.5,
                    "result": result,
                    "pass_serial": f"P-2020-{i:06d}" if result == "fast_passed" else None,
                }
            )
        bodies = [
            json.dumps({"passages": items[i : i + BATCH]}).encode()
            for i in range(0, rows + 2 * BATCH, BATCH)
        ]
        warm_up = bodies[-2:]
        bodies = bodies[:-2]
        items = items[:rows]

        # --- the floor: the same rows straight into a copy of the table ---------------------
        table = Passage._meta.db_table
        copy = f"{table}_floor"
        columns = [
            "client_uuid", "checkpoint_id", "division_code", "at", "direction", "subject",
            "plate", "person_name", "id_number", "temperature", "result", "pass_serial",
            "inspector_id", "created_at",
        ]  # fmt: skip
        now = timezone.now()

        def row(p: dict[str, Any]) -> list[Any]:
            return [
                p["client_uuid"] if backend == "postgres" else p["client_uuid"].replace("-", ""),
                checkpoint.pk,
                checkpoint.division_code,
                p["at"],
                p["direction"],
                p["subject"],
                p["plate"] or "",
                p["person_name"] or "",
                p["id_number"] or "",
                "36.5",
                p["result"],
                p["pass_serial"] or "",
                inspector.pk,
                now.isoformat(),
            ]

        floor_rows = [row(p) for p in items]
        floor_batches = [floor_rows[i : i + BATCH] for i in range(0, rows, BATCH)]
        with connection.cursor() as cursor:
            if backend == "postgres":
                cursor.execute(f"CREATE TABLE {copy} (LIKE {table} INCLUDING ALL)")
                # LIKE copies the indexes and CHECK constraints but not the foreign keys, which
                # the passage table has (each row checks its checkpoint and inspector).
                cursor.execute(
                    "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                    "WHERE conrelid = %s::regclass AND contype = 'f'",
                    [table],
                )
                for name, definition in cursor.fetchall():
                    cursor.execute(f'ALTER TABLE {copy} ADD CONSTRAINT "floor_{name}" {definition}')
            else:  # the table's own CREATE statement: foreign keys included
                cursor.execute(
                    "SELECT sql FROM sqlite_master WHERE tbl_name = %s AND sql IS NOT NULL",
                    [table],
                )
                ddl = [r[0] for r in cursor.fetchall()]
                for statement in ddl:
                    statement = statement.replace(f'"{table}"', f'"{copy}"')
                    statement = statement.replace('INDEX "', 'INDEX "floor_').replace(
                        'INDEX IF NOT EXISTS "', 'INDEX IF NOT EXISTS "floor_'
                    )
                    cursor.execute(statement)
        raw_conn = connection.connection
        if backend == "postgres":
            copy_sql = f"COPY {copy} ({', '.join(columns)}) FROM STDIN"
            floor_data = [
                "".join("\t".join("\\N" if v is None else str(v) for v in r) + "\n" for r in batch)
                for batch in floor_batches
            ]
        else:
            insert_sql = (
                f"INSERT INTO {copy} ({', '.join(columns)}) "  # noqa: S608 - bench table
                f"VALUES ({', '.join(['?'] * len(columns))})"
            )

        def load_floor(batch_numbers: range) -> float:
            """Load these batches into the copy of the table, one transaction each."""
            start = time.perf_counter()
            for b in batch_numbers:
                if backend == "postgres":
                    # The connection is in autocommit mode: each COPY is its own transaction.
                    with raw_conn.cursor() as cur, cur.copy(copy_sql) as pipe:
                        pipe.write(floor_data[b])
                else:
                    # Autocommit mode too, where each row would otherwise commit on its own.
                    raw_conn.execute("BEGIN")
                    raw_conn.executemany(insert_sql, floor_batches[b])
                    raw_conn.execute("COMMIT")
            return time.perf_counter() - start

        # --- the endpoint: a real server with 2 workers --------------------------------------
        port = _free_port()
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "fangkong.wsgi:application",
                *("--bind", f"127.0.0.1:{port}", "--workers", "2", "--log-level", "warning"),
            ],
            cwd=ROOT,
            env={
                **os.environ,
                "PYTHONPATH": str(ROOT),
                "FANGKONG_LOG_LEVEL": "WARNING",
                # As in production: no debug SQL log, no HTTPS redirect behind the bench client.
                "FANGKONG_DEBUG": "0",
                "FANGKONG_SECRET_KEY": uuid.uuid4().hex * 2,
                "FANGKONG_SSL_REDIRECT": "0",
            },
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("server did not start") from None
                time.sleep(0.1)
        path = f"/api/v1/checkpoints/{checkpoint.pk}/passages:batch"
        _upload(port, path, raw, warm_up[:1])  # warm both workers' imports and connections
        _upload(port, path, raw, warm_up[1:])

        floor_seconds = first_seconds = replay_seconds = 0.0
        first: list[dict] = []
        replay: list[dict] = []
        per_round = -(-len(bodies) // ROUNDS)
        for r in range(0, len(bodies), per_round):
            batch_numbers = range(r, min(r + per_round, len(bodies)))
            floor_seconds += load_floor(batch_numbers)
            seconds, answers = _upload(port, path, raw, bodies[r : batch_numbers.stop])
            first_seconds += seconds
            first += answers
            seconds, answers = _upload(port, path, raw, bodies[r : batch_numbers.stop])
            replay_seconds += seconds
            replay += answers
        connection.close()
        stored = sum(r["outcome"] == "stored" for r in first)
        again = sum(r["outcome"] == "stored" for r in replay)
        total = Passage.objects.count() - 2 * BATCH
        if total != rows or again != 0 or stored != rows:
            print(
                f"bench passages_sync_{backend}: wrong outcome: {total} rows for {rows}, "
                f"{again} stored by the replay",
                file=sys.stderr,
            )
            return 2
        value = rows / first_seconds
        floor = rows / floor_seconds
        ratio = value / floor
        target = 0.4 if backend == "postgres" else 0.3
        ok_sync = ratio >= target
        print(
            f"bench passages_sync_{backend}: value={value:.0f}rows/s floor={floor:.0f}rows/s "
            f"ratio={ratio:.2f} target>={target:g} {'ok' if ok_sync else 'MISS'}",
            flush=True,
        )
        replay_value = rows / replay_seconds
        replay_ratio = replay_value / value
        ok_replay = replay_ratio >= 1
        print(
            f"bench passages_replay_{backend}: value={replay_value:.0f}rows/s "
            f"floor={value:.0f}rows/s ratio={replay_ratio:.2f} target>=1 "
            f"{'ok' if ok_replay else 'MISS'}",
            flush=True,
        )
        return 0 if ok_sync and ok_replay else 1
    finally:
        if server is not None and server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        if backend == "postgres":
            from django.db import connections

            connections.close_all()
            import psycopg

            with psycopg.connect(admin_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')


def main() -> int:
    if len(sys.argv) > 2 and sys.argv[1] == "--backend":
        return run(sys.argv[2])
    backends = ["sqlite"]
    if os.environ.get("FANGKONG_DATABASE_URL", "").startswith("postgres"):
        backends.append("postgres")
    worst = 0
    for backend in backends:
        proc = subprocess.run(
            [sys.executable, __file__, "--backend", backend], check=False, env=os.environ
        )
        worst = max(worst, proc.returncode)
    return worst


if __name__ == "__main__":
    sys.exit(main())
