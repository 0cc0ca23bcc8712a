"""Benchmark: passages through the sync endpoint of a real server against a raw bulk load.

A gunicorn with 2 workers serves ``POST /api/v1/checkpoints/{id}/passages:batch``; a client
with two keep-alive connections uploads N passages in batches of 1,000 (bodies built before the
clock starts). The floor is the same rows written straight into a copy of the passage table
(same columns, same indexes and unique key) in the same run: PostgreSQL ``COPY``, SQLite
``executemany``. Then every batch is replayed: nothing new may be stored, and the replay must be
at least as fast as the first upload. Prints::

    bench passages_sync_sqlite: value=<rows/s> floor=<rows/s> ratio=<r> target>=0.3 ok|MISS
    bench passages_replay_sqlite: value=<rows/s> floor=<rows/s> ratio=<r> target>=1 ok|MISS

and the same two lines for PostgreSQL when ``FANGKONG_DATABASE_URL`` names a server (the script
creates and drops a throwaway database there). ``BENCH_SCALE`` (default 1) scales N =
100,000 × scale; the issue's 1,000,000 passages is ``BENCH_SCALE=10``.
"""

from __future__ import annotations

import http.client
import io
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
    rows = max(BATCH, int(100_000 * scale) // BATCH * BATCH)
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
        for i in range(rows):
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
            json.dumps({"passages": items[i : i + BATCH]}).encode() for i in range(0, rows, BATCH)
        ]

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
        with connection.cursor() as cursor:
            if backend == "postgres":
                cursor.execute(f"CREATE TABLE {copy} (LIKE {table} INCLUDING ALL)")
                buffer = io.StringIO()
                for r in floor_rows:
                    buffer.write("\t".join("\\N" if v is None else str(v) for v in r) + "\n")
                data = buffer.getvalue()
                start = time.perf_counter()
                with cursor.cursor.copy(f"COPY {copy} ({', '.join(columns)}) FROM STDIN") as pipe:
                    pipe.write(data)
                connection.commit() if not connection.get_autocommit() else None
                floor_seconds = time.perf_counter() - start
            else:
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
                sql = (
                    f"INSERT INTO {copy} ({', '.join(columns)}) "  # noqa: S608 - bench table
                    f"VALUES ({', '.join(['?'] * len(columns))})"
                )
                raw_conn = connection.connection
                start = time.perf_counter()
                for i in range(0, rows, BATCH):
                    # One transaction per batch, as the endpoint does (the connection is in
                    # autocommit mode, where each row would otherwise commit on its own).
                    raw_conn.execute("BEGIN")
                    raw_conn.executemany(sql, floor_rows[i : i + BATCH])
                    raw_conn.execute("COMMIT")
                floor_seconds = time.perf_counter() - start
        connection.close()

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
        _upload(port, path, raw, bodies[:1])  # warm both workers' imports and connections
        _upload(port, path, raw, bodies[1:2])
        first_seconds, first = _upload(port, path, raw, bodies)
        replay_seconds, replay = _upload(port, path, raw, bodies)
        stored = sum(r["outcome"] == "stored" for r in first)
        again = sum(r["outcome"] == "stored" for r in replay)
        total = Passage.objects.count()
        if total != rows or again != 0 or stored + 2 * BATCH < rows:
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
