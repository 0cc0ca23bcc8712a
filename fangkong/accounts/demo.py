"""Demo users: one per role, plus a banner commander and banner office staff, one password."""

from __future__ import annotations

import random
from typing import TextIO

from fangkong.accounts.models import User
from fangkong.accounts.roles import Role
from fangkong.accounts.services import RoleGrant, user_create
from fangkong.divisions.selectors import division_by_code

DEMO_PASSWORD = "fangkong-demo-2020"  # noqa: S105 - printed by make run, demo only

# user name, role, division code, display name
DEMO_USERS: list[tuple[str, Role, str, str]] = [
    ("commander", Role.COMMANDER, "1529", "盟指挥部 王指挥"),
    ("staff", Role.STAFF, "1529", "盟指挥部办公室 李干事"),
    ("banner_commander", Role.COMMANDER, "152921", "阿左旗指挥部 张指挥"),
    ("banner_staff", Role.STAFF, "152921", "阿左旗指挥部办公室 马干事"),
    ("grassroots", Role.GRASSROOTS, "152921110", "巴彦浩特镇 宝音"),
    ("inspector", Role.INSPECTOR, "152921110", "巴彦浩特镇卡口 刘检查员"),
    ("caseworker", Role.CASEWORKER, "152921", "阿左旗民政局 陈社工"),
    ("logistics", Role.LOGISTICS, "1529", "盟后勤保障组 赵组长"),
    ("transport", Role.TRANSPORT, "1529", "盟交通运输局 孙科长"),
    ("unit_admin", Role.UNIT_ADMIN, "152921", "阿左旗某单位 周管理员"),
]


def populate(*, rng: random.Random, scale: int, out: TextIO) -> None:
    created = 0
    for username, role, code, name in DEMO_USERS:
        if User.objects.filter(username=username).exists():
            continue
        division = division_by_code(code)
        if division is None:
            out.write(f"  skipped {username}: division {code} is not loaded\n")
            continue
        user_create(
            actor=None,
            username=username,
            password=DEMO_PASSWORD,
            display_name=name,
            grants=[RoleGrant(role, division)],
            must_change_password=False,
        )
        created += 1
    out.write(f"  users: {created} created, {len(DEMO_USERS) - created} already there\n")


def describe_logins() -> list[str]:
    return [
        f"  {username:<18} {role.value:<11} {name}" for username, role, _code, name in DEMO_USERS
    ]
