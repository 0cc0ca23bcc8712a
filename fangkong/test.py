"""Test base with hand-built personas.

Every test database holds the 308 real Alxa divisions (loaded once per session in
``conftest.py``). Personas:

- ``league_commander``: commander of 阿拉善盟 (1529), the whole region;
- ``officer``: commander of 阿拉善左旗 (152921);
- ``colleague``: staff of 阿拉善左旗 (152921), the officer's colleague;
- ``outsider``: commander of 阿拉善右旗 (152922), another banner.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.test import Client, TestCase

from fangkong.accounts.models import User
from fangkong.accounts.roles import Role
from fangkong.accounts.services import RoleGrant, user_create
from fangkong.divisions.models import Division

PASSWORD = "correct-horse-battery-9"  # noqa: S105 - test personas

LEAGUE = "1529"
LEFT_BANNER = "152921"  # 阿拉善左旗
RIGHT_BANNER = "152922"  # 阿拉善右旗
BAYANHAOTE = "152921110"  # 巴彦浩特镇, in 阿拉善左旗
RIGHT_TOWN = "152922103"  # 巴丹吉林镇, in 阿拉善右旗


def division(code: str) -> Division:
    return Division.objects.get(code=code)


def make_user(username: str, role: str | Role, code: str, **extra: Any) -> User:
    return user_create(
        actor=None,
        username=username,
        password=PASSWORD,
        grants=[RoleGrant(str(role), division(code))],
        display_name=extra.pop("display_name", username),
        must_change_password=extra.pop("must_change_password", False),
        **extra,
    )


class BaseTestCase(TestCase):
    league_commander: User
    officer: User
    colleague: User
    outsider: User

    @classmethod
    def setUpTestData(cls) -> None:
        cls.league_commander = make_user("league_commander", Role.COMMANDER, LEAGUE)
        cls.officer = make_user("officer", Role.COMMANDER, LEFT_BANNER)
        cls.colleague = make_user("colleague", Role.STAFF, LEFT_BANNER)
        cls.outsider = make_user("outsider", Role.COMMANDER, RIGHT_BANNER)

    def client_for(self, user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client


def assert_median_matches(median: Any, figures: Any, which: str, values: Sequence[float]) -> None:
    """The histogram in ``figures`` (as ``rollups.figures`` gives them; ``which`` is ``today``
    or ``total``) holds exactly ``values``, bucket by bucket, and the median it gives lies in
    the bucket of the true (lower) median of ``values``."""
    import statistics

    counts = [figures.get(m, {}).get(which, 0) for m in median.metrics]
    expected = [0] * len(median.metrics)
    for value in values:
        expected[median.bucket(value)] += 1
    assert counts == expected, f"{median.name} {which}: buckets {counts}, direct {expected}"
    estimate = median.of(figures, which)
    if not values:
        assert estimate is None
        return
    true_median = statistics.median_low(values)
    assert estimate is not None and estimate.count == len(values)
    assert estimate.lower < true_median or estimate.lower == true_median == 0, (estimate, values)
    assert estimate.upper is None or true_median <= estimate.upper, (estimate, true_median)
    assert estimate.lower <= estimate.value <= (estimate.upper or estimate.lower)
