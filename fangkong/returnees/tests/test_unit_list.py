"""A work unit's or school's own list: its returning staff or students, and their return."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine

from fangkong.accounts.roles import Role
from fangkong.core.models import AuditEntry
from fangkong.returnees.models import KeyGroup, ReturnTrip, UnitKind
from fangkong.returnees.services import returnee_register, work_unit_create
from fangkong.returnees.tests.helpers import ID_2, STANDARD_ID, trip_data
from fangkong.test import BAYANHAOTE, BaseTestCase, make_user

TZ = ZoneInfo("Asia/Shanghai")


@time_machine.travel(datetime(2020, 2, 5, 10, tzinfo=TZ), tick=False)
class UnitListTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.worker = make_user("worker", Role.GRASSROOTS, BAYANHAOTE)
        cls.head = make_user("head", Role.UNIT_ADMIN, "152921")
        cls.boss = make_user("boss", Role.UNIT_ADMIN, "152921")

    def setUp(self) -> None:
        work_unit_create(
            actor=self.colleague,
            name="巴彦浩特一中",
            kind=UnitKind.SCHOOL,
            division_code="152921",
            admins=[self.head],
        )
        work_unit_create(
            actor=self.colleague,
            name="某公司",
            kind=UnitKind.ENTERPRISE,
            division_code="152921",
            admins=[self.boss],
        )
        # The unit is found by the name as typed, inside the banner.
        self.student = returnee_register(
            actor=self.worker,
            data=trip_data(
                id_number=STANDARD_ID, key_group=KeyGroup.STUDENT, work_unit_name="巴彦浩特一中"
            ),
        )
        self.employee = returnee_register(
            actor=self.worker,
            data=trip_data(id_number=ID_2, name="李四", work_unit_name="某公司"),
        )

    def test_a_school_sees_its_students_and_confirms_their_return(self):
        head = self.client_for(self.head)
        page = head.get("/returnees/unit/").content.decode()
        assert "张三" in page and "李四" not in page
        assert "李四" in self.client_for(self.boss).get("/returnees/unit/").content.decode()
        assert head.get(f"/returnees/trips/{self.employee.pk}/").status_code == 404
        response = head.post(f"/returnees/trips/{self.student.pk}/back-at-work/")
        assert response.status_code == 302
        assert ReturnTrip.objects.get(pk=self.student.pk).back_at_work_at is not None
        assert AuditEntry.objects.filter(verb="returnee.back_at_work", actor=self.head).exists()

    def test_another_units_admin_cannot_confirm(self):
        boss = self.client_for(self.boss)
        assert boss.post(f"/returnees/trips/{self.student.pk}/back-at-work/").status_code == 404
        assert ReturnTrip.objects.get(pk=self.student.pk).back_at_work_at is None
