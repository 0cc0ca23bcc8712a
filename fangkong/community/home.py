"""The community card on the home page (registered from the app's ready())."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from fangkong.accounts.home import HOME_CARDS, HomeCard
from fangkong.accounts.roles import Perm


def open_gatherings(user: Any) -> int:
    """Gathering reports waiting for handling where the user works."""
    from fangkong.community.models import OPEN_GATHERING_STATUSES, GatheringReport

    keys = user.scope_keys(Perm.COMMUNITY_HANDLE) or user.scope_keys(Perm.COMMUNITY_VIEW)
    return (
        GatheringReport.objects.within_scopes(keys)
        .filter(status__in=OPEN_GATHERING_STATUSES)
        .count()
    )


CARD = HomeCard(
    _("Community"),
    _(
        "Gatherings waiting to be handled, family events to follow up, hygiene tasks "
        "and bulletins to pass on."
    ),
    "community:index",
    Perm.COMMUNITY_VIEW,
    count=open_gatherings,
)


def register() -> None:
    if CARD in HOME_CARDS:
        return
    # Before the generic "Divisions" card, which stays last.
    position = next(
        (i for i, card in enumerate(HOME_CARDS) if card.url_name == "divisions:division-tree"),
        len(HOME_CARDS),
    )
    HOME_CARDS.insert(position, CARD)
