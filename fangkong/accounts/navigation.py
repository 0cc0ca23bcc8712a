"""The navigation menu by role: each capability adds its entries here."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from fangkong.accounts.roles import Perm


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    permission: str | None  # None: everyone logged in


NAV_ITEMS: list[NavItem] = [
    NavItem(_("Home"), "home", None),
    NavItem(_("Alerts"), "alerts:alert-list", None),
    NavItem(_("Dashboard"), "directives:dashboard", Perm.DASHBOARD_VIEW),
    NavItem(_("Notices"), "directives:notice-list", Perm.DASHBOARD_VIEW),
    NavItem(_("SMS bulletins"), "alerts:bulletin-list", Perm.DIRECTIVES_PUBLISH),
    NavItem(_("Measures to carry out"), "directives:assignment-list", Perm.DIRECTIVES_REPORT),
    NavItem(_("Returnees"), "returnees:trip-list", Perm.RETURNEES_VIEW),
    NavItem(_("Our returning staff"), "returnees:unit-list", Perm.RETURNEES_UNIT),
    NavItem(_("Checkpoints"), "checkpoints:checkpoint-list", Perm.CHECKPOINTS_VIEW),
    NavItem(_("Approvals"), "checkpoints:approval-inbox", Perm.CHECKPOINTS_APPROVE),
    NavItem(_("My shifts"), "checkpoints:my-shifts", Perm.CHECKPOINTS_DUTY),
    NavItem(_("Green channel"), "passes:pass-list", Perm.PASSES_VIEW),
    NavItem(_("Community"), "community:index", Perm.COMMUNITY_VIEW),
    NavItem(_("Vulnerable households"), "assistance:household-list", Perm.ASSISTANCE_VIEW),
    NavItem(_("Help requests"), "assistance:help-list", Perm.ASSISTANCE_VIEW),
    NavItem(_("Divisions"), "divisions:division-tree", None),
    NavItem(_("Users"), "accounts:user-list", Perm.USERS_MANAGE),
    NavItem(_("Emergency periods"), "core:period-list", Perm.EMERGENCY_MANAGE),
    NavItem(_("Audit trail"), "core:audit-list", Perm.AUDIT_VIEW),
]


def nav_for(user: object) -> list[dict[str, str]]:
    items = []
    for item in NAV_ITEMS:
        if item.permission is not None and not user.has_perm_anywhere(item.permission):  # type: ignore[attr-defined]
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        items.append({"label": str(item.label), "url": url, "name": item.url_name})
    return items
