from __future__ import annotations

from datetime import datetime

from ninja import Schema


class AlertOut(Schema):
    id: int
    event_id: int
    kind: str
    severity: str
    title: str
    text: str
    division_code: str
    place: str
    url: str
    created_at: datetime
    read_at: datetime | None
    acknowledged_at: datetime | None
    acknowledged_by: str | None


class AlertPage(Schema):
    page: int
    has_next: bool
    count: int
    unread: int
    items: list[AlertOut]
