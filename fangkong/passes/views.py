"""Pages of passes: list, issue, bulk issue, detail, A5 print, QR images, revoke, duty preview."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from fangkong.accounts.models import User
from fangkong.accounts.roles import Perm
from fangkong.accounts.selectors import require_perm
from fangkong.divisions.selectors import division_by_code
from fangkong.lib.qr import qr_png, qr_svg
from fangkong.lib.spreadsheet import SpreadsheetError, check_size
from fangkong.passes import selectors, services, trust
from fangkong.passes.forms import BulkForm, PassForm, RevokeForm
from fangkong.passes.models import Cargo, GreenPass, PassCheck

PAGE_SIZE = 50
STATIC_DIR = Path(__file__).resolve().parent / "static" / "passes"


def _actor(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _issuers(actor: User) -> list[tuple[str, str]]:
    return [(d.code, f"{d.name} ({d.code})") for d in selectors.issuing_divisions(actor)]


def _errors(form: object, exc: ValidationError) -> None:
    for message in exc.messages:
        form.add_error(None, message)  # type: ignore[attr-defined]


@login_required
def pass_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    require_perm(actor, Perm.PASSES_VIEW)
    q = request.GET.get("q", "")
    status = request.GET.get("status", "")
    if status not in GreenPass.Status.values:
        status = ""
    now = timezone.now()
    qs = selectors.pass_list(actor=actor, q=q, status=status, at=now)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    for green in page:
        green.current_status = green.status_at(now)  # type: ignore[attr-defined]
    selectors.with_route_names(page)
    return render(
        request,
        "passes/pass_list.html",
        {
            "page": page,
            "filters": {"q": q, "status": status},
            "statuses": GreenPass.Status.choices,
            "may_issue": actor.has_perm_anywhere(Perm.PASSES_ISSUE),
            "timings": selectors.green_channel_timings(actor=actor),
            "nav_current": "passes:pass-list",
        },
    )


@login_required
def pass_create(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    require_perm(actor, Perm.PASSES_ISSUE)
    form = PassForm(request.POST or None, issuers=_issuers(actor))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        division = division_by_code(data["issuer"])
        if division is None:
            raise Http404
        try:
            green = services.pass_create_full(
                actor=actor,
                division=division,
                plate=data["plate"],
                vehicle_type=data["vehicle_type"],
                owner=data["owner"],
                driver_name=data["driver_name"],
                driver_id_number=data["driver_id_number"],
                driver_phone=data["driver_phone"],
                cargo=data["cargo"],
                origin=data["origin"],
                destination=data["destination"],
                days=data["days"],
                now=timezone.now(),
            )
        except ValidationError as exc:
            _errors(form, exc)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, _("Pass %(serial)s issued.") % {"serial": green.serial})
            return redirect("passes:pass-detail", pass_id=green.pk)
    return render(request, "passes/pass_form.html", {"form": form})


@login_required
def pass_bulk(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    require_perm(actor, Perm.PASSES_ISSUE)
    form = BulkForm(request.POST or None, request.FILES or None, issuers=_issuers(actor))
    row_errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        division = division_by_code(form.cleaned_data["issuer"])
        if division is None:
            raise Http404
        try:
            check_size(upload.size, services.MAX_FILE_BYTES)
            issued = services.pass_bulk_issue(
                actor=actor,
                division=division,
                data=upload.read(),
                owner=form.cleaned_data["owner"],
                now=timezone.now(),
                filename=upload.name or "",
            )
        except SpreadsheetError as exc:
            row_errors = exc.messages
        except ValidationError as exc:
            row_errors = exc.messages
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, _("%(n)d passes issued.") % {"n": len(issued)})
            return redirect("passes:pass-list")
    return render(request, "passes/pass_bulk.html", {"form": form, "row_errors": row_errors})


@login_required
def pass_detail(request: HttpRequest, pass_id: int) -> HttpResponse:
    actor = _actor(request)
    green = selectors.access_pass_by_id(actor, pass_id)
    selectors.with_route_names([green])
    return render(
        request,
        "passes/pass_detail.html",
        {
            "green": green,
            "status": green.status_at(timezone.now()),
            "may_revoke": actor.can(Perm.PASSES_ISSUE, green.division_code),
            "revoke_form": RevokeForm(),
            "qr_svg": qr_svg(green.code).decode("utf-8").split("?>", 1)[-1],
        },
    )


@login_required
def pass_print(request: HttpRequest, pass_id: int) -> HttpResponse:
    green = selectors.access_pass_by_id(_actor(request), pass_id)
    selectors.with_route_names([green])
    return render(
        request,
        "passes/pass_print.html",
        {"green": green, "qr_svg": qr_svg(green.code, scale=4).decode("utf-8").split("?>", 1)[-1]},
    )


@login_required
def pass_qr(request: HttpRequest, pass_id: int, fmt: str) -> HttpResponse:
    green = selectors.access_pass_by_id(_actor(request), pass_id)
    if fmt == "png":
        response = HttpResponse(qr_png(green.code), content_type="image/png")
    else:
        response = HttpResponse(qr_svg(green.code), content_type="image/svg+xml")
    response["Content-Disposition"] = f'inline; filename="{green.serial}.{fmt}"'
    return response


@login_required
@require_POST
def pass_revoke(request: HttpRequest, pass_id: int) -> HttpResponse:
    actor = _actor(request)
    green = selectors.access_pass_by_id(actor, pass_id, write=True)
    form = RevokeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a reason for revoking the pass."))
        return redirect("passes:pass-detail", pass_id=green.pk)
    if request.POST.get("step") != "confirm":
        # Revoking cannot be undone: show what is about to be revoked and ask again.
        return render(
            request,
            "passes/pass_revoke_confirm.html",
            {"green": green, "reason": form.cleaned_data["reason"]},
        )
    try:
        services.pass_revoke(
            actor=actor, green=green, reason=form.cleaned_data["reason"], now=timezone.now()
        )
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    else:
        messages.success(request, _("Pass %(serial)s revoked.") % {"serial": green.serial})
    return redirect("passes:pass-detail", pass_id=green.pk)


@login_required
def duty_preview(request: HttpRequest) -> HttpResponse:
    """The inspector's offline verifier (the checkpoint duty page, before it has a checkpoint)."""
    actor = _actor(request)
    if not selectors.may_verify(actor):
        raise Http404
    return render(
        request,
        "passes/duty_preview.html",
        {
            **duty_context(),
            "batch_url": "/api/v1/passes/checks:batch",
            "sw_url": reverse("passes:duty-sw"),
            "sw_scope": reverse("passes:duty-preview"),
        },
    )


def duty_context() -> dict[str, object]:
    """What the verifier page needs besides its URLs (the checkpoints app's duty page too)."""
    root = trust.root_key()
    return {
        "root_key": root.public_key if root else "",
        "trust_refresh_seconds": settings.FANGKONG_TRUST_REFRESH_SECONDS,
        "duty_text": duty_text(),
        "cargo_choices": Cargo.choices,
        "results": PassCheck.Result.choices,
    }


def duty_text() -> dict[str, object]:
    """The page script's strings, translated on the server."""
    return {
        "valid": _("Valid: let it pass"),
        "invalid": _("Not valid: stop the vehicle"),
        "reasons": {
            "valid": _("The pass is genuine and valid."),
            "bad_prefix": _("This is not a green-channel pass."),
            "bad_base45": _("The code cannot be read."),
            "bad_compression": _("The code is damaged."),
            "bad_cbor": _("The code is damaged or not a pass."),
            "trust_list_expired": _("Trust list out of date: connect to the network to update it."),
            "unknown_kid": _("Issued with a key that is not trusted."),
            "bad_signature": _("Forged or altered pass."),
            "not_yet_valid": _("The pass is not valid yet."),
            "expired": _("The pass has expired."),
            "revoked": _("The pass has been revoked."),
        },
        "cargo": {value: str(label) for value, label in Cargo.choices},
        "no_trust": _("No trust list yet: connect to the network once."),
        "trust_fresh": _("Trust list updated"),
        "trust_stale": _("Trust list out of date"),
        "trust_aging": _("expires soon: connect to the network"),
        "flagged": _("Stored, flagged for the HQ"),
        "flags": {
            "pass_revoked": _("Pass revoked"),
            "pass_expired": _("Pass expired"),
            "pass_not_yet_valid": _("Pass not valid yet"),
            "pass_unknown": _("Pass unknown to the server"),
            "pass_missing": _("No pass serial"),
        },
        "minutes": _("minutes ago"),
        "hours": _("hours ago"),
        "never": _("never"),
        "online": _("Online"),
        "offline": _("Offline"),
        "no_camera": _("No camera: type or paste the code."),
        "plate_offline": _("Looking up a plate needs the network: scan the QR code instead."),
        "plate_none": _("No valid pass for this plate."),
    }


@require_safe
def duty_service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker, served from the page's own path so that its scope covers it."""
    response = HttpResponse(
        (STATIC_DIR / "duty_sw.js").read_bytes(), content_type="application/javascript"
    )
    response["Cache-Control"] = "no-cache"
    return response
