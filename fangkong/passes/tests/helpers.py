"""Shared set-up for passes tests: keys for the league and the left banner, a transport user."""

from __future__ import annotations

from datetime import UTC, datetime

from fangkong.accounts.roles import Role
from fangkong.divisions.models import Division
from fangkong.passes import services
from fangkong.passes.models import GreenPass
from fangkong.test import LEAGUE, LEFT_BANNER, RIGHT_BANNER, BaseTestCase, make_user

T0 = datetime(2026, 2, 10, 2, 0, tzinfo=UTC)
DRIVER_ID = "152921199001010013"


class PassesTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.transport = make_user("transport", Role.TRANSPORT, LEFT_BANNER)
        cls.league_transport = make_user("league_transport", Role.TRANSPORT, LEAGUE)
        cls.other_transport = make_user("other_transport", Role.TRANSPORT, RIGHT_BANNER)
        cls.inspector = make_user("inspector", Role.INSPECTOR, "152921110")
        cls.left = Division.objects.get(code=LEFT_BANNER)
        cls.right = Division.objects.get(code=RIGHT_BANNER)

    def setUp(self) -> None:
        # Keys are files in a per-test directory, so they are made per test.
        services.key_create(actor=None, division=self.left, now=T0)
        services.key_create(actor=None, division=self.right, now=T0)

    def issue(self, plate: str = "蒙M12345", *, days: int = 7, actor: object = None) -> GreenPass:
        return services.pass_create_full(
            actor=actor or self.transport,  # type: ignore[arg-type]
            division=self.left,
            plate=plate,
            vehicle_type="冷藏车",
            driver_name="张三",
            driver_id_number=DRIVER_ID,
            driver_phone="13812345678",
            cargo="daily",
            origin="152921",
            destination="银川市",
            days=days,
            now=T0,
        )
