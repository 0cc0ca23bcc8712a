from __future__ import annotations

from datetime import date, datetime

from ninja import Schema


class GatheringIn(Schema):
    kind: str
    place: str
    division: str
    occurs_at: datetime
    estimated_people: int = 0
    organiser: str = ""
    description: str = ""


class GatheringOut(Schema):
    id: int
    kind: str
    place: str
    division_code: str
    division_name: str
    occurs_at: datetime
    estimated_people: int
    organiser: str
    description: str
    source: str
    status: str
    reported_at: datetime
    assignee: str | None
    assigned_at: datetime | None
    handled_at: datetime | None
    handling_notes: str
    minutes_to_handle: int | None
    photos: int


class AssignIn(Schema):
    assignee: str = ""


class HandleIn(Schema):
    outcome: str
    notes: str


class DivisionStatsOut(Schema):
    code: str
    name: str
    reported: int
    handled: int
    open: int
    average_minutes: int | None
    by_kind: dict[str, int]


class GatheringStatsOut(Schema):
    division: str
    rows: list[DivisionStatsOut]
    figures: dict[str, dict[str, int]]


class FamilyEventIn(Schema):
    household_name: str
    kind: str
    planned_on: date
    place: str
    division: str
    expected_guests: int = 0
    phone: str = ""


class FamilyEventOut(Schema):
    id: int
    household_name: str
    phone: str
    kind: str
    planned_on: date
    place: str
    expected_guests: int
    division_code: str
    status: str
    postponed_to: date | None
    conditions: str
    outcome_notes: str
    follow_up_on: date | None
    followed_up_at: datetime | None
    follow_up_notes: str


class OutcomeIn(Schema):
    outcome: str
    postponed_to: date | None = None
    conditions: str = ""
    notes: str = ""


class FollowUpIn(Schema):
    notes: str


class ChecklistItemIn(Schema):
    label: str
    weight: int


class ChecklistItemOut(Schema):
    id: int
    label: str
    weight: int


class CampaignIn(Schema):
    name: str
    division: str
    starts_on: date
    ends_on: date
    pass_score: int = 80
    checklist: list[ChecklistItemIn]


class ChecklistIn(Schema):
    checklist: list[ChecklistItemIn]


class CampaignOut(Schema):
    id: int
    name: str
    division_code: str
    starts_on: date
    ends_on: date
    pass_score: int
    checklist: list[ChecklistItemOut]


class TaskIn(Schema):
    area: str
    title: str
    division: str
    responsible_name: str
    responsible_phone: str = ""
    due_on: date


class TaskOut(Schema):
    id: int
    campaign: int
    area: str
    title: str
    division_code: str
    responsible_name: str
    due_on: date
    status: str
    rectification_due: date | None
    last_score: float | None
    overdue: bool


class InspectionIn(Schema):
    results: dict[int, bool]
    problems: str = ""
    rectification_due: date | None = None


class InspectionOut(Schema):
    id: int
    task: int
    score: float
    passed: bool
    is_reinspection: bool
    rectification_due: date | None
    problems: str
    task_status: str


class RankOut(Schema):
    code: str
    name: str
    level: str
    tasks: int
    scored: int
    passed: int
    overdue: int
    average: float | None


class MaterialIn(Schema):
    title: str
    body: str
    division: str
    targets: list[str]


class MaterialUploadIn(Schema):
    title: str
    kind: str
    division: str
    targets: str
    body: str = ""


class MaterialOut(Schema):
    id: int
    title: str
    kind: str
    body: str
    division_code: str
    published_at: datetime
    target_count: int
    conveyed: int
    has_file: bool


class ConveyIn(Schema):
    gacha: str
    method: str
    notes: str = ""


class ConveyOut(Schema):
    id: int
    material: int
    gacha: str
    method: str
    confirmed_at: datetime


class CoverageOut(Schema):
    code: str
    name: str
    gachas: int
    reached: int
    percent: int
    not_reached: list[str]
