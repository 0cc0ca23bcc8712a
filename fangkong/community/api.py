"""JSON API of the community app: the same services as the pages."""

from __future__ import annotations

from django.db.models import Count
from django.http import Http404, HttpRequest
from ninja import File, Form, Router, Status, UploadedFile
from ninja.errors import HttpError

from fangkong.accounts.models import User
from fangkong.accounts.roles import Perm
from fangkong.community import selectors
from fangkong.community.models import (
    FamilyEvent,
    GatheringReport,
    HygieneCampaign,
    HygieneTask,
    Inspection,
    Material,
)
from fangkong.community.schemas import (
    AssignIn,
    CampaignIn,
    CampaignOut,
    ChecklistIn,
    ChecklistItemOut,
    ConveyIn,
    ConveyOut,
    CoverageOut,
    DivisionStatsOut,
    FamilyEventIn,
    FamilyEventOut,
    FollowUpIn,
    GatheringIn,
    GatheringOut,
    GatheringStatsOut,
    HandleIn,
    InspectionIn,
    InspectionOut,
    MaterialIn,
    MaterialOut,
    MaterialUploadIn,
    OutcomeIn,
    RankOut,
    TaskIn,
    TaskOut,
)
from fangkong.community.services import family_events, gatherings, hygiene, publicity
from fangkong.core.numbers import number_error
from fangkong.divisions.models import Division
from fangkong.lib.ids import InvalidNumber, division_scope_key
from fangkong.lib.masking import mask_phone

router = Router(tags=["community"])
MAX_LIMIT = 500


def _actor(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined]


def _division(code: str, field: str = "division") -> Division:
    try:
        key = division_scope_key(code)
    except InvalidNumber as exc:
        raise HttpError(422, f"{field}: {number_error(exc)}") from None
    division = Division.objects.filter(code=key).first()
    if division is None:
        raise HttpError(422, f"{field}: no division has the code {code}")
    return division


def _limit(limit: int) -> int:
    if not 1 <= limit <= MAX_LIMIT:
        raise HttpError(422, f"limit must be between 1 and {MAX_LIMIT}")
    return limit


def _gathering(r: GatheringReport) -> GatheringOut:
    return GatheringOut(
        id=r.pk,
        kind=r.kind,
        place=r.place,
        division_code=r.division_code,
        division_name=r.division.name,
        occurs_at=r.occurs_at,
        estimated_people=r.estimated_people,
        organiser=r.organiser,
        description=r.description,
        source=r.source,
        status=r.status,
        reported_at=r.created_at,
        assignee=r.assignee.username if r.assignee else None,
        assigned_at=r.assigned_at,
        handled_at=r.handled_at,
        handling_notes=r.handling_notes,
        minutes_to_handle=r.minutes_to_handle,
        photos=getattr(r, "photo_count", None) or r.photos.count(),
    )


@router.get("/community/gatherings", response=list[GatheringOut], summary="Gathering reports")
def gathering_list(
    request: HttpRequest, status: str = "", kind: str = "", division: str = "", limit: int = 100
) -> list[GatheringOut]:
    actor = _actor(request)
    selectors.require_view(actor)
    rows = selectors.gathering_list(
        actor=actor, status=status, kind=kind, division=division
    ).annotate(photo_count=Count("photos"))
    return [_gathering(r) for r in rows[: _limit(limit)]]


@router.post("/community/gatherings", response={201: GatheringOut}, summary="Report a gathering")
def gathering_create(request: HttpRequest, payload: GatheringIn) -> Status[GatheringOut]:
    """Staff report (photos are added through the page or the public form)."""
    actor = _actor(request)
    selectors.require_handle(actor)
    report = gatherings.gathering_report(
        actor=actor,
        kind=payload.kind,
        place=payload.place,
        division=_division(payload.division),
        occurs_at=payload.occurs_at,
        estimated_people=payload.estimated_people,
        organiser=payload.organiser,
        description=payload.description,
    )
    return Status(201, _gathering(report))


@router.get(
    "/community/gatherings/stats", response=GatheringStatsOut, summary="Gatherings per division"
)
def gathering_stats(request: HttpRequest, division: str = "") -> GatheringStatsOut:
    actor = _actor(request)
    key = ""
    if division:
        try:
            key = division_scope_key(division)
        except InvalidNumber:
            raise Http404 from None
    parent, rows = selectors.gathering_stats(actor=actor, parent=key)
    return GatheringStatsOut(
        division=parent.code if parent else "",
        rows=[DivisionStatsOut(**row.__dict__) for row in rows],
        figures=selectors.community_figures(actor=actor),
    )


@router.get("/community/gatherings/{report_id}", response=GatheringOut, summary="One report")
def gathering_detail(request: HttpRequest, report_id: int) -> GatheringOut:
    return _gathering(selectors.access_gathering_by_id(_actor(request), report_id))


@router.post(
    "/community/gatherings/{report_id}/assign", response=GatheringOut, summary="Assign a report"
)
def gathering_assign(request: HttpRequest, report_id: int, payload: AssignIn) -> GatheringOut:
    actor = _actor(request)
    report = selectors.access_gathering_by_id(actor, report_id, write=True)
    assignee = None
    if payload.assignee:
        assignee = User.objects.filter(username=payload.assignee, is_active=True).first()
        if assignee is None or not assignee.can(Perm.COMMUNITY_HANDLE, report.division_code):
            raise HttpError(422, f"assignee: {payload.assignee} may not handle gatherings there")
    report = gatherings.gathering_assign(actor=actor, report=report, assignee=assignee)
    return _gathering(report)


@router.post(
    "/community/gatherings/{report_id}/handle", response=GatheringOut, summary="Handle a report"
)
def gathering_handle(request: HttpRequest, report_id: int, payload: HandleIn) -> GatheringOut:
    actor = _actor(request)
    report = selectors.access_gathering_by_id(actor, report_id, write=True)
    report = gatherings.gathering_handle(
        actor=actor,
        report=report,
        outcome=payload.outcome,
        notes=payload.notes,
    )
    return _gathering(report)


@router.post(
    "/community/gatherings/{report_id}/photos",
    response={201: GatheringOut},
    summary="Add photos to a report (multipart, field name: photos)",
)
def gathering_photos(
    request: HttpRequest, report_id: int, photos: File[list[UploadedFile]]
) -> Status[GatheringOut]:
    actor = _actor(request)
    report = selectors.access_gathering_by_id(actor, report_id, write=True)
    report = gatherings.gathering_add_photos(actor=actor, report=report, photos=photos)
    return Status(201, _gathering(report))


# --- family events ----------------------------------------------------------------------------


def _event(actor: User, e: FamilyEvent) -> FamilyEventOut:
    phone = e.phone if actor.can(Perm.PERSONAL_DATA, e.division_code) else mask_phone(e.phone)
    return FamilyEventOut(
        id=e.pk,
        household_name=e.household_name,
        phone=phone,
        kind=e.kind,
        planned_on=e.planned_on,
        place=e.place,
        expected_guests=e.expected_guests,
        division_code=e.division_code,
        status=e.status,
        postponed_to=e.postponed_to,
        conditions=e.conditions,
        outcome_notes=e.outcome_notes,
        follow_up_on=e.follow_up_on,
        followed_up_at=e.followed_up_at,
        follow_up_notes=e.follow_up_notes,
    )


@router.get("/community/family-events", response=list[FamilyEventOut], summary="Family events")
def family_event_list(
    request: HttpRequest, status: str = "", due: bool = False, limit: int = 100
) -> list[FamilyEventOut]:
    actor = _actor(request)
    selectors.require_view(actor)
    rows = selectors.family_event_list(actor=actor, status=status, due_only=due)
    return [_event(actor, e) for e in rows[: _limit(limit)]]


@router.post(
    "/community/family-events", response={201: FamilyEventOut}, summary="Declare a family event"
)
def family_event_create(request: HttpRequest, payload: FamilyEventIn) -> Status[FamilyEventOut]:
    actor = _actor(request)
    selectors.require_handle(actor)
    data = payload.dict()
    data["division"] = _division(payload.division)
    event = family_events.family_event_declare(actor=actor, **data)
    return Status(201, _event(actor, event))


@router.post(
    "/community/family-events/{event_id}/outcome",
    response=FamilyEventOut,
    summary="Record the outcome",
)
def family_event_outcome(request: HttpRequest, event_id: int, payload: OutcomeIn) -> FamilyEventOut:
    actor = _actor(request)
    event = selectors.access_family_event_by_id(actor, event_id, write=True)
    event = family_events.family_event_record_outcome(actor=actor, event=event, **payload.dict())
    return _event(actor, event)


@router.post(
    "/community/family-events/{event_id}/follow-up",
    response=FamilyEventOut,
    summary="Record the follow-up on the day",
)
def family_event_follow_up(
    request: HttpRequest, event_id: int, payload: FollowUpIn
) -> FamilyEventOut:
    actor = _actor(request)
    event = selectors.access_family_event_by_id(actor, event_id, write=True)
    event = family_events.family_event_follow_up(actor=actor, event=event, notes=payload.notes)
    return _event(actor, event)


# --- hygiene ----------------------------------------------------------------------------------


def _campaign(c: HygieneCampaign) -> CampaignOut:
    return CampaignOut(
        id=c.pk,
        name=c.name,
        division_code=c.division_code,
        starts_on=c.starts_on,
        ends_on=c.ends_on,
        pass_score=c.pass_score,
        checklist=[
            ChecklistItemOut(id=i.pk, label=i.label, weight=i.weight) for i in c.checklist.all()
        ],
    )


def _task(t: HygieneTask) -> TaskOut:
    return TaskOut(
        id=t.pk,
        campaign=t.campaign_id,
        area=t.area,
        title=t.title,
        division_code=t.division_code,
        responsible_name=t.responsible_name,
        due_on=t.due_on,
        status=t.status,
        rectification_due=t.rectification_due,
        last_score=float(t.last_score) if t.last_score is not None else None,
        overdue=t.is_overdue(),
    )


@router.get("/community/campaigns", response=list[CampaignOut], summary="Hygiene campaigns")
def campaign_list(request: HttpRequest) -> list[CampaignOut]:
    actor = _actor(request)
    selectors.require_view(actor)
    return [
        _campaign(c) for c in selectors.campaign_list(actor=actor).prefetch_related("checklist")
    ]


@router.post("/community/campaigns", response={201: CampaignOut}, summary="Start a campaign")
def campaign_create(request: HttpRequest, payload: CampaignIn) -> Status[CampaignOut]:
    actor = _actor(request)
    selectors.require_handle(actor)
    campaign = hygiene.campaign_create(
        actor=actor,
        name=payload.name,
        division=_division(payload.division),
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        pass_score=payload.pass_score,
        checklist=[(item.label, item.weight) for item in payload.checklist],
    )
    return Status(201, _campaign(campaign))


@router.put(
    "/community/campaigns/{campaign_id}/checklist",
    response=CampaignOut,
    summary="Replace the checklist (until the first inspection)",
)
def campaign_checklist(request: HttpRequest, campaign_id: int, payload: ChecklistIn) -> CampaignOut:
    actor = _actor(request)
    campaign = selectors.access_campaign_by_id(actor, campaign_id)
    if not actor.can(Perm.COMMUNITY_HANDLE, campaign.division_code):
        raise Http404
    campaign = hygiene.campaign_set_checklist(
        actor=actor,
        campaign=campaign,
        checklist=[(item.label, item.weight) for item in payload.checklist],
    )
    return _campaign(campaign)


@router.get(
    "/community/campaigns/{campaign_id}/tasks", response=list[TaskOut], summary="Campaign tasks"
)
def task_list(request: HttpRequest, campaign_id: int, overdue: bool = False) -> list[TaskOut]:
    actor = _actor(request)
    campaign = selectors.access_campaign_by_id(actor, campaign_id)
    return [
        _task(t) for t in selectors.task_list(actor=actor, campaign=campaign, overdue_only=overdue)
    ]


@router.post(
    "/community/campaigns/{campaign_id}/tasks", response={201: TaskOut}, summary="Add a task"
)
def task_create(request: HttpRequest, campaign_id: int, payload: TaskIn) -> Status[TaskOut]:
    actor = _actor(request)
    selectors.require_handle(actor)
    campaign = selectors.access_campaign_by_id(actor, campaign_id)
    data = payload.dict()
    data["division"] = _division(payload.division)
    task = hygiene.task_create(actor=actor, campaign=campaign, **data)
    return Status(201, _task(task))


@router.get(
    "/community/campaigns/{campaign_id}/ranking",
    response=list[RankOut],
    summary="Banners and sumu ranked by score",
)
def campaign_ranking(request: HttpRequest, campaign_id: int) -> list[RankOut]:
    actor = _actor(request)
    campaign = selectors.access_campaign_by_id(actor, campaign_id)
    return [
        RankOut(**row.__dict__)
        for row in selectors.campaign_ranking(actor=actor, campaign=campaign)
    ]


def _inspection(i: Inspection) -> InspectionOut:
    return InspectionOut(
        id=i.pk,
        task=i.task_id,
        score=float(i.score),
        passed=i.passed,
        is_reinspection=i.is_reinspection,
        rectification_due=i.rectification_due,
        problems=i.problems,
        task_status=i.task.status,
    )


@router.post(
    "/community/tasks/{task_id}/inspections",
    response={201: InspectionOut},
    summary="Inspect a task against the checklist",
)
def inspection_create(
    request: HttpRequest, task_id: int, payload: InspectionIn
) -> Status[InspectionOut]:
    actor = _actor(request)
    task = selectors.access_task_by_id(actor, task_id, write=True)
    inspection = hygiene.inspection_record(
        actor=actor,
        task=task,
        results=payload.results,
        problems=payload.problems,
        rectification_due=payload.rectification_due,
    )
    return Status(201, _inspection(inspection))


@router.post(
    "/community/inspections/{inspection_id}/photos",
    response={201: InspectionOut},
    summary="Add photos to an inspection (multipart, field name: photos)",
)
def inspection_photos(
    request: HttpRequest, inspection_id: int, photos: File[list[UploadedFile]]
) -> Status[InspectionOut]:
    actor = _actor(request)
    inspection = selectors.access_inspection_by_id(actor, inspection_id, write=True)
    inspection = hygiene.inspection_add_photos(actor=actor, inspection=inspection, photos=photos)
    return Status(201, _inspection(inspection))


# --- publicity --------------------------------------------------------------------------------


def _material(m: Material) -> MaterialOut:
    return MaterialOut(
        id=m.pk,
        title=m.title,
        kind=m.kind,
        body=m.body,
        division_code=m.division_code,
        published_at=m.created_at,
        target_count=m.target_count,
        conveyed=getattr(m, "conveyed_count", None) or m.conveyances.count(),
        has_file=bool(m.file),
    )


@router.get("/community/materials", response=list[MaterialOut], summary="Publicity materials")
def material_list(request: HttpRequest, limit: int = 100) -> list[MaterialOut]:
    actor = _actor(request)
    selectors.require_view(actor)
    rows = selectors.material_list(actor=actor).annotate(conveyed_count=Count("conveyances"))
    return [_material(m) for m in rows[: _limit(limit)]]


@router.post("/community/materials", response={201: MaterialOut}, summary="Publish a text bulletin")
def material_create(request: HttpRequest, payload: MaterialIn) -> Status[MaterialOut]:
    """Text bulletins; images, PDFs and audio are uploaded through the page."""
    actor = _actor(request)
    selectors.require_handle(actor)
    material = publicity.material_publish(
        actor=actor,
        title=payload.title,
        kind="text",
        body=payload.body,
        division=_division(payload.division),
        targets=[_division(code, "targets") for code in payload.targets],
    )
    return Status(201, _material(material))


@router.post(
    "/community/materials/upload",
    response={201: MaterialOut},
    summary="Publish an image, PDF or audio material (multipart; targets: codes, comma-separated)",
)
def material_upload(
    request: HttpRequest, payload: Form[MaterialUploadIn], file: File[UploadedFile]
) -> Status[MaterialOut]:
    actor = _actor(request)
    selectors.require_handle(actor)
    codes = [c for c in payload.targets.replace("，", ",").replace(" ", ",").split(",") if c]
    material = publicity.material_publish(
        actor=actor,
        title=payload.title,
        kind=payload.kind,
        body=payload.body,
        upload=file,
        division=_division(payload.division),
        targets=[_division(code, "targets") for code in codes],
    )
    return Status(201, _material(material))


@router.get(
    "/community/materials/{material_id}/coverage",
    response=list[CoverageOut],
    summary="Coverage per division, with the gachas not yet reached",
)
def material_coverage(request: HttpRequest, material_id: int) -> list[CoverageOut]:
    actor = _actor(request)
    material = selectors.access_material_by_id(actor, material_id)
    return [
        CoverageOut(
            code=row.code,
            name=row.name,
            gachas=row.gachas,
            reached=row.reached,
            percent=row.percent,
            not_reached=[g.code for g in row.missing],
        )
        for row in selectors.material_coverage(actor=actor, material=material)
    ]


@router.post(
    "/community/materials/{material_id}/conveyances",
    response={201: ConveyOut},
    summary="Confirm a material was passed on (已传达)",
)
def material_convey(request: HttpRequest, material_id: int, payload: ConveyIn) -> Status[ConveyOut]:
    actor = _actor(request)
    selectors.require_handle(actor)
    material = selectors.access_material_by_id(actor, material_id)
    conveyance = publicity.conveyance_confirm(
        actor=actor,
        material=material,
        gacha=_division(payload.gacha, "gacha"),
        method=payload.method,
        notes=payload.notes,
    )
    out = ConveyOut(
        id=conveyance.pk,
        material=material.pk,
        gacha=conveyance.division_code,
        method=conveyance.method,
        confirmed_at=conveyance.created_at,
    )
    return Status(201, out)
