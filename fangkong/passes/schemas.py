"""API schemas of passes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Schema
from pydantic import Field


class VerifyIn(Schema):
    code: str = Field(max_length=20_000)
    checkpoint: int | None = None


class VerifyOut(Schema):
    valid: bool
    reason: str
    claims: dict[str, Any] | None
    serial: str | None
    issuer: str | None
    kind: str


class TrustEnvelope(Schema):
    payload: str
    kid: str
    signature: str


class RootKeyOut(Schema):
    kid: str
    public_key: str


class PassOut(Schema):
    id: int
    serial: str
    plate: str
    vehicle_type: str
    cargo: str
    origin: str
    destination: str
    valid_from: datetime
    valid_until: datetime
    issuer: str
    status: str
    revoked_reason: str
    driver_name: str | None
    driver_id_number: str | None  # masked
    code: str


class PassIn(Schema):
    plate: str = Field(max_length=20)
    vehicle_type: str = Field(default="", max_length=40)
    owner: str = Field(default="", max_length=100)
    driver_name: str = Field(default="", max_length=50)
    driver_id_number: str = Field(default="", max_length=20)
    driver_phone: str = Field(default="", max_length=20)
    cargo: str
    origin: str = Field(max_length=100)
    destination: str = Field(max_length=100)
    days: int = 7
    issuer: str = Field(default="", description="issuing HQ's division code (default: yours)")


class RevokeIn(Schema):
    reason: str = Field(max_length=200)


class ChecksBatchIn(Schema):
    passages: list[Any]


class ChecksBatchResult(Schema):
    client_uuid: str | None
    outcome: str
    reason: str | None


class ChecksBatchOut(Schema):
    results: list[ChecksBatchResult]


class PlateCodesOut(Schema):
    plate: str
    codes: list[str]
