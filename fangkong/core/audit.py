"""``record_audit``: every service writes its audit entry inside its own transaction."""

from __future__ import annotations

from typing import Any

from django.db import connection, models

from fangkong.core.models import AuditEntry


class AuditOutsideTransaction(RuntimeError):
    """record_audit was called outside a transaction: the entry could outlive a rollback."""


def record_audit(
    actor: Any,
    verb: str,
    target: models.Model | None = None,
    *,
    division_code: str | None = None,
    **extra: Any,
) -> AuditEntry:
    """Write one audit entry for ``actor`` doing ``verb`` to ``target``.

    Must run inside the service's transaction (``transaction.atomic``), so that the entry and
    the change it describes are committed or rolled back together. ``division_code`` defaults
    to the target's own ``division_code`` when it has one, which puts the entry inside the
    jurisdiction of the HQs above that place.
    """
    if not connection.in_atomic_block:
        raise AuditOutsideTransaction(f"record_audit({verb!r}) must run inside transaction.atomic")
    if division_code is None and target is not None:
        division_code = getattr(target, "division_code", "") or ""
    user = actor if actor is not None and getattr(actor, "pk", None) is not None else None
    return AuditEntry.objects.create(
        actor=user,
        actor_username=getattr(user, "username", "") or ("system" if user is None else ""),
        verb=verb,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_repr=str(target)[:200] if target is not None else "",
        division_code=division_code or "",
        extra=_jsonable(extra),
    )


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)
