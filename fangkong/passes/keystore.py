"""Private signing keys: 0600 files under settings.FANGKONG_KEY_DIR, never in the database."""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings

from fangkong.lib import signing


class MissingPrivateKey(LookupError):
    """The key file for a kid is not in the key directory."""


def key_path(kid_hex: str) -> Path:
    return Path(settings.FANGKONG_KEY_DIR) / f"{kid_hex}.pem"


def store(private_key: ec.EllipticCurvePrivateKey) -> str:
    """Save a private key as ``<kid>.pem`` (mode 0600); returns the kid hex."""
    kid_hex = signing.kid_for(private_key.public_key()).hex()
    signing.save_private_key(private_key, key_path(kid_hex))
    return kid_hex


_CACHE: dict[str, ec.EllipticCurvePrivateKey] = {}


def load(kid_hex: str) -> ec.EllipticCurvePrivateKey:
    """The private key for ``kid_hex`` (cached per process); ``MissingPrivateKey`` if absent."""
    path = key_path(kid_hex)
    cached = _CACHE.get(str(path))
    if cached is not None:
        return cached
    if not path.exists():
        raise MissingPrivateKey(f"no private key file for key {kid_hex} in the key directory")
    key = signing.load_private_key(path)
    _CACHE[str(path)] = key
    return key
