"""Errors a service raises that every surface answers the same way."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError


class Conflict(ValidationError):
    """The request is well formed but the record's present state forbids it (the checkpoint
    is not open, the shift is double-booked): the API answers 409, a form shows it.

    ``details`` (JSON-ready) goes into the API's answer beside ``detail``; ``api_hint`` is
    added to its sentence (what an API caller does next)."""

    api_hint: str = ""

    @property
    def details(self) -> dict[str, Any]:
        return {}

    def api_detail(self, summary: str) -> str:
        """The API's sentence, given the messages joined."""
        return " ".join(part for part in (summary, self.api_hint) if part)
