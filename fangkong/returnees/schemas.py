from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from ninja import Schema
from pydantic import Field


class TripIn(Schema):
    id_number: str
    name: str
    mobile: str = ""
    key_group: str
    departure_date: date
    arrival_date: date | None = None
    division_code: str
    transport: str = "other"
    transport_number: str = ""
    origin_province: str = ""
    origin_city: str = ""
    origin_country: str = ""
    through_risk_area: bool = False
    work_unit_name: str = ""
    notes: str = ""


class TripFilterIn(Schema):
    q: str = ""
    key_group: str = ""
    status: str = ""
    observation: str = ""
    division: str = ""
    arrived_from: date | None = None
    arrived_to: date | None = None
    departed_from: date | None = None
    departed_to: date | None = None
    work_unit: int | None = None
    risk_area: str = ""
    registered_via: str = ""
    page: int = 1


class ObservationOut(Schema):
    id: int
    kind: str
    status: str
    start_date: date
    planned_end: date


class TripOut(Schema):
    id: int
    person_id: int
    name: str
    id_number: str  # masked unless the caller may see personal data here
    mobile: str
    key_group: str
    origin: str
    through_risk_area: bool
    transport: str
    transport_number: str
    departure_date: date
    arrival_date: date | None
    division_code: str
    work_unit: str
    registered_via: str
    status: str
    receipt: str
    created_at: datetime
    observation: ObservationOut | None


class TripPage(Schema):
    page: int
    has_next: bool
    items: list[TripOut]


class CheckIn(Schema):
    temperature: float
    symptoms: list[str] = []
    contact: str = "visit"
    note: str = ""
    checked_at: datetime | None = Field(
        default=None,
        description="when the check was made, if earlier (a check made offline); default now",
    )


class CheckOut(Schema):
    id: int
    observation_id: int
    day: date
    checked_at: datetime
    checked_by: str = Field(description="the username of who recorded it; empty if unknown")
    temperature: float
    symptoms: list[str] = Field(description="symptom codes (see the check form's choices)")
    symptom_names: list[str] = Field(description="the symptoms in words, in the reader's language")
    contact: str
    note: str
    fever: bool


class ClearanceIn(Schema):
    by: str = Field(max_length=50, description="who lets the held people go, e.g. the doctor")
    reason: str = Field(max_length=300, description="why they may be released")


class ReleaseIn(Schema):
    ids: list[Annotated[int, Field(ge=1, le=2**31 - 1)]] = Field(
        min_length=1, max_length=500, description="observation ids"
    )
    clearance: ClearanceIn | None = Field(
        default=None,
        description="a named clearance: releases those held for a fever or a missed check",
    )


class HoldOut(Schema):
    code: str = Field(description="fever, missed_check or not_due")
    day: date
    temperature: str | None = Field(description="the fever reading, °C")
    checked_at: datetime | None
    text: str


class ReleaseItemOut(Schema):
    id: int
    result: str = Field(description="released, held, not_active or not_found")
    status: str = Field(description="the observation's status now; empty when not found")
    cleared: bool = Field(description="released under the clearance, overriding the reasons")
    reasons: list[HoldOut] = Field(description="why held, or what the clearance overrode")


class ReleaseOut(Schema):
    released: int
    held: int
    results: list[ReleaseItemOut]


ObservationStatusIn = Literal["", "active", "released", "hospital", "transferred", "lost"]


class ObservationFilterIn(Schema):
    status: ObservationStatusIn = Field(
        default="active",
        description="active (default), released, hospital, transferred, lost; empty: all",
    )
    page: int = Field(default=1, ge=1, le=100_000)


class ObservationSummaryOut(Schema):
    id: int
    person_id: int
    trip_id: int
    name: str
    id_number: str = Field(description="masked in lists; see the detail")
    mobile: str
    kind: str
    status: str
    start_date: date
    planned_end: date
    place: str
    division_code: str
    responsible: str = Field(description="the responsible worker's username; empty if none")
    checked_today: bool
    had_fever: bool = Field(description="any fever reading in the observation so far")


class ObservationPage(Schema):
    page: int
    has_next: bool
    items: list[ObservationSummaryOut]


class ObservationDetailOut(ObservationSummaryOut):
    ended_at: datetime | None
    end_note: str
    checks: list[CheckOut] = Field(description="every check, newest first; none overwritten")
    holds: list[HoldOut] = Field(
        description="what would hold a release today (fever readings, days without a check, "
        "a planned end still to come)"
    )
