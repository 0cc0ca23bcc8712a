"""SMS bulletins: an HQ's short notice to many phones, through the same outbox as alerts.

An audience names who gets it within the chosen divisions. ``grassroots`` (the grassroots
workers whose membership lies there) is built in; apps register others (returnees registers
``observed_returnees``: the people under observation there, their daily reminder). A bulletin is
drafted (its counts per division shown), then sent once: one outbox row per phone.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.accounts.models import Membership
from fangkong.accounts.roles import Perm, Role
from fangkong.alerts.models import Bulletin, BulletinStatus, Delivery, DeliveryStatus
from fangkong.alerts.outbox import schedule
from fangkong.core.audit import record_audit
from fangkong.core.jurisdiction import in_scopes, scope_q
from fangkong.divisions.models import Division

SEGMENT = 70  # characters per SMS segment (Chinese text)
MAX_SEGMENTS = 5
SENDER = Perm.DIRECTIVES_PUBLISH  # HQ commanders and office staff


def segments(text: str) -> int:
    return max(1, math.ceil(len(text) / SEGMENT)) if text else 0


#: A phone and the division it belongs to.
Phone = tuple[str, str]


@dataclass(frozen=True)
class BulletinAudience:
    name: str
    label: Promise
    phones: Callable[[list[str]], Iterable[Phone]]  # given division codes (prefixes)


AUDIENCES: dict[str, BulletinAudience] = {}


def register_audience(
    name: str, label: Promise, phones: Callable[[list[str]], Iterable[Phone]]
) -> None:
    AUDIENCES[name] = BulletinAudience(name, label, phones)


def _grassroots(codes: list[str]) -> Iterable[Phone]:
    rows = (
        Membership.objects.filter(scope_q(codes), role=Role.GRASSROOTS, user__is_active=True)
        .exclude(user__phone="")
        .values_list("user__phone", "division_code")
    )
    return list(rows)


register_audience("grassroots", gettext_lazy("Grassroots workers"), _grassroots)


def _recipients(audience: str, codes: list[str]) -> dict[str, str]:
    """phone → the chosen division it falls under (the first that contains it)."""
    found: dict[str, str] = {}
    for phone, code in AUDIENCES[audience].phones(codes):
        phone = (phone or "").replace(" ", "")
        if not phone or phone in found:
            continue
        chosen = next((c for c in sorted(codes, key=len, reverse=True) if code.startswith(c)), "")
        if chosen:
            found[phone] = chosen
    return found


def _common_prefix(codes: list[str]) -> str:
    prefix = min(codes)
    for code in codes:
        while not code.startswith(prefix):
            prefix = prefix[:-1]
    for length in (12, 9, 6, 4, 2):
        if len(prefix) >= length:
            return prefix[:length]
    return ""


def bulletin_draft(*, actor: Any, audience: str, text: str, division_codes: list[str]) -> Bulletin:
    """Check and keep a bulletin as a draft; nothing is sent yet."""
    errors: dict[str, list[str]] = {}
    text = " ".join(text.split())
    if not text:
        errors["text"] = [_("Write the bulletin.")]
    elif segments(text) > MAX_SEGMENTS:
        errors["text"] = [
            _("At most %(n)d characters (%(s)d SMS); this one has %(len)d.")
            % {"n": SEGMENT * MAX_SEGMENTS, "s": MAX_SEGMENTS, "len": len(text)}
        ]
    if audience not in AUDIENCES:
        errors["audience"] = [_("Choose to whom it goes.")]
    keys = actor.scope_keys(SENDER)
    codes = sorted(set(division_codes))
    if not codes:
        errors["divisions"] = [_("Choose at least one division.")]
    elif not all(in_scopes(code, keys) for code in codes):
        errors["divisions"] = [_("You may send only within your own jurisdiction.")]
    elif Division.objects.filter(code__in=codes).count() != len(codes):
        errors["divisions"] = [_("Unknown division.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        bulletin = Bulletin.objects.create(
            audience=audience,
            text=text,
            division_codes=codes,
            division_code=_common_prefix(codes),
            created_by=actor,
        )
        record_audit(actor, "bulletin.draft", bulletin, audience=audience, divisions=codes)
    return bulletin


@dataclass(frozen=True)
class DivisionCount:
    division: Division
    recipients: int
    sent: int = 0
    pending: int = 0
    failed: int = 0


def bulletin_preview(bulletin: Bulletin) -> list[DivisionCount]:
    """How many phones each chosen division would reach."""
    per = Counter(_recipients(bulletin.audience, bulletin.division_codes).values())
    divisions = Division.objects.filter(code__in=bulletin.division_codes).order_by("code")
    return [DivisionCount(d, per.get(d.code, 0)) for d in divisions]


def bulletin_counts(bulletin: Bulletin) -> list[DivisionCount]:
    """Delivery counts per chosen division of a sent bulletin."""
    rows = bulletin.deliveries.values("division_code").annotate(
        total=Count("id"),
        sent=Count("id", filter=Q(status=DeliveryStatus.SENT)),
        failed=Count("id", filter=Q(status=DeliveryStatus.FAILED)),
    )
    by_code = {r["division_code"]: r for r in rows}
    divisions = Division.objects.filter(code__in=bulletin.division_codes).order_by("code")
    out = []
    for d in divisions:
        r = by_code.get(d.code, {"total": 0, "sent": 0, "failed": 0})
        out.append(
            DivisionCount(
                d, r["total"], r["sent"], r["total"] - r["sent"] - r["failed"], r["failed"]
            )
        )
    return out


def bulletin_send(*, actor: Any, bulletin: Bulletin) -> int:
    """Send a draft (once: a second confirmation sends nothing); returns the phones reached."""
    if not all(in_scopes(code, actor.scope_keys(SENDER)) for code in bulletin.division_codes):
        raise ValidationError(_("You may send only within your own jurisdiction."))
    with transaction.atomic():
        locked = Bulletin.objects.select_for_update().get(pk=bulletin.pk)
        if locked.status != BulletinStatus.DRAFT:
            raise ValidationError(_("This bulletin has been sent already."))
        now = timezone.now()
        phones = _recipients(locked.audience, locked.division_codes)
        Delivery.objects.bulk_create(
            [
                Delivery(
                    bulletin=locked,
                    phone=phone,
                    division_code=code,
                    text=locked.text,
                    next_attempt_at=now,
                    created_at=now,
                )
                for phone, code in sorted(phones.items())
            ]
        )
        locked.status = BulletinStatus.SENT
        locked.sent_at = now
        locked.save(update_fields=["status", "sent_at"])
        record_audit(actor, "bulletin.send", locked, recipients=len(phones))
        if phones:
            schedule(now)
    bulletin.refresh_from_db()
    return len(phones)
