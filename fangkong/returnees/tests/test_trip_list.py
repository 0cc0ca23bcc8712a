"""The staff list: search, every filter, and the xlsx export."""

from __future__ import annotations

import io
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import time_machine
from python_calamine import CalamineWorkbook

from fangkong.accounts.roles import Role
from fangkong.core.models import AuditEntry
from fangkong.returnees.exports import neutralise
from fangkong.returnees.models import KeyGroup, RegisteredVia, Transport, UnitKind
from fangkong.returnees.services import (
    returnee_register,
    risk_area_create,
    trip_confirm_arrival,
    work_unit_create,
)
from fangkong.returnees.tests.helpers import (
    ID_2,
    ID_3,
    OTHER_VILLAGE,
    STANDARD_ID,
    trip_data,
)
from fangkong.test import BAYANHAOTE, BaseTestCase, make_user

TZ = ZoneInfo("Asia/Shanghai")


def rows_of(content: bytes) -> list[list[Any]]:
    return CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()


@time_machine.travel(datetime(2020, 2, 5, 10, tzinfo=TZ), tick=False)
class TripListTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.worker = make_user("worker", Role.GRASSROOTS, BAYANHAOTE)

    def setUp(self) -> None:
        self.unit = work_unit_create(
            actor=self.colleague, name="巴彦浩特一中", kind=UnitKind.SCHOOL, division_code="152921"
        )
        risk_area_create(actor=self.officer, province="湖北省", city="武汉市")
        self.zhang = returnee_register(
            actor=self.worker,
            data=trip_data(
                id_number=STANDARD_ID,
                name="张三",
                mobile="13812345678",
                key_group=KeyGroup.MIGRANT,
                transport=Transport.CAR,
                transport_number="蒙M12345",
                origin_province="湖北省",
                origin_city="武汉市",
            ),
        )
        self.li = returnee_register(
            actor=self.worker,
            data=trip_data(
                id_number=ID_2,
                name="李四",
                mobile="13900001111",
                key_group=KeyGroup.STUDENT,
                transport=Transport.FLIGHT,
                transport_number="CA1234",
                division_code=OTHER_VILLAGE,
                work_unit_name="巴彦浩特一中",
                arrival_date=date(2020, 2, 1),
                departure_date=date(2020, 1, 31),
            ),
        )
        self.wang = returnee_register(
            actor=None,
            data=trip_data(id_number=ID_3, name="王五", mobile="13700002222", arrival_date=None),
            registered_via=RegisteredVia.SELF,
        )
        trip_confirm_arrival(actor=self.worker, trip=self.li, observe=False)

    def names(self, **params: Any) -> set[str]:
        page = self.client_for(self.worker).get("/returnees/", params).content.decode()
        return {n for n in ("张三", "李四", "王五") if f">{n}</a>" in page}

    def test_search_finds_by_name_pinyin_initials_id_number_phone_and_plate(self):
        assert self.names(q="张") == {"张三"}
        assert self.names(q="李四") == {"李四"}
        assert self.names(q="zhangsan") == {"张三"}
        assert self.names(q="ZS") == {"张三"}
        assert self.names(q="ww") == {"王五"}
        assert self.names(q=STANDARD_ID.lower()) == {"张三"}
        assert self.names(q=ID_2[-4:]) == {"李四"}
        assert self.names(q="13900001111") == {"李四"}
        assert self.names(q="蒙m 12345") == {"张三"}
        assert self.names(q="ca1234") == {"李四"}
        assert self.names(q="赵") == set()
        assert self.names() == {"张三", "李四", "王五"}

    def test_each_filter_narrows_the_list(self):
        assert self.names(key_group="student") == {"李四"}
        assert self.names(status="arrived") == {"李四"}
        assert self.names(status="expected") == {"张三", "王五"}
        assert self.names(observation="none") == {"张三", "李四", "王五"}
        assert self.names(division=OTHER_VILLAGE) == {"李四"}
        assert self.names(division=BAYANHAOTE) == {"张三", "李四", "王五"}
        assert self.names(arrived_from="2020-02-02") == {"张三"}
        assert self.names(arrived_to="2020-02-01") == {"李四"}
        assert self.names(departed_from="2020-02-01") == {"张三", "王五"}
        assert self.names(departed_to="2020-01-31") == {"李四"}
        assert self.names(departed_from="2020-02-04") == set()

    def test_a_filter_that_cannot_be_read_lists_and_exports_nothing(self):
        client = self.client_for(self.worker)
        page = client.get("/returnees/", {"departed_from": "2020-13-01"})
        assert page.status_code == 200
        assert 'data-testid="filter-error"' in page.content.decode()
        assert self.names(departed_from="2020-13-01") == set()
        export = client.get("/returnees/", {"departed_from": "2020-13-01", "format": "xlsx"})
        assert export.status_code == 400
        assert "nothing was exported" in export.content.decode() or "未导出" in (
            export.content.decode()
        )
        assert self.names(work_unit=self.unit.pk) == {"李四"}
        assert self.names(risk_area="yes") == {"张三"}
        assert self.names(risk_area="no") == {"李四", "王五"}
        assert self.names(registered_via="self") == {"王五"}
        assert self.names(key_group="student", risk_area="yes") == set()

    def test_the_export_neutralises_cells_a_spreadsheet_would_run(self):
        for start in "=+-@":
            assert neutralise(f"{start}1+1") == f"'{start}1+1"
        assert neutralise("张三") == "张三" and neutralise("") == ""
        returnee_register(
            actor=self.worker,
            data=trip_data(
                id_number="152921199001010013",
                name="@SUM(1)",
                key_group=KeyGroup.OTHER,
                origin_province="=HYPERLINK(1)",
                origin_city="",
                transport_number="+12",
                work_unit_name="-3",
                departure_date=date(2020, 2, 4),
                arrival_date=None,
            ),
        )
        response = self.client_for(self.colleague).get(
            "/returnees/", {"key_group": "other", "format": "xlsx"}
        )
        rows = rows_of(response.content)
        row = rows[1]
        assert row[0] == "'@SUM(1)"
        assert row[4] == "'=HYPERLINK(1)"
        assert row[7] == "'+12"
        assert row[12] == "'-3"
        assert b"<f>" not in response.content

    def test_the_export_masks_for_staff_shows_the_worker_and_audits_each(self):
        staff = rows_of(
            self.client_for(self.colleague)
            .get("/returnees/", {"q": "zs", "format": "xlsx"})
            .content
        )
        assert staff[1][1] == "110105********002X" and staff[1][2] == "138****5678"
        worker = rows_of(
            self.client_for(self.worker).get("/returnees/", {"q": "zs", "format": "xlsx"}).content
        )
        assert worker[1][1] == STANDARD_ID and worker[1][2] == "13812345678"
        entries = AuditEntry.objects.filter(verb="returnee.export").order_by("pk")
        assert [(e.actor, e.extra["unmasked"], e.extra["count"]) for e in entries] == [
            (self.colleague, False, 1),
            (self.worker, True, 1),
        ]
        assert entries[0].extra["filters"] == {"q": "zs"}
