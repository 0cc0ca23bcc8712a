from __future__ import annotations

from datetime import date, datetime

from ninja import Schema


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


class CheckOut(Schema):
    id: int
    observation_id: int
    day: date
    temperature: float
    symptoms: list[str]
    contact: str
    fever: bool
