"""Naming a work unit's administrators: the users who confirm its own staff."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine
from django.core.exceptions import ValidationError

from fangkong.accounts.roles import Role
from fangkong.core.models import AuditEntry
from fangkong.returnees import selectors
from fangkong.returnees.models import UnitKind, WorkUnit
from fangkong.returnees.services import returnee_register, work_unit_create, work_unit_set_admins
from fangkong.returnees.tests.helpers import trip_data
from fangkong.test import BAYANHAOTE, RIGHT_BANNER, BaseTestCase, make_user

TZ = ZoneInfo("Asia/Shanghai")


@time_machine.travel(datetime(2020, 2, 5, 10, tzinfo=TZ), tick=False)
class WorkUnitAdminTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.worker = make_user("worker", Role.GRASSROOTS, BAYANHAOTE)
        cls.boss = make_user("boss", Role.UNIT_ADMIN, "152921")
        cls.far_boss = make_user("far_boss", Role.UNIT_ADMIN, RIGHT_BANNER)
        cls.far_staff = make_user("far_staff", Role.STAFF, RIGHT_BANNER)

    def setUp(self) -> None:
        self.unit = work_unit_create(
            actor=self.colleague, name="某公司", kind=UnitKind.ENTERPRISE, division_code="152921"
        )
        self.url = f"/returnees/units/{self.unit.pk}/"

    def test_staff_name_a_unit_administrator_who_then_sees_the_units_staff(self):
        returnee_register(actor=self.worker, data=trip_data(work_unit_name="某公司"))
        boss = self.client_for(self.boss)
        assert "张三" not in boss.get("/returnees/unit/").content.decode()
        page = self.client_for(self.colleague).get(self.url).content.decode()
        assert f'value="{self.boss.pk}"' in page and f'value="{self.far_boss.pk}"' not in page
        response = self.client_for(self.colleague).post(self.url, {"admins": [self.boss.pk]})
        assert response.status_code == 302
        assert list(self.unit.admins.all()) == [self.boss]
        assert "张三" in boss.get("/returnees/unit/").content.decode()
        entry = AuditEntry.objects.get(verb="workunit.admins")
        assert entry.extra == {"before": [], "after": [self.boss.pk]}

    def test_a_unit_is_created_with_its_administrators(self):
        response = self.client_for(self.colleague).post(
            "/returnees/units/",
            {
                "name": "阿左旗医院",
                "kind": "institution",
                "division_code": "152921",
                "admins": [self.boss.pk],
            },
        )
        assert response.status_code == 302
        assert list(WorkUnit.objects.get(name="阿左旗医院").admins.all()) == [self.boss]

    def test_only_unit_administrators_of_the_place_can_be_named(self):
        assert set(selectors.unit_admin_candidates(actor=self.colleague)) == {self.boss}
        for user in (self.worker, self.far_boss):
            with self.assertRaises(ValidationError) as ctx:
                work_unit_set_admins(actor=self.colleague, unit=self.unit, admins=[user])
            assert "admins" in ctx.exception.message_dict
        with self.assertRaises(ValidationError):
            work_unit_create(
                actor=self.colleague,
                name="另一家",
                kind=UnitKind.OTHER,
                division_code="152921",
                admins=[self.far_boss],
            )
        assert not self.unit.admins.exists()

    def test_outsiders_and_readers_cannot_name_administrators(self):
        for user in (self.outsider, self.far_staff, self.officer):
            with self.assertRaises(ValidationError):
                work_unit_set_admins(actor=user, unit=self.unit, admins=[self.boss])
            response = self.client_for(user).post(self.url, {"admins": [self.boss.pk]})
            assert response.status_code == 404, user.username
        assert self.client_for(self.outsider).get(self.url).status_code == 404
        assert self.client_for(self.officer).get(self.url).status_code == 200  # reads it
        assert not self.unit.admins.exists()
        assert not AuditEntry.objects.filter(verb="workunit.admins").exists()
