"""The registry of event kinds: who hears of each, how loudly, and in what words.

Every kind names its default audience as ``Audience`` entries (roles at the office of a
division level above the event's place, or at another place the raiser names, or the
responsible worker the raiser names), a severity, a title and a text with named parameters.
Apps never build audiences themselves: they call ``services.raise_event(kind, ...)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from fangkong.accounts.roles import Role
from fangkong.alerts.models import Severity
from fangkong.divisions.models import LEVEL_KEY_LENGTH, Level

RESPONSIBLE = "responsible"
HQ_ROLES = (Role.COMMANDER, Role.STAFF)


@dataclass(frozen=True)
class Audience:
    """Holders of ``roles`` at one office.

    The office is the division the raiser names as ``place`` (``"event"``: the event's own
    place), cut to ``level`` when given (the sumu office of a gacha's event is ``level=TOWNSHIP``);
    a place above that level has no such office and this entry reaches nobody.
    ``roles=(RESPONSIBLE,)`` means the users the raiser names as responsible.
    """

    roles: tuple[str, ...]
    level: Level | None = None
    place: str = "event"

    def office_code(self, places: Mapping[str, str]) -> str | None:
        code = places.get(self.place, "")
        if not code:
            return None
        if self.level is None:
            return code
        length = LEVEL_KEY_LENGTH[self.level]
        return code[:length] if len(code) >= length else None


@dataclass(frozen=True)
class EventKind:
    name: str
    title: Promise
    text: Promise
    severity: Severity
    audience: tuple[Audience, ...]
    params: tuple[str, ...] = ()
    # Parameters whose value is a code shown as a translated label: {param: {code: label}}.
    labels: Mapping[str, Mapping[str, Promise]] = field(default_factory=dict)

    def render_title(self) -> str:
        return str(self.title)

    def render_text(self, params: Mapping[str, object]) -> str:
        values: dict[str, object] = {name: params.get(name, "") for name in self.params}
        for name, choices in self.labels.items():
            code = str(values.get(name, ""))
            values[name] = str(choices[code]) if code in choices else code
        return str(self.text) % values


RESPONSIBLE_WORKER = Audience((RESPONSIBLE,))
SUMU_OFFICE = Audience((Role.GRASSROOTS,), level=Level.TOWNSHIP)
BANNER_HQ = Audience(HQ_ROLES, level=Level.COUNTY)

FEVER_RECORDED = "fever_recorded"
PASSAGE_INVALID_PASS = "passage_invalid_pass"  # noqa: S105 - an event kind
SELF_REGISTERED = "self_registered"
CHECK_OVERDUE = "check_overdue"
CHECKPOINT_REQUEST_WAITING = "checkpoint_request_waiting"
REPORT_RETURNED = "report_returned"
MEASURE_DUE_TOMORROW = "measure_due_tomorrow"
HELP_REQUEST_DUE_SOON = "help_request_due_soon"
HELP_REQUEST_OVERDUE = "help_request_overdue"

KINDS: dict[str, EventKind] = {}


def register(kind: EventKind) -> EventKind:
    if kind.name in KINDS:
        raise ValueError(f"event kind {kind.name!r} is registered twice")
    KINDS[kind.name] = kind
    return kind


def kind_of(name: str) -> EventKind:
    try:
        return KINDS[name]
    except KeyError:
        raise ValueError(
            f"unknown event kind {name!r}; known: {', '.join(sorted(KINDS))}"
        ) from None


register(
    EventKind(
        name=FEVER_RECORDED,
        title=_("Fever recorded"),
        text=_("%(person)s in %(place)s: %(temperature)s °C at the daily check (%(when)s)."),
        severity=Severity.URGENT,
        audience=(RESPONSIBLE_WORKER, SUMU_OFFICE, BANNER_HQ),
        params=("person", "place", "temperature", "when"),
    )
)

register(
    EventKind(
        name=PASSAGE_INVALID_PASS,
        title=_("Fast pass on an invalid pass"),
        text=_("%(plate)s was fast-passed at %(checkpoint)s (%(when)s): %(reason)s."),
        severity=Severity.URGENT,
        audience=(
            Audience(HQ_ROLES, place="issuer"),
            Audience((Role.TRANSPORT,), place="issuer"),
            BANNER_HQ,
        ),
        params=("plate", "checkpoint", "when", "reason"),
        labels={
            "reason": {
                "pass_revoked": _("the pass is revoked"),
                "pass_expired": _("the pass has expired"),
                "pass_not_yet_valid": _("the pass is not valid yet"),
                "pass_unknown": _("the pass is not known here"),
                "pass_missing": _("no pass was named"),
            }
        },
    )
)

register(
    EventKind(
        name=SELF_REGISTERED,
        title=_("New self-registration in your community"),
        text=_(
            "%(person)s registered a return to %(place)s on the public page (arriving %(arrival)s)."
        ),
        severity=Severity.WARNING,
        audience=(Audience((Role.GRASSROOTS,), level=Level.VILLAGE),),
        params=("person", "place", "arrival"),
    )
)

register(
    EventKind(
        name=CHECK_OVERDUE,
        title=_("Daily check overdue"),
        text=_("%(person)s in %(place)s has no daily check on %(day)s by 18:00."),
        severity=Severity.WARNING,
        audience=(RESPONSIBLE_WORKER, SUMU_OFFICE),
        params=("person", "place", "day"),
    )
)

register(
    EventKind(
        name=CHECKPOINT_REQUEST_WAITING,
        title=_("Checkpoint request waiting"),
        text=_("%(checkpoint)s in %(place)s waits for your approval (asked by %(by)s)."),
        severity=Severity.WARNING,
        audience=(Audience((Role.COMMANDER,), place="approver"),),
        params=("checkpoint", "place", "by"),
    )
)

register(
    EventKind(
        name=REPORT_RETURNED,
        title=_("Report sent back"),
        text=_("The report on “%(measure)s” was sent back: %(comment)s"),
        severity=Severity.WARNING,
        audience=(RESPONSIBLE_WORKER, Audience(HQ_ROLES)),
        params=("measure", "comment"),
    )
)

register(
    EventKind(
        name=MEASURE_DUE_TOMORROW,
        title=_("Measure due tomorrow"),
        text=_("“%(measure)s” is due tomorrow (%(deadline)s) and not yet reported done."),
        severity=Severity.WARNING,
        audience=(Audience(HQ_ROLES),),
        params=("measure", "deadline"),
    )
)

# The office a help request rests with now (gacha, sumu or banner: ``assigned_code``).
HELP_OFFICE = (Audience((Role.GRASSROOTS, Role.CASEWORKER, *HQ_ROLES), place="assigned"),)

register(
    EventKind(
        name=HELP_REQUEST_DUE_SOON,
        title=_("Help request due soon"),
        text=_("Help request %(receipt)s from %(place)s must be answered by %(deadline)s."),
        severity=Severity.WARNING,
        audience=HELP_OFFICE,
        params=("receipt", "place", "deadline"),
    )
)

register(
    EventKind(
        name=HELP_REQUEST_OVERDUE,
        title=_("Help request past its deadline"),
        text=_(
            "Help request %(receipt)s from %(place)s was not answered in time and now rests "
            "with %(office)s (answer by %(deadline)s)."
        ),
        severity=Severity.URGENT,
        audience=HELP_OFFICE,
        params=("receipt", "place", "office", "deadline"),
    )
)
