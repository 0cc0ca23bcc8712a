"""``raise_event``: the one way apps tell people something happened.

Called inside the caller's own transaction, so the event, its alerts and its outbox rows (the
messages beyond the app, see ``outbox``) are committed or rolled back with the change that
caused them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.accounts.models import Membership
from fangkong.alerts.kinds import RESPONSIBLE, kind_of
from fangkong.alerts.models import Alert, Event, Preference
from fangkong.alerts.outbox import deliveries_create
from fangkong.core.audit import record_audit
from fangkong.divisions.models import Division


class EventOutsideTransaction(RuntimeError):
    """raise_event was called outside a transaction: alerts could outlive a rollback."""


def _audience_ids(
    kind_name: str, places: Mapping[str, str], responsible: Iterable[Any]
) -> set[int]:
    kind = kind_of(kind_name)
    ids: set[int] = set()
    q = Q()
    wanted = False
    for entry in kind.audience:
        if RESPONSIBLE in entry.roles:
            ids.update(
                user.pk
                for user in responsible
                if user is not None and getattr(user, "is_active", False)
            )
            continue
        office = entry.office_code(places)
        if office is None:
            continue
        q |= Q(role__in=[str(r) for r in entry.roles], division_code=office)
        wanted = True
    if wanted:
        ids.update(
            Membership.objects.filter(q, user__is_active=True).values_list("user_id", flat=True)
        )
    return ids


def recipient_language(user_id: int, preferences: Mapping[int, str]) -> str:
    return preferences.get(user_id) or settings.LANGUAGE_CODE


def raise_event(
    kind: str,
    *,
    key: str,
    division_code: str,
    params: Mapping[str, Any],
    url: str = "",
    actor: Any = None,
    responsible: Iterable[Any] = (),
    places: Mapping[str, str] | None = None,
) -> Event | None:
    """Raise one event of ``kind`` about the place ``division_code``; returns it, or ``None``
    when an event of this kind and ``key`` was raised before (an event is raised once).

    ``params`` fill the kind's text; ``places`` names other divisions the kind's audience may
    refer to (``{"issuer": "1529"}``); ``responsible`` the responsible workers.
    """
    spec = kind_of(kind)
    if not connection.in_atomic_block:
        raise EventOutsideTransaction(f"raise_event({kind!r}) must run inside transaction.atomic")
    missing = [name for name in spec.params if name not in params]
    if missing:
        raise ValueError(f"event {kind!r} needs the parameters: {', '.join(missing)}")
    if not key:
        raise ValueError(f"event {kind!r} needs a key")
    if Event.objects.filter(kind=kind, key=key).exists():
        return None
    clean = {name: "" if params[name] is None else str(params[name]) for name in spec.params}
    try:
        with transaction.atomic():
            event = Event.objects.create(
                kind=kind,
                key=key[:120],
                severity=spec.severity,
                division=Division.objects.filter(code=division_code).first(),
                division_code=division_code,
                params=clean,
                url=url,
                raised_by=actor if getattr(actor, "pk", None) is not None else None,
            )
    except IntegrityError:
        return None  # raised meanwhile by a concurrent transaction
    all_places = {"event": division_code, **(places or {})}
    ids = _audience_ids(kind, all_places, responsible)
    languages = dict(
        Preference.objects.filter(user_id__in=ids)
        .exclude(language="")
        .values_list("user_id", "language")
    )
    alerts = Alert.objects.bulk_create(
        [
            Alert(
                event=event,
                recipient_id=user_id,
                language=recipient_language(user_id, languages),
                created_at=event.created_at,
            )
            for user_id in sorted(ids)
        ]
    )
    deliveries_create(event, alerts)
    return event


def alert_open(*, actor: Any, alert: Alert) -> Alert:
    """The recipient opened the alert: it is read (once; the first time is kept)."""
    if alert.recipient_id != actor.pk:
        raise ValidationError(_("This alert is not yours."))
    if alert.read_at is None:
        now = timezone.now()
        Alert.objects.filter(pk=alert.pk, read_at=None).update(read_at=now)
        alert.read_at = now
    return alert


def alert_acknowledge(*, actor: Any, alert: Alert) -> Alert:
    """Acknowledge the alert's event for everyone it reached (who and when are kept; a second
    acknowledgement changes nothing). Only a recipient may acknowledge."""
    if alert.recipient_id != actor.pk:
        raise ValidationError(_("This alert is not yours."))
    with transaction.atomic():
        now = timezone.now()
        Alert.objects.filter(pk=alert.pk, read_at=None).update(read_at=now)
        done = Event.objects.filter(pk=alert.event_id, acknowledged_at=None).update(
            acknowledged_at=now, acknowledged_by=actor
        )
        if done:
            record_audit(actor, "alert.acknowledge", alert.event, kind=alert.event.kind)
    alert.refresh_from_db()
    alert.event.refresh_from_db()
    return alert


def preference_save(*, actor: Any, data: Mapping[str, Any]) -> Preference:
    """The actor's own alert preferences (audited)."""
    fields = ("language", "sms", "min_severity", "quiet_start", "quiet_end")
    with transaction.atomic():
        preference, _created = Preference.objects.update_or_create(
            user=actor, defaults={name: data[name] for name in fields if name in data}
        )
        record_audit(
            actor,
            "alert.preferences",
            None,
            division_code="",
            sms=preference.sms,
            quiet=bool(preference.quiet_start),
        )
    return preference
