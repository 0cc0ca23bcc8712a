"""Gathering reports (聚集性活动): reported by the public or staff, assigned, handled."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

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
    GatheringKind,
    GatheringReport,
    GatheringSource,
    GatheringStatus,
)
from fangkong.community.services.common import (
    MAX_PEOPLE,
    _choice,
    _clean_photos,
    _phone,
    _require_division,
    _save_photos,
    _text,
)
from fangkong.community.uploads import MAX_PHOTOS
from fangkong.core.audit import record_audit
from fangkong.core.rollups import bump
from fangkong.divisions.models import Division

GATHERING_WINDOW_DAYS = 30


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
) -> GatheringReport:
    """Record a gathering reported by staff (``actor``) or by the public (``actor=None``,
    anonymous allowed; the public page is rate-limited by ``fangkong.core.ratelimit``)."""
    now = timezone.now()
    if timezone.is_naive(occurs_at):
        occurs_at = timezone.make_aware(occurs_at)
    if actor is not None:
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
