"""The home page's cards: what each role finds first. Each capability adds its cards here.

A card is shown to users who hold its permission anywhere; ``count`` (optional) gives a number
to show on the card, such as the overdue checks waiting for this user.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from fangkong.accounts.roles import Perm


@dataclass(frozen=True)
class HomeCard:
    title: str | Promise
    description: str | Promise
    url_name: str
    permission: str | None
    count: Callable[[Any], int] | None = None


HOME_CARDS: list[HomeCard] = [
    HomeCard(
        _("Users"),
        _("Create accounts for your HQ and the sumu/gacha below it; disable those who leave."),
        "accounts:user-list",
        Perm.USERS_MANAGE,
    ),
    HomeCard(
        _("Emergency periods"),
        _("Declare the response level and the rules the other measures follow."),
        "core:period-list",
        Perm.EMERGENCY_MANAGE,
    ),
    HomeCard(
        _("Audit trail"),
        _("Who did what, where and when, in your jurisdiction."),
        "core:audit-list",
        Perm.AUDIT_VIEW,
    ),
    HomeCard(
        _("Divisions"),
        _("Find a banner, sumu or gacha by name, pinyin or code."),
        "divisions:division-tree",
        None,
    ),
]


def cards_for(user: Any) -> list[dict[str, Any]]:
    cards = []
    for card in HOME_CARDS:
        if card.permission is not None and not user.has_perm_anywhere(card.permission):
            continue
        try:
            url = reverse(card.url_name)
        except NoReverseMatch:
            continue
        cards.append(
            {
                "title": str(card.title),
                "description": str(card.description),
                "url": url,
                "count": card.count(user) if card.count else None,
            }
        )
    return cards
