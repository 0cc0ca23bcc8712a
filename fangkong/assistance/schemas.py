from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from ninja import Schema


class HouseholdOut(Schema):
    id: int
    division_code: str
    head_name: str
    head_id_number: str
    head_phone: str
    category: str
    monthly_allowance: Decimal
    status: str
    next_review_date: date | None
    last_visited_at: datetime | None


class HouseholdStatusIn(Schema):
    status: str
    reason: str


class ImportOut(Schema):
    created: int
    updated: int
    members: int


class ReliefIn(Schema):
    kind: str
    amount: Decimal
    description: str = ""


class VisitIn(Schema):
    channel: str
    sweep_id: int | None = None
    food_short: bool = False
    medicine_short: bool = False
    heating_short: bool = False
    water_short: bool = False
    fodder_short: bool = False
    income_lost: bool = False
    needs: str = ""
    relief: list[ReliefIn] = []


class VisitOut(Schema):
    id: int
    household_id: int
    visited_at: datetime
    channel: str


class SweepIn(Schema):
    division_code: str
    title: str
    due_date: date


class SweepOut(Schema):
    id: int
    division_code: str
    title: str
    due_date: date


class CoverageOut(Schema):
    division_code: str
    division_name: str
    households: int
    visited: int
    percent: int | None


class ApplicationIn(Schema):
    division_code: str
    kind: str
    applicant_name: str
    applicant_id_number: str
    applicant_phone: str = ""
    amount_requested: Decimal
    reason: str


class ApplicationOut(Schema):
    id: int
    number: str
    kind: str
    division_code: str
    applicant_name: str
    path: str
    path_reason: str
    status: str
    step_due_at: datetime | None
    notice_ends_at: datetime | None
    amount_granted: Decimal | None


class StepIn(Schema):
    approve: bool
    note: str = ""
    amount_granted: Decimal | None = None


class ExtensionIn(Schema):
    division_code: str
    due_from: date
    due_to: date
    months: int
    dry_run: bool = True


class ExtensionOut(Schema):
    id: int | None
    households: int
    applied: bool
    reverted: bool = False


class HelpIn(Schema):
    division_code: str
    name: str
    phone: str
    address: str = ""
    category: str
    urgency: str
    description: str


class HelpCreatedOut(Schema):
    receipt_number: str
    deadline_at: datetime


class HelpStatusIn(Schema):
    receipt_number: str
    phone_last4: str


class HelpStatusOut(Schema):
    receipt_number: str
    status: str
    created_at: datetime
    deadline_at: datetime
    response_note: str


class HelpOut(Schema):
    id: int
    receipt_number: str
    division_code: str
    category: str
    urgency: str
    status: str
    level: str
    assigned_code: str
    deadline_at: datetime
    response_note: str
    overdue: bool


class HelpStatsOut(Schema):
    division_code: str
    division_name: str
    open: int
    overdue: int
    median_minutes: int | None


class NoteIn(Schema):
    note: str = ""


class StockOut(Schema):
    warehouse: str
    item: str
    unit: str
    quantity: Decimal


class LotIn(Schema):
    donor_kind: str
    donor_name: str
    warehouse_id: int
    item_id: int
    quantity: Decimal
    expires_on: date | None = None
    value: Decimal = Decimal(0)


class LotOut(Schema):
    id: int
    quantity: Decimal
    remaining: Decimal


class DistributionIn(Schema):
    warehouse_id: int
    item_id: int
    household_id: int
    quantity: Decimal
    plan_name: str = ""


class DeliveryOut(Schema):
    id: int
    household_id: int
    quantity: Decimal
    status: str
    receipt_code: str


class ConfirmIn(Schema):
    proof_kind: str
    receipt_code: str = ""


class TraceOut(Schema):
    at: datetime
    kind: str
    quantity: Decimal
    delivery_id: int | None
    household_id: int | None
    delivered: bool
