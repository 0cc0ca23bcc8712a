"""JSON API of the assistance app under /api/v1/assistance/: the same services as the pages."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.http import Http404, HttpRequest
from ninja import File, Router
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.responses import Status

from fangkong.accounts.api import PUBLIC_AUTH
from fangkong.accounts.selectors import access_division_by_code
from fangkong.assistance import selectors
from fangkong.assistance.models import (
    Application,
    Delivery,
    Donor,
    DonorKind,
    HelpChannel,
    HelpRequest,
    Household,
    HouseholdStatus,
    Item,
    Lot,
)
from fangkong.assistance.schemas import (
    ApplicationIn,
    ApplicationOut,
    CoverageOut,
    DeliveryOut,
    DistributionIn,
    ExtensionIn,
    ExtensionOut,
    HelpCreatedOut,
    HelpIn,
    HelpOut,
    HelpStatsOut,
    HelpStatusIn,
    HelpStatusOut,
    HouseholdOut,
    HouseholdStatusIn,
    ImportOut,
    LotIn,
    LotOut,
    NoteIn,
    StepIn,
    StockOut,
    SweepIn,
    SweepOut,
    TraceOut,
    VisitIn,
    VisitOut,
)
from fangkong.assistance.services import (
    applications,
    donations,
    help_requests,
    households,
    permissions,
    reviews,
    visits,
)
from fangkong.core.audit import record_audit
from fangkong.core.numbers import number_error
from fangkong.core.ratelimit import PublicWriteThrottle
from fangkong.divisions.models import Division
from fangkong.lib.ids import InvalidNumber, division_scope_key
from fangkong.lib.masking import mask_id_number, mask_phone
from fangkong.lib.spreadsheet import SpreadsheetError

router = Router(tags=["assistance"])
PERSONAL = "personal_data.view"
MAX_LIMIT = 500


def _actor(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


def _household_out(actor: Any, h: Household) -> HouseholdOut:
    unmasked = actor.can(PERSONAL, h.division_code)
    return HouseholdOut(
        id=h.pk,
        division_code=h.division_code,
        head_name=h.head_name,
        head_id_number=h.head_id_number if unmasked else mask_id_number(h.head_id_number),
        head_phone=h.head_phone if unmasked else mask_phone(h.head_phone),
        category=h.category,
        monthly_allowance=h.monthly_allowance,
        status=h.status,
        next_review_date=h.next_review_date,
        last_visited_at=h.last_visited_at,
    )


def _limit(limit: int) -> int:
    if not 1 <= limit <= MAX_LIMIT:
        raise HttpError(422, f"limit must be between 1 and {MAX_LIMIT}")
    return limit


# --- households -----------------------------------------------------------------------------


@router.get("/assistance/households", response=list[HouseholdOut], summary="Households")
def household_list(
    request: HttpRequest,
    q: str = "",
    category: str = "",
    not_visited: bool = False,
    limit: int = 100,
    offset: int = 0,
) -> list[HouseholdOut]:
    actor = _actor(request)
    qs = (
        selectors.households_not_visited(actor=actor)
        if not_visited
        else selectors.household_list(actor=actor, q=q, category=category)
    )
    rows = list(qs[offset : offset + _limit(limit)])
    return [_household_out(actor, h) for h in rows]


@router.get("/assistance/households/{int:household_id}", response=HouseholdOut)
def household_detail(request: HttpRequest, household_id: int) -> HouseholdOut:
    actor = _actor(request)
    household = selectors.access_household_by_id(actor, household_id)
    if actor.can(PERSONAL, household.division_code):
        with transaction.atomic():
            record_audit(actor, "household.view_personal", household, via="api")
    return _household_out(actor, household)


@router.post("/assistance/households/import", response=ImportOut, summary="Import the roster")
def household_import(request: HttpRequest, file: File[UploadedFile]) -> ImportOut:
    actor = _actor(request)
    selectors._keys(actor, permissions.CASEWORK)
    try:
        result = households.households_import(actor=actor, stream=file, filename=file.name or "")
    except SpreadsheetError as exc:
        raise HttpError(422, "; ".join(exc.messages)) from None
    return ImportOut(created=result.created, updated=result.updated, members=result.members)


@router.post("/assistance/households/{int:household_id}/status", response=HouseholdOut)
def household_status(
    request: HttpRequest, household_id: int, payload: HouseholdStatusIn
) -> HouseholdOut:
    actor = _actor(request)
    household = selectors.access_household_by_id(actor, household_id, write=True)
    if payload.status not in HouseholdStatus.values:
        raise HttpError(422, "status must be active, suspended or closed")
    household = households.household_set_status(
        actor=actor, household=household, status=payload.status, reason=payload.reason
    )
    return _household_out(actor, household)


@router.post("/assistance/households/{household_id}/visits", response={201: VisitOut})
def visit_create(request: HttpRequest, household_id: int, payload: VisitIn) -> Status[VisitOut]:
    actor = _actor(request)
    household = selectors.access_household_by_id(actor, household_id, write=True)
    sweep = selectors.access_sweep_by_id(actor, payload.sweep_id) if payload.sweep_id else None
    visit = visits.visit_record(
        actor=actor,
        household=household,
        sweep=sweep,
        channel=payload.channel,
        needs=payload.needs,
        relief=[visits.Relief(r.kind, r.amount, r.description) for r in payload.relief],
        **{flag: getattr(payload, flag) for flag in visits.LIVING_FLAGS},
    )
    out = VisitOut(
        id=visit.pk, household_id=household.pk, visited_at=visit.visited_at, channel=visit.channel
    )
    return Status(201, out)


@router.post("/assistance/sweeps", response={201: SweepOut}, summary="Start a sweep")
def sweep_create(request: HttpRequest, payload: SweepIn) -> Status[SweepOut]:
    actor = _actor(request)
    division = access_division_by_code(
        actor, payload.division_code, permission=permissions.CASEWORK
    )
    sweep = visits.sweep_create(
        actor=actor, division=division, title=payload.title, due_date=payload.due_date
    )
    out = SweepOut(
        id=sweep.pk, division_code=sweep.division_code, title=sweep.title, due_date=sweep.due_date
    )
    return Status(201, out)


@router.get(
    "/assistance/sweeps/{sweep_id}/not-visited",
    response=list[HouseholdOut],
    summary="Households of a sweep not yet visited",
)
def sweep_not_visited(
    request: HttpRequest, sweep_id: int, limit: int = 100, offset: int = 0
) -> list[HouseholdOut]:
    actor = _actor(request)
    sweep = selectors.access_sweep_by_id(actor, sweep_id)
    rows = selectors.households_not_visited(actor=actor, sweep=sweep)[
        offset : offset + _limit(limit)
    ]
    return [_household_out(actor, h) for h in rows]


@router.get("/assistance/reviews/due", response=list[HouseholdOut], summary="Reviews due")
def reviews_due(
    request: HttpRequest, due_from: date, due_to: date, division: str = "", limit: int = 100
) -> list[HouseholdOut]:
    actor = _actor(request)
    qs = selectors.reviews_due(actor=actor, due_from=due_from, due_to=due_to, division=division)
    return [_household_out(actor, h) for h in qs[: _limit(limit)]]


@router.get("/assistance/coverage/{code}", response=list[CoverageOut], summary="Visit coverage")
def coverage(request: HttpRequest, code: str, sweep_id: int | None = None) -> list[CoverageOut]:
    actor = _actor(request)
    division = access_division_by_code(actor, code, permission=selectors.VIEW)
    sweep = selectors.access_sweep_by_id(actor, sweep_id) if sweep_id else None
    rows = selectors.coverage_by_division(actor=actor, parent=division, sweep=sweep)
    return [
        CoverageOut(
            division_code=r["division"].code,
            division_name=r["division"].name,
            households=r["households"],
            visited=r["visited"],
            percent=r["percent"],
        )
        for r in rows
    ]


# --- applications ---------------------------------------------------------------------------


def _application_out(a: Application) -> ApplicationOut:
    return ApplicationOut(
        id=a.pk,
        number=a.number,
        kind=a.kind,
        division_code=a.division_code,
        applicant_name=a.applicant_name,
        path=a.path,
        path_reason=a.path_reason,
        status=a.status,
        step_due_at=a.step_due_at,
        notice_ends_at=a.notice_ends_at,
        amount_granted=a.amount_granted,
    )


@router.get("/assistance/applications", response=list[ApplicationOut])
def application_list(
    request: HttpRequest, status: str = "", overdue: bool = False, limit: int = 100
) -> list[ApplicationOut]:
    qs = selectors.application_list(actor=_actor(request), status=status, overdue=overdue)
    return [_application_out(a) for a in qs[: _limit(limit)]]


@router.post("/assistance/applications", response={201: ApplicationOut})
def application_create(request: HttpRequest, payload: ApplicationIn) -> Status[ApplicationOut]:
    actor = _actor(request)
    division = access_division_by_code(
        actor, payload.division_code, permission=permissions.CASEWORK
    )
    application = applications.application_submit(
        actor=actor,
        division=division,
        **payload.dict(exclude={"division_code"}),
    )
    return Status(201, _application_out(application))


@router.get("/assistance/applications/{application_id}", response=ApplicationOut)
def application_detail(request: HttpRequest, application_id: int) -> ApplicationOut:
    return _application_out(selectors.access_application_by_id(_actor(request), application_id))


@router.post("/assistance/applications/{application_id}/review", response=ApplicationOut)
def application_review(
    request: HttpRequest, application_id: int, payload: StepIn
) -> ApplicationOut:
    actor = _actor(request)
    application = selectors.access_application_by_id(actor, application_id, write=True)
    application = applications.application_review(
        actor=actor, application=application, approve=payload.approve, note=payload.note
    )
    return _application_out(application)


@router.post("/assistance/applications/{application_id}/notice-close", response=ApplicationOut)
def application_notice_close(
    request: HttpRequest, application_id: int, payload: StepIn
) -> ApplicationOut:
    actor = _actor(request)
    application = selectors.access_application_by_id(actor, application_id, write=True)
    application = applications.application_notice_close(
        actor=actor,
        application=application,
        objection="" if payload.approve else payload.note or "objection upheld",
    )
    return _application_out(application)


@router.post("/assistance/applications/{application_id}/decide", response=ApplicationOut)
def application_decide(
    request: HttpRequest, application_id: int, payload: StepIn
) -> ApplicationOut:
    actor = _actor(request)
    application = selectors.access_application_by_id(actor, application_id)
    if not actor.can(permissions.APPROVE, application.division_code):
        raise Http404
    application = applications.application_decide(
        actor=actor,
        application=application,
        approve=payload.approve,
        amount_granted=payload.amount_granted,
        note=payload.note,
    )
    return _application_out(application)


# --- reviews --------------------------------------------------------------------------------


@router.post("/assistance/reviews/extensions", response=ExtensionOut, summary="Extend reviews")
def extension_apply(request: HttpRequest, payload: ExtensionIn) -> ExtensionOut:
    actor = _actor(request)
    division = access_division_by_code(actor, payload.division_code, permission=permissions.EXTEND)
    outcome = reviews.review_extension_apply(
        actor=actor,
        division=division,
        due_from=payload.due_from,
        due_to=payload.due_to,
        months=payload.months,
        dry_run=payload.dry_run,
    )
    return ExtensionOut(
        id=outcome.extension.pk if outcome.extension else None,
        households=outcome.households,
        applied=outcome.applied,
    )


@router.post("/assistance/reviews/extensions/{extension_id}/revert", response=ExtensionOut)
def extension_revert(request: HttpRequest, extension_id: int) -> ExtensionOut:
    actor = _actor(request)
    extension = selectors.access_review_extension_by_id(actor, extension_id)
    restored = reviews.review_extension_revert(actor=actor, extension=extension)
    return ExtensionOut(id=extension.pk, households=restored, applied=False, reverted=True)


# --- help requests --------------------------------------------------------------------------


def _help_out(r: HelpRequest) -> HelpOut:
    from django.utils import timezone

    return HelpOut(
        id=r.pk,
        receipt_number=r.receipt_number,
        division_code=r.division_code,
        category=r.category,
        urgency=r.urgency,
        status=r.status,
        level=r.level,
        assigned_code=r.assigned_code,
        deadline_at=r.deadline_at,
        response_note=r.response_note,
        overdue=r.is_overdue_at(timezone.now()),
    )


def _division(code: str) -> Division:
    try:
        key = division_scope_key(code)
    except InvalidNumber as exc:
        raise HttpError(422, f"division_code: {number_error(exc)}") from None
    division = Division.objects.filter(code=key).first()
    if division is None:
        raise HttpError(422, f"division_code: no division {code}")
    return division


@router.post(
    "/assistance/help/public",
    response={201: HelpCreatedOut},
    auth=PUBLIC_AUTH,
    throttle=PublicWriteThrottle("help-request"),
    summary="Ask for help (the public; no login)",
)
def help_public_create(request: HttpRequest, payload: HelpIn) -> Status[HelpCreatedOut]:
    created = help_requests.help_request_create(
        actor=None,
        division=_division(payload.division_code),
        channel=HelpChannel.WEB,
        **payload.dict(exclude={"division_code"}),
    )
    out = HelpCreatedOut(receipt_number=created.receipt_number, deadline_at=created.deadline_at)
    return Status(201, out)


@router.post(
    "/assistance/help/status",
    response=HelpStatusOut,
    auth=PUBLIC_AUTH,
    throttle=PublicWriteThrottle("help-status"),
    summary="Status of a request by receipt number and the last 4 phone digits",
)
def help_public_status(request: HttpRequest, payload: HelpStatusIn) -> HelpStatusOut:
    found = selectors.help_request_lookup(
        receipt_number=payload.receipt_number, phone_last4=payload.phone_last4
    )
    if found is None:
        raise HttpError(404, "No request matches this receipt number and these phone digits.")
    return HelpStatusOut(
        receipt_number=found.receipt_number,
        status=found.status,
        created_at=found.created_at,
        deadline_at=found.deadline_at,
        response_note=found.response_note,
    )


@router.post("/assistance/help/hotline", response={201: HelpOut}, summary="Hotline entry")
def help_hotline_create(request: HttpRequest, payload: HelpIn) -> Status[HelpOut]:
    actor = _actor(request)
    division = access_division_by_code(
        actor, payload.division_code, permission=permissions.CASEWORK
    )
    created = help_requests.help_request_create(
        actor=actor,
        division=division,
        channel=HelpChannel.HOTLINE,
        **payload.dict(exclude={"division_code"}),
    )
    return Status(201, _help_out(created))


@router.get("/assistance/help", response=list[HelpOut], summary="Help requests")
def help_list(
    request: HttpRequest, status: str = "", overdue: bool = False, limit: int = 100
) -> list[HelpOut]:
    qs = selectors.help_request_list(actor=_actor(request), status=status, overdue=overdue)
    return [_help_out(r) for r in qs[: _limit(limit)]]


@router.get(
    "/assistance/help/stats/{code}",
    response=list[HelpStatsOut],
    summary="Open, overdue and median minutes to answer, per child division",
)
def help_stats(request: HttpRequest, code: str) -> list[HelpStatsOut]:
    actor = _actor(request)
    division = access_division_by_code(actor, code, permission=selectors.VIEW)
    return [
        HelpStatsOut(
            division_code=row["division"].code,
            division_name=row["division"].name,
            open=row["open"],
            overdue=row["overdue"],
            median_minutes=row["median_minutes"],
        )
        for row in selectors.help_stats_by_division(actor=actor, parent=division)
    ]


@router.post("/assistance/help/{request_id}/answer", response=HelpOut)
def help_answer(request: HttpRequest, request_id: int, payload: NoteIn) -> HelpOut:
    actor = _actor(request)
    found = selectors.access_help_request_by_id(actor, request_id, write=True)
    found = help_requests.help_request_answer(actor=actor, request=found, note=payload.note)
    return _help_out(found)


@router.post("/assistance/help/{request_id}/close", response=HelpOut)
def help_close(request: HttpRequest, request_id: int, payload: NoteIn) -> HelpOut:
    actor = _actor(request)
    found = selectors.access_help_request_by_id(actor, request_id, write=True)
    found = help_requests.help_request_close(actor=actor, request=found, note=payload.note)
    return _help_out(found)


# --- donations ------------------------------------------------------------------------------


@router.get("/assistance/stock", response=list[StockOut], summary="Stock per warehouse and item")
def stock(request: HttpRequest) -> list[StockOut]:
    return [StockOut(**row) for row in selectors.stock_levels(actor=_actor(request))]


def _item(item_id: int) -> Item:
    item = Item.objects.filter(pk=item_id).first()
    if item is None:
        raise HttpError(422, f"item_id: no item {item_id}")
    return item


@router.post("/assistance/lots", response={201: LotOut}, summary="Receive a donation")
def lot_create(request: HttpRequest, payload: LotIn) -> Status[LotOut]:
    actor = _actor(request)
    warehouse = selectors.access_warehouse_by_id(actor, payload.warehouse_id, write=True)
    if payload.donor_kind not in DonorKind.values:
        raise HttpError(422, "donor_kind must be person or company")
    with transaction.atomic():
        donor = Donor.objects.filter(name=payload.donor_name).first() or donations.donor_create(
            actor=actor, kind=payload.donor_kind, name=payload.donor_name
        )
        lot = donations.lot_receive(
            actor=actor,
            donor=donor,
            warehouse=warehouse,
            item=_item(payload.item_id),
            quantity=payload.quantity,
            expires_on=payload.expires_on,
            value=payload.value,
        )
    return Status(201, LotOut(id=lot.pk, quantity=lot.quantity, remaining=lot.remaining))


def _delivery_out(d: Delivery) -> DeliveryOut:
    return DeliveryOut(
        id=d.pk,
        household_id=d.household_id,
        quantity=d.quantity,
        status=d.status,
        receipt_code=d.receipt_code,
    )


@router.post("/assistance/distributions", response={201: DeliveryOut})
def distribution_create(request: HttpRequest, payload: DistributionIn) -> Status[DeliveryOut]:
    actor = _actor(request)
    warehouse = selectors.access_warehouse_by_id(actor, payload.warehouse_id, write=True)
    household = selectors.access_household_by_id(actor, payload.household_id)
    delivery = donations.distribution_create(
        actor=actor,
        warehouse=warehouse,
        item=_item(payload.item_id),
        household=household,
        quantity=payload.quantity,
        plan_name=payload.plan_name,
    )
    return Status(201, _delivery_out(delivery))


@router.post("/assistance/deliveries/{delivery_id}/confirm", response=DeliveryOut)
def delivery_confirm(
    request: HttpRequest,
    delivery_id: int,
    proof_kind: str,
    receipt_code: str = "",
    proof: File[UploadedFile] | None = None,
) -> DeliveryOut:
    actor = _actor(request)
    delivery = selectors.access_delivery_by_id(actor, delivery_id, write=True)
    try:
        delivery = donations.delivery_confirm(
            actor=actor,
            delivery=delivery,
            proof_kind=proof_kind,
            proof_file=proof,
            receipt_code=receipt_code,
        )
    except ValueError as exc:
        raise HttpError(422, str(exc)) from None
    return _delivery_out(delivery)


@router.get("/assistance/lots/{lot_id}/trace", response=list[TraceOut], summary="Where it went")
def lot_trace(request: HttpRequest, lot_id: int) -> list[TraceOut]:
    lot: Lot = selectors.access_lot_by_id(_actor(request), lot_id)
    return [
        TraceOut(
            at=m.at,
            kind=m.kind,
            quantity=m.quantity,
            delivery_id=m.delivery_id,
            household_id=m.delivery.household_id if m.delivery else None,
            delivered=bool(m.delivery and m.delivery.status == Delivery.Status.DELIVERED),
        )
        for m in selectors.lot_trace(lot)
    ]
