"""Jurisdiction as division-code prefixes.

A record that belongs to a place carries an indexed ``division_code`` (the division's scope
key). "Within my jurisdiction" is ``division_code__startswith=<scope key>``: one indexed range
scan per scope, no recursive queries. An actor's scopes come from ``actor.scope_keys(perm)``,
which the accounts app implements; this module only knows the protocol.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from django.db import models
from django.db.models import Q


class Actor(Protocol):
    """What the rest of the system needs to know about whoever acts."""

    pk: object

    def scope_keys(self, permission: str) -> list[str]: ...


def collapse_scopes(keys: Iterable[str]) -> list[str]:
    """Drop scope keys already covered by a shorter one (``1529`` covers ``152921``)."""
    result: list[str] = []
    for key in sorted(set(keys), key=len):
        if not any(key.startswith(kept) for kept in result):
            result.append(key)
    return sorted(result)


def scope_q(keys: Iterable[str], field: str = "division_code") -> Q:
    """A Q object matching rows whose ``field`` lies under any of ``keys``; none → nothing."""
    collapsed = collapse_scopes(keys)
    if not collapsed:
        return Q(pk__in=[])
    q = Q()
    for key in collapsed:
        q |= Q(**{f"{field}__startswith": key})
    return q


def in_scopes(code: str, keys: Iterable[str]) -> bool:
    return any(code.startswith(key) for key in keys)


class JurisdictionQuerySet(models.QuerySet):
    """Reusable filters for models that carry ``division_code``."""

    def within(self, scope_key: str) -> JurisdictionQuerySet:
        return self.filter(division_code__startswith=scope_key)

    def within_scopes(self, keys: Iterable[str]) -> JurisdictionQuerySet:
        return self.filter(scope_q(keys))

    def visible_to(self, actor: Actor, permission: str) -> JurisdictionQuerySet:
        return self.within_scopes(actor.scope_keys(permission))
