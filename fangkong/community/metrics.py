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
from typing import cast

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangkong.core.rollups import register_average, register_metric

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
