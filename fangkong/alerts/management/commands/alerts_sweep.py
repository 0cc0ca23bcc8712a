"""``fangkong alerts_sweep``: run the registered alert sweeps now, or queue their next runs."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from fangkong.alerts.scheduled import SWEEPS, sweep_of


class Command(BaseCommand):
    help = "Run the alert sweeps now (default), or --schedule their next runs on the worker."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", action="append", help="only this sweep (repeatable)")
        parser.add_argument(
            "--schedule",
            action="store_true",
            help="queue each sweep's next run for the task worker (skipped if already queued)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            sweeps = (
                [sweep_of(n) for n in options["name"]] if options["name"] else list(SWEEPS.values())
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        now = timezone.now()
        if not options["schedule"]:
            for sweep in sweeps:
                raised = sweep.run(now)
                self.stdout.write(f"{sweep.name}: {raised} event(s) raised")
            return
        from django_tasks_db.models import DBTaskResult

        from fangkong.alerts.tasks import run_sweep

        waiting = DBTaskResult.objects.filter(task_path=run_sweep.module_path, status="READY")
        queued = {
            tuple((row or {}).get("args") or ())
            for row in waiting.values_list("args_kwargs", flat=True)
        }
        for sweep in sweeps:
            if (sweep.name,) in queued:
                self.stdout.write(f"{sweep.name}: already queued")
                continue
            at = sweep.next_run(now)
            run_sweep.using(run_after=at).enqueue(sweep.name)
            self.stdout.write(f"{sweep.name}: next run {timezone.localtime(at):%Y-%m-%d %H:%M}")
