"""The returnee list as an xlsx workbook; personal data masked unless the role needs it."""

from __future__ import annotations

import io
from collections.abc import Iterable

import xlsxwriter
from django.utils import timezone

from fangkong.lib.masking import mask_id_number, mask_phone
from fangkong.returnees.models import ReturnTrip

HEADERS = [
    "姓名", "身份证号", "手机号", "返程类别", "出发地", "是否途经风险地区", "交通方式",
    "车次航班或车牌", "出发日期", "到达日期", "目的地区划代码", "目的地", "工作单位", "登记方式",
    "到达确认", "观察状态", "回执编号",
]  # fmt: skip
EXPORT_LIMIT = 200_000


def neutralise(value: str) -> str:
    """A cell that a spreadsheet would run as a formula is prefixed with a quote."""
    if value and value[0] in "=+-@\t\r":
        return "'" + value
    return value


def trips_xlsx(trips: Iterable[ReturnTrip], *, unmasked: bool) -> tuple[bytes, int]:
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(
        buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    sheet = book.add_worksheet("返程人员")
    bold = book.add_format({"bold": True})
    sheet.write_row(0, 0, HEADERS, bold)
    count = 0
    for row, trip in enumerate(trips, start=1):
        person = trip.person
        observation = getattr(trip, "observation", None)
        values = [
            person.name,
            person.id_number if unmasked else mask_id_number(person.id_number),
            person.mobile if unmasked else mask_phone(person.mobile),
            str(trip.get_key_group_display()),
            trip.origin,
            "是" if trip.through_risk_area else "否",
            str(trip.get_transport_display()),
            trip.transport_number,
            trip.departure_date.isoformat(),
            trip.arrival_date.isoformat() if trip.arrival_date else "",
            trip.division.full_code,
            trip.division.name,
            trip.work_unit.name if trip.work_unit else trip.work_unit_name,
            str(trip.get_registered_via_display()),
            str(trip.get_status_display()),
            str(observation.get_status_display()) if observation else "",
            trip.receipt,
        ]
        for col, value in enumerate(values):
            sheet.write_string(row, col, neutralise(str(value)))
        count += 1
    sheet.write_string(count + 2, 0, f"导出时间 {timezone.localtime():%Y-%m-%d %H:%M}")
    book.close()
    return buf.getvalue(), count
