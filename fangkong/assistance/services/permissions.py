"""The permissions of the assistance app, and the check every use case makes first."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CASEWORK = "assistance.casework"
APPROVE = "assistance.approve"
EXTEND = "assistance.extend"
DISTRIBUTE = "assistance.distribute"


def _require(actor: Any, permission: str, code: str) -> None:
    if actor is None or not actor.can(permission, code):
        raise ValidationError(_("You may not do this in %(code)s.") % {"code": code})
