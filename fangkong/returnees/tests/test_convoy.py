from __future__ import annotations

import io
from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine
import xlsxwriter
from django.core.exceptions import ValidationError

from fangkong.accounts.roles import Role
from fangkong.lib.ids import id_number_with_check_digit
from fangkong.returnees.models import Convoy, ConvoyStatus, KeyGroup, ReturnTrip
from fangkong.returnees.services import (
    convoy_add_passengers,
    convoy_confirm_manifest,
    convoy_create,
    transit_check_record,
)
from fangkong.returnees.tests.helpers import ID_2, ID_3, RIGHT_VILLAGE, STANDARD_ID, VILLAGE
from fangkong.test import BAYANHAOTE, BaseTestCase, make_user

TZ = ZoneInfo("Asia/Shanghai")
OTHER_ID = id_number_with_check_digit("15292219850505003")
MANIFEST = f"""1, 张三, {STANDARD_ID}, 13812345678, {VILLAGE}
2，李四，{ID_2}，13912345678，{VILLAGE}，阿左旗人民医院
6\t王五\t{ID_3}\t\t{VILLAGE}
"""


@time_machine.travel(datetime(2020, 2, 5, 10, tzinfo=TZ), tick=False)
class ConvoyTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.worker = make_user("worker", Role.GRASSROOTS, BAYANHAOTE)

    def _convoy(self) -> Convoy:
        return convoy_create(
            actor=self.colleague,
            kind="coach",
            vehicle="蒙M12345",
            driver_name="赵师傅",
            driver_mobile="13800000000",
            route="呼和浩特 → 巴彦浩特",
            departure_at=datetime(2020, 2, 6, 8, tzinfo=TZ),
            key_group=KeyGroup.MIGRANT,
            division_code="152921",
        )

    def test_confirming_the_manifest_registers_every_passengers_trip_at_once(self):
        convoy = self._convoy()
        convoy_add_passengers(actor=self.colleague, convoy=convoy, lines=MANIFEST)
        convoy_confirm_manifest(actor=self.colleague, convoy=convoy)
        assert convoy.status == ConvoyStatus.CONFIRMED
        trips = ReturnTrip.objects.order_by("person__id_number")
        assert trips.count() == 3
        assert {t.transport_number for t in trips} == {"蒙M12345"}
        assert all(p.trip_id for p in convoy.passengers.all())
        with self.assertRaises(ValidationError):
            convoy_add_passengers(
                actor=self.colleague, convoy=convoy, lines=f"9, 赵六, {ID_2}, , {VILLAGE}"
            )

    def test_a_bad_manifest_line_is_named_and_nothing_is_added(self):
        convoy = self._convoy()
        with self.assertRaises(ValidationError) as ctx:
            convoy_add_passengers(
                actor=self.colleague,
                convoy=convoy,
                lines=MANIFEST + "1, 重复, 110105194912310020, 123, 999\n",
            )
        text = " ".join(ctx.exception.messages)
        assert "line 4" in text and "seat 1 is taken" in text and "check digit" in text
        assert not convoy.passengers.exists()

    def test_a_passenger_bound_outside_the_jurisdiction_stops_the_whole_confirmation(self):
        convoy = self._convoy()
        convoy_add_passengers(
            actor=self.colleague,
            convoy=convoy,
            lines=MANIFEST + f"3, 赵六, {OTHER_ID}, , {RIGHT_VILLAGE}\n",
        )
        with self.assertRaises(ValidationError) as ctx:
            convoy_confirm_manifest(actor=self.colleague, convoy=convoy)
        assert "seat 3" in " ".join(ctx.exception.messages)
        assert not ReturnTrip.objects.exists()
        convoy.refresh_from_db()
        assert convoy.status == ConvoyStatus.PLANNED

    def test_a_fever_on_board_flags_the_passenger_and_the_seats_around_them(self):
        convoy = self._convoy()
        convoy_add_passengers(actor=self.colleague, convoy=convoy, lines=MANIFEST)
        convoy_confirm_manifest(actor=self.colleague, convoy=convoy)
        by_seat = {p.seat: p for p in convoy.passengers.all()}
        transit_check_record(
            actor=self.colleague, passenger=by_seat[6], stage="boarding", temperature="36.5"
        )
        assert not convoy.passengers.filter(flagged=True).exists()
        transit_check_record(
            actor=self.colleague, passenger=by_seat[1], stage="arrival", temperature="38.2"
        )
        flagged = set(convoy.passengers.filter(flagged=True).values_list("seat", flat=True))
        assert flagged == {1, 2, 6}  # seats 2 (beside) and 6 (behind, diagonal) are around seat 1
        assert convoy.neighbours(1) == {2, 5, 6}

    def test_an_outsider_cannot_plan_or_check(self):
        with self.assertRaises(ValidationError):
            convoy_create(
                actor=self.outsider,
                kind="coach",
                vehicle="蒙M12345",
                driver_name="x",
                driver_mobile="13800000000",
                route="x",
                departure_at=datetime(2020, 2, 6, tzinfo=TZ),
                key_group="migrant",
                division_code="152921",
            )

    def test_the_pages_show_the_manifest_and_hide_it_from_an_outsider(self):
        convoy = self._convoy()
        client = self.client_for(self.colleague)
        response = client.post(
            f"/returnees/transport/{convoy.pk}/", {"action": "manifest", "manifest-lines": MANIFEST}
        )
        assert response.status_code == 302
        response = client.post(f"/returnees/transport/{convoy.pk}/", {"action": "confirm"})
        assert ReturnTrip.objects.count() == 3
        page = client.get(f"/returnees/transport/{convoy.pk}/").content.decode()
        assert "张三" in page and STANDARD_ID not in page
        assert (
            self.client_for(self.outsider).get(f"/returnees/transport/{convoy.pk}/").status_code
            == 404
        )
        assert (
            "蒙M12345"
            not in self.client_for(self.outsider).get("/returnees/transport/").content.decode()
        )


@time_machine.travel(datetime(2020, 2, 5, 10, tzinfo=TZ), tick=False)
class ManifestImportTests(BaseTestCase):
    def setUp(self) -> None:
        self.convoy = convoy_create(
            actor=self.colleague,
            kind="train",
            vehicle="K1234 5车厢",
            driver_name="列车员",
            driver_mobile="13800000000",
            route="北京 → 巴彦浩特",
            departure_at=datetime(2020, 2, 6, 8, tzinfo=TZ),
            key_group=KeyGroup.STUDENT,
            division_code="152921",
        )
        self.url = f"/returnees/transport/{self.convoy.pk}/"

    def upload(self, user, data: bytes, name: str):
        handle = io.BytesIO(data)
        handle.name = name
        return self.client_for(user).post(self.url, {"action": "manifest", "manifest-file": handle})

    def sheet(self, rows: list[list[object]]) -> bytes:
        buf = io.BytesIO()
        book = xlsxwriter.Workbook(buf, {"in_memory": True})
        ws = book.add_worksheet()
        ws.write_row(0, 0, ["座位号", "姓名", "身份证号", "手机号", "嘎查村社区代码", "学校"])
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row):
                ws.write_string(r, c, str(value)) if isinstance(value, str) else ws.write(
                    r, c, value
                )
        book.close()
        return buf.getvalue()

    def test_an_xlsx_manifest_is_imported_seat_by_seat(self):
        data = self.sheet(
            [
                [1, "张三", STANDARD_ID, "13812345678", VILLAGE, "内蒙古大学"],
                [2, "李四", ID_2, "", VILLAGE],
            ]
        )
        assert self.upload(self.colleague, data, "manifest.xlsx").status_code == 302
        passengers = list(self.convoy.passengers.order_by("seat"))
        assert [(p.seat, p.name, p.id_number) for p in passengers] == [
            (1, "张三", STANDARD_ID),
            (2, "李四", ID_2),
        ]
        assert passengers[0].work_unit_name == "内蒙古大学"

    def test_a_bad_row_is_named_by_its_row_number_and_nothing_is_added(self):
        data = self.sheet(
            [[1, "张三", STANDARD_ID, "", VILLAGE], [2, "李四", "110105194912310020", "", VILLAGE]]
        )
        page = self.upload(self.colleague, data, "manifest.xlsx").content.decode()
        assert "line 3" in page or "第 3 行" in page
        assert not self.convoy.passengers.exists()

    def test_a_gbk_csv_manifest_is_read(self):
        text = f"座位号,姓名,身份证号,手机号,代码\n5,王五,{ID_3},,{VILLAGE}\n"
        assert self.upload(self.colleague, text.encode("gbk"), "m.csv").status_code == 302
        assert self.convoy.passengers.get().name == "王五"

    def test_an_outsider_cannot_import(self):
        data = self.sheet([[1, "张三", STANDARD_ID, "", VILLAGE]])
        assert self.upload(self.outsider, data, "manifest.xlsx").status_code == 404
        assert not self.convoy.passengers.exists()
