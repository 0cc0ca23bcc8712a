"""Donations and logistics: lots received, stock drawn oldest expiry first, deliveries."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.assistance import metrics, rules
from fangkong.assistance.models import (
    Delivery,
    Donor,
    Household,
    HouseholdStatus,
    Item,
    Lot,
    StockMovement,
    Warehouse,
)
from fangkong.assistance.services.permissions import DISTRIBUTE, _require
from fangkong.core.audit import record_audit
from fangkong.core.rollups import bump
from fangkong.divisions.models import Division


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
def item_create(*, actor: Any, name: str, unit: str, whole_units: bool = True) -> Item:
    """A new type of goods with its unit (口罩 in 只, 消毒液 in 升), for the logistics group."""
    if not actor.has_perm_anywhere(DISTRIBUTE):
        raise ValidationError(_("You may not add item types."))
    name, unit = " ".join(name.split()), unit.strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("Name the item.")]
    if not unit:
        errors["unit"] = [_("Give the unit it is counted in (只, 个, 瓶, 升, 袋, 公斤).")]
    if errors:
        raise ValidationError(errors)
    if Item.objects.filter(name=name, unit=unit).exists():
        raise ValidationError(
            {"name": [_("%(item)s in %(unit)s already exists.") % {"item": name, "unit": unit}]}
        )
    item = Item.objects.create(name=name, unit=unit, whole_units=whole_units)
    record_audit(actor, "item.create", item, division_code="", unit=unit)
    return item


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
