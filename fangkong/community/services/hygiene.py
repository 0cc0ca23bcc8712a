"""The patriotic hygiene campaign: campaigns, checklists, tasks per area, inspections."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.accounts.models import User
from fangkong.community import metrics
from fangkong.community.models import (
    AreaKind,
    ChecklistItem,
    HygieneCampaign,
    HygieneTask,
    Inspection,
    TaskStatus,
)
from fangkong.community.services.common import (
    FAMILY_EVENT_HORIZON_DAYS,
    _choice,
    _clean_photos,
    _date_within,
    _phone,
    _require_division,
    _save_photos,
    _text,
)
from fangkong.community.uploads import MAX_PHOTOS
from fangkong.core.audit import record_audit
from fangkong.core.rollups import bump
from fangkong.divisions.models import Division

RECTIFICATION_MAX_DAYS = 60
MAX_CHECKLIST_ITEMS = 30


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
