"""``make bench``: run every ``benchmarks/bench_*.py`` and fail when a figure misses.

Each script prints lines of the form
``bench <name>: value=<v> floor=<f> ratio=<r> target<op><t> ok|MISS``, measured against a
floor taken in the same run (the machines are shared and noisy: ratios, not absolute times).
``BENCH_SCALE`` (default 1) shrinks or grows the work.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
LINE = re.compile(r"^bench \S+: value=\S+ floor=\S+ ratio=\S+ target\S+ (ok|MISS)$")


def main() -> int:
    scripts = sorted(HERE.glob("bench_*.py"))
    if len(sys.argv) > 1:
        scripts = [s for s in scripts if any(arg in s.name for arg in sys.argv[1:])]
    env = {**os.environ, "PYTHONPATH": str(HERE.parent)}
    missed = 0
    failed = 0
    lines = 0
    for script in scripts:
        print(f"# {script.name}", flush=True)
        proc = subprocess.run(
            [sys.executable, str(script)], env=env, capture_output=True, text=True, check=False
        )
        for line in proc.stdout.splitlines():
            print(line, flush=True)
            match = LINE.match(line.strip())
            if match:
                lines += 1
                missed += match.group(1) == "MISS"
        if proc.returncode not in (0, 1) or (proc.returncode == 1 and not missed):
            failed += 1
            print(proc.stderr, file=sys.stderr)
            print(f"# {script.name} failed with exit code {proc.returncode}", file=sys.stderr)
    print(f"# {lines} figures, {missed} missed, {failed} scripts failed")
    return 1 if missed or failed or not lines else 0


if __name__ == "__main__":
    sys.exit(main())
