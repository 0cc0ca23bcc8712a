"""Write use cases of the assistance app: one transaction each, audited, metrics bumped."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.assistance import metrics, rules
from fangkong.assistance.models import (
    Application,
    ApplicationKind,
    ApplicationStatus,
    ApplicationStep,
    ApprovalPath,
    Category,
    Delivery,
    Donor,
    HelpChannel,
    HelpLevel,
    HelpRequest,
    HelpStatus,
    Household,
    HouseholdMember,
    HouseholdStatus,
    Item,
    Lot,
    ReliefAction,
    ReviewExtension,
    ReviewExtensionItem,
    StockMovement,
    Sweep,
    Visit,
    Warehouse,
)
from fangkong.assistance.roster import RosterError, read_roster
from fangkong.core.audit import record_audit
from fangkong.core.models import EmergencyPeriod
from fangkong.core.rollups import bump
from fangkong.divisions.models import Division
from fangkong.lib.ids import InvalidNumber, normalize_mobile, parse_id_number
from fangkong.lib.masking import mask_id_number, mask_phone

CASEWORK = "assistance.casework"
APPROVE = "assistance.approve"
EXTEND = "assistance.extend"
DISTRIBUTE = "assistance.distribute"


def _require(actor: Any, permission: str, code: str) -> None:
    if actor is None or not actor.can(permission, code):
        raise ValidationError(_("You may not do this in %(code)s.") % {"code": code})


# --- households -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    members: int


def households_import(*, actor: Any, stream: IO[bytes], filename: str = "") -> ImportResult:
    """Import the civil-affairs roster: every row checked first, then all or nothing."""
    rows = read_roster(stream)
    errors: list[str] = []
    codes = {row.division_code for row in rows}
    divisions = {d.code: d for d in Division.objects.filter(code__in=codes)}
    for row in rows:
        division = divisions.get(row.division_code)
        if division is None:
            errors.append(f"row {row.row}, column 区划代码: no division {row.division_code}")
        elif not actor.can(CASEWORK, row.division_code):
            errors.append(
                f"row {row.row}, column 区划代码: {row.division_code} is outside your jurisdiction"
            )
    if errors:
        raise RosterError(errors)
    existing = {
        h.head_id_number: h
        for h in Household.objects.filter(head_id_number__in=[r.head.id_number for r in rows])
    }
    for row in rows:
        found = existing.get(row.head.id_number)
        if found is not None and not actor.can(CASEWORK, found.division_code):
            errors.append(
                f"row {row.row}, column 身份证号: this household is registered outside your "
                "jurisdiction"
            )
    if errors:
        raise RosterError(errors)
    now = timezone.now()
    today = metrics.day_of(now)
    created = updated = member_count = 0
    with transaction.atomic():
        for row in rows:
            household = existing.get(row.head.id_number)
            fields = {
                "division": divisions[row.division_code],
                "division_code": row.division_code,
                "head_name": row.head.name,
                "head_phone": row.head.phone,
                "address": row.address,
                "category": row.category,
                "monthly_allowance": row.allowance,
                "next_review_date": row.next_review,
            }
            if household is None:
                household = Household.objects.create(head_id_number=row.head.id_number, **fields)
                bump(metrics.HOUSEHOLDS_ACTIVE, row.division_code, today)
                created += 1
            else:
                if household.status == HouseholdStatus.ACTIVE:
                    bump(metrics.HOUSEHOLDS_ACTIVE, household.division_code, today, -1)
                    bump(metrics.HOUSEHOLDS_ACTIVE, row.division_code, today)
                for key, value in fields.items():
                    setattr(household, key, value)
                household.save()
                household.members.all().delete()
                updated += 1
            HouseholdMember.objects.bulk_create(
                [
                    HouseholdMember(
                        household=household,
                        name=m.name,
                        relation=m.relation,
                        id_number=m.id_number,
                        phone=m.phone,
                    )
                    for m in row.members
                ]
            )
            member_count += len(row.members)
        record_audit(
            actor,
            "household.import",
            None,
            division_code=min(codes, key=len) if len(codes) == 1 else "",
            filename=filename,
            created=created,
            updated=updated,
            members=member_count,
        )
    return ImportResult(created, updated, member_count)


@transaction.atomic
def household_register(
    *,
    actor: Any,
    division: Division,
    head_name: str,
    head_id_number: str,
    head_phone: str = "",
    address: str = "",
    category: str,
    monthly_allowance: Decimal = Decimal(0),
    next_review_date: date | None = None,
) -> Household:
    _require(actor, CASEWORK, division.code)
    try:
        number = parse_id_number(head_id_number).number
        phone = normalize_mobile(head_phone) if head_phone else ""
    except InvalidNumber as exc:
        raise ValidationError(str(exc)) from None
    if Category(category) and monthly_allowance < 0:
        raise ValidationError(_("The allowance cannot be negative."))
    if Household.objects.filter(head_id_number=number).exists():
        raise ValidationError(_("A household with this head's ID number is already registered."))
    household = Household.objects.create(
        division=division,
        division_code=division.code,
        head_name=head_name,
        head_id_number=number,
        head_phone=phone,
        address=address,
        category=category,
        monthly_allowance=monthly_allowance,
        next_review_date=next_review_date,
    )
    bump(metrics.HOUSEHOLDS_ACTIVE, division.code, metrics.day_of(household.created_at))
    record_audit(actor, "household.register", household, id_number=mask_id_number(number))
    return household


HOUSEHOLD_TRANSITIONS = {
    HouseholdStatus.ACTIVE: {HouseholdStatus.SUSPENDED, HouseholdStatus.CLOSED},
    HouseholdStatus.SUSPENDED: {HouseholdStatus.ACTIVE, HouseholdStatus.CLOSED},
    HouseholdStatus.CLOSED: set(),
}


@transaction.atomic
def household_set_status(
    *, actor: Any, household: Household, status: str, reason: str
) -> Household:
    """Suspend, reinstate or close a household (closed is final); a reason is required."""
    household = Household.objects.select_for_update().get(pk=household.pk)
    _require(actor, CASEWORK, household.division_code)
    target = HouseholdStatus(status)
    if target not in HOUSEHOLD_TRANSITIONS[HouseholdStatus(household.status)]:
        raise ValidationError(
            _("A household that is %(from)s cannot become %(to)s.")
            % {"from": household.get_status_display(), "to": target.label}
        )
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the change.")})
    old = household.status
    household.status = target
    household.save(update_fields=["status", "updated_at"])
    day = metrics.day_of(timezone.now())
    if old == HouseholdStatus.ACTIVE:
        bump(metrics.HOUSEHOLDS_ACTIVE, household.division_code, day, -1)
    elif target == HouseholdStatus.ACTIVE:
        bump(metrics.HOUSEHOLDS_ACTIVE, household.division_code, day)
    record_audit(actor, "household.status", household, old=old, new=target, reason=reason)
    return household


# --- visits ---------------------------------------------------------------------------------


@transaction.atomic
def sweep_create(*, actor: Any, division: Division, title: str, due_date: date) -> Sweep:
    _require(actor, CASEWORK, division.code)
    sweep = Sweep.objects.create(
        division=division,
        division_code=division.code,
        title=title,
        due_date=due_date,
        created_by=actor,
    )
    record_audit(actor, "sweep.create", sweep, due_date=due_date)
    return sweep


@dataclass(frozen=True)
class Relief:
    kind: str
    amount: Decimal
    description: str = ""


LIVING_FLAGS = (
    "food_short",
    "medicine_short",
    "heating_short",
    "water_short",
    "fodder_short",
    "income_lost",
)


@transaction.atomic
def visit_record(
    *,
    actor: Any,
    household: Household,
    channel: str,
    sweep: Sweep | None = None,
    visited_at: datetime | None = None,
    needs: str = "",
    relief: list[Relief] | None = None,
    **living: bool,
) -> Visit:
    _require(actor, CASEWORK, household.division_code)
    if sweep is not None and not household.division_code.startswith(sweep.division_code):
        raise ValidationError(_("This household is not part of the sweep's division."))
    unknown = set(living) - set(LIVING_FLAGS)
    if unknown:
        raise ValidationError(f"unknown living status: {', '.join(sorted(unknown))}")
    for action in relief or []:
        if action.amount < 0:
            raise ValidationError(_("A relief amount cannot be negative."))
    when = visited_at or timezone.now()
    visit = Visit.objects.create(
        household=household,
        sweep=sweep,
        division_code=household.division_code,
        visited_at=when,
        visitor=actor,
        channel=channel,
        needs=needs,
        **living,
    )
    ReliefAction.objects.bulk_create(
        [
            ReliefAction(visit=visit, kind=a.kind, amount=a.amount, description=a.description)
            for a in relief or []
        ]
    )
    Household.objects.filter(pk=household.pk).filter(
        Q(last_visited_at__isnull=True) | Q(last_visited_at__lt=when)
    ).update(last_visited_at=when)
    bump(metrics.HOUSEHOLDS_VISITED, household.division_code, metrics.day_of(when))
    record_audit(
        actor,
        "visit.record",
        visit,
        household=household.pk,
        channel=channel,
        relief=[{"kind": a.kind, "amount": a.amount} for a in relief or []],
    )
    return visit


# --- applications ---------------------------------------------------------------------------


def _choose_path(now: datetime) -> tuple[str, str]:
    period = EmergencyPeriod.current(now)
    if period is not None and period.simplified_assistance_approval:
        started = timezone.localtime(period.starts_at)
        return (
            ApprovalPath.SIMPLIFIED,
            f"Emergency period “{period.name}” (from {started:%Y-%m-%d}) has simplified "
            "assistance approval switched on: no public notice, one combined review.",
        )
    return ApprovalPath.NORMAL, "No emergency period with simplified approval is in force."


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
        raise ValidationError(str(exc)) from None
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


# --- reviews --------------------------------------------------------------------------------


def reviews_due_in(division_code: str, due_from: date, due_to: date) -> Any:
    return Household.objects.filter(
        division_code__startswith=division_code,
        status=HouseholdStatus.ACTIVE,
        next_review_date__gte=due_from,
        next_review_date__lte=due_to,
    )


@dataclass(frozen=True)
class ExtensionOutcome:
    extension: ReviewExtension | None
    households: int
    applied: bool  # False: a dry run, or this window was already extended


def review_extension_apply(
    *,
    actor: Any,
    division: Division,
    due_from: date,
    due_to: date,
    months: int,
    dry_run: bool = False,
) -> ExtensionOutcome:
    """Move every review due in [due_from, due_to] in a division by ``months``.

    Applying the same window twice extends once: the second call returns the first extension.
    """
    _require(actor, EXTEND, division.code)
    if due_to < due_from:
        raise ValidationError(_("The end of the period must not come before its start."))
    if not 1 <= months <= 24:
        raise ValidationError(_("Extend by 1 to 24 months."))
    with transaction.atomic():
        already = ReviewExtension.objects.filter(
            division_code=division.code, due_from=due_from, due_to=due_to, reverted_at__isnull=True
        ).first()
        if already is not None:
            return ExtensionOutcome(already, already.household_count, False)
        households = list(
            reviews_due_in(division.code, due_from, due_to)
            .select_for_update()
            .only("id", "next_review_date", "division_code")
        )
        if dry_run:
            return ExtensionOutcome(None, len(households), False)
        try:
            with transaction.atomic():
                extension = ReviewExtension.objects.create(
                    division=division,
                    division_code=division.code,
                    due_from=due_from,
                    due_to=due_to,
                    months=months,
                    household_count=len(households),
                    applied_by=actor,
                )
        except IntegrityError:
            existing = ReviewExtension.objects.get(
                division_code=division.code,
                due_from=due_from,
                due_to=due_to,
                reverted_at__isnull=True,
            )
            return ExtensionOutcome(existing, existing.household_count, False)
        items = []
        for h in households:
            assert h.next_review_date is not None
            new = rules.add_months(h.next_review_date, months)
            items.append(
                ReviewExtensionItem(
                    extension=extension, household=h, old_date=h.next_review_date, new_date=new
                )
            )
            h.next_review_date = new
        ReviewExtensionItem.objects.bulk_create(items, batch_size=2000)
        Household.objects.bulk_update(households, ["next_review_date"], batch_size=2000)
        record_audit(
            actor,
            "review_extension.apply",
            extension,
            due_from=due_from,
            due_to=due_to,
            months=months,
            households=len(households),
        )
        return ExtensionOutcome(extension, len(households), True)


@transaction.atomic
def review_extension_revert(*, actor: Any, extension: ReviewExtension) -> int:
    """Put back the review dates an extension moved (those not changed since)."""
    extension = ReviewExtension.objects.select_for_update().get(pk=extension.pk)
    _require(actor, EXTEND, extension.division_code)
    if extension.reverted_at is not None:
        raise ValidationError(_("This extension was already reverted."))
    restored = 0
    for item in extension.items.all().iterator(chunk_size=2000):
        restored += Household.objects.filter(
            pk=item.household_id, next_review_date=item.new_date
        ).update(next_review_date=item.old_date)
    extension.reverted_at = timezone.now()
    extension.reverted_by = actor
    extension.save(update_fields=["reverted_at", "reverted_by", "updated_at"])
    record_audit(actor, "review_extension.revert", extension, restored=restored)
    return restored


# --- help requests --------------------------------------------------------------------------


@transaction.atomic
def help_request_create(
    *,
    actor: Any,
    division: Division,
    name: str,
    phone: str,
    category: str,
    urgency: str,
    description: str,
    channel: str,
    address: str = "",
) -> HelpRequest:
    """A request for help from the public (actor None) or entered by staff from the hotline."""
    if channel == HelpChannel.HOTLINE:
        _require(actor, CASEWORK, division.code)
    try:
        mobile = normalize_mobile(phone)
    except InvalidNumber as exc:
        raise ValidationError({"phone": str(exc)}) from None
    if not description.strip():
        raise ValidationError({"description": _("Say what help is needed.")})
    now = timezone.now()
    level = rules.level_for(division.code)
    request = HelpRequest(
        division=division,
        division_code=division.code,
        name=name.strip(),
        phone=mobile,
        address=address,
        category=category,
        urgency=urgency,
        description=description.strip(),
        channel=channel,
        entered_by=actor if actor is not None and actor.is_authenticated else None,
        level=level,
        assigned_code=rules.assigned_code_for(level, division.code),
        deadline_at=now + rules.help_deadline(urgency),
        created_at=now,
    )
    for _attempt in range(5):
        request.receipt_number = rules.random_code("H", 8)
        if not HelpRequest.objects.filter(receipt_number=request.receipt_number).exists():
            break
    request.full_clean(exclude=["entered_by"])
    request.save()
    day = metrics.day_of(now)
    bump(metrics.HELP_RECEIVED, division.code, day)
    bump(metrics.HELP_OPEN, division.code, day)
    record_audit(
        actor if request.entered_by else None,
        "help_request.create",
        request,
        channel=channel,
        urgency=urgency,
        phone=mask_phone(mobile),
    )
    return request


@transaction.atomic
def help_request_answer(*, actor: Any, request: HelpRequest, note: str) -> HelpRequest:
    request = HelpRequest.objects.select_for_update().get(pk=request.pk)
    _require(actor, CASEWORK, request.division_code)
    if request.status != HelpStatus.OPEN:
        raise ValidationError(_("This request was already answered."))
    if not note.strip():
        raise ValidationError({"note": _("Write the answer the requester will see.")})
    now = timezone.now()
    request.status = HelpStatus.ANSWERED
    request.responded_at = now
    request.responded_by = actor
    request.response_note = note.strip()
    request.save(
        update_fields=["status", "responded_at", "responded_by", "response_note", "updated_at"]
    )
    day = metrics.day_of(now)
    bump(metrics.HELP_OPEN, request.division_code, day, -1)
    bump(metrics.HELP_ANSWERED, request.division_code, day)
    minutes = request.response_minutes or 0
    bump(metrics.HELP_RESPONSE_MINUTES, request.division_code, day, minutes)
    bump(*metrics.response_bump(request.division_code, day, minutes))
    record_audit(actor, "help_request.answer", request, level=request.level)
    return request


@transaction.atomic
def help_request_close(*, actor: Any, request: HelpRequest, note: str = "") -> HelpRequest:
    """Close a request; it needs a response note (the answer given, or one written now)."""
    request = HelpRequest.objects.select_for_update().get(pk=request.pk)
    _require(actor, CASEWORK, request.division_code)
    if request.status == HelpStatus.CLOSED:
        raise ValidationError(_("This request is already closed."))
    if request.status == HelpStatus.OPEN:
        if not note.strip():
            raise ValidationError({"note": _("A request is closed only with a response note.")})
        request = help_request_answer(actor=actor, request=request, note=note)
    elif note.strip():
        request.response_note = f"{request.response_note}\n{note.strip()}"
    request.status = HelpStatus.CLOSED
    request.closed_at = timezone.now()
    request.save(update_fields=["status", "closed_at", "response_note", "updated_at"])
    record_audit(actor, "help_request.close", request)
    return request


def help_requests_escalate(*, now: datetime | None = None) -> int:
    """Move every open request past its deadline one level up (gacha → sumu → banner).

    Each escalation sets a new deadline from now, so running it again before that deadline
    changes nothing: the command is idempotent. At the banner a request stays overdue.
    """
    now = now or timezone.now()
    moved = 0
    due = HelpRequest.objects.filter(
        status=HelpStatus.OPEN, deadline_at__lt=now, level__in=[HelpLevel.GACHA, HelpLevel.SUMU]
    ).values_list("pk", flat=True)
    for pk in list(due.iterator(chunk_size=2000)):
        with transaction.atomic():
            request = (
                HelpRequest.objects.select_for_update()
                .filter(pk=pk, status=HelpStatus.OPEN, deadline_at__lt=now)
                .exclude(level=HelpLevel.BANNER)
                .first()
            )
            if request is None:
                continue
            step = rules.next_level(request.level, request.division_code)
            assert step is not None
            old_level = request.level
            request.level, request.assigned_code = step
            request.deadline_at = now + rules.help_deadline(request.urgency)
            request.escalated_at = now
            request.save(
                update_fields=[
                    "level",
                    "assigned_code",
                    "deadline_at",
                    "escalated_at",
                    "updated_at",
                ]
            )
            bump(metrics.HELP_OVERDUE, request.division_code, metrics.day_of(now))
            record_audit(
                None, "help_request.escalate", request, from_level=old_level, to_level=request.level
            )
            moved += 1
    return moved


# --- donations and logistics ----------------------------------------------------------------


def _quantity(item: Item, quantity: Decimal) -> Decimal:
    if quantity <= 0:
        raise ValidationError(_("The quantity must be more than zero."))
    if item.whole_units and quantity != quantity.to_integral_value():
        raise ValidationError(
            _("%(item)s is counted in whole %(unit)s: %(quantity)s is not a whole number.")
            % {"item": item.name, "unit": item.unit, "quantity": quantity}
        )
    return quantity


@transaction.atomic
def donor_create(*, actor: Any, kind: str, name: str, contact: str = "") -> Donor:
    if not actor.has_perm_anywhere(DISTRIBUTE):
        raise ValidationError(_("You may not record donations."))
    donor = Donor.objects.create(kind=kind, name=name.strip(), contact=contact)
    record_audit(actor, "donor.create", donor, division_code="")
    return donor


@transaction.atomic
def lot_receive(
    *,
    actor: Any,
    donor: Donor,
    warehouse: Warehouse,
    item: Item,
    quantity: Decimal,
    expires_on: date | None = None,
    value: Decimal = Decimal(0),
) -> Lot:
    _require(actor, DISTRIBUTE, warehouse.division_code)
    quantity = _quantity(item, quantity)
    if value < 0:
        raise ValidationError(_("The value cannot be negative."))
    now = timezone.now()
    lot = Lot.objects.create(
        donor=donor,
        warehouse=warehouse,
        item=item,
        quantity=quantity,
        remaining=quantity,
        expires_on=expires_on,
        value=value,
        received_by=actor,
    )
    StockMovement.objects.create(
        lot=lot,
        warehouse=warehouse,
        item=item,
        kind=StockMovement.Kind.RECEIPT,
        quantity=quantity,
        at=now,
    )
    if item.whole_units:
        bump(metrics.STOCK_UNITS, warehouse.division_code, metrics.day_of(now), int(quantity))
    record_audit(
        actor, "donation.receive", lot, division_code=warehouse.division_code, quantity=quantity
    )
    return lot


def _draw(
    *,
    actor: Any,
    warehouse: Warehouse,
    item: Item,
    household: Household,
    quantity: Decimal,
    plan_name: str,
    now: datetime,
) -> Delivery:
    lots = list(
        Lot.objects.select_for_update()
        .filter(warehouse=warehouse, item=item, remaining__gt=0)
        .order_by(F("expires_on").asc(nulls_last=True), "id")
    )
    available = sum((lot.remaining for lot in lots), Decimal(0))
    if available < quantity:
        raise ValidationError(
            _("Not enough %(item)s in %(warehouse)s: %(left)s %(unit)s left, %(asked)s asked.")
            % {
                "item": item.name,
                "warehouse": warehouse.name,
                "left": available.normalize(),
                "unit": item.unit,
                "asked": quantity.normalize(),
            }
        )
    delivery = Delivery.objects.create(
        plan_name=plan_name,
        household=household,
        division_code=household.division_code,
        warehouse=warehouse,
        item=item,
        quantity=quantity,
        receipt_code=rules.random_code("", 6),
        created_by=actor,
    )
    need = quantity
    for lot in lots:
        if need <= 0:
            break
        take = min(lot.remaining, need)
        lot.remaining -= take
        lot.save(update_fields=["remaining", "updated_at"])
        StockMovement.objects.create(
            lot=lot,
            warehouse=warehouse,
            item=item,
            kind=StockMovement.Kind.DISTRIBUTION,
            quantity=-take,
            delivery=delivery,
            at=now,
        )
        need -= take
    if item.whole_units:
        bump(metrics.STOCK_UNITS, warehouse.division_code, metrics.day_of(now), -int(quantity))
    return delivery


@transaction.atomic
def distribution_create(
    *,
    actor: Any,
    warehouse: Warehouse,
    item: Item,
    household: Household,
    quantity: Decimal,
    plan_name: str = "",
) -> Delivery:
    """Take goods for one household out of stock (oldest expiry first); never below zero."""
    _require(actor, DISTRIBUTE, warehouse.division_code)
    _require(actor, DISTRIBUTE, household.division_code)
    quantity = _quantity(item, quantity)
    delivery = _draw(
        actor=actor,
        warehouse=warehouse,
        item=item,
        household=household,
        quantity=quantity,
        plan_name=plan_name or _("Single distribution"),
        now=timezone.now(),
    )
    record_audit(actor, "distribution.create", delivery, quantity=quantity, item=item.name)
    return delivery


@transaction.atomic
def distribution_plan_create(
    *,
    actor: Any,
    plan_name: str,
    warehouse: Warehouse,
    item: Item,
    quantity_each: Decimal,
    division: Division,
    category: str = "",
) -> list[Delivery]:
    """One delivery per active household chosen by division (and category): all or none."""
    _require(actor, DISTRIBUTE, warehouse.division_code)
    _require(actor, DISTRIBUTE, division.code)
    quantity = _quantity(item, quantity_each)
    households = Household.objects.filter(
        division_code__startswith=division.code, status=HouseholdStatus.ACTIVE
    )
    if category:
        households = households.filter(category=category)
    chosen = list(households.order_by("id"))
    if not chosen:
        raise ValidationError(_("No household matches this filter."))
    now = timezone.now()
    deliveries = [
        _draw(
            actor=actor,
            warehouse=warehouse,
            item=item,
            household=h,
            quantity=quantity,
            plan_name=plan_name,
            now=now,
        )
        for h in chosen
    ]
    record_audit(
        actor,
        "distribution.plan",
        None,
        division_code=division.code,
        plan=plan_name,
        households=len(chosen),
        quantity_each=quantity,
        item=item.name,
    )
    return deliveries


@transaction.atomic
def delivery_confirm(
    *,
    actor: Any,
    delivery: Delivery,
    proof_kind: str,
    proof_file: File[Any] | None = None,
    receipt_code: str = "",
) -> Delivery:
    delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
    _require(actor, DISTRIBUTE, delivery.division_code)
    if delivery.status == Delivery.Status.DELIVERED:
        assert delivery.delivered_at is not None
        raise ValidationError(
            _("This delivery was already confirmed on %(when)s.")
            % {"when": timezone.localtime(delivery.delivered_at).strftime("%Y-%m-%d %H:%M")}
        )
    Delivery.Proof(proof_kind)
    if proof_kind == Delivery.Proof.RECEIPT_CODE:
        if receipt_code.strip().upper() != delivery.receipt_code:
            raise ValidationError(_("The receipt code does not match this delivery."))
    elif proof_file is None:
        raise ValidationError(_("Attach the photo or the recipient's signature."))
    now = timezone.now()
    delivery.status = Delivery.Status.DELIVERED
    delivery.delivered_by = actor
    delivery.delivered_at = now
    delivery.proof_kind = proof_kind
    fields = ["status", "delivered_by", "delivered_at", "proof_kind", "updated_at"]
    if proof_file is not None:
        delivery.proof_file.save(f"delivery-{delivery.pk}.png", proof_file, save=False)
        fields.append("proof_file")
    delivery.save(update_fields=fields)
    bump(metrics.DELIVERIES_DONE, delivery.division_code, metrics.day_of(now))
    record_audit(actor, "delivery.confirm", delivery, proof=proof_kind)
    return delivery
