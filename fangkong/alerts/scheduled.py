"""Scheduled sweeps: apps register checks that raise events at a time of day or every so often
(``check overdue at 18:00``, ``help request due within the hour``); the task worker runs them.

An app registers its sweep when it loads (``register_sweep`` in its ``alerting`` module); the
``alerts_sweep --schedule`` command (run by ``make run``, and once at deployment) queues each
sweep's next run, and each run queues the one after. A sweep raises events with keys that name
the day or the deadline, so running it twice raises nothing twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.utils import timezone


@dataclass(frozen=True)
class Sweep:
    name: str
    run: Callable[[datetime], int]  # given "now"; returns how many events it raised
    at: time | None = None  # daily at this local time...
    every: timedelta | None = None  # ...or this often

    def next_run(self, now: datetime) -> datetime:
        if self.every is not None:
            return now + self.every
        assert self.at is not None
        local = timezone.localtime(now)
        candidate = local.replace(hour=self.at.hour, minute=self.at.minute, second=0, microsecond=0)
        if candidate <= local:
            candidate += timedelta(days=1)
        return candidate


SWEEPS: dict[str, Sweep] = {}


def register_sweep(
    name: str,
    run: Callable[[datetime], int],
    *,
    at: time | None = None,
    every: timedelta | None = None,
) -> Sweep:
    if (at is None) == (every is None):
        raise ValueError(f"sweep {name!r}: give either at= or every=")
    sweep = Sweep(name, run, at, every)
    SWEEPS[name] = sweep
    return sweep


def sweep_of(name: str) -> Sweep:
    try:
        return SWEEPS[name]
    except KeyError:
        known = ", ".join(sorted(SWEEPS)) or "none"
        raise ValueError(f"unknown sweep {name!r}; known: {known}") from None
