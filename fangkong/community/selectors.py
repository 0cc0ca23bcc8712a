"""Reads and gatekeepers of the community app. Outside the actor's jurisdiction looks exactly
like not found."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr
from django.http import Http404
from django.utils import timezone

from fangkong.accounts.models import User
from fangkong.accounts.roles import Perm
from fangkong.community import metrics
from fangkong.community.models import (
    HANDLED_GATHERING_STATUSES,
    OPEN_GATHERING_STATUSES,
    FamilyEvent,
    GatheringReport,
    HygieneCampaign,
    HygieneTask,
    Inspection,
    Material,
    Photo,
    TaskStatus,
)
from fangkong.core.jurisdiction import collapse_scopes, scope_q
from fangkong.core.rollups import figures
from fangkong.divisions.models import LEVEL_KEY_LENGTH, Division, Level


def view_keys(actor: User) -> list[str]:
    """Where the actor may see community records (viewers and handlers alike)."""
    if not actor.is_authenticated:
        return []
    return collapse_scopes(
        actor.scope_keys(Perm.COMMUNITY_VIEW) + actor.scope_keys(Perm.COMMUNITY_HANDLE)
    )


def require_view(actor: User) -> list[str]:
    keys = view_keys(actor)
    if not keys:
        raise Http404
    return keys


def require_handle(actor: User) -> list[str]:
    keys = actor.scope_keys(Perm.COMMUNITY_HANDLE) if actor.is_authenticated else []
    if not keys:
        raise Http404
    return keys


def handle_divisions(actor: User) -> QuerySet[Division]:
    """Divisions where the actor may act (for choosers)."""
    return Division.objects.within_scopes(actor.scope_keys(Perm.COMMUNITY_HANDLE)).order_by("code")


# --- gatherings -------------------------------------------------------------------------------


def gathering_list(
    *, actor: User, status: str = "", kind: str = "", division: str = "", open_only: bool = False
) -> QuerySet[GatheringReport]:
    qs = GatheringReport.objects.within_scopes(view_keys(actor))
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if division:
        qs = qs.filter(division_code__startswith=division)
    if open_only:
        qs = qs.filter(status__in=OPEN_GATHERING_STATUSES)
    return qs.select_related("division", "assignee", "handled_by").order_by("-created_at")


def access_gathering_by_id(actor: User, report_id: int, *, write: bool = False) -> GatheringReport:
    report = gathering_list(actor=actor).filter(pk=report_id).first()
    if report is None:
        raise Http404
    if write and not actor.can(Perm.COMMUNITY_HANDLE, report.division_code):
        raise Http404
    return report


def access_photo_by_id(actor: User, photo_id: int) -> Photo:
    photo = Photo.objects.within_scopes(view_keys(actor)).filter(pk=photo_id).first()
    if photo is None:
        raise Http404
    return photo


@dataclass
class DivisionStats:
    code: str
    name: str
    reported: int = 0
    handled: int = 0
    open: int = 0
    average_minutes: int | None = None
    by_kind: dict[str, int] = field(default_factory=dict)


def _child_length(key: str) -> int:
    for length in sorted(LEVEL_KEY_LENGTH.values()):
        if length > len(key):
            return length
    return len(key)


def gathering_stats(
    *, actor: User, parent: str = ""
) -> tuple[Division | None, list[DivisionStats]]:
    """Gathering reports per child division of ``parent`` (default: the actor's first scope):
    reported, handled, open, average minutes to handle, and counts by kind."""
    keys = require_view(actor)
    key = parent or keys[0]
    if not any(key.startswith(k) for k in keys):
        raise Http404
    division = Division.objects.filter(code=key).first()
    if division is None:
        raise Http404
    length = _child_length(key)
    base = GatheringReport.objects.filter(division_code__startswith=key).annotate(
        child=Substr("division_code", 1, length)
    )
    rows = base.values("child").annotate(
        reported=Count("pk"),
        handled=Count("pk", filter=Q(status__in=HANDLED_GATHERING_STATUSES)),
        open=Count("pk", filter=Q(status__in=OPEN_GATHERING_STATUSES)),
    )
    names = dict(Division.objects.filter(parent__code=key).values_list("code", "name"))
    names[key] = division.name
    stats: dict[str, DivisionStats] = {}
    for row in rows:
        code = row["child"] if len(row["child"]) == length else key
        entry = stats.setdefault(code, DivisionStats(code, names.get(code, code)))
        entry.reported += row["reported"]
        entry.handled += row["handled"]
        entry.open += row["open"]
    minutes: dict[str, list[float]] = {}
    for child, created, handled in base.filter(handled_at__isnull=False).values_list(
        "child", "created_at", "handled_at"
    ):
        code = child if len(child) == length else key
        minutes.setdefault(code, []).append((handled - created).total_seconds() / 60)
    for code, values in minutes.items():
        stats[code].average_minutes = round(sum(values) / len(values))
    for child, kind, count in base.values_list("child", "kind").annotate(n=Count("pk")):
        code = child if len(child) == length else key
        stats[code].by_kind[kind] = count
    return division, sorted(stats.values(), key=lambda s: s.code)


def community_figures(*, actor: User, on: date | None = None) -> dict[str, dict[str, int]]:
    """The app's rollup figures within the actor's jurisdiction."""
    return figures(require_view(actor), metrics.ALL, on=on or timezone.localdate())


# --- family events ----------------------------------------------------------------------------


def family_event_list(
    *, actor: User, status: str = "", due_only: bool = False
) -> QuerySet[FamilyEvent]:
    qs = FamilyEvent.objects.within_scopes(view_keys(actor)).select_related("division")
    if status:
        qs = qs.filter(status=status)
    if due_only:
        qs = qs.filter(follow_up_on__lte=timezone.localdate(), followed_up_at__isnull=True)
    return qs.order_by("planned_on", "pk")


def access_family_event_by_id(actor: User, event_id: int, *, write: bool = False) -> FamilyEvent:
    event = family_event_list(actor=actor).filter(pk=event_id).first()
    if event is None or (write and not actor.can(Perm.COMMUNITY_HANDLE, event.division_code)):
        raise Http404
    return event


# --- hygiene ----------------------------------------------------------------------------------


def campaign_list(*, actor: User) -> QuerySet[HygieneCampaign]:
    """Campaigns run inside the actor's jurisdiction, or above it with tasks inside it."""
    keys = view_keys(actor)
    prefixes = {k[:n] for k in keys for n in LEVEL_KEY_LENGTH.values() if n <= len(k)}
    return (
        HygieneCampaign.objects.filter(scope_q(keys) | Q(division_code__in=prefixes))
        .select_related("division")
        .order_by("-starts_on", "pk")
    )


def access_campaign_by_id(actor: User, campaign_id: int) -> HygieneCampaign:
    campaign = campaign_list(actor=actor).filter(pk=campaign_id).first()
    if campaign is None:
        raise Http404
    return campaign


def task_list(
    *, actor: User, campaign: HygieneCampaign | None = None, overdue_only: bool = False
) -> QuerySet[HygieneTask]:
    qs = HygieneTask.objects.within_scopes(view_keys(actor)).select_related("division", "campaign")
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    if overdue_only:
        today = timezone.localdate()
        qs = qs.exclude(status=TaskStatus.PASSED).filter(
            Q(status=TaskStatus.OPEN, due_on__lt=today)
            | Q(status=TaskStatus.RECTIFYING, rectification_due__lt=today)
        )
    return qs.order_by("due_on", "pk")


def access_task_by_id(actor: User, task_id: int, *, write: bool = False) -> HygieneTask:
    task = task_list(actor=actor).filter(pk=task_id).first()
    if task is None or (write and not actor.can(Perm.COMMUNITY_HANDLE, task.division_code)):
        raise Http404
    return task


def access_inspection_by_id(actor: User, inspection_id: int, *, write: bool = False) -> Inspection:
    inspection = (
        Inspection.objects.within_scopes(view_keys(actor))
        .select_related("task")
        .filter(pk=inspection_id)
        .first()
    )
    if inspection is None or (
        write and not actor.can(Perm.COMMUNITY_HANDLE, inspection.division_code)
    ):
        raise Http404
    return inspection


@dataclass
class RankRow:
    code: str
    name: str
    level: str
    tasks: int
    scored: int
    passed: int
    overdue: int
    average: float | None


def campaign_ranking(*, actor: User, campaign: HygieneCampaign) -> list[RankRow]:
    """Banners and sumu ranked by the average latest score of their tasks (best first)."""
    today = timezone.localdate()
    tasks = list(task_list(actor=actor, campaign=campaign))
    groups: dict[str, list[HygieneTask]] = {}
    for task in tasks:
        for level in (Level.COUNTY, Level.TOWNSHIP):
            length = LEVEL_KEY_LENGTH[level]
            if len(task.division_code) >= length:
                groups.setdefault(task.division_code[:length], []).append(task)
    divisions = {d.code: d for d in Division.objects.filter(code__in=list(groups))}
    rows = []
    for code, members in groups.items():
        scores = [float(t.last_score) for t in members if t.last_score is not None]
        division = divisions.get(code)
        rows.append(
            RankRow(
                code=code,
                name=division.name if division else code,
                level=division.level if division else "",
                tasks=len(members),
                scored=len(scores),
                passed=sum(1 for t in members if t.status == TaskStatus.PASSED),
                overdue=sum(1 for t in members if t.is_overdue(today)),
                average=round(sum(scores) / len(scores), 1) if scores else None,
            )
        )
    rows.sort(key=lambda r: (r.level != Level.COUNTY, -(r.average or -1), r.code))
    return rows


# --- publicity --------------------------------------------------------------------------------


def material_list(*, actor: User) -> QuerySet[Material]:
    """Materials published inside the actor's jurisdiction, or to divisions that cover or lie
    inside it (a gacha worker sees what was published to the banner)."""
    keys = view_keys(actor)
    prefixes = {k[:n] for k in keys for n in LEVEL_KEY_LENGTH.values() if n <= len(k)}
    q = (
        scope_q(keys)
        | Q(targets__division_code__in=prefixes)
        | scope_q(keys, field="targets__division_code")
    )
    ids = Material.objects.filter(q).values("pk")
    return (
        Material.objects.filter(pk__in=ids)
        .select_related("division", "published_by")
        .order_by("-created_at", "-pk")
    )


def access_material_by_id(actor: User, material_id: int) -> Material:
    material = material_list(actor=actor).filter(pk=material_id).first()
    if material is None:
        raise Http404
    return material


@dataclass
class CoverageRow:
    code: str
    name: str
    gachas: int
    reached: int
    missing: list[Division]

    @property
    def percent(self) -> int:
        return round(100 * self.reached / self.gachas) if self.gachas else 0


def material_coverage(*, actor: User, material: Material) -> list[CoverageRow]:
    """For each target division inside the actor's view: its gachas, how many confirmed,
    and which have not been reached yet."""
    keys = view_keys(actor)
    conveyed = set(material.conveyances.values_list("division_code", flat=True))
    rows = []
    for target in material.targets.select_related("division").order_by("division_code"):
        visible = [k for k in keys if k.startswith(target.division_code)] or (
            [target.division_code] if any(target.division_code.startswith(k) for k in keys) else []
        )
        if not visible:
            continue
        gachas = list(
            Division.objects.filter(scope_q(visible, field="code"), level=Level.VILLAGE).order_by(
                "code"
            )
        )
        missing = [g for g in gachas if g.code not in conveyed]
        name = target.division.name
        if visible != [target.division_code]:
            inside = Division.objects.filter(code__in=visible).order_by("code")
            name = f"{name} · {'、'.join(d.name for d in inside)}"
        rows.append(
            CoverageRow(
                code=target.division_code,
                name=name,
                gachas=len(gachas),
                reached=len(gachas) - len(missing),
                missing=missing,
            )
        )
    return rows


def gachas_to_confirm(*, actor: User, material: Material) -> list[Division]:
    """Gachas under the material's targets where the actor may confirm and nobody has yet."""
    handle = actor.scope_keys(Perm.COMMUNITY_HANDLE)
    if not handle:
        return []
    targets = list(material.targets.values_list("division_code", flat=True))
    conveyed = set(material.conveyances.values_list("division_code", flat=True))
    gachas = Division.objects.filter(
        scope_q(targets, field="code"), scope_q(handle, field="code"), level=Level.VILLAGE
    ).order_by("code")
    return [g for g in gachas if g.code not in conveyed]
