"""Wire formats of the checkpoint API (devices depend on them; version them if they change)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from ninja import Schema


class CheckpointOut(Schema):
    id: int
    name: str
    division_code: str
    division_name: str
    kind: str
    status: str
    location: str
    latitude: Decimal | None
    longitude: Decimal | None
    min_staff: int
    planned_hours: str
    approval_code: str
    opened_at: datetime | None


class PassageIn(Schema):
    """One passage as a device sends it (documentation of the batch body)."""

    client_uuid: str
    at: str
    direction: str
    subject: str
    plate: str | None = None
    person_name: str | None = None
    id_number: str | None = None
    temperature: float | None = None
    result: str
    pass_serial: str | None = None


class BatchIn(Schema):
    passages: list[PassageIn]


class ItemResultOut(Schema):
    client_uuid: str
    outcome: str
    reason: str | None = None


class BatchOut(Schema):
    results: list[ItemResultOut]


class ErrorOut(Schema):
    detail: str
