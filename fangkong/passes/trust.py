"""Building the trust list from the database, and the server's cached copy for verification."""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Max, Q

from fangkong.lib import signing
from fangkong.passes import keystore
from fangkong.passes.models import GreenPass, SigningKey, TrustState

#: How long a served trust list stays fresh at a checkpoint (DESIGN.md: 48 h).
TRUST_LIST_HOURS = 48
#: The server rebuilds its own copy at least this often even if nothing changed.
_SERVER_COPY_SECONDS = 600
#: How long a process trusts its last look at the change token before asking the database
#: again. A change made in this process is seen at once (``bump_generation`` forgets the
#: look when its transaction commits); one made by another process within this many seconds.
_GENERATION_TTL_SECONDS = 2.0


_seen: tuple[float, str] | None = None


def generation() -> str:
    """The current change token (read at most every ``_GENERATION_TTL_SECONDS``)."""
    global _seen
    now = time.monotonic()
    seen = _seen
    if seen is not None and now - seen[0] < _GENERATION_TTL_SECONDS:
        return seen[1]
    row = TrustState.objects.filter(pk=1).values_list("token", flat=True).first() or ""
    _seen = (now, row)
    return row


def forget_generation() -> None:
    global _seen
    _seen = None


def bump_generation() -> None:
    """Mark the trust list as changed (call inside the changing service's transaction)."""
    token = uuid.uuid4().hex
    if not TrustState.objects.filter(pk=1).update(token=token):
        TrustState.objects.create(pk=1, token=token)
    forget_generation()
    transaction.on_commit(forget_generation)


def build(*, at: datetime, hours: int = TRUST_LIST_HOURS) -> signing.TrustList:
    """All HQ keys still trusted at ``at`` and the serials revoked while still unexpired."""
    tl = signing.TrustList(
        keys={}, revoked=set(), issued_at=at, expires_at=at + timedelta(hours=hours)
    )
    keys = SigningKey.objects.filter(is_root=False).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gt=at)
    )
    for key in keys:
        tl.keys[key.kid] = signing.TrustedKey(
            public_key=key.public_key,
            division_code=key.division_code,
            valid_from=key.valid_from,
            valid_until=key.valid_until,
        )
    tl.revoked = set(
        GreenPass.objects.filter(status=GreenPass.Status.REVOKED, valid_until__gt=at).values_list(
            "serial", flat=True
        )
    )
    return tl


def root_key() -> SigningKey | None:
    return SigningKey.objects.filter(is_root=True, retired_at__isnull=True).first()


class NoRootKey(LookupError):
    """No league root key yet: run ``fangkong keys create --root``."""


def envelope(*, at: datetime) -> dict[str, str]:
    """The trust list signed by the league root key (see ``lib.signing``)."""
    root = root_key()
    if root is None:
        raise NoRootKey("no league root key: run `fangkong keys create --root`")
    return signing.sign_trust_list(build(at=at), keystore.load(root.kid))


@dataclass
class _Copy:
    generation: str
    built_at: datetime
    trust: signing.TrustList


_lock = threading.Lock()
_copy: _Copy | None = None


def server_copy(*, at: datetime) -> signing.TrustList:
    """The server's own trust list, rebuilt when keys or revocations change (one small query)."""
    global _copy
    current = generation()
    cached = _copy
    if (
        cached is not None
        and cached.generation == current
        and cached.built_at <= at < cached.built_at + timedelta(seconds=_SERVER_COPY_SECONDS)
    ):
        return cached.trust
    with _lock:
        trust = build(at=at)
        _copy = _Copy(generation=current, built_at=at, trust=trust)
    return trust


def last_pass_end(kid_hex: str) -> datetime | None:
    """When the last pass signed by ``kid_hex`` stops being valid (None if it signed none)."""
    value: datetime | None = GreenPass.objects.filter(kid=kid_hex).aggregate(m=Max("valid_until"))[
        "m"
    ]
    return value
