"""Benchmark: ``POST /api/v1/passes/verify`` throughput against a bare Django JSON view.

Both run on the same gunicorn server (2 sync workers) in the same run, on a throwaway SQLite
database. The verify calls are what a roadside verifier sends (no checkpoint, so no log and no
login): a real signed pass checked against the server's cached trust list (whose change token is
read at most every 2 s); the bare view parses the JSON body and answers JSON, nothing else.
Many short rounds alternate between the two (which goes first alternates too), so that the
shared machine's changing load falls on both alike; each side's throughput is all its requests
over all its time, and the two are compared::

    bench passes_verify_api: value=<req/s> floor=<req/s> ratio=<r> target>=0.5 ok|MISS

``BENCH_SCALE`` (float, default 1.0) scales the number of requests.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

TARGET = 0.5
NAME = "passes_verify_api"
ROOT = Path(__file__).resolve().parents[1]
THREADS = 4


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _setup(env: dict[str, str]) -> str:
    """Migrate, load divisions, make keys and one pass."""
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.utils import timezone

    from fangkong.divisions.models import Division
    from fangkong.divisions.services import divisions_load_file
    from fangkong.passes import services

    call_command("migrate", verbosity=0)
    if not Division.objects.exists():
        divisions_load_file(path=Path(settings.BASE_DIR) / "data" / "alxa_divisions.csv")
    banner = Division.objects.get(code="152921")
    services.key_create(actor=None, division=banner, now=timezone.now())
    green = services.pass_create_full(
        actor=None,
        division=banner,
        plate="蒙M12345",
        cargo="medical",
        origin="152921",
        destination="银川市",
        now=timezone.now(),
    )
    return green.code


def _wait(port: int, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("gunicorn exited")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


def _hammer(
    port: int, path: str, body: bytes, headers: dict[str, str], count: int
) -> tuple[int, float]:
    """Requests made and seconds taken for about ``count`` POSTs from THREADS client threads."""
    errors: list[str] = []
    per_thread = max(1, count // THREADS)

    def worker() -> None:
        for _ in range(per_thread):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("POST", path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
            conn.close()
            if response.status != 200:
                errors.append(f"{response.status} {data[:200]!r}")

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    if errors:
        raise RuntimeError(f"{path}: {errors[0]}")
    return per_thread * THREADS, elapsed


def main() -> int:
    scale = float(os.environ.get("BENCH_SCALE", "1.0"))
    rounds = max(6, int(20 * scale))
    count = max(40, int(90 * scale))
    with tempfile.TemporaryDirectory(prefix="fk-bench-") as tmp:
        env = {
            "FANGKONG_VAR_DIR": tmp,
            "FANGKONG_KEY_DIR": str(Path(tmp) / "keys"),
            "DJANGO_SETTINGS_MODULE": "fangkong.settings",
            "FANGKONG_DEBUG": "1",
        }
        code = _setup(env)
        port = _free_port()
        server_env = {
            **os.environ,
            **env,
            "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'benchmarks'}",
        }
        proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "_passes_bench_wsgi:application",
             "--workers", "2", "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
            env=server_env,
            cwd=str(ROOT),
        )  # fmt: skip
        try:
            _wait(port, proc)
            verify_body = json.dumps({"code": code}).encode()
            verify_headers = {"Content-Type": "application/json"}
            bare_headers = {"Content-Type": "application/json"}
            probe = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            probe.request("POST", "/api/v1/passes/verify", body=verify_body, headers=verify_headers)
            answer = json.loads(probe.getresponse().read())
            probe.close()
            if answer.get("reason") != "valid":
                print(f"bench {NAME}: setup failed, server says {answer}", file=sys.stderr)
                return 2
            _hammer(port, "/bench/bare/", verify_body, bare_headers, 40)  # warm up both
            _hammer(port, "/api/v1/passes/verify", verify_body, verify_headers, 40)
            api: list[tuple[int, float]] = []
            bare: list[tuple[int, float]] = []
            for index in range(rounds):
                order = [("api", api), ("bare", bare)]
                if index % 2:
                    order.reverse()
                for kind, sink in order:
                    if kind == "api":
                        sink.append(
                            _hammer(
                                port, "/api/v1/passes/verify", verify_body, verify_headers, count
                            )
                        )
                    else:
                        sink.append(_hammer(port, "/bench/bare/", verify_body, bare_headers, count))
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    value = sum(n for n, _ in api) / sum(t for _, t in api)
    floor = sum(n for n, _ in bare) / sum(t for _, t in bare)
    ratio = value / floor
    verdict = "ok" if ratio >= TARGET else "MISS"
    print(
        f"bench {NAME}: value={value:.0f}req/s floor={floor:.0f}req/s ratio={ratio:.2f} "
        f"target>={TARGET:g} {verdict}"
    )
    return 0 if verdict == "ok" else 1


if __name__ == "__main__":
    sys.exit(main())
