"""Rollup metrics of the community app: names, registration and recounts from the source tables.

- ``community.gatherings.reported`` (flow): reports received, on the day reported;
- ``community.gatherings.handled`` (flow): reports closed (stopped, postponed, dissuaded or false);
- ``community.gatherings.open`` (stock): reports not yet handled;
- ``community.family_events.declared`` (flow): planned family events declared;
- ``community.hygiene.inspections`` (flow) and ``community.hygiene.score_tenths`` (flow, hidden:
  the sum of inspection scores in tenths of a point, exact for scores kept to one decimal);
  the statistic ``community.hygiene.score_average`` = tenths / 10 / inspections;
- ``community.hygiene.tasks_open`` (stock): hygiene tasks not yet passed;
- ``community.publicity.targets`` (stock): gachas a published material must reach;
- ``community.publicity.conveyed`` (stock): gachas that confirmed they passed a material on.
  Coverage = conveyed / targets.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any, cast

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangkong.core.rollups import (
    Column,
    RecordList,
    day_bounds,
    happened,
    in_state,
    register_average,
    register_metric,
    register_records,
)

GATHERINGS_REPORTED = "community.gatherings.reported"
GATHERINGS_HANDLED = "community.gatherings.handled"
GATHERINGS_OPEN = "community.gatherings.open"
FAMILY_EVENTS_DECLARED = "community.family_events.declared"
HYGIENE_INSPECTIONS = "community.hygiene.inspections"
HYGIENE_SCORE_TENTHS = "community.hygiene.score_tenths"
HYGIENE_SCORE_AVERAGE = "community.hygiene.score_average"
HYGIENE_TASKS_OPEN = "community.hygiene.tasks_open"
PUBLICITY_TARGETS = "community.publicity.targets"
PUBLICITY_CONVEYED = "community.publicity.conveyed"

ALL = [
    GATHERINGS_REPORTED,
    GATHERINGS_HANDLED,
    GATHERINGS_OPEN,
    FAMILY_EVENTS_DECLARED,
    HYGIENE_INSPECTIONS,
    HYGIENE_SCORE_TENTHS,
    HYGIENE_TASKS_OPEN,
    PUBLICITY_TARGETS,
    PUBLICITY_CONVEYED,
]


def day_of(moment: datetime) -> date:
    return timezone.localdate(moment)


def _rows(counter: Counter[tuple[str, date]]) -> Iterable[tuple[str, date, int]]:
    return [(code, day, value) for (code, day), value in counter.items() if value]


def _recount_reported() -> Iterable[tuple[str, date, int]]:
    from fangkong.community.models import GatheringReport

    counter: Counter[tuple[str, date]] = Counter()
    for code, created in GatheringReport.objects.values_list("division_code", "created_at"):
        counter[(code, day_of(created))] += 1
    return _rows(counter)


def _recount_handled() -> Iterable[tuple[str, date, int]]:
    from fangkong.community.models import GatheringReport

    counter: Counter[tuple[str, date]] = Counter()
    rows = GatheringReport.objects.filter(handled_at__isnull=False).values_list(
        "division_code", "handled_at"
    )
    for code, handled in rows:
        counter[(code, day_of(handled))] += 1
    return _rows(counter)


def _recount_open() -> Iterable[tuple[str, date, int]]:
    from fangkong.community.models import GatheringReport

    counter: Counter[tuple[str, date]] = Counter()
    for code, created, handled in GatheringReport.objects.values_list(
        "division_code", "created_at", "handled_at"
    ):
        counter[(code, day_of(created))] += 1
        if handled is not None:
            counter[(code, day_of(handled))] -= 1
    return _rows(counter)


def _recount_family_events() -> Iterable[tuple[str, date, int]]:
    from fangkong.community.models import FamilyEvent

    counter: Counter[tuple[str, date]] = Counter()
    for code, created in FamilyEvent.objects.values_list("division_code", "created_at"):
        counter[(code, day_of(created))] += 1
    return _rows(counter)


def _recount_inspections(tenths: bool) -> Iterable[tuple[str, date, int]]:
    from fangkong.community.models import Inspection

    counter: Counter[tuple[str, date]] = Counter()
    for code, created, score in Inspection.objects.values_list(
        "division_code", "created_at", "score"
    ):
        counter[(code, day_of(created))] += score_tenths(score) if tenths else 1
    return _rows(counter)


def _recount_tasks_open() -> Iterable[tuple[str, date, int]]:
    from fangkong.community.models import HygieneTask, Inspection

    counter: Counter[tuple[str, date]] = Counter()
    for code, created in HygieneTask.objects.values_list("division_code", "created_at"):
        counter[(code, day_of(created))] += 1
    # A task leaves the open stock on the day of the inspection that passed it.
    for code, created in Inspection.objects.filter(passed=True).values_list(
        "division_code", "created_at"
    ):
        counter[(code, day_of(created))] -= 1
    return _rows(counter)


def _recount_targets() -> Iterable[tuple[str, date, int]]:
    from fangkong.community.models import Material, MaterialTarget
    from fangkong.divisions.models import Division, Level

    counter: Counter[tuple[str, date]] = Counter()
    created = dict(Material.objects.values_list("pk", "created_at"))
    villages = list(Division.objects.filter(level=Level.VILLAGE).values_list("code", flat=True))
    reached: dict[int, set[str]] = {}
    for material_id, target_code in MaterialTarget.objects.values_list(
        "material_id", "division_code"
    ):
        reached.setdefault(material_id, set()).update(
            code for code in villages if code.startswith(target_code)
        )
    for material_id, codes in reached.items():
        for code in codes:
            counter[(code, day_of(created[material_id]))] += 1
    return _rows(counter)


def _recount_conveyed() -> Iterable[tuple[str, date, int]]:
    from fangkong.community.models import Conveyance

    counter: Counter[tuple[str, date]] = Counter()
    for code, created in Conveyance.objects.values_list("division_code", "created_at"):
        counter[(code, day_of(created))] += 1
    return _rows(counter)


def score_tenths(score: object) -> int:
    """An inspection score in tenths of a point (the model keeps one decimal) for the sum."""
    from decimal import ROUND_HALF_UP, Decimal

    return int((Decimal(str(score)) * 10).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def register() -> None:
    register_metric(
        GATHERINGS_REPORTED, cast(str, _("Gatherings reported")), "flow", _recount_reported
    )
    register_metric(
        GATHERINGS_HANDLED, cast(str, _("Gatherings handled")), "flow", _recount_handled
    )
    register_metric(
        GATHERINGS_OPEN, cast(str, _("Gatherings awaiting handling")), "stock", _recount_open
    )
    register_metric(
        FAMILY_EVENTS_DECLARED,
        cast(str, _("Family events declared")),
        "flow",
        _recount_family_events,
    )
    register_metric(
        HYGIENE_INSPECTIONS,
        cast(str, _("Hygiene inspections")),
        "flow",
        lambda: _recount_inspections(tenths=False),
    )
    register_metric(
        HYGIENE_SCORE_TENTHS,
        cast(str, _("Hygiene inspection scores (sum, tenths of a point)")),
        "flow",
        lambda: _recount_inspections(tenths=True),
        hidden=True,
    )
    register_average(
        HYGIENE_SCORE_AVERAGE,
        cast(str, _("Average hygiene inspection score")),
        unit="points",
        sum_metric=HYGIENE_SCORE_TENTHS,
        count_metric=HYGIENE_INSPECTIONS,
        scale=10,
    )
    register_metric(
        HYGIENE_TASKS_OPEN, cast(str, _("Hygiene tasks not passed")), "stock", _recount_tasks_open
    )
    register_metric(
        PUBLICITY_TARGETS, cast(str, _("Gachas to reach with publicity")), "stock", _recount_targets
    )
    register_metric(
        PUBLICITY_CONVEYED,
        cast(str, _("Gachas that passed publicity on")),
        "stock",
        _recount_conveyed,
    )
    _register_records()


def _local(moment: datetime | None) -> str:
    return "" if moment is None else timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


class _Reached:
    """A gacha a published material must reach (a row of ``community.publicity.targets``)."""

    def __init__(self, material: Any, code: str, name: str) -> None:
        self.material = material
        self.division_code = code
        self.name = name


def _targets_at_end(scope_key: str, day: date, which: str) -> list[_Reached]:
    from fangkong.community.models import Material, MaterialTarget
    from fangkong.divisions.models import Division, Level

    _start, end = day_bounds(day)
    materials = {m.pk: m for m in Material.objects.filter(created_at__lt=end)}
    villages = list(
        Division.objects.filter(level=Level.VILLAGE, code__startswith=scope_key)
        .order_by("code")
        .values_list("code", "name")
    )
    reached: dict[tuple[int, str], _Reached] = {}
    targets = MaterialTarget.objects.filter(material_id__in=materials).values_list(
        "material_id", "division_code"
    )
    for material_id, target_code in targets:
        for code, name in villages:
            if code.startswith(target_code):
                key = (material_id, code)
                reached.setdefault(key, _Reached(materials[material_id], code, name))
    return list(reached.values())


def _register_records() -> None:
    from django.db.models import Exists, OuterRef, Q
    from django.urls import reverse

    from fangkong.community.models import (
        Conveyance,
        FamilyEvent,
        GatheringReport,
        HygieneTask,
        Inspection,
    )

    gathering_columns = [
        Column(_("Kind"), lambda g: g.get_kind_display()),
        Column(_("Place"), lambda g: g.place),
        Column(_("Reported"), lambda g: _local(g.created_at)),
        Column(_("Status"), lambda g: g.get_status_display()),
    ]

    def gathering_url(g: Any) -> str:
        return reverse("community:gathering-detail", args=[g.pk])

    def gatherings() -> Any:
        return GatheringReport.objects.order_by("-created_at")

    register_records(
        GATHERINGS_REPORTED,
        RecordList(happened(gatherings, "created_at"), gathering_columns, gathering_url),
    )
    register_records(
        GATHERINGS_HANDLED,
        RecordList(
            happened(lambda: gatherings().filter(handled_at__isnull=False), "handled_at"),
            gathering_columns,
            gathering_url,
        ),
    )
    register_records(
        GATHERINGS_OPEN,
        RecordList(
            in_state(gatherings, "created_at", lambda end: Q(handled_at__lt=end)),
            gathering_columns,
            gathering_url,
        ),
    )
    register_records(
        FAMILY_EVENTS_DECLARED,
        RecordList(
            happened(lambda: FamilyEvent.objects.order_by("-created_at"), "created_at"),
            [
                Column(_("Household"), lambda e: e.household_name),
                Column(_("Kind"), lambda e: e.get_kind_display()),
                Column(_("Planned on"), lambda e: e.planned_on.isoformat()),
            ],
            lambda e: reverse("community:family-event-detail", args=[e.pk]),
        ),
    )

    def task_url(row: Any) -> str:
        return reverse("community:task-detail", args=[getattr(row, "task_id", row.pk)])

    inspections = [
        Column(_("Task"), lambda i: i.task.title),
        Column(_("Inspected"), lambda i: _local(i.created_at)),
        Column(_("Score"), lambda i: i.score, numeric=True),
    ]

    def inspection_rows() -> Any:
        return Inspection.objects.select_related("task").order_by("-created_at")

    register_records(
        HYGIENE_INSPECTIONS,
        RecordList(happened(inspection_rows, "created_at"), inspections, task_url),
    )
    register_records(
        HYGIENE_SCORE_AVERAGE,
        RecordList(
            happened(inspection_rows, "created_at"),
            inspections,
            task_url,
            value=lambda i: float(i.score),
        ),
    )

    def open_tasks(end: datetime) -> Q:
        passed = Inspection.objects.filter(task=OuterRef("pk"), passed=True, created_at__lt=end)
        return Q(Exists(passed))

    register_records(
        HYGIENE_TASKS_OPEN,
        RecordList(
            in_state(lambda: HygieneTask.objects.order_by("due_on"), "created_at", open_tasks),
            [
                Column(_("Task"), lambda t: t.title),
                Column(_("Responsible person"), lambda t: t.responsible_name),
                Column(_("Due"), lambda t: t.due_on.isoformat()),
            ],
            task_url,
        ),
    )
    material_url = lambda m: reverse("community:material-detail", args=[m.material.pk])  # noqa: E731
    register_records(
        PUBLICITY_TARGETS,
        RecordList(
            _targets_at_end,
            [
                Column(_("Material"), lambda r: r.material.title),
                Column(_("Gacha"), lambda r: r.name),
            ],
            material_url,
        ),
    )
    register_records(
        PUBLICITY_CONVEYED,
        RecordList(
            in_state(
                lambda: Conveyance.objects.select_related("material").order_by("-created_at"),
                "created_at",
            ),
            [
                Column(_("Material"), lambda c: c.material.title),
                Column(_("How"), lambda c: c.get_method_display()),
                Column(_("Confirmed"), lambda c: _local(c.created_at)),
            ],
            material_url,
        ),
    )
