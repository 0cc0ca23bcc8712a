"""Assistance applications, from submission through the reviews to the banner decision."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from fangkong.assistance import metrics, rules
from fangkong.assistance.models import (
    Application,
    ApplicationKind,
    ApplicationStatus,
    ApplicationStep,
    ApprovalPath,
    Household,
    HouseholdStatus,
)
from fangkong.assistance.services.permissions import APPROVE, CASEWORK, _require
from fangkong.core.audit import record_audit
from fangkong.core.models import EmergencyPeriod
from fangkong.core.numbers import number_error
from fangkong.core.rollups import bump
from fangkong.divisions.models import Division
from fangkong.lib.ids import InvalidNumber, normalize_mobile, parse_id_number


def _choose_path(now: datetime) -> tuple[str, str]:
    """The approval path and why, worded in the platform's language (it is kept on the record
    and printed on the decision letter, whoever's screen language entered it)."""
    period = EmergencyPeriod.current(now)
    with translation.override(settings.LANGUAGE_CODE):
        if period is not None and period.simplified_assistance_approval:
            started = timezone.localtime(period.starts_at)
            return ApprovalPath.SIMPLIFIED, _(
                "Emergency period “%(name)s” (from %(start)s) has simplified assistance "
                "approval switched on: no public notice, one combined review."
            ) % {"name": period.name, "start": f"{started:%Y-%m-%d}"}
        return ApprovalPath.NORMAL, _("No emergency period with simplified approval is in force.")


def _step(
    application: Application, actor: Any, to_status: str, now: datetime, note: str = ""
) -> None:
    ApplicationStep.objects.create(
        application=application,
        from_status=application.status or "",
        to_status=to_status,
        actor=actor,
        at=now,
        note=note,
    )
    application.status = to_status
    days = rules.APPLICATION_STEP_DAYS.get(ApplicationStatus(to_status))
    application.step_due_at = now + timedelta(days=days) if days else None


@transaction.atomic
def application_submit(
    *,
    actor: Any,
    division: Division,
    kind: str,
    applicant_name: str,
    applicant_id_number: str,
    applicant_phone: str = "",
    amount_requested: Decimal,
    reason: str,
    household: Household | None = None,
) -> Application:
    _require(actor, CASEWORK, division.code)
    try:
        number = parse_id_number(applicant_id_number).number
        phone = normalize_mobile(applicant_phone) if applicant_phone else ""
    except InvalidNumber as exc:
        raise ValidationError(number_error(exc)) from None
    if amount_requested < 0:
        raise ValidationError(_("The amount cannot be negative."))
    ApplicationKind(kind)
    now = timezone.now()
    path, path_reason = _choose_path(now)
    application = Application(
        number=rules.random_code(f"SQ{timezone.localdate(now):%Y%m%d}", 4),
        kind=kind,
        division=division,
        division_code=division.code,
        applicant_name=applicant_name,
        applicant_id_number=number,
        applicant_phone=phone,
        household=household,
        amount_requested=amount_requested,
        reason=reason,
        path=path,
        path_reason=path_reason,
        status="",
        entered_by=actor,
    )
    first = (
        ApplicationStatus.COMBINED_REVIEW
        if path == ApprovalPath.SIMPLIFIED
        else ApplicationStatus.GACHA_REVIEW
    )
    days = rules.APPLICATION_STEP_DAYS[first]
    application.status = first
    application.step_due_at = now + timedelta(days=days)
    application.save()
    ApplicationStep.objects.create(
        application=application, to_status=first, actor=actor, at=now, note=path_reason
    )
    bump(metrics.APPLICATIONS_SUBMITTED, division.code, metrics.day_of(now))
    record_audit(actor, "application.submit", application, path=path, path_reason=path_reason)
    return application


def _locked(application: Application) -> Application:
    return Application.objects.select_for_update().get(pk=application.pk)


@transaction.atomic
def application_review(
    *, actor: Any, application: Application, approve: bool, note: str = ""
) -> Application:
    """A gacha, sumu or combined review: pass it on, or reject it."""
    application = _locked(application)
    _require(actor, CASEWORK, application.division_code)
    allowed = {
        ApplicationStatus.GACHA_REVIEW: ApplicationStatus.PUBLIC_NOTICE,
        ApplicationStatus.SUMU_REVIEW: ApplicationStatus.BANNER_APPROVAL,
        ApplicationStatus.COMBINED_REVIEW: ApplicationStatus.BANNER_APPROVAL,
    }
    if application.status not in allowed:
        raise ValidationError(
            _("This application is not waiting for a review (it is at: %(status)s).")
            % {"status": application.get_status_display()}
        )
    now = timezone.now()
    if not approve:
        if not note.strip():
            raise ValidationError(_("Say why the application is rejected."))
        return _finish(application, actor, now, ApplicationStatus.REJECTED, note, None)
    target = allowed[ApplicationStatus(application.status)]
    _step(application, actor, target, now, note)
    if target == ApplicationStatus.PUBLIC_NOTICE:
        application.notice_ends_at = now + timedelta(days=rules.PUBLIC_NOTICE_DAYS)
    application.save()
    record_audit(actor, "application.review", application, to=target, note=note)
    return application


@transaction.atomic
def application_notice_close(
    *, actor: Any, application: Application, objection: str = ""
) -> Application:
    """End the 7-day public notice: on to the sumu review, or rejected on a founded objection."""
    application = _locked(application)
    _require(actor, CASEWORK, application.division_code)
    if application.status != ApplicationStatus.PUBLIC_NOTICE:
        raise ValidationError(_("This application is not under public notice."))
    now = timezone.now()
    if objection.strip():
        return _finish(application, actor, now, ApplicationStatus.REJECTED, objection, None)
    assert application.notice_ends_at is not None
    if now < application.notice_ends_at:
        raise ValidationError(
            _("The public notice runs until %(end)s.")
            % {"end": timezone.localtime(application.notice_ends_at).strftime("%Y-%m-%d %H:%M")}
        )
    _step(application, actor, ApplicationStatus.SUMU_REVIEW, now, "")
    application.save()
    record_audit(actor, "application.notice_close", application)
    return application


@transaction.atomic
def application_decide(
    *,
    actor: Any,
    application: Application,
    approve: bool,
    amount_granted: Decimal | None = None,
    note: str = "",
) -> Application:
    """The banner civil-affairs decision. Whoever entered the application cannot decide it."""
    application = _locked(application)
    _require(actor, APPROVE, application.division_code)
    if application.status != ApplicationStatus.BANNER_APPROVAL:
        raise ValidationError(
            _("This application is not waiting for approval (it is at: %(status)s).")
            % {"status": application.get_status_display()}
        )
    if application.entered_by_id == actor.pk:
        raise ValidationError(_("You entered this application, so someone else must approve it."))
    now = timezone.now()
    if not approve:
        if not note.strip():
            raise ValidationError(_("Say why the application is rejected."))
        return _finish(application, actor, now, ApplicationStatus.REJECTED, note, None)
    granted = application.amount_requested if amount_granted is None else amount_granted
    if granted < 0:
        raise ValidationError(_("The amount cannot be negative."))
    return _finish(application, actor, now, ApplicationStatus.APPROVED, note, granted)


def _finish(
    application: Application,
    actor: Any,
    now: datetime,
    status: str,
    note: str,
    granted: Decimal | None,
) -> Application:
    _step(application, actor, status, now, note)
    application.decided_by = actor
    application.decided_at = now
    application.decision_note = note
    application.amount_granted = granted
    if status == ApplicationStatus.APPROVED:
        bump(metrics.APPLICATIONS_APPROVED, application.division_code, metrics.day_of(now))
        if application.kind in (ApplicationKind.DIBAO, ApplicationKind.TEKUN):
            application.household = _household_from(application, now, granted or Decimal(0))
    application.save()
    record_audit(actor, f"application.{status}", application, note=note, granted=granted)
    return application


def _household_from(application: Application, now: datetime, granted: Decimal) -> Household:
    review = rules.add_months(timezone.localdate(now), rules.REVIEW_INTERVAL_MONTHS)
    household = (
        application.household
        or Household.objects.filter(head_id_number=application.applicant_id_number).first()
    )
    if household is None:
        household = Household.objects.create(
            division=application.division,
            division_code=application.division_code,
            head_name=application.applicant_name,
            head_id_number=application.applicant_id_number,
            head_phone=application.applicant_phone,
            category=application.kind,
            monthly_allowance=granted,
            next_review_date=review,
        )
        bump(metrics.HOUSEHOLDS_ACTIVE, household.division_code, metrics.day_of(now))
        return household
    if household.status != HouseholdStatus.ACTIVE:
        bump(metrics.HOUSEHOLDS_ACTIVE, household.division_code, metrics.day_of(now))
    household.category = application.kind
    household.monthly_allowance = granted
    household.next_review_date = review
    household.status = HouseholdStatus.ACTIVE
    household.save()
    return household
