"""``manage.py escalate_help_requests``: run it every few minutes (cron or the task worker)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from fangkong.assistance.services.help_requests import help_requests_escalate


class Command(BaseCommand):
    help = "Escalate unanswered help requests past their deadline: gacha → sumu → banner."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--enqueue", action="store_true", help="Queue the task for the worker instead."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["enqueue"]:
            from fangkong.assistance.tasks import escalate_help_requests

            result = escalate_help_requests.enqueue()
            self.stdout.write(f"queued task {result.id}")
            return
        moved = help_requests_escalate()
        self.stdout.write(f"{moved} help request(s) escalated")
