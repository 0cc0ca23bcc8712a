"""Roles and what each may do: the one table of the system.

A user holds memberships (role × division). A permission held through a membership applies
within that division's jurisdiction (its code as a prefix). Every check in every app asks this
table through ``User.scope_keys(permission)`` or the gatekeepers in ``accounts.selectors``.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    COMMANDER = "commander", _("Commander (HQ leadership)")
    STAFF = "staff", _("HQ office staff")
    GRASSROOTS = "grassroots", _("Grassroots worker (sumu/gacha)")
    INSPECTOR = "inspector", _("Checkpoint inspector")
    CASEWORKER = "caseworker", _("Civil-affairs caseworker")
    LOGISTICS = "logistics", _("Logistics group")
    TRANSPORT = "transport", _("Transport official")
    UNIT_ADMIN = "unit_admin", _("Work unit administrator")


class Perm(models.TextChoices):
    DASHBOARD_VIEW = "dashboard.view", _("See the command dashboard and daily report")
    AUDIT_VIEW = "audit.view", _("Read the audit trail")
    USERS_MANAGE = "users.manage", _("Create, edit and disable users")
    EMERGENCY_MANAGE = "emergency.manage", _("Declare and change emergency periods")
    PERSONAL_DATA = "personal_data.view", _("See unmasked ID numbers and phones")
    DIRECTIVES_PUBLISH = "directives.publish", _("Publish notices and assign measures")
    DIRECTIVES_REPORT = "directives.report", _("Report implementation of measures")
    RETURNEES_VIEW = "returnees.view", _("See returnees")
    RETURNEES_REGISTER = "returnees.register", _("Register and import returnees")
    RETURNEES_OBSERVE = "returnees.observe", _("Run health observation")
    RETURNEES_UNIT = "returnees.unit", _("Confirm a work unit's own staff")
    CHECKPOINTS_VIEW = "checkpoints.view", _("See checkpoints, rosters and passages")
    CHECKPOINTS_REQUEST = "checkpoints.request", _("Request checkpoints and manage rosters")
    CHECKPOINTS_APPROVE = "checkpoints.approve", _("Approve, suspend and close checkpoints")
    CHECKPOINTS_DUTY = "checkpoints.duty", _("Work a checkpoint shift and log passages")
    PASSES_VIEW = "passes.view", _("See green-channel passes")
    PASSES_ISSUE = "passes.issue", _("Issue and revoke green-channel passes")
    COMMUNITY_VIEW = "community.view", _("See gatherings, hygiene and publicity")
    COMMUNITY_HANDLE = "community.handle", _("Handle gatherings, hygiene tasks and publicity")
    ASSISTANCE_VIEW = "assistance.view", _("See vulnerable households")
    ASSISTANCE_CASEWORK = "assistance.casework", _("Visit households, enter applications")
    ASSISTANCE_APPROVE = "assistance.approve", _("Approve assistance applications")
    ASSISTANCE_EXTEND = "assistance.extend", _("Extend periodic reviews")
    ASSISTANCE_DISTRIBUTE = "assistance.distribute", _("Manage donations and deliveries")


P = Perm
_VIEW_ALL = {
    P.DASHBOARD_VIEW,
    P.RETURNEES_VIEW,
    P.CHECKPOINTS_VIEW,
    P.PASSES_VIEW,
    P.COMMUNITY_VIEW,
    P.ASSISTANCE_VIEW,
}

ROLE_PERMISSIONS: dict[Role, frozenset[Perm]] = {
    # HQ leadership: reads everything in its jurisdiction, approves, manages people and periods.
    Role.COMMANDER: frozenset(
        _VIEW_ALL
        | {
            P.AUDIT_VIEW,
            P.USERS_MANAGE,
            P.EMERGENCY_MANAGE,
            P.PERSONAL_DATA,
            P.DIRECTIVES_PUBLISH,
            P.DIRECTIVES_REPORT,
            P.CHECKPOINTS_APPROVE,
            P.ASSISTANCE_APPROVE,
            P.ASSISTANCE_EXTEND,
        }
    ),
    # HQ office: drafts and runs the work, does not approve.
    Role.STAFF: frozenset(
        _VIEW_ALL
        | {
            P.DIRECTIVES_PUBLISH,
            P.DIRECTIVES_REPORT,
            P.RETURNEES_REGISTER,
            P.CHECKPOINTS_REQUEST,
            P.COMMUNITY_HANDLE,
        }
    ),
    # Sumu/gacha workers: the people who knock on doors.
    Role.GRASSROOTS: frozenset(
        {
            P.DASHBOARD_VIEW,
            P.PERSONAL_DATA,
            P.DIRECTIVES_REPORT,
            P.RETURNEES_VIEW,
            P.RETURNEES_REGISTER,
            P.RETURNEES_OBSERVE,
            P.CHECKPOINTS_VIEW,
            P.CHECKPOINTS_REQUEST,
            P.CHECKPOINTS_DUTY,
            P.COMMUNITY_VIEW,
            P.COMMUNITY_HANDLE,
            P.ASSISTANCE_VIEW,
            P.ASSISTANCE_CASEWORK,
        }
    ),
    # Checkpoint duty: the shift, the passage log, registering a returnee from a passage.
    Role.INSPECTOR: frozenset(
        {P.CHECKPOINTS_VIEW, P.CHECKPOINTS_DUTY, P.RETURNEES_REGISTER, P.PASSES_VIEW}
    ),
    # Civil affairs: households, visits, applications and their approval.
    Role.CASEWORKER: frozenset(
        {
            P.PERSONAL_DATA,
            P.ASSISTANCE_VIEW,
            P.ASSISTANCE_CASEWORK,
            P.ASSISTANCE_APPROVE,
        }
    ),
    # HQ logistics group: donation stock and doorstep delivery.
    Role.LOGISTICS: frozenset({P.ASSISTANCE_VIEW, P.ASSISTANCE_DISTRIBUTE}),
    # Transport: green-channel passes.
    Role.TRANSPORT: frozenset({P.PASSES_VIEW, P.PASSES_ISSUE, P.CHECKPOINTS_VIEW}),
    # A work unit's own staff only (the unit limits it further, in returnees).
    Role.UNIT_ADMIN: frozenset({P.RETURNEES_UNIT}),
}

# Permissions that only a membership at the region's root (the league HQ) confers.
ROOT_ONLY: frozenset[Perm] = frozenset({P.EMERGENCY_MANAGE})


def role_has(role: str, permission: str) -> bool:
    return Perm(permission) in ROLE_PERMISSIONS.get(Role(role), frozenset())


def roles_with(permission: str) -> list[Role]:
    return [role for role, perms in ROLE_PERMISSIONS.items() if Perm(permission) in perms]
