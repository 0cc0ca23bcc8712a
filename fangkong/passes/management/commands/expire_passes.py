"""``fangkong expire_passes``: mark issued passes past their end as expired."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from fangkong.passes.services import passes_expire_due


class Command(BaseCommand):
    help = "Mark issued passes whose validity has ended as expired."

    def handle(self, *args: Any, **options: Any) -> None:
        count = passes_expire_due(now=timezone.now())
        self.stdout.write(f"{count} passes expired")
