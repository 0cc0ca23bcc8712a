"""The audit trail as a reader sees it: names, not codes (see ``audit_labels``)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from fangkong.core.audit_labels import DETAIL_LABELS, VALUE_LABELS, VERB_LABELS
from fangkong.core.models import AuditEntry

_ROLE_AT = re.compile(r"^([a-z_]+)@(\d{2,12})$")
# Keys whose value is a status of the entry's object.
_STATUS_KEYS = {"to", "from_status", "was", "previous", "status"}
# Keys whose values are division codes, and keys whose values are usernames: shown by name.
_DIVISION_KEYS = {"division", "divisions", "division_code", "banner", "banners"}
_USER_KEYS = {"people", "user", "users", "members", "leader"}
_CODE = re.compile(r"^\d{6}(\d{3}(\d{3})?)?$")


@dataclass
class AuditRow:
    entry: AuditEntry
    actor: str
    action: str
    object_type: str
    division: str
    details: list[tuple[str, str]] = field(default_factory=list)


def verb_label(verb: str) -> str:
    label = VERB_LABELS.get(verb)
    return str(label) if label is not None else verb


def _model(label: str) -> type[models.Model] | None:
    if not label:
        return None
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def _field(model: type[models.Model] | None, name: str) -> models.Field[Any, Any] | None:
    if model is None:
        return None
    try:
        found = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return found if isinstance(found, models.Field) else None


class _Context:
    def __init__(self, entries: list[AuditEntry]) -> None:
        codes: set[str] = set()
        usernames: set[str] = set()
        for e in entries:
            if e.division_code:
                codes.add(e.division_code)
            for value in _walk(e.extra):
                if isinstance(value, str) and (m := _ROLE_AT.match(value)):
                    codes.add(m.group(2))
            if isinstance(e.extra, dict):
                for key in _DIVISION_KEYS & e.extra.keys():
                    codes.update(v for v in _walk(e.extra[key]) if isinstance(v, str))
                for key in _USER_KEYS & e.extra.keys():
                    usernames.update(v for v in _walk(e.extra[key]) if isinstance(v, str))
        division = apps.get_model("divisions", "Division")
        self.divisions = dict(division.objects.filter(code__in=codes).values_list("code", "name"))
        user = apps.get_model("accounts", "User")
        self.users = {u.username: str(u) for u in user.objects.filter(username__in=usernames)}
        membership = apps.get_model("accounts", "Membership")
        self.roles = {str(k): str(v) for k, v in membership._meta.get_field("role").choices or []}

    def division(self, code: str) -> str:
        return self.divisions.get(code, code)

    def value(self, value: Any, field: models.Field[Any, Any] | None, key: str = "") -> str:
        if value is None or value == "":
            return "—"
        if isinstance(value, bool):
            return pgettext("audit detail", "yes") if value else pgettext("audit detail", "no")
        if isinstance(value, list):
            return "、".join(self.value(v, field, key) for v in value) or "—"
        if isinstance(value, dict):
            return "；".join(
                f"{self.key(str(k), None)}：{self.value(v, None, str(k))}" for k, v in value.items()
            )
        if isinstance(value, str):
            coded = VALUE_LABELS.get(key, {})
            if value in coded:
                return str(coded[value])
            if key in _DIVISION_KEYS and _CODE.match(value):
                return self.division(value)
            if key in _USER_KEYS and value in self.users:
                return self.users[value]
            if field is not None and field.choices:
                choices = {str(k): str(v) for k, v in field.flatchoices}
                if value in choices:
                    return choices[value]
            if m := _ROLE_AT.match(value):
                role, code = m.groups()
                if role in self.roles:
                    return f"{self.roles[role]}（{self.division(code)}）"
        return str(value)

    def key(self, key: str, model: type[models.Model] | None) -> str:
        found = _field(model, key)
        if found is not None and key not in ("to",):
            return str(found.verbose_name)
        label = DETAIL_LABELS.get(key)
        return str(label) if label is not None else key


def _walk(value: Any) -> Iterable[Any]:
    if isinstance(value, dict):
        for v in value.values():
            yield from _walk(v)
    elif isinstance(value, list):
        for v in value:
            yield from _walk(v)
    else:
        yield value


def audit_rows(entries: Iterable[AuditEntry]) -> list[AuditRow]:
    entries = list(entries)
    context = _Context(entries)
    rows = []
    for e in entries:
        model = _model(e.target_type)
        if e.actor is not None:
            actor = str(e.actor)
        elif e.actor_username in ("", "system"):
            actor = _("System")
        else:
            actor = e.actor_username
        details = []
        extra = e.extra if isinstance(e.extra, dict) else {"": e.extra}
        for key, value in extra.items():
            field = _field(model, "status" if key in _STATUS_KEYS else key)
            details.append((context.key(key, model), context.value(value, field, key)))
        rows.append(
            AuditRow(
                entry=e,
                actor=actor,
                action=verb_label(e.verb),
                object_type=str(model._meta.verbose_name) if model is not None else e.target_type,
                division=context.division(e.division_code) if e.division_code else "",
                details=details,
            )
        )
    return rows
