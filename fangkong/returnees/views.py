"""Pages of returnees: parse, gatekeep, call one service, respond."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangkong.accounts.roles import Perm
from fangkong.core.forms import errors_into_form
from fangkong.core.ratelimit import public_write
from fangkong.divisions.models import Level
from fangkong.divisions.selectors import division_ancestors, division_by_code
from fangkong.lib.masking import mask_id_number, mask_phone
from fangkong.returnees import census, exports, posters, selectors, services
from fangkong.returnees.forms import (
    ArrivalForm,
    CheckForm,
    ClearanceForm,
    ConvoyForm,
    EndForm,
    ImportForm,
    ManifestForm,
    ReassignForm,
    RiskAreaForm,
    SelfRegistrationForm,
    TransitCheckForm,
    TripEditForm,
    TripFilterForm,
    TripForm,
    UnitAdminsForm,
    WorkUnitForm,
)
from fangkong.returnees.models import (
    CensusJobStatus,
    DailyCheck,
    ObservationStatus,
    RegisteredVia,
    ReturnTrip,
    check_deadline_passed,
    release_holds,
)

PAGE_SIZE = 50


def _require(request: HttpRequest, *permissions: str) -> Any:
    user = request.user
    if not user.is_authenticated or not any(user.scope_keys(p) for p in permissions):
        raise Http404
    return user


def _display(trips: list[ReturnTrip], actor: Any) -> list[ReturnTrip]:
    """Masked (or, for roles that need them, full) ID numbers and phones for a list."""
    for trip in trips:
        full = actor.can(Perm.PERSONAL_DATA, trip.division_code)
        trip.id_display = trip.person.id_number if full else mask_id_number(trip.person.id_number)  # type: ignore[attr-defined]
        trip.mobile_display = trip.person.mobile if full else mask_phone(trip.person.mobile)  # type: ignore[attr-defined]
    return trips


class Page:
    """A page of results without counting them all: cheap at a million rows."""

    def __init__(self, rows: list[Any], number: int, has_next: bool) -> None:
        self.object_list = rows
        self.number = number
        self.has_next = has_next
        self.has_previous = number > 1

    def __iter__(self) -> Any:
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)


def page_of(qs: Any, page_param: str | None, size: int = PAGE_SIZE) -> Page:
    try:
        number = max(1, int(page_param or 1))
    except ValueError:
        number = 1
    start = (number - 1) * size
    rows = list(qs[start : start + size + 1])
    return Page(rows[:size], number, len(rows) > size)


# --- lists ---------


@login_required
def trip_list(request: HttpRequest) -> HttpResponse:
    actor = _require(request, Perm.RETURNEES_VIEW, Perm.RETURNEES_UNIT, Perm.RETURNEES_REGISTER)
    form = TripFilterForm(request.GET or None)
    filters = form.filters()
    permission = (
        Perm.RETURNEES_VIEW
        if actor.has_perm_anywhere(Perm.RETURNEES_VIEW)
        else Perm.RETURNEES_REGISTER
    )
    trips = selectors.trip_list(actor=actor, filters=filters, permission=permission)
    if form.is_bound and not form.is_valid():
        # A filter that cannot be read must not widen the list (or the export) to everything.
        if request.GET.get("format") == "xlsx":
            problems = "; ".join(
                f"{form.fields[name].label if name in form.fields else name}: "
                + " ".join(map(str, errors))
                for name, errors in form.errors.items()
            )
            return HttpResponse(
                _("The filters are not valid, so nothing was exported: %(problems)s")
                % {"problems": problems},
                status=400,
                content_type="text/plain; charset=utf-8",
            )
        trips = trips.none()
    if request.GET.get("format") == "xlsx":
        unmasked = actor.has_perm_anywhere(Perm.PERSONAL_DATA) and all(
            actor.can(Perm.PERSONAL_DATA, k) for k in actor.scope_keys(permission)
        )
        data, count = exports.trips_xlsx(
            trips[: exports.EXPORT_LIMIT].iterator(chunk_size=2000), unmasked=unmasked
        )
        services.trips_exported(
            actor=actor,
            count=count,
            unmasked=unmasked,
            filters={k: str(v) for k, v in asdict(filters).items() if v},
        )
        response = HttpResponse(
            data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="returnees-{stamp}.xlsx"'
        return response
    page = page_of(trips, request.GET.get("page"))
    _display(page.object_list, actor)
    twins = selectors.near_duplicate_ids([t.person_id for t in page.object_list])
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "returnees/trip_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "twins": twins,
            "can_register": actor.has_perm_anywhere(Perm.RETURNEES_REGISTER),
            "nav_current": "returnees:trip-list",
        },
    )


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    actor = _require(request, Perm.RETURNEES_OBSERVE)
    page = page_of(selectors.queue_list(actor=actor), request.GET.get("page"))
    _display(page.object_list, actor)
    return render(request, "returnees/trip_queue.html", {"page": page, "query": ""})


@login_required
def unit_list(request: HttpRequest) -> HttpResponse:
    actor = _require(request, Perm.RETURNEES_UNIT)
    page = page_of(selectors.unit_trip_list(actor=actor), request.GET.get("page"))
    _display(page.object_list, actor)
    return render(request, "returnees/trip_unit.html", {"page": page, "query": ""})


# --- one trip ---------


@login_required
def trip_create(request: HttpRequest) -> HttpResponse:
    actor = _require(request, Perm.RETURNEES_REGISTER)
    form = TripForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            trip = services.returnee_register(
                actor=actor, data=form.trip_data(), registered_via=RegisteredVia.STAFF
            )
        except ValidationError as exc:
            errors_into_form(form, exc)
        else:
            messages.success(request, _("Returnee registered."))
            return redirect("returnees:trip-detail", trip_id=trip.pk)
    return render(request, "returnees/trip_form.html", {"form": form})


@login_required
def trip_edit(request: HttpRequest, trip_id: int) -> HttpResponse:
    """Correct a registered trip (staff who may register in its community)."""
    actor = _require(request, Perm.RETURNEES_REGISTER)
    trip = selectors.access_trip_for_edit(actor, trip_id)
    form = TripEditForm(request.POST or None, trip=trip)
    if request.method == "POST" and form.is_valid():
        try:
            services.trip_update(actor=actor, trip=trip, data=form.trip_data())
        except ValidationError as exc:
            errors_into_form(form, exc)
        else:
            messages.success(request, _("Trip saved."))
            return redirect("returnees:trip-detail", trip_id=trip.pk)
    return render(request, "returnees/trip_edit.html", {"form": form, "trip": trip})


@login_required
def trip_detail(request: HttpRequest, trip_id: int) -> HttpResponse:
    actor = _require(request, Perm.RETURNEES_VIEW, Perm.RETURNEES_UNIT, Perm.RETURNEES_REGISTER)
    trip = selectors.access_trip_by_id(actor, trip_id)
    _display([trip], actor)
    if actor.can(Perm.PERSONAL_DATA, trip.division_code):
        services.personal_data_viewed(
            actor=actor, person=trip.person, division_code=trip.division_code
        )
    can_observe = actor.can(Perm.RETURNEES_OBSERVE, trip.division_code)
    is_unit_admin = bool(
        trip.work_unit_id and trip.work_unit.admins.filter(pk=actor.pk).exists()  # type: ignore[union-attr]
    )
    observation = getattr(trip, "observation", None) if hasattr(trip, "observation") else None
    return render(
        request,
        "returnees/trip_detail.html",
        {
            "trip": trip,
            "observation": observation,
            "arrival_form": ArrivalForm(),
            "can_observe": can_observe,
            "can_edit": actor.can(Perm.RETURNEES_REGISTER, trip.division_code),
            "is_unit_admin": is_unit_admin,
        },
    )


@login_required
@require_POST
def trip_arrive(request: HttpRequest, trip_id: int) -> HttpResponse:
    actor = _require(request, Perm.RETURNEES_OBSERVE)
    trip = selectors.access_trip_by_id(actor, trip_id, write=True)
    form = ArrivalForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose how to observe."))
        return redirect("returnees:trip-detail", trip_id=trip.pk)
    observe = {"auto": None, "yes": True, "no": False}[form.cleaned_data["observe"]]
    try:
        services.trip_confirm_arrival(
            actor=actor,
            trip=trip,
            observe=observe,
            kind=form.cleaned_data["kind"],
            place=form.cleaned_data["place"],
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Arrival confirmed."))
    return redirect("returnees:trip-detail", trip_id=trip.pk)


@login_required
@require_POST
def trip_back_at_work(request: HttpRequest, trip_id: int) -> HttpResponse:
    actor = _require(request, Perm.RETURNEES_UNIT, Perm.RETURNEES_VIEW)
    trip = selectors.access_trip_by_id(actor, trip_id)
    try:
        services.trip_confirm_back_at_work(actor=actor, trip=trip)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Return to work confirmed."))
    return redirect("returnees:unit-list")


# --- people ---------


@login_required
def person_detail(request: HttpRequest, person_id: int) -> HttpResponse:
    actor = _require(request, Perm.RETURNEES_VIEW)
    person = selectors.access_person_by_id(actor, person_id)
    full = actor.can(Perm.PERSONAL_DATA, person.division_code)
    if full:
        services.personal_data_viewed(
            actor=actor, person=person, division_code=person.division_code
        )
    trips = list(
        person.trips.select_related("division", "work_unit").prefetch_related(
            Prefetch("observation__checks", DailyCheck.objects.select_related("checked_by"))
        )
    )
    timeline: list[dict[str, Any]] = []
    for trip in trips:
        timeline.append({"at": trip.created_at, "what": _("Registered"), "trip": trip})
        if trip.arrival_confirmed_at:
            timeline.append({"at": trip.arrival_confirmed_at, "what": _("Arrival confirmed")})
        observation = getattr(trip, "observation", None) if hasattr(trip, "observation") else None
        if observation is not None:
            timeline.append({"at": observation.created_at, "what": _("Observation started")})
            for check in observation.checks.all():
                timeline.append(
                    {
                        "at": check.checked_at,
                        "what": _("Daily check: %(t)s °C · %(how)s · %(who)s")
                        % {
                            "t": check.temperature,
                            "how": check.get_contact_display(),
                            "who": check.checked_by or "—",
                        },
                        "symptoms": "、".join(check.symptom_labels),
                        "fever": check.is_fever,
                        "check": True,
                    }
                )
            if observation.ended_at:
                timeline.append(
                    {"at": observation.ended_at, "what": observation.get_status_display()}
                )
    timeline.sort(key=lambda e: e["at"])
    home = next((t.division for t in trips if t.division_code == person.division_code), None)
    return render(
        request,
        "returnees/person_detail.html",
        {
            "person": person,
            "home": home or division_by_code(person.division_code),
            "id_display": person.id_number if full else mask_id_number(person.id_number),
            "mobile_display": person.mobile if full else mask_phone(person.mobile),
            "trips": trips,
            "timeline": timeline,
            "twins": selectors.person_near_duplicates(person),
            "can_merge": actor.can(Perm.RETURNEES_REGISTER, person.division_code),
        },
    )


@login_required
def person_merge(request: HttpRequest, person_id: int, other_id: int) -> HttpResponse:
    actor = _require(request, Perm.RETURNEES_REGISTER)
    keep = selectors.access_person_by_id(actor, person_id)
    other = selectors.access_person_by_id(actor, other_id)
    if request.method == "POST":
        try:
            services.person_merge(actor=actor, keep=keep, merge=other)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The two records are merged."))
            return redirect("returnees:person-detail", person_id=keep.pk)
    return render(
        request,
        "returnees/person_merge.html",
        {
            "keep": keep,
            "other": other,
            "keep_id": mask_id_number(keep.id_number),
            "other_id": mask_id_number(other.id_number),
        },
    )


# --- observation ---------


@login_required
def observation_list(request: HttpRequest) -> HttpResponse:
    actor = _require(request, Perm.RETURNEES_VIEW)
    view = request.GET.get("view", "active")
    if view == "overdue":
        qs = selectors.overdue_list(actor=actor)
    elif view == "due":
        qs = selectors.due_for_release_list(actor=actor)
    else:
        view = "active"
        qs = selectors.observation_list(actor=actor, status=ObservationStatus.ACTIVE)
    page = page_of(qs, request.GET.get("page"), size=100)
    if view == "due":
        today = timezone.localdate()
        for obs in page:
            obs.holds = release_holds(obs, obs.checks.all(), today)
    return render(
        request,
        "returnees/observation_list.html",
        {
            "page": page,
            "view": view,
            "query": f"view={view}",
            "deadline_passed": check_deadline_passed(),
            "can_observe": actor.has_perm_anywhere(Perm.RETURNEES_OBSERVE),
        },
    )


@login_required
def observation_detail(request: HttpRequest, observation_id: int) -> HttpResponse:
    actor = _require(request, Perm.RETURNEES_VIEW)
    obs = selectors.access_observation_by_id(actor, observation_id)
    can_observe = actor.can(Perm.RETURNEES_OBSERVE, obs.division_code)
    check_form = CheckForm(request.POST or None, initial={"contact": "visit"}, prefix="check")
    end_form = EndForm(request.POST or None, prefix="end")
    reassign_form = ReassignForm(
        request.POST or None,
        candidates=selectors.responsible_candidates(obs),
        initial={"responsible": obs.responsible_id},
        prefix="reassign",
    )
    if request.method == "POST":
        if not can_observe:
            raise Http404
        action = request.POST.get("action")
        try:
            if action == "check" and check_form.is_valid():
                d = check_form.cleaned_data
                services.check_record(
                    actor=actor,
                    observation=obs,
                    temperature=d["temperature"],
                    symptoms=d["symptoms"],
                    contact=d["contact"],
                    note=d["note"],
                )
                messages.success(request, _("Check recorded."))
                return redirect("returnees:observation-detail", observation_id=obs.pk)
            if action == "end" and end_form.is_valid():
                services.observation_end(
                    actor=actor,
                    observation=obs,
                    status=end_form.cleaned_data["status"],
                    note=end_form.cleaned_data["note"],
                )
                messages.success(request, _("Observation updated."))
                return redirect("returnees:observation-detail", observation_id=obs.pk)
            if action == "resume":
                services.observation_resume(actor=actor, observation=obs)
                return redirect("returnees:observation-detail", observation_id=obs.pk)
            if action == "reassign" and reassign_form.is_valid():
                services.observation_reassign(
                    actor=actor,
                    observation=obs,
                    responsible=reassign_form.cleaned_data["responsible"],
                )
                messages.success(request, _("Responsible worker changed."))
                return redirect("returnees:observation-detail", observation_id=obs.pk)
        except ValidationError as exc:
            target = {"check": check_form, "reassign": reassign_form}.get(action or "", end_form)
            if hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    for error in errors:
                        target.add_error(field if field in target.fields else None, error)
            else:
                for error in exc.messages:
                    target.add_error(None, error)
    _display([obs.trip], actor)
    if actor.can(Perm.PERSONAL_DATA, obs.division_code):
        services.personal_data_viewed(
            actor=actor, person=obs.person, division_code=obs.division_code
        )
    return render(
        request,
        "returnees/observation_detail.html",
        {
            "obs": obs,
            "checks": obs.checks.select_related("checked_by").order_by("-checked_at", "-id"),
            "check_form": check_form,
            "end_form": end_form,
            "reassign_form": reassign_form,
            "can_observe": can_observe,
            "checks_today": obs.checks.filter(day=timezone.localdate()).count(),
            "due": obs.is_due_for_release(timezone.localdate()),
            "holds": release_holds(obs, obs.checks.all(), timezone.localdate()),
        },
    )


def _ids(values: list[str]) -> list[int]:
    return [int(v) for v in values if v.isdigit() and 0 < int(v) < 2**31]


def _names(outcomes: list[services.ReleaseOutcome]) -> str:
    return "、".join(o.name for o in outcomes)


@login_required
@require_POST
def observation_release_bulk(request: HttpRequest) -> HttpResponse:
    """The release step: the selection is shown first (who will be released, who is held and
    why, with a named clearance for those ticked); only the confirm releases."""
    actor = _require(request, Perm.RETURNEES_OBSERVE)
    back = reverse("returnees:observation-list") + "?view=due"
    ids = _ids(request.POST.getlist("ids"))
    cleared_ids = _ids(request.POST.getlist("cleared_ids"))
    today = timezone.localdate()
    chosen = list(
        selectors.due_for_release_list(actor=actor).filter(pk__in=set(ids) | set(cleared_ids))
    )
    for obs in chosen:
        obs.holds = release_holds(obs, obs.checks.all(), today)  # type: ignore[attr-defined]
    if not chosen:
        messages.error(request, _("Choose at least one person to release."))
        return redirect(back)
    form = ClearanceForm(request.POST if request.POST.get("step") == "confirm" else None)
    if request.POST.get("step") == "confirm" and form.is_valid():
        try:
            clearance = services.clearance_clean(
                form.cleaned_data["clearance_by"], form.cleaned_data["clearance_reason"]
            )
            if cleared_ids and clearance is None:
                raise ValidationError(
                    {"clearance_by": [_("Name who gives the clearance for the ticked people.")]}
                )
        except ValidationError as exc:
            errors_into_form(form, exc)
        else:
            outcomes: list[services.ReleaseOutcome] = []
            plain = [i for i in ids if i not in cleared_ids]
            if plain:
                outcomes += services.observation_release(actor=actor, observation_ids=plain)
            if cleared_ids:
                outcomes += services.observation_release(
                    actor=actor, observation_ids=cleared_ids, clearance=clearance
                )
            released = [o for o in outcomes if o.result == services.ReleaseResult.RELEASED]
            kept = [o for o in outcomes if o.result == services.ReleaseResult.HELD]
            if released:
                messages.success(
                    request,
                    _("Released from observation (%(n)d): %(names)s")
                    % {"n": len(released), "names": _names(released)},
                )
            for o in kept:
                messages.warning(
                    request,
                    _("Held back: %(name)s — %(reasons)s")
                    % {"name": o.name, "reasons": "；".join(h.text for h in o.holds)},
                )
            return redirect(back)
    ready = [o for o in chosen if not o.holds]  # type: ignore[attr-defined]
    held = [o for o in chosen if o.holds]  # type: ignore[attr-defined]
    return render(
        request,
        "returnees/observation_release.html",
        {
            "ready": ready,
            "held": held,
            "form": form,
            "cleared_ids": set(cleared_ids),
        },
    )


# --- census import ---------


@login_required
def census_import(request: HttpRequest) -> HttpResponse:
    actor = _require(request, Perm.RETURNEES_REGISTER)
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        refused = ""
        try:
            # Size, zip bomb and row limits before a job is queued or anything unpacked.
            census.census_precheck(upload)
        except census.CensusFileError as exc:
            refused = str(exc)
        if refused:
            form.add_error("file", refused)
        elif upload.size > census.BACKGROUND_BYTES:
            job = census.census_job_create(
                actor=actor,
                upload=upload,
                default_division=form.cleaned_data["division"],
                skip_bad_rows=form.cleaned_data["skip_bad_rows"],
                dry_run=form.cleaned_data["dry_run"],
            )
            return redirect("returnees:census-job", job_id=job.pk)
        else:
            try:
                report = census.census_import(
                    actor=actor,
                    data=upload.read(),
                    filename=upload.name,
                    default_division=form.cleaned_data["division"],
                    skip_bad_rows=form.cleaned_data["skip_bad_rows"],
                    dry_run=form.cleaned_data["dry_run"],
                )
            except census.CensusFileError as exc:
                form.add_error("file", str(exc))
            else:
                request.session["returnees_import_report"] = json.dumps(
                    {
                        "summary": report.summary(),
                        "problems": [
                            p.as_list() for p in [*report.notes, *report.problems][:20000]
                        ],
                    }
                )
    return render(
        request,
        "returnees/census_import.html",
        {"form": form, "report": report, "problems": report.problems[:500] if report else []},
    )


@login_required
def census_template(request: HttpRequest) -> HttpResponse:
    _require(request, Perm.RETURNEES_REGISTER)
    response = HttpResponse(
        census.template_xlsx(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="census-template.xlsx"'
    return response


@login_required
def census_report(request: HttpRequest) -> HttpResponse:
    _require(request, Perm.RETURNEES_REGISTER)
    stored = request.session.get("returnees_import_report")
    if not stored:
        raise Http404
    data = json.loads(stored)
    report = census.CensusReport(**data["summary"])
    report.problems = [census.Problem.from_list(p) for p in data["problems"]]
    response = HttpResponse(
        census.report_xlsx(report),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="census-report.xlsx"'
    return response


# --- self-registration and posters ---------


def _community(code: str) -> Any:
    division = division_by_code(code)
    if division is None or division.level != Level.VILLAGE:
        raise Http404
    return division


@public_write("self-registration")
def self_register(request: HttpRequest, code: str) -> HttpResponse:
    """The public page (no login) a poster's QR code opens."""
    division = _community(code)
    form = SelfRegistrationForm(
        request.POST or None, initial={"division_code": division.code, "transport": "train"}
    )
    receipt = None
    if request.method == "POST" and form.is_valid():
        data = form.trip_data()
        data.division_code = division.code  # the poster decides, not the form
        try:
            trip = services.returnee_register(
                actor=None, data=data, registered_via=RegisteredVia.SELF
            )
        except ValidationError as exc:
            errors_into_form(form, exc)
        else:
            receipt = trip.receipt
    return render(
        request,
        "returnees/self_register.html",
        {"form": form, "division": division, "receipt": receipt},
    )


@login_required
def poster(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    actor = _require(request, Perm.RETURNEES_VIEW, Perm.RETURNEES_REGISTER)
    division = _community(code)
    if not (
        actor.can(Perm.RETURNEES_VIEW, division.code)
        or actor.can(Perm.RETURNEES_REGISTER, division.code)
    ):
        raise Http404
    url = request.build_absolute_uri(reverse("returnees:self-register", args=[division.code]))
    parents = " ".join(
        d.short_name for d in division_ancestors(division) if d.level != Level.PROVINCE
    )
    kwargs = {"url": url, "community": division.short_name, "parents": parents}
    if fmt == "pdf":
        response = HttpResponse(posters.poster_pdf(**kwargs), content_type="application/pdf")
    else:
        response = HttpResponse(posters.poster_png(**kwargs), content_type="image/png")
    response["Content-Disposition"] = f'inline; filename="poster-{division.full_code}.{fmt}"'
    return response


@login_required
def poster_list(request: HttpRequest) -> HttpResponse:
    actor = _require(request, Perm.RETURNEES_VIEW, Perm.RETURNEES_REGISTER)
    from fangkong.divisions.models import Division

    keys = actor.scope_keys(Perm.RETURNEES_VIEW) or actor.scope_keys(Perm.RETURNEES_REGISTER)
    communities = Division.objects.within_scopes(keys).filter(level=Level.VILLAGE).order_by("code")
    return render(request, "returnees/poster_list.html", {"communities": communities})


# --- reference lists ---------


@login_required
def risk_area_list(request: HttpRequest) -> HttpResponse:
    actor = _require(request, Perm.RETURNEES_VIEW, Perm.DIRECTIVES_PUBLISH)
    can_edit = actor.has_perm_anywhere(Perm.DIRECTIVES_PUBLISH)
    form = RiskAreaForm(request.POST or None)
    if request.method == "POST":
        if not can_edit:
            raise Http404
        if request.POST.get("deactivate"):
            area = selectors.access_risk_area_by_id(actor, int(request.POST["deactivate"]))
            services.risk_area_deactivate(actor=actor, area=area)
            return redirect("returnees:risk-area-list")
        if form.is_valid():
            try:
                services.risk_area_create(actor=actor, **form.cleaned_data)
            except ValidationError as exc:
                errors_into_form(form, exc)
            else:
                return redirect("returnees:risk-area-list")
    return render(
        request,
        "returnees/risk_area_list.html",
        {"areas": selectors.risk_area_list(), "form": form, "can_edit": can_edit},
    )


@login_required
def work_unit_list(request: HttpRequest) -> HttpResponse:
    actor = _require(request, Perm.RETURNEES_VIEW)
    can_edit = actor.has_perm_anywhere(Perm.RETURNEES_REGISTER)
    form = WorkUnitForm(
        request.POST or None, candidates=selectors.unit_admin_candidates(actor=actor)
    )
    if request.method == "POST" and not can_edit:
        raise Http404
    if request.method == "POST" and form.is_valid():
        try:
            services.work_unit_create(actor=actor, **form.cleaned_data)
        except ValidationError as exc:
            errors_into_form(form, exc)
        else:
            messages.success(request, _("Work unit added."))
            return redirect("returnees:work-unit-list")
    units = selectors.work_unit_list(actor=actor)
    return render(
        request,
        "returnees/work_unit_list.html",
        {"units": units[:500], "form": form, "can_edit": can_edit},
    )


@login_required
def work_unit_detail(request: HttpRequest, unit_id: int) -> HttpResponse:
    """A unit and its administrators; staff who may register there name them."""
    actor = _require(request, Perm.RETURNEES_VIEW)
    unit = selectors.access_work_unit_by_id(actor, unit_id)
    can_edit = actor.can(Perm.RETURNEES_REGISTER, unit.division_code)
    form = UnitAdminsForm(
        request.POST or None,
        candidates=selectors.unit_admin_candidates(actor=actor, keep=unit),
        initial={"admins": list(unit.admins.all())},
    )
    if request.method == "POST":
        if not can_edit:
            raise Http404
        if form.is_valid():
            try:
                services.work_unit_set_admins(
                    actor=actor, unit=unit, admins=form.cleaned_data["admins"]
                )
            except ValidationError as exc:
                errors_into_form(form, exc)
            else:
                messages.success(request, _("Unit administrators saved."))
                return redirect("returnees:work-unit-detail", unit_id=unit.pk)
    return render(
        request,
        "returnees/work_unit_detail.html",
        {"unit": unit, "admins": unit.admins.all(), "form": form, "can_edit": can_edit},
    )


# --- organised transport --------------------------------------------------------------------


@login_required
def convoy_list(request: HttpRequest) -> HttpResponse:
    actor = _require(request, Perm.RETURNEES_REGISTER, Perm.RETURNEES_VIEW)
    can_edit = actor.has_perm_anywhere(Perm.RETURNEES_REGISTER)
    form = ConvoyForm(request.POST or None)
    if request.method == "POST":
        if not can_edit:
            raise Http404
        if form.is_valid():
            try:
                convoy = services.convoy_create(actor=actor, **form.cleaned_data)
            except ValidationError as exc:
                errors_into_form(form, exc)
            else:
                return redirect("returnees:convoy-detail", convoy_id=convoy.pk)
    page = page_of(selectors.convoy_list(actor=actor), request.GET.get("page"))
    return render(
        request,
        "returnees/convoy_list.html",
        {"page": page, "form": form, "can_edit": can_edit, "query": ""},
    )


@login_required
def convoy_detail(request: HttpRequest, convoy_id: int) -> HttpResponse:
    actor = _require(request, Perm.RETURNEES_REGISTER, Perm.RETURNEES_VIEW)
    convoy = selectors.access_convoy_by_id(actor, convoy_id)
    can_edit = actor.can(Perm.RETURNEES_REGISTER, convoy.division_code)
    manifest_form = ManifestForm(prefix="manifest")
    check_form = TransitCheckForm(prefix="check")
    if request.method == "POST":
        if not can_edit:
            raise Http404
        action = request.POST.get("action")
        try:
            if action == "manifest":
                manifest_form = ManifestForm(request.POST, request.FILES, prefix="manifest")
                if manifest_form.is_valid():
                    upload = manifest_form.cleaned_data["file"]
                    lines = (
                        services.manifest_lines_from_file(upload.read(), upload.name)
                        if upload
                        else manifest_form.cleaned_data["lines"]
                    )
                    services.convoy_add_passengers(actor=actor, convoy=convoy, lines=lines)
                    return redirect("returnees:convoy-detail", convoy_id=convoy.pk)
            elif action == "confirm":
                services.convoy_confirm_manifest(actor=actor, convoy=convoy)
                messages.success(request, _("Manifest confirmed: every passenger is registered."))
                return redirect("returnees:convoy-detail", convoy_id=convoy.pk)
            elif action == "check":
                check_form = TransitCheckForm(request.POST, prefix="check")
                if check_form.is_valid():
                    passenger = convoy.passengers.filter(
                        pk=check_form.cleaned_data["passenger"]
                    ).first()
                    if passenger is None:
                        raise Http404
                    services.transit_check_record(
                        actor=actor,
                        passenger=passenger,
                        stage=check_form.cleaned_data["stage"],
                        temperature=check_form.cleaned_data["temperature"],
                    )
                    return redirect("returnees:convoy-detail", convoy_id=convoy.pk)
        except ValidationError as exc:
            target = manifest_form if action == "manifest" else check_form
            if action == "confirm":
                messages.error(request, " ".join(exc.messages))
            else:
                errors_into_form(target, exc)
    passengers = list(selectors.convoy_passengers(convoy))
    for p in passengers:
        p.id_display = mask_id_number(p.id_number)  # type: ignore[attr-defined]
        p.stages = {c.stage: c for c in p.checks.all()}  # type: ignore[attr-defined]
    return render(
        request,
        "returnees/convoy_detail.html",
        {
            "convoy": convoy,
            "passengers": passengers,
            "manifest_form": manifest_form,
            "check_form": check_form,
            "can_edit": can_edit,
        },
    )


@login_required
def census_job(request: HttpRequest, job_id: int) -> HttpResponse:
    """A background import's progress; the page polls itself until the job is done."""
    actor = _require(request, Perm.RETURNEES_REGISTER)
    job = selectors.access_census_job_by_id(actor, job_id)
    template = (
        "returnees/census_job_progress.html"
        if request.headers.get("HX-Request")
        else "returnees/census_job.html"
    )
    error = job.summary.get("error") if isinstance(job.summary, dict) else None
    return render(
        request,
        template,
        {
            "job": job,
            "error": census.render_message(*error) if error else job.error,
            "problems": [census.Problem.from_list(p) for p in job.problems[:500]],
        },
    )


@login_required
def census_job_report(request: HttpRequest, job_id: int) -> HttpResponse:
    """A finished background import's report as xlsx, in the viewer's language."""
    actor = _require(request, Perm.RETURNEES_REGISTER)
    job = selectors.access_census_job_by_id(actor, job_id)
    if job.status != CensusJobStatus.DONE:
        raise Http404
    counts = job.summary
    report = census.CensusReport(
        rows=int(counts.get("rows", 0)),
        created=int(counts.get("created", 0)),
        updated=int(counts.get("updated", 0)),
        unchanged=int(counts.get("unchanged", 0)),
        rejected=int(counts.get("rejected", 0)),
    )
    report.problems = [census.Problem.from_list(p) for p in job.problems]
    response = HttpResponse(
        census.report_xlsx(report),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="census-report-{job.pk}.xlsx"'
    return response
