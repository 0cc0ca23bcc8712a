"""Pages for publicity materials and their conveyance."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from fangkong.accounts.roles import Perm
from fangkong.community import forms, selectors
from fangkong.community.models import Material
from fangkong.community.services import publicity
from fangkong.community.views.common import PAGE_SIZE, _actor, _query
from fangkong.core.forms import errors_into_form


@login_required
def material_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    selectors.require_view(actor)
    page = Paginator(selectors.material_list(actor=actor), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "community/material_list.html",
        {
            "page": page,
            "query": _query(request),
            "can_handle": actor.has_perm_anywhere(Perm.COMMUNITY_HANDLE),
        },
    )


@login_required
def material_create(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    selectors.require_handle(actor)
    form = forms.MaterialForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            material = publicity.material_publish(
                actor=actor,
                title=data["title"],
                kind=data["kind"],
                body=data["body"],
                upload=data["file"],
                division=data["division"],
                targets=data["targets"],
            )
        except ValidationError as exc:
            errors_into_form(form, exc)
        else:
            messages.success(request, _("Material published."))
            return redirect("community:material-detail", material.pk)
    return render(request, "community/material_form.html", {"form": form})


@login_required
def material_detail(request: HttpRequest, material_id: int) -> HttpResponse:
    actor = _actor(request)
    material = selectors.access_material_by_id(actor, material_id)
    gachas = selectors.gachas_to_confirm(actor=actor, material=material)
    form = forms.ConveyanceForm(gachas=gachas)
    if request.method == "POST":
        form = forms.ConveyanceForm(request.POST, gachas=gachas)
        if not gachas:
            raise Http404
        if form.is_valid():
            try:
                publicity.conveyance_confirm(actor=actor, material=material, **form.cleaned_data)
            except ValidationError as exc:
                errors_into_form(form, exc)
            else:
                messages.success(request, _("Confirmed: passed on."))
                return redirect("community:material-detail", material.pk)
    return render(
        request,
        "community/material_detail.html",
        {
            "material": material,
            "coverage": selectors.material_coverage(actor=actor, material=material),
            "conveyances": material.conveyances.select_related("division", "confirmed_by")[:200],
            "form": form if gachas else None,
        },
    )


@login_required
def material_file(request: HttpRequest, material_id: int) -> FileResponse:
    material: Material = selectors.access_material_by_id(_actor(request), material_id)
    if not material.file:
        raise Http404
    response = FileResponse(material.file.open("rb"), content_type=material.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response
