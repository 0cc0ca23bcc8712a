"""Wire formats of the checkpoint API (devices depend on them; version them if they change)."""

from __future__ import annotations

from datetime import date, datetime
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


class ShiftIn(Schema):
    """A shift to put on a checkpoint's roster. People by username; ``override_reason`` confirms
    a double booking (someone already on an overlapping shift) and is kept in the audit trail."""

    starts_at: datetime
    ends_at: datetime
    leader: str
    members: list[str] = []
    override_reason: str = ""


class ShiftOut(Schema):
    id: int
    checkpoint: int
    checkpoint_name: str
    starts_at: datetime
    ends_at: datetime
    leader: str
    members: list[str]
    handover_note: str


class ClashOut(Schema):
    person: str
    shift: int
    checkpoint: str
    starts_at: datetime
    ends_at: datetime


class DoubleBookingOut(Schema):
    """409: the shift would double-book people; send it again with ``override_reason``."""

    detail: str
    clashes: list[ClashOut]


class PlanIn(Schema):
    """``dry_run`` answers what would be created (nothing is kept); ``override_reason`` confirms
    the plan's double bookings (audited)."""

    dry_run: bool = False
    override_reason: str = ""


class RepeatIn(PlanIn):
    days: int


class CopyWeekIn(PlanIn):
    week_start: date


class PlannedShiftOut(Schema):
    starts_at: datetime
    ends_at: datetime
    leader: str
    members: list[str]
    refused: bool
    double_booked: bool
    problems: list[str]


class PlanOut(Schema):
    created: bool
    shifts: list[PlannedShiftOut]


class PlanRefusedOut(Schema):
    """409: some shifts are refused, so none was created (all or nothing)."""

    detail: str
    shifts: list[PlannedShiftOut]
