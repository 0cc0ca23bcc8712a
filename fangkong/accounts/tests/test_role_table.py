"""The role table, cell by cell, against a matrix written out independently here."""

import pytest

from fangkong.accounts.roles import ROLE_PERMISSIONS, Perm, Role, role_has
from fangkong.test import LEFT_BANNER, BaseTestCase, make_user

# Columns: commander staff grassroots inspector caseworker logistics transport unit_admin
ROLES = [
    "commander",
    "staff",
    "grassroots",
    "inspector",
    "caseworker",
    "logistics",
    "transport",
    "unit_admin",
]
MATRIX = """
dashboard.view        Y Y Y . . . . .
audit.view            Y . . . . . . .
users.manage          Y . . . . . . .
emergency.manage      Y . . . . . . .
personal_data.view    Y . Y . Y . . .
directives.publish    Y Y . . . . . .
directives.report     Y Y Y . . . . .
returnees.view        Y Y Y . . . . .
returnees.register    . Y Y Y . . . .
returnees.observe     . . Y . . . . .
returnees.unit        . . . . . . . Y
checkpoints.view      Y Y Y Y . . Y .
checkpoints.request   . Y Y . . . . .
checkpoints.approve   Y . . . . . . .
checkpoints.duty      . . Y Y . . . .
passes.view           Y Y . Y . . Y .
passes.issue          . . . . . . Y .
community.view        Y Y Y . . . . .
community.handle      . Y Y . . . . .
assistance.view       Y Y Y . Y Y . .
assistance.casework   . . Y . Y . . .
assistance.approve    Y . . . Y . . .
assistance.extend     Y . . . . . . .
assistance.distribute . . . . . Y . .
"""

CELLS = []
for line in MATRIX.strip().splitlines():
    perm, *marks = line.split()
    for role, mark in zip(ROLES, marks, strict=True):
        CELLS.append((role, perm, mark == "Y"))


def test_the_matrix_covers_every_role_and_permission():
    assert set(ROLES) == {r.value for r in Role}
    assert {perm for _r, perm, _y in CELLS} == {p.value for p in Perm}
    assert len(CELLS) == len(Role) * len(Perm)


@pytest.mark.parametrize(("role", "perm", "allowed"), CELLS, ids=[f"{r}-{p}" for r, p, _ in CELLS])
def test_role_table_cell(role, perm, allowed):
    assert role_has(role, perm) is allowed
    assert (Perm(perm) in ROLE_PERMISSIONS[Role(role)]) is allowed


class RoleScopeTests(BaseTestCase):
    def test_a_permission_applies_within_the_membership_division_only(self):
        assert self.officer.can("users.manage", "152921110201")
        assert self.officer.can("users.manage", LEFT_BANNER)
        assert not self.officer.can("users.manage", "152922")
        assert not self.officer.can("users.manage", "1529")
        assert self.colleague.scope_keys("users.manage") == []

    def test_emergency_management_needs_a_league_level_commander(self):
        assert self.league_commander.scope_keys("emergency.manage") == ["1529"]
        assert self.officer.scope_keys("emergency.manage") == []

    def test_a_disabled_user_can_do_nothing(self):
        user = make_user("gone", Role.COMMANDER, LEFT_BANNER)
        user.is_active = False
        assert user.scope_keys("dashboard.view") == []

    def test_overlapping_scopes_collapse_to_the_widest(self):
        from fangkong.accounts.models import Membership
        from fangkong.divisions.models import Division

        Membership.objects.create(
            user=self.officer,
            role=Role.COMMANDER,
            division=Division.objects.get(code="152921110"),
            division_code="152921110",
        )
        self.officer.clear_permission_cache()
        assert self.officer.scope_keys("audit.view") == [LEFT_BANNER]
