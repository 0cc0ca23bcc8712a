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
