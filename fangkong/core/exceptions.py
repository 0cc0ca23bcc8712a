"""Errors a service raises that every surface answers the same way."""

from __future__ import annotations

from django.core.exceptions import ValidationError


class Conflict(ValidationError):
    """The request is well formed but the record's present state forbids it (the checkpoint
    is not open, the request was already answered): the API answers 409, a form shows it."""
