"""The checkpoint API: open checkpoints for devices, batches of passages, and rosters."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Query, Router, Status
from ninja.errors import HttpError

from fangkong.accounts.models import User
from fangkong.checkpoints import selectors, services
from fangkong.checkpoints.models import Checkpoint, Shift
from fangkong.checkpoints.schemas import (
    BatchIn,
    BatchOut,
    CheckpointOut,
    CopyWeekIn,
    DoubleBookingOut,
    ErrorOut,
    PlannedShiftOut,
    PlanOut,
    PlanRefusedOut,
    RepeatIn,
    ShiftIn,
    ShiftOut,
)
from fangkong.lib.runtime import collector_paused

router = Router(tags=["checkpoints"])

# 1,000 passages take ~400 KB; anything far beyond that is not a batch.
MAX_BODY_BYTES = 2 * 1024 * 1024
MAX_PAGE = 1000
_RESULT_KEYS = services.SyncResult._fields


def _out(c: Checkpoint) -> CheckpointOut:
    return CheckpointOut(
        id=c.pk,
        name=c.name,
        division_code=c.division_code,
        division_name=str(c.division),
        kind=c.kind,
        status=c.status,
        location=c.location,
        latitude=c.latitude,
        longitude=c.longitude,
        min_staff=c.min_staff,
        planned_hours=c.planned_hours,
        approval_code=c.approval_code,
        opened_at=c.opened_at,
    )


@router.get(
    "/checkpoints",
    response=list[CheckpointOut],
    summary="Checkpoints in my jurisdiction (filter by status, e.g. ?status=open; paged)",
)
def checkpoint_list(
    request: HttpRequest,
    response: HttpResponse,
    status: str = "",
    kind: str = "",
    limit: int = Query(500, ge=1, le=MAX_PAGE, description="At most this many (1–1000)"),
    offset: int = Query(0, ge=0, description="Skip this many (for the next page)"),
) -> list[CheckpointOut]:
    """A page of checkpoints ordered as the list page orders them. ``X-Total-Count`` gives the
    number of all matches, so a device knows when it has the last page."""
    actor: User = request.auth  # type: ignore[attr-defined]
    qs = selectors.checkpoint_list(actor=actor, status=status, kind=kind)
    response["X-Total-Count"] = str(qs.count())
    return [_out(c) for c in qs[offset : offset + limit]]


@router.get(
    "/checkpoints/{checkpoint_id}",
    response={200: CheckpointOut, 404: ErrorOut},
    summary="One checkpoint",
)
def checkpoint_detail(request: HttpRequest, checkpoint_id: int) -> CheckpointOut:
    actor: User = request.auth  # type: ignore[attr-defined]
    return _out(selectors.access_checkpoint_by_id(actor, checkpoint_id))


@router.post(
    "/checkpoints/{checkpoint_id}/passages:batch",
    response={200: BatchOut, 400: ErrorOut, 404: ErrorOut, 409: ErrorOut, 413: ErrorOut},
    summary="Upload up to 1,000 passages, idempotent by client_uuid",
    description=(
        "Each item's outcome comes back in request order: `stored`, `duplicate` (this "
        "client_uuid is already stored) or `rejected` with the reason. Good items are stored "
        "even when others are rejected. A device retries only what it has no outcome for. "
        "A `fast_passed` item whose pass the server knows is not good at the item's time is "
        "stored but flagged, and its reason says why: `pass_revoked`, `pass_expired`, "
        "`pass_not_yet_valid`, `pass_unknown` (no such serial) or `pass_missing` (no serial)."
    ),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": BatchIn.model_json_schema()}},
        }
    },
)
def passages_batch(request: HttpRequest, checkpoint_id: int) -> Any:
    actor: User = request.auth  # type: ignore[attr-defined]
    checkpoint = selectors.checkpoint_for_duty(actor, checkpoint_id)
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    too_big = {"detail": f"The body is larger than {MAX_BODY_BYTES // 1024 // 1024} MB."}
    if length > MAX_BODY_BYTES:
        return Status(413, too_big)
    try:
        body = request.body
    except RequestDataTooBig:
        return Status(413, too_big)
    if len(body) > MAX_BODY_BYTES:
        return Status(413, too_big)
    with collector_paused():  # parsing, storing and answering allocate the most
        return _passages_batch(actor, checkpoint, body)


def _passages_batch(actor: User, checkpoint: Checkpoint, body: bytes) -> Any:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return Status(400, {"detail": "The body is not valid JSON."})
    if not isinstance(data, dict) or not isinstance(data.get("passages"), list):
        return Status(400, {"detail": 'The body must be a JSON object {"passages": [...]}.'})
    items = data["passages"]
    if len(items) > services.MAX_BATCH:
        return Status(
            413,
            {
                "detail": f"A batch holds at most {services.MAX_BATCH} passages; "
                f"this one has {len(items)}."
            },
        )
    results = services.passages_sync(actor=actor, checkpoint=checkpoint, items=items)
    # Built directly (the shape is BatchOut): a thousand schema objects per answer cost more
    # than the rest of the response.
    answer = {"results": [dict(zip(_RESULT_KEYS, r, strict=True)) for r in results]}
    return HttpResponse(json.dumps(answer), content_type="application/json")


# --- rosters ----------------------------------------------------------------------------------

MAX_ROSTER_DAYS = 62


def _shift_out(s: Shift) -> ShiftOut:
    return ShiftOut(
        id=s.pk,
        checkpoint=s.checkpoint_id,
        checkpoint_name=s.checkpoint.name,
        starts_at=s.starts_at,
        ends_at=s.ends_at,
        leader=s.leader.username,
        members=sorted(m.username for m in s.members.all()),
        handover_note=s.handover_note,
    )


def _people(checkpoint: Checkpoint, payload: ShiftIn) -> dict[str, Any]:
    """The leader and members by username, among those who may serve at this checkpoint."""
    wanted = [payload.leader, *payload.members]
    found = {
        u.username: u for u in selectors.duty_candidates(checkpoint).filter(username__in=wanted)
    }
    for field, names in (("leader", [payload.leader]), ("members", payload.members)):
        missing = [n for n in names if n not in found]
        if missing:
            raise HttpError(422, f"{field}: may not serve at this checkpoint: {', '.join(missing)}")
    return {
        "starts_at": payload.starts_at,
        "ends_at": payload.ends_at,
        "leader": found[payload.leader],
        "members": [found[n] for n in payload.members],
        "override_reason": payload.override_reason,
    }


def _save_shift(call: Any, **kwargs: Any) -> Any:
    """A shift written by the service; a double booking is a 409 (``DoubleBooked``)."""
    return call(**kwargs)


@router.get(
    "/checkpoints/{checkpoint_id}/shifts",
    response={200: list[ShiftOut], 404: ErrorOut, 422: ErrorOut},
    summary="A checkpoint's shifts overlapping [start, end) (default: the next 7 days)",
)
def shift_list(
    request: HttpRequest,
    checkpoint_id: int,
    start: datetime | None = None,
    end: datetime | None = None,
) -> list[ShiftOut]:
    actor: User = request.auth  # type: ignore[attr-defined]
    checkpoint = selectors.access_checkpoint_by_id(actor, checkpoint_id)
    since = start or timezone.now()
    until = end or since + timedelta(days=7)
    if until <= since or until - since > timedelta(days=MAX_ROSTER_DAYS):
        raise HttpError(422, f"end: after start, at most {MAX_ROSTER_DAYS} days later")
    return [_shift_out(s) for s in selectors.shifts_between(checkpoint, since, until)]


@router.post(
    "/checkpoints/{checkpoint_id}/shifts",
    response={201: ShiftOut, 404: ErrorOut, 409: DoubleBookingOut, 422: ErrorOut},
    summary="Add a shift; a double booking is refused (409) unless override_reason is given",
)
def shift_create(request: HttpRequest, checkpoint_id: int, payload: ShiftIn) -> Any:
    actor: User = request.auth  # type: ignore[attr-defined]
    checkpoint = selectors.access_checkpoint_by_id(actor, checkpoint_id)
    result = _save_shift(
        services.shift_create, actor=actor, checkpoint=checkpoint, **_people(checkpoint, payload)
    )
    if isinstance(result, Shift):
        return Status(201, _shift_out(result))
    return result


@router.put(
    "/checkpoints/shifts/{shift_id}",
    response={200: ShiftOut, 404: ErrorOut, 409: DoubleBookingOut, 422: ErrorOut},
    summary="Change a shift's times or people (the same double-booking rule)",
)
def shift_update(request: HttpRequest, shift_id: int, payload: ShiftIn) -> Any:
    actor: User = request.auth  # type: ignore[attr-defined]
    shift = selectors.access_shift_by_id(actor, shift_id)
    result = _save_shift(
        services.shift_update, actor=actor, shift=shift, **_people(shift.checkpoint, payload)
    )
    if isinstance(result, Shift):
        shift.refresh_from_db()
        return _shift_out(shift)
    return result


def _plans_out(plans: list[services.PlannedShift]) -> list[PlannedShiftOut]:
    return [
        PlannedShiftOut(
            starts_at=p.starts_at,
            ends_at=p.ends_at,
            leader=p.leader.username,
            members=sorted(m.username for m in p.members),
            refused=p.refused,
            double_booked=p.double_booked,
            problems=p.problems,
        )
        for p in plans
    ]


def _run_plan(call: Any, *, dry_run: bool, **kwargs: Any) -> Any:
    """A plan run by the service; a refused one is a 409 (``PlanRefused``) with its shifts."""
    plans = call(dry_run=dry_run, **kwargs)
    return PlanOut(created=not dry_run, shifts=_plans_out(plans))


@router.post(
    "/checkpoints/shifts/{shift_id}/repeat",
    response={200: PlanOut, 404: ErrorOut, 409: PlanRefusedOut, 422: ErrorOut},
    summary="Repeat a shift on each of the next `days` days (all or nothing; dry_run previews)",
)
def shift_repeat(request: HttpRequest, shift_id: int, payload: RepeatIn) -> Any:
    actor: User = request.auth  # type: ignore[attr-defined]
    shift = selectors.access_shift_by_id(actor, shift_id)
    return _run_plan(
        services.shift_repeat,
        actor=actor,
        shift=shift,
        days=payload.days,
        override_reason=payload.override_reason,
        dry_run=payload.dry_run,
    )


@router.post(
    "/checkpoints/{checkpoint_id}/roster/copy-week",
    response={200: PlanOut, 404: ErrorOut, 409: PlanRefusedOut, 422: ErrorOut},
    summary="Copy every shift starting in the week from week_start to the next week",
)
def roster_copy_week(request: HttpRequest, checkpoint_id: int, payload: CopyWeekIn) -> Any:
    actor: User = request.auth  # type: ignore[attr-defined]
    checkpoint = selectors.access_checkpoint_by_id(actor, checkpoint_id)
    return _run_plan(
        services.roster_copy_week,
        actor=actor,
        checkpoint=checkpoint,
        week_start=payload.week_start,
        override_reason=payload.override_reason,
        dry_run=payload.dry_run,
    )
