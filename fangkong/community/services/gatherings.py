"""Write use cases of the community app. Each validates everything first, then writes, audits
and bumps its rollups in one transaction; status changes name their allowed source states."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.accounts.models import User
from fangkong.accounts.roles import Perm
from fangkong.community import metrics
from fangkong.community.models import (
    HANDLED_GATHERING_STATUSES,
    AreaKind,
    ChecklistItem,
    Conveyance,
    ConveyMethod,
    FamilyEvent,
    FamilyEventKind,
    FamilyEventStatus,
    GatheringKind,
    GatheringReport,
    GatheringSource,
    GatheringStatus,
    HygieneCampaign,
    HygieneTask,
    Inspection,
    Material,
    MaterialKind,
    MaterialTarget,
    Photo,
    TaskStatus,
)
from fangkong.community.uploads import MAX_PHOTOS, CleanFile, clean_material_file, clean_photo
from fangkong.core.audit import record_audit
from fangkong.core.rollups import bump
from fangkong.divisions.models import Division, Level
from fangkong.lib.ids import InvalidNumber, normalize_mobile

GATHERING_WINDOW_DAYS = 30
PUBLIC_REPORTS_PER_HOUR = 5
FAMILY_EVENT_HORIZON_DAYS = 366
RECTIFICATION_MAX_DAYS = 60
MAX_PEOPLE = 100_000
MAX_CHECKLIST_ITEMS = 30


class RateLimited(ValidationError):
    """Too many public reports from one client in the last hour."""


# --- shared checks ----------------------------------------------------------------------------


def _require_division(actor: User, division: Division, field: str = "division") -> None:
    if not actor.can(Perm.COMMUNITY_HANDLE, division.code):
        raise ValidationError(
            {
                field: _("%(name)s (%(code)s) is outside your jurisdiction.")
                % {"name": division.name, "code": division.code}
            }
        )


def _phone(value: str, field: str = "phone") -> str:
    value = (value or "").strip()
    if not value:
        return ""
    try:
        return normalize_mobile(value)
    except InvalidNumber as exc:
        raise ValidationError({field: str(exc)}) from None


def _text(value: str, field: str, *, required: bool = True, max_length: int = 200) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationError({field: _("This field is required.")})
    if len(text) > max_length:
        raise ValidationError({field: _("At most %(n)d characters, please.") % {"n": max_length}})
    return text


def _choice(value: str, choices: Any, field: str) -> str:
    if value not in choices.values:
        raise ValidationError({field: _("%(value)s is not a valid choice.") % {"value": value}})
    return value


def _clean_photos(photos: Sequence[UploadedFile]) -> list[CleanFile]:
    if len(photos) > MAX_PHOTOS:
        raise ValidationError({"photos": _("At most %(n)d photos, please.") % {"n": MAX_PHOTOS}})
    cleaned = []
    for index, upload in enumerate(photos, start=1):
        try:
            cleaned.append(clean_photo(upload, label=_("photo %(n)d") % {"n": index}))
        except ValidationError as exc:
            raise ValidationError({"photos": exc.messages}) from None
    return cleaned


def _save_photos(cleaned: list[CleanFile], *, division_code: str, **owner: Any) -> None:
    for item in cleaned:
        photo = Photo(
            content_type=item.content_type, size=item.size, division_code=division_code, **owner
        )
        photo.image.save(item.content.name or "photo", item.content, save=False)
        photo.save()


# --- gatherings -------------------------------------------------------------------------------


@transaction.atomic
def gathering_report(
    *,
    actor: User | None,
    kind: str,
    place: str,
    division: Division,
    occurs_at: datetime,
    estimated_people: int = 0,
    organiser: str = "",
    description: str = "",
    reporter_name: str = "",
    reporter_phone: str = "",
    photos: Sequence[UploadedFile] = (),
    client_key: str = "",
) -> GatheringReport:
    """Record a gathering reported by staff (``actor``) or by the public (``actor=None``,
    anonymous allowed, rate-limited per client)."""
    now = timezone.now()
    if timezone.is_naive(occurs_at):
        occurs_at = timezone.make_aware(occurs_at)
    if actor is None:
        recent = GatheringReport.objects.filter(
            source=GatheringSource.PUBLIC,
            client_key=client_key,
            created_at__gte=now - timedelta(hours=1),
        ).count()
        if recent >= PUBLIC_REPORTS_PER_HOUR:
            raise RateLimited(
                _(
                    "Too many reports from this device in the last hour. Please call the "
                    "hotline, or try again later."
                )
            )
    else:
        _require_division(actor, division)
    report = GatheringReport(
        kind=_choice(kind, GatheringKind, "kind"),
        place=_text(place, "place"),
        division=division,
        division_code=division.code,
        occurs_at=occurs_at,
        estimated_people=estimated_people,
        organiser=_text(organiser, "organiser", required=False, max_length=100),
        description=_text(description, "description", required=False, max_length=2000),
        source=GatheringSource.PUBLIC if actor is None else GatheringSource.STAFF,
        reporter=actor,
        reporter_name=_text(reporter_name, "reporter_name", required=False, max_length=60),
        reporter_phone=_phone(reporter_phone, "reporter_phone"),
        client_key=client_key[:64] if actor is None else "",
    )
    if abs(occurs_at - now) > timedelta(days=GATHERING_WINDOW_DAYS):
        raise ValidationError(
            {
                "occurs_at": _("The time must be within %(n)d days of today.")
                % {"n": GATHERING_WINDOW_DAYS}
            }
        )
    if not 0 <= estimated_people <= MAX_PEOPLE:
        raise ValidationError(
            {"estimated_people": _("Between 0 and %(n)d people.") % {"n": MAX_PEOPLE}}
        )
    cleaned = _clean_photos(photos)
    report.save()
    _save_photos(cleaned, division_code=division.code, gathering=report)
    record_audit(
        actor,
        "gathering.report",
        report,
        source=report.source,
        kind=report.kind,
        photos=len(cleaned),
    )
    day = metrics.day_of(report.created_at)
    bump(metrics.GATHERINGS_REPORTED, division.code, day)
    bump(metrics.GATHERINGS_OPEN, division.code, day)
    return report


@transaction.atomic
def gathering_add_photos(
    *, actor: User, report: GatheringReport, photos: Sequence[UploadedFile]
) -> GatheringReport:
    """Add photos to a report (from the API or a second visit), up to the limit in all."""
    report = _locked_report(report)
    _require_division(actor, report.division)
    if not photos:
        raise ValidationError({"photos": _("Attach at least one photo.")})
    if report.photos.count() + len(photos) > MAX_PHOTOS:
        raise ValidationError({"photos": _("At most %(n)d photos, please.") % {"n": MAX_PHOTOS}})
    cleaned = _clean_photos(photos)
    _save_photos(cleaned, division_code=report.division_code, gathering=report)
    record_audit(actor, "gathering.add_photos", report, photos=len(cleaned))
    return report


def _locked_report(report: GatheringReport) -> GatheringReport:
    return GatheringReport.objects.select_for_update().get(pk=report.pk)


@transaction.atomic
def gathering_assign(
    *, actor: User, report: GatheringReport, assignee: User | None = None
) -> GatheringReport:
    """reported → assigned: somebody in the division takes the report on."""
    report = _locked_report(report)
    if report.status != GatheringStatus.REPORTED:
        raise ValidationError(
            _("Only a newly reported gathering can be assigned; this one is %(status)s.")
            % {"status": report.get_status_display()}
        )
    _require_division(actor, report.division)
    worker = assignee or actor
    if not worker.can(Perm.COMMUNITY_HANDLE, report.division_code):
        raise ValidationError(
            {"assignee": _("%(name)s may not handle gatherings there.") % {"name": worker}}
        )
    report.status = GatheringStatus.ASSIGNED
    report.assignee = worker
    report.assigned_at = timezone.now()
    report.save(update_fields=["status", "assignee", "assigned_at", "updated_at"])
    record_audit(actor, "gathering.assign", report, assignee=worker.username)
    return report


@transaction.atomic
def gathering_handle(
    *, actor: User, report: GatheringReport, outcome: str, notes: str
) -> GatheringReport:
    """assigned → stopped / postponed / dissuaded / false report, with notes."""
    report = _locked_report(report)
    if report.status != GatheringStatus.ASSIGNED:
        raise ValidationError(
            _("Only an assigned gathering can be handled; this one is %(status)s.")
            % {"status": report.get_status_display()}
        )
    _require_division(actor, report.division)
    if outcome not in HANDLED_GATHERING_STATUSES:
        raise ValidationError({"outcome": _("%(value)s is not an outcome.") % {"value": outcome}})
    report.handling_notes = _text(notes, "notes", max_length=2000)
    report.status = outcome
    report.handled_at = timezone.now()
    report.handled_by = actor
    report.save(
        update_fields=["status", "handling_notes", "handled_at", "handled_by", "updated_at"]
    )
    record_audit(
        actor,
        "gathering.handle",
        report,
        outcome=outcome,
        minutes_to_handle=report.minutes_to_handle,
    )
    day = metrics.day_of(report.handled_at)
    bump(metrics.GATHERINGS_HANDLED, report.division_code, day)
    bump(metrics.GATHERINGS_OPEN, report.division_code, day, -1)
    return report


# --- planned family events --------------------------------------------------------------------


def _date_within(value: date, field: str, *, earliest: date, latest: date) -> date:
    if value < earliest or value > latest:
        raise ValidationError(
            {
                field: _("The date must lie between %(a)s and %(b)s.")
                % {"a": earliest.isoformat(), "b": latest.isoformat()}
            }
        )
    return value


@transaction.atomic
def family_event_declare(
    *,
    actor: User,
    household_name: str,
    kind: str,
    planned_on: date,
    place: str,
    division: Division,
    expected_guests: int = 0,
    phone: str = "",
) -> FamilyEvent:
    """A household declares a planned wedding, funeral or celebration (红白事报备)."""
    _require_division(actor, division)
    today = timezone.localdate()
    event = FamilyEvent(
        household_name=_text(household_name, "household_name", max_length=60),
        phone=_phone(phone),
        kind=_choice(kind, FamilyEventKind, "kind"),
        planned_on=_date_within(
            planned_on,
            "planned_on",
            earliest=today - timedelta(days=7),
            latest=today + timedelta(days=FAMILY_EVENT_HORIZON_DAYS),
        ),
        place=_text(place, "place"),
        expected_guests=expected_guests,
        division=division,
        division_code=division.code,
        declared_by=actor,
    )
    if not 0 <= expected_guests <= MAX_PEOPLE:
        raise ValidationError(
            {"expected_guests": _("Between 0 and %(n)d people.") % {"n": MAX_PEOPLE}}
        )
    event.save()
    record_audit(actor, "family_event.declare", event, kind=event.kind, planned_on=planned_on)
    bump(metrics.FAMILY_EVENTS_DECLARED, division.code, metrics.day_of(event.created_at))
    return event


@transaction.atomic
def family_event_record_outcome(
    *,
    actor: User,
    event: FamilyEvent,
    outcome: str,
    postponed_to: date | None = None,
    conditions: str = "",
    notes: str = "",
) -> FamilyEvent:
    """declared → cancelled / postponed (to a date) / held small (under conditions)."""
    event = FamilyEvent.objects.select_for_update().get(pk=event.pk)
    if event.status != FamilyEventStatus.DECLARED:
        raise ValidationError(
            _("The outcome of this event is already recorded (%(status)s).")
            % {"status": event.get_status_display()}
        )
    _require_division(actor, event.division)
    if outcome not in (
        FamilyEventStatus.CANCELLED,
        FamilyEventStatus.POSTPONED,
        FamilyEventStatus.HELD_SMALL,
    ):
        raise ValidationError({"outcome": _("%(value)s is not an outcome.") % {"value": outcome}})
    today = timezone.localdate()
    event.postponed_to = None
    event.follow_up_on = event.planned_on
    if outcome == FamilyEventStatus.POSTPONED:
        if postponed_to is None:
            raise ValidationError({"postponed_to": _("Give the date it is postponed to.")})
        event.postponed_to = _date_within(
            postponed_to,
            "postponed_to",
            earliest=max(today, event.planned_on) + timedelta(days=1),
            latest=today + timedelta(days=FAMILY_EVENT_HORIZON_DAYS),
        )
        event.follow_up_on = event.postponed_to
    conditions = _text(conditions, "conditions", required=False, max_length=1000)
    if outcome == FamilyEventStatus.HELD_SMALL and not conditions:
        raise ValidationError(
            {"conditions": _("Say under which conditions it may be held (guests, hours...).")}
        )
    event.status = outcome
    event.conditions = conditions
    event.outcome_notes = _text(notes, "notes", required=False, max_length=1000)
    event.outcome_at = timezone.now()
    event.save(
        update_fields=[
            "status",
            "postponed_to",
            "conditions",
            "outcome_notes",
            "outcome_at",
            "follow_up_on",
            "updated_at",
        ]
    )
    record_audit(actor, "family_event.outcome", event, outcome=outcome, postponed_to=postponed_to)
    return event


@transaction.atomic
def family_event_follow_up(*, actor: User, event: FamilyEvent, notes: str) -> FamilyEvent:
    """The gacha worker checks on the day that the outcome held."""
    event = FamilyEvent.objects.select_for_update().get(pk=event.pk)
    if event.status == FamilyEventStatus.DECLARED:
        raise ValidationError(_("Record the outcome before following up."))
    if event.followed_up_at is not None:
        raise ValidationError(_("This event has already been followed up."))
    _require_division(actor, event.division)
    event.follow_up_notes = _text(notes, "notes", max_length=1000)
    event.followed_up_at = timezone.now()
    event.save(update_fields=["follow_up_notes", "followed_up_at", "updated_at"])
    record_audit(actor, "family_event.follow_up", event)
    return event


# --- hygiene campaign -------------------------------------------------------------------------


def _clean_checklist(checklist: Sequence[tuple[str, int]]) -> list[tuple[str, int]]:
    if not checklist:
        raise ValidationError({"checklist": _("The checklist needs at least one item.")})
    if len(checklist) > MAX_CHECKLIST_ITEMS:
        raise ValidationError(
            {"checklist": _("At most %(n)d checklist items.") % {"n": MAX_CHECKLIST_ITEMS}}
        )
    cleaned = []
    for number, (label, weight) in enumerate(checklist, start=1):
        text = (label or "").strip()
        if not text or len(text) > 120:
            raise ValidationError(
                {"checklist": _("item %(n)d: give a label of 1 to 120 characters.") % {"n": number}}
            )
        if not isinstance(weight, int) or not 1 <= weight <= 100:
            raise ValidationError(
                {"checklist": _("item %(n)d: the weight must be 1 to 100.") % {"n": number}}
            )
        cleaned.append((text, weight))
    return cleaned


@transaction.atomic
def campaign_create(
    *,
    actor: User,
    name: str,
    starts_on: date,
    ends_on: date,
    division: Division,
    checklist: Sequence[tuple[str, int]],
    pass_score: int = 80,
) -> HygieneCampaign:
    _require_division(actor, division)
    today = timezone.localdate()
    horizon = today + timedelta(days=FAMILY_EVENT_HORIZON_DAYS)
    _date_within(starts_on, "starts_on", earliest=today - timedelta(days=366), latest=horizon)
    _date_within(ends_on, "ends_on", earliest=starts_on, latest=horizon)
    if not 1 <= pass_score <= 100:
        raise ValidationError({"pass_score": _("The pass mark must be 1 to 100.")})
    items = _clean_checklist(checklist)
    campaign = HygieneCampaign.objects.create(
        name=_text(name, "name", max_length=120),
        starts_on=starts_on,
        ends_on=ends_on,
        pass_score=pass_score,
        division=division,
        division_code=division.code,
        created_by=actor,
    )
    ChecklistItem.objects.bulk_create(
        ChecklistItem(campaign=campaign, position=i, label=label, weight=weight)
        for i, (label, weight) in enumerate(items, start=1)
    )
    record_audit(actor, "hygiene_campaign.create", campaign, items=len(items))
    return campaign


@transaction.atomic
def campaign_set_checklist(
    *, actor: User, campaign: HygieneCampaign, checklist: Sequence[tuple[str, int]]
) -> HygieneCampaign:
    """Replace a campaign's checklist; only before its first inspection, so that every score
    of a campaign is measured against the same weights."""
    campaign = HygieneCampaign.objects.select_for_update().get(pk=campaign.pk)
    _require_division(actor, campaign.division)
    if Inspection.objects.filter(task__campaign=campaign).exists():
        raise ValidationError(
            {"checklist": _("Inspections have begun: the checklist can no longer change.")}
        )
    items = _clean_checklist(checklist)
    campaign.checklist.all().delete()
    ChecklistItem.objects.bulk_create(
        ChecklistItem(campaign=campaign, position=i, label=label, weight=weight)
        for i, (label, weight) in enumerate(items, start=1)
    )
    record_audit(actor, "hygiene_campaign.checklist", campaign, items=items)
    return campaign


@transaction.atomic
def task_create(
    *,
    actor: User,
    campaign: HygieneCampaign,
    area: str,
    title: str,
    division: Division,
    responsible_name: str,
    due_on: date,
    responsible_phone: str = "",
) -> HygieneTask:
    _require_division(actor, division)
    if not division.code.startswith(campaign.division_code):
        raise ValidationError(
            {"division": _("%(name)s is outside the campaign's area.") % {"name": division.name}}
        )
    task = HygieneTask(
        campaign=campaign,
        area=_choice(area, AreaKind, "area"),
        title=_text(title, "title"),
        division=division,
        division_code=division.code,
        responsible_name=_text(responsible_name, "responsible_name", max_length=60),
        responsible_phone=_phone(responsible_phone, "responsible_phone"),
        due_on=_date_within(due_on, "due_on", earliest=campaign.starts_on, latest=campaign.ends_on),
    )
    task.save()
    record_audit(actor, "hygiene_task.create", task, area=task.area, due_on=due_on)
    bump(metrics.HYGIENE_TASKS_OPEN, division.code, metrics.day_of(task.created_at))
    return task


def weighted_score(items: Sequence[ChecklistItem], results: dict[int, bool]) -> Decimal:
    """Percentage of the checklist's weight that passed, to one decimal (half up)."""
    total = sum(item.weight for item in items)
    passed = sum(item.weight for item in items if results.get(item.pk))
    if total == 0:
        return Decimal(0)
    return (Decimal(100) * passed / total).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@transaction.atomic
def inspection_record(
    *,
    actor: User,
    task: HygieneTask,
    results: dict[int, bool],
    problems: str = "",
    rectification_due: date | None = None,
    photos: Sequence[UploadedFile] = (),
) -> Inspection:
    """Inspect a task: open or rectifying → passed, or → rectifying with a deadline
    (a re-inspection when it was rectifying)."""
    task = HygieneTask.objects.select_for_update().select_related("campaign").get(pk=task.pk)
    if task.status == TaskStatus.PASSED:
        raise ValidationError(_("This task has already passed inspection."))
    _require_division(actor, task.division)
    items = list(task.campaign.checklist.all())
    known = {item.pk for item in items}
    unknown = set(results) - known
    if unknown:
        raise ValidationError(
            {"results": _("Unknown checklist items: %(ids)s.") % {"ids": sorted(unknown)}}
        )
    missing = [item.label for item in items if item.pk not in results]
    if missing:
        raise ValidationError(
            {
                "results": _("Answer every checklist item: %(items)s.")
                % {"items": ", ".join(missing)}
            }
        )
    score = weighted_score(items, results)
    problems = _text(problems, "problems", required=False, max_length=2000)
    passed = score >= task.campaign.pass_score and not problems
    today = timezone.localdate()
    if passed:
        rectification_due = None
    else:
        if rectification_due is None:
            raise ValidationError(
                {"rectification_due": _("Problems were found: give a rectification deadline.")}
            )
        _date_within(
            rectification_due,
            "rectification_due",
            earliest=today + timedelta(days=1),
            latest=today + timedelta(days=RECTIFICATION_MAX_DAYS),
        )
    cleaned = _clean_photos(photos)
    inspection = Inspection.objects.create(
        task=task,
        division_code=task.division_code,
        inspector=actor,
        results={str(k): bool(v) for k, v in results.items()},
        score=score,
        problems=problems,
        rectification_due=rectification_due,
        is_reinspection=task.status == TaskStatus.RECTIFYING,
        passed=passed,
    )
    _save_photos(cleaned, division_code=task.division_code, inspection=inspection)
    task.status = TaskStatus.PASSED if passed else TaskStatus.RECTIFYING
    task.rectification_due = rectification_due
    task.last_score = score
    task.save(update_fields=["status", "rectification_due", "last_score", "updated_at"])
    record_audit(
        actor,
        "hygiene_task.inspect",
        task,
        score=score,
        passed=passed,
        reinspection=inspection.is_reinspection,
    )
    day = metrics.day_of(inspection.created_at)
    bump(metrics.HYGIENE_INSPECTIONS, task.division_code, day)
    bump(metrics.HYGIENE_SCORE_TENTHS, task.division_code, day, metrics.score_tenths(score))
    if passed:
        bump(metrics.HYGIENE_TASKS_OPEN, task.division_code, day, -1)
    return inspection


@transaction.atomic
def inspection_add_photos(
    *, actor: User, inspection: Inspection, photos: Sequence[UploadedFile]
) -> Inspection:
    """Attach photos to an inspection after the fact (the API sends them separately)."""
    inspection = Inspection.objects.select_for_update().select_related("task").get(pk=inspection.pk)
    _require_division(actor, inspection.task.division)
    if not photos:
        raise ValidationError({"photos": _("Attach at least one photo.")})
    if inspection.photos.count() + len(photos) > MAX_PHOTOS:
        raise ValidationError({"photos": _("At most %(n)d photos, please.") % {"n": MAX_PHOTOS}})
    cleaned = _clean_photos(photos)
    _save_photos(cleaned, division_code=inspection.division_code, inspection=inspection)
    record_audit(actor, "hygiene_task.add_photos", inspection.task, photos=len(cleaned))
    return inspection


# --- publicity --------------------------------------------------------------------------------


def gachas_under(codes: Sequence[str]) -> list[Division]:
    """The gachas/communities (village level) under any of ``codes``."""
    from fangkong.core.jurisdiction import scope_q

    if not codes:
        return []
    return list(
        Division.objects.filter(scope_q(codes, field="code"), level=Level.VILLAGE).order_by("code")
    )


@transaction.atomic
def material_publish(
    *,
    actor: User,
    title: str,
    kind: str,
    division: Division,
    targets: Sequence[Division],
    body: str = "",
    upload: UploadedFile | None = None,
) -> Material:
    """Publish a text, image, PDF or audio material to chosen divisions."""
    _require_division(actor, division)
    kind = _choice(kind, MaterialKind, "kind")
    if not targets:
        raise ValidationError({"targets": _("Choose at least one division to publish to.")})
    for target in targets:
        _require_division(actor, target, "targets")
    body = _text(body, "body", required=kind == MaterialKind.TEXT, max_length=20000)
    cleaned: CleanFile | None = None
    if kind != MaterialKind.TEXT:
        if upload is None:
            raise ValidationError({"file": _("Attach the file for this material.")})
        try:
            cleaned = clean_material_file(upload, kind=kind)
        except ValidationError as exc:
            raise ValidationError({"file": exc.messages}) from None
    target_codes = sorted({t.code for t in targets})
    gachas = gachas_under(target_codes)
    if not gachas:
        raise ValidationError(
            {"targets": _("The chosen divisions hold no gacha or community to reach.")}
        )
    material = Material(
        title=_text(title, "title"),
        kind=kind,
        body=body,
        division=division,
        division_code=division.code,
        published_by=actor,
        target_count=len(gachas),
    )
    if cleaned is not None:
        material.content_type = cleaned.content_type
        material.file.save(cleaned.content.name or "file", cleaned.content, save=False)
    material.save()
    by_code = {t.code: t for t in targets}
    MaterialTarget.objects.bulk_create(
        MaterialTarget(material=material, division=by_code[code], division_code=code)
        for code in target_codes
    )
    record_audit(actor, "material.publish", material, kind=kind, targets=target_codes)
    day = metrics.day_of(material.created_at)
    for gacha in gachas:
        bump(metrics.PUBLICITY_TARGETS, gacha.code, day)
    return material


@transaction.atomic
def conveyance_confirm(
    *, actor: User, material: Material, gacha: Division, method: str, notes: str = ""
) -> Conveyance:
    """A gacha/community worker confirms the material was passed on (已传达), and how."""
    _require_division(actor, gacha, "gacha")
    target_codes = list(material.targets.values_list("division_code", flat=True))
    if gacha.level != Level.VILLAGE or not any(gacha.code.startswith(c) for c in target_codes):
        raise ValidationError(
            {
                "gacha": _("%(name)s is not a gacha this material was published to.")
                % {"name": gacha.name}
            }
        )
    existing = (
        Conveyance.objects.select_related("confirmed_by")
        .filter(material=material, division=gacha)
        .first()
    )
    if existing is not None:
        raise ValidationError(
            _("%(gacha)s already confirmed this on %(day)s.")
            % {"gacha": gacha.name, "day": timezone.localdate(existing.created_at).isoformat()}
        )
    conveyance = Conveyance.objects.create(
        material=material,
        division=gacha,
        division_code=gacha.code,
        method=_choice(method, ConveyMethod, "method"),
        notes=_text(notes, "notes", required=False, max_length=300),
        confirmed_by=actor,
    )
    record_audit(actor, "material.convey", material, division_code=gacha.code, method=method)
    bump(metrics.PUBLICITY_CONVEYED, gacha.code, metrics.day_of(conveyance.created_at))
    return conveyance
