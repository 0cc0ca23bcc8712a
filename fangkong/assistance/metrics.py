"""Rollup metrics of the assistance app (see ``fangkong.core.rollups``)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_noop as _

from fangkong.core.rollups import (
    STATISTICS,
    BreakdownRow,
    Column,
    Median,
    RecordList,
    happened,
    in_state,
    register_average,
    register_breakdown,
    register_median,
    register_metric,
    register_records,
)

HOUSEHOLDS_ACTIVE = "assistance.households.active"
HOUSEHOLDS_VISITED = "assistance.households.visited"
HELP_RECEIVED = "assistance.help.received"
HELP_OPEN = "assistance.help.open"
HELP_OVERDUE = "assistance.help.overdue"
HELP_ANSWERED = "assistance.help.answered"
HELP_RESPONSE_MINUTES = "assistance.help.response_minutes"
APPLICATIONS_SUBMITTED = "assistance.applications.submitted"
APPLICATIONS_APPROVED = "assistance.applications.approved"
DELIVERIES_DONE = "assistance.deliveries.delivered"
STOCK_UNITS = "assistance.stock.units"
STOCK_BY_ITEM = "assistance.stock.by_item"
# Statistics of the time to answer a help request (whole minutes, as ``response_minutes``).
HELP_RESPONSE_MEDIAN = "assistance.help.response_median"
HELP_RESPONSE_AVERAGE = "assistance.help.response_average"
#: Bucket bounds in minutes, at the deadlines (urgent: 2 hours, normal: a day) and between.
RESPONSE_BOUNDS_MIN = (15, 30, 60, 120, 240, 480, 1440, 4320)


def day_of(moment: datetime) -> date:
    return timezone.localdate(moment)


def _rows(counter: Counter[tuple[str, date]]) -> Iterable[tuple[str, date, int]]:
    return [(code, day, value) for (code, day), value in counter.items()]


def _recount_households() -> Iterable[tuple[str, date, int]]:
    from fangkong.assistance.models import Household, HouseholdStatus

    counter: Counter[tuple[str, date]] = Counter()
    rows = Household.objects.filter(status=HouseholdStatus.ACTIVE).values_list(
        "division_code", "created_at"
    )
    for code, created in rows.iterator(chunk_size=5000):
        counter[(code, day_of(created))] += 1
    return _rows(counter)


def _recount_visits() -> Iterable[tuple[str, date, int]]:
    from fangkong.assistance.models import Visit

    counter: Counter[tuple[str, date]] = Counter()
    for code, at in Visit.objects.values_list("division_code", "visited_at").iterator(
        chunk_size=5000
    ):
        counter[(code, day_of(at))] += 1
    return _rows(counter)


def _help_rows(kind: str) -> Iterable[tuple[str, date, int]]:
    from fangkong.assistance.models import HelpRequest

    counter: Counter[tuple[str, date]] = Counter()
    rows = HelpRequest.objects.values_list("division_code", "created_at", "responded_at")
    for code, created, responded in rows.iterator(chunk_size=5000):
        if kind == "received":
            counter[(code, day_of(created))] += 1
        elif kind == "open":
            counter[(code, day_of(created))] += 1
            if responded is not None:
                counter[(code, day_of(responded))] -= 1
        elif responded is not None:
            minutes = int((responded - created).total_seconds() // 60)
            counter[(code, day_of(responded))] += 1 if kind == "answered" else minutes
    return _rows(counter)


def response_bump(division_code: str, day: date, minutes: int) -> tuple[str, str, date, int]:
    """The histogram bump of one answered request."""
    median = STATISTICS[HELP_RESPONSE_MEDIAN]
    assert isinstance(median, Median)
    return (median.bucket_metric(minutes), division_code, day, 1)


def _response_buckets() -> Iterable[tuple[int, str, date, int]]:
    from fangkong.assistance.models import HelpRequest

    median = STATISTICS[HELP_RESPONSE_MEDIAN]
    assert isinstance(median, Median)
    counter: Counter[tuple[int, str, date]] = Counter()
    rows = HelpRequest.objects.filter(responded_at__isnull=False).values_list(
        "division_code", "created_at", "responded_at"
    )
    for code, created, responded in rows.iterator(chunk_size=5000):
        minutes = int((responded - created).total_seconds() // 60)
        counter[(median.bucket(minutes), code, day_of(responded))] += 1
    return [(index, code, day, n) for (index, code, day), n in counter.items()]


def _recount_applications(approved: bool) -> Iterable[tuple[str, date, int]]:
    from fangkong.assistance.models import Application, ApplicationStatus

    counter: Counter[tuple[str, date]] = Counter()
    qs = Application.objects.all()
    if approved:
        qs = qs.filter(status=ApplicationStatus.APPROVED)
        for code, at in qs.values_list("division_code", "decided_at"):
            counter[(code, day_of(at))] += 1
    else:
        for code, at in qs.values_list("division_code", "created_at"):
            counter[(code, day_of(at))] += 1
    return _rows(counter)


def _recount_deliveries() -> Iterable[tuple[str, date, int]]:
    from fangkong.assistance.models import Delivery

    counter: Counter[tuple[str, date]] = Counter()
    qs = Delivery.objects.filter(status=Delivery.Status.DELIVERED)
    for code, at in qs.values_list("division_code", "delivered_at"):
        counter[(code, day_of(at))] += 1
    return _rows(counter)


def _recount_stock() -> Iterable[tuple[str, date, int]]:
    from fangkong.assistance.models import StockMovement

    counter: Counter[tuple[str, date]] = Counter()
    rows = StockMovement.objects.filter(item__whole_units=True).values_list(
        "warehouse__division_code", "at", "quantity"
    )
    for code, at, quantity in rows.iterator(chunk_size=5000):
        counter[(code, day_of(at))] += int(quantity)
    return _rows(counter)


def stock_by_item(scope_key: str, day: date) -> list[BreakdownRow]:
    """Goods in stock within a division at the end of ``day``: one row per item, in the
    item's own unit (the ledger's sum up to that moment)."""
    from datetime import time, timedelta

    from django.db.models import Sum

    from fangkong.assistance.models import StockMovement

    end = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))
    rows = (
        StockMovement.objects.filter(warehouse__division_code__startswith=scope_key, at__lt=end)
        .values("item__name", "item__unit")
        .annotate(quantity=Sum("quantity"))
        .order_by("item__name", "item__unit")
    )
    return [
        BreakdownRow(row["item__name"], row["item__unit"], _plain(Decimal(row["quantity"])))
        for row in rows
    ]


def _plain(quantity: Decimal) -> Decimal:
    """12.500 → 12.5, 100.000 → 100 (never 1E+2)."""
    if quantity == quantity.to_integral_value():
        return quantity.quantize(Decimal(1))
    return quantity.normalize()


def register() -> None:
    register_metric(
        HOUSEHOLDS_ACTIVE, _("Vulnerable households on the roster"), "stock", _recount_households
    )
    register_metric(HOUSEHOLDS_VISITED, _("Household visits"), "flow", _recount_visits)
    register_metric(
        HELP_RECEIVED, _("Help requests received"), "flow", lambda: _help_rows("received")
    )
    register_metric(HELP_OPEN, _("Help requests open"), "stock", lambda: _help_rows("open"))
    # Overdue: deadlines missed (each escalation); the escalation history is the audit trail.
    register_metric(HELP_OVERDUE, _("Help request deadlines missed"), "flow", _escalations)
    register_metric(
        HELP_ANSWERED, _("Help requests answered"), "flow", lambda: _help_rows("answered")
    )
    register_metric(
        HELP_RESPONSE_MINUTES,
        _("Minutes to answer help requests (sum)"),
        "flow",
        lambda: _help_rows("minutes"),
        hidden=True,
    )
    register_median(
        HELP_RESPONSE_MEDIAN,
        _("Median time to answer a help request"),
        unit="min",
        bounds=RESPONSE_BOUNDS_MIN,
        recount=_response_buckets,
    )
    register_average(
        HELP_RESPONSE_AVERAGE,
        _("Average time to answer a help request"),
        unit="min",
        sum_metric=HELP_RESPONSE_MINUTES,
        count_metric=HELP_ANSWERED,
    )
    register_metric(
        APPLICATIONS_SUBMITTED,
        _("Assistance applications submitted"),
        "flow",
        lambda: _recount_applications(False),
    )
    register_metric(
        APPLICATIONS_APPROVED,
        _("Assistance applications approved"),
        "flow",
        lambda: _recount_applications(True),
    )
    # Kept for the history it holds, not shown: it adds up bags, boxes and pieces.
    register_metric(
        STOCK_UNITS,
        _("Donated goods in stock (whole units)"),
        "stock",
        _recount_stock,
        hidden=True,
    )
    register_breakdown(STOCK_BY_ITEM, _("Donated goods in stock, per item"), stock_by_item)
    register_metric(
        DELIVERIES_DONE, _("Donations delivered to the door"), "flow", _recount_deliveries
    )
    _register_records()


def _local(moment: datetime | None) -> str:
    return "" if moment is None else timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _minutes(request: object) -> int:
    """Whole minutes from a help request to its answer (as ``response_minutes`` sums them)."""
    created, responded = request.created_at, request.responded_at  # type: ignore[attr-defined]
    return int((responded - created).total_seconds() // 60)


def _escalations() -> Iterable[tuple[str, date, int]]:
    """Deadlines missed: each escalation of a help request is in the audit trail."""
    from fangkong.core.models import AuditEntry

    counter: Counter[tuple[str, date]] = Counter()
    rows = AuditEntry.objects.filter(verb="help_request.escalate").values_list(
        "division_code", "created_at"
    )
    for code, at in rows:
        counter[(code, day_of(at))] += 1
    return _rows(counter)


def _register_records() -> None:
    from django.db.models import Q
    from django.urls import reverse

    from fangkong.assistance.models import (
        Application,
        ApplicationStatus,
        Delivery,
        HelpRequest,
        Household,
        HouseholdStatus,
        Visit,
    )
    from fangkong.core.models import AuditEntry

    def household_url(h: Household) -> str:
        return reverse("assistance:household-detail", args=[h.pk])

    register_records(
        HOUSEHOLDS_ACTIVE,
        RecordList(
            in_state(
                lambda: Household.objects.filter(status=HouseholdStatus.ACTIVE).order_by("id"),
                "created_at",
            ),
            [
                Column(_("Head of household"), lambda h: h.head_name),
                Column(_("Category"), lambda h: h.get_category_display()),
            ],
            household_url,
        ),
    )
    register_records(
        HOUSEHOLDS_VISITED,
        RecordList(
            happened(
                lambda: Visit.objects.select_related("household").order_by("-visited_at"),
                "visited_at",
            ),
            [
                Column(_("Head of household"), lambda v: v.household.head_name),
                Column(_("Visited"), lambda v: _local(v.visited_at)),
                Column(_("Channel"), lambda v: v.get_channel_display()),
            ],
            lambda v: reverse("assistance:household-detail", args=[v.household_id]),
        ),
    )

    def help_url(h: HelpRequest) -> str:
        return reverse("assistance:help-detail", args=[h.pk])

    def requests() -> object:
        return HelpRequest.objects.order_by("-created_at")

    help_columns = [
        Column(_("Receipt number"), lambda h: h.receipt_number),
        Column(_("Category"), lambda h: h.get_category_display()),
        Column(_("Urgency"), lambda h: h.get_urgency_display()),
        Column(_("Received"), lambda h: _local(h.created_at)),
        Column(_("Answered"), lambda h: _local(h.responded_at)),
    ]
    register_records(
        HELP_RECEIVED, RecordList(happened(requests, "created_at"), help_columns, help_url)
    )
    register_records(
        HELP_OPEN,
        RecordList(
            in_state(requests, "created_at", lambda end: Q(responded_at__lt=end)),
            help_columns,
            help_url,
        ),
    )
    answered = happened(
        lambda: HelpRequest.objects.filter(responded_at__isnull=False).order_by("-responded_at"),
        "responded_at",
    )
    register_records(HELP_ANSWERED, RecordList(answered, help_columns, help_url))
    timed = [*help_columns, Column(_("Minutes to answer"), _minutes, numeric=True)]
    for name in (HELP_RESPONSE_MEDIAN, HELP_RESPONSE_AVERAGE):
        register_records(name, RecordList(answered, timed, help_url, value=_minutes))

    def escalated_url(entry: AuditEntry) -> str:
        return reverse("assistance:help-detail", args=[int(entry.target_id)])

    register_records(
        HELP_OVERDUE,
        RecordList(
            happened(
                lambda: AuditEntry.objects.filter(verb="help_request.escalate").order_by(
                    "-created_at"
                ),
                "created_at",
            ),
            [
                Column(_("Receipt number"), lambda e: e.target_repr),
                Column(_("Escalated"), lambda e: _local(e.created_at)),
            ],
            escalated_url,
        ),
    )

    def application_url(a: Application) -> str:
        return reverse("assistance:application-detail", args=[a.pk])

    application_columns = [
        Column(_("Application number"), lambda a: a.number),
        Column(_("Applicant"), lambda a: a.applicant_name),
        Column(_("Status"), lambda a: a.get_status_display()),
    ]
    register_records(
        APPLICATIONS_SUBMITTED,
        RecordList(
            happened(lambda: Application.objects.order_by("-created_at"), "created_at"),
            application_columns,
            application_url,
        ),
    )
    register_records(
        APPLICATIONS_APPROVED,
        RecordList(
            happened(
                lambda: Application.objects.filter(status=ApplicationStatus.APPROVED).order_by(
                    "-decided_at"
                ),
                "decided_at",
            ),
            application_columns,
            application_url,
        ),
    )
    register_records(
        DELIVERIES_DONE,
        RecordList(
            happened(
                lambda: (
                    Delivery.objects.filter(status=Delivery.Status.DELIVERED)
                    .select_related("item", "household")
                    .order_by("-delivered_at")
                ),
                "delivered_at",
            ),
            [
                Column(_("Item"), lambda d: d.item.name),
                Column(_("Quantity"), lambda d: f"{d.quantity.normalize():f} {d.item.unit}"),
                Column(_("Head of household"), lambda d: d.household.head_name),
                Column(_("Delivered"), lambda d: _local(d.delivered_at)),
            ],
            lambda d: reverse("assistance:delivery-detail", args=[d.pk]),
        ),
    )
