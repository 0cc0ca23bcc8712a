"""Pages for donations and logistics: stock, lots, deliveries."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from fangkong.assistance import forms, selectors
from fangkong.assistance.models import Delivery, DonorKind, Item
from fangkong.assistance.services import donations, permissions
from fangkong.assistance.views.common import _actor, _page
from fangkong.core.forms import errors_into_form


def _limit_logistics_form(form: Any, actor: Any) -> None:
    form.fields["warehouse"].queryset = selectors.warehouse_list(actor=actor)
    form.fields["item"].queryset = Item.objects.order_by("name", "unit")


@login_required
def stock_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    can_distribute = actor.has_perm_anywhere(permissions.DISTRIBUTE)
    lot_form = forms.LotForm(request.POST if "receive" in request.POST else None)
    plan_form = forms.PlanForm(request.POST if "plan" in request.POST else None)
    item_form = forms.ItemForm(request.POST if "add_item" in request.POST else None)
    _limit_logistics_form(lot_form, actor)
    _limit_logistics_form(plan_form, actor)
    if request.method == "POST":
        _actor(request, permissions.DISTRIBUTE)
        try:
            if "add_item" in request.POST and item_form.is_valid():
                item = donations.item_create(actor=actor, **item_form.cleaned_data)
                messages.success(request, _("Item type %(item)s added.") % {"item": item})
                return redirect("assistance:stock-list")
            if "receive" in request.POST and lot_form.is_valid():
                data = lot_form.cleaned_data
                with transaction.atomic():
                    donor = donations.donor_create(
                        actor=actor, kind=DonorKind(data["donor_kind"]), name=data["donor_name"]
                    )
                    donations.lot_receive(
                        actor=actor,
                        donor=donor,
                        warehouse=data["warehouse"],
                        item=data["item"],
                        quantity=data["quantity"],
                        expires_on=data["expires_on"],
                        value=data["value"] or Decimal(0),
                    )
                messages.success(request, _("Donation received into stock."))
                return redirect("assistance:stock-list")
            if "plan" in request.POST and plan_form.is_valid():
                deliveries = donations.distribution_plan_create(
                    actor=actor, **plan_form.cleaned_data
                )
                messages.success(
                    request,
                    _("%(n)s deliveries planned and taken from stock.") % {"n": len(deliveries)},
                )
                return redirect("assistance:delivery-list")
        except ValidationError as exc:
            if "add_item" in request.POST:
                errors_into_form(item_form, exc)
            else:
                errors_into_form(lot_form if "receive" in request.POST else plan_form, exc)
    return render(
        request,
        "assistance/stock_list.html",
        {
            "levels": selectors.stock_levels(actor=actor),
            "lots": selectors.lot_list(actor=actor)[:50],
            "lot_form": lot_form,
            "plan_form": plan_form,
            "item_form": item_form,
            "units": ("只", "个", "瓶", "升", "袋", "箱", "公斤"),
            "can_distribute": can_distribute,
        },
    )


@login_required
def lot_detail(request: HttpRequest, lot_id: int) -> HttpResponse:
    actor = _actor(request)
    lot = selectors.access_lot_by_id(actor, lot_id)
    return render(
        request, "assistance/lot_detail.html", {"lot": lot, "movements": selectors.lot_trace(lot)}
    )


@login_required
def delivery_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    page, query = _page(
        request, selectors.delivery_list(actor=actor, status=request.GET.get("status", ""))
    )
    return render(request, "assistance/delivery_list.html", {"page": page, "query": query})


@login_required
def delivery_detail(request: HttpRequest, delivery_id: int) -> HttpResponse:
    actor = _actor(request)
    delivery = selectors.access_delivery_by_id(actor, delivery_id)
    form = forms.DeliveryConfirmForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        delivery = selectors.access_delivery_by_id(actor, delivery_id, write=True)
        if form.is_valid():
            try:
                donations.delivery_confirm(
                    actor=actor,
                    delivery=delivery,
                    proof_kind=form.cleaned_data["proof_kind"],
                    proof_file=form.cleaned_data.get("proof_file"),
                    receipt_code=form.cleaned_data.get("receipt_code") or "",
                )
            except ValidationError as exc:
                errors_into_form(form, exc)
            else:
                messages.success(request, _("Delivery confirmed."))
                return redirect("assistance:delivery-detail", delivery.pk)
    return render(
        request,
        "assistance/delivery_detail.html",
        {
            "delivery": delivery,
            "form": form,
            "delivered": delivery.status == Delivery.Status.DELIVERED,
            "can_confirm": actor.can(permissions.DISTRIBUTE, delivery.division_code),
        },
    )
