"""The census's fast row check agrees with the full check, row by row and problem by problem."""

from __future__ import annotations

import random
from dataclasses import astuple
from datetime import date, datetime
from typing import Any

import time_machine
from django.utils import translation

from fangkong.accounts.roles import Role
from fangkong.returnees.census import TEMPLATE_HEADERS, Table, check_rows
from fangkong.returnees.demo import census_rows
from fangkong.returnees.models import RiskArea
from fangkong.returnees.tests.helpers import (
    ID_2,
    ID_3,
    OTHER_VILLAGE,
    RIGHT_VILLAGE,
    STANDARD_ID,
    VILLAGE,
)
from fangkong.test import BAYANHAOTE, BaseTestCase, make_user

BASE = [
    "张三",
    ID_2,
    "13812345678",
    "农牧民工",
    "河北省石家庄市",
    "否",
    "火车",
    "K1234",
    "2020-02-03",
    "2020-02-04",
    VILLAGE,
    "",
    "",
]
AT = {key: i for i, key in enumerate(TEMPLATE_HEADERS)}


def row(**changes: Any) -> list[Any]:
    cells = list(BASE)
    for header, value in changes.items():
        cells[AT[header]] = value
    return cells


TRICKY: list[list[Any]] = [
    row(身份证号="11010519491231002x"),  # lower-case check character
    row(身份证号="110105491231002", 出发日期="2020-02-01"),  # a 15-digit first-generation number
    row(身份证号=f"  {ID_3} ", 出发日期="2020-02-02"),
    row(身份证号=152921199001010013),  # stored as a number
    row(身份证号="152921199001010014"),  # wrong check digit
    row(身份证号="110105194902300027"),  # 30 February
    row(身份证号="", 姓名=""),
    row(手机号=13812345678.0, 出发日期="2020-01-20"),
    row(手机号="+86 138 1234 5678", 出发日期="2020-01-21"),
    row(手机号="138-1234-5678", 出发日期="2020-01-22"),
    row(手机号="1234567"),
    row(手机号="", 出发日期="2020-01-23"),
    row(交通方式="自驾", 车次航班或车牌="蒙m 12345", 出发日期="2020-01-24"),
    row(交通方式="自驾", 车次航班或车牌="ABC"),
    row(交通方式="", 车次航班或车牌="", 出发日期="2020-01-25"),
    row(交通方式="高铁", 出发日期="2020-01-26"),
    row(交通方式="马车"),
    row(出发日期=datetime(2020, 1, 27), 到达日期=datetime(2020, 1, 28)),
    row(出发日期=43858.0, 到达日期=""),  # an Excel serial date: 2020-01-28
    row(出发日期="2020年1月29日", 到达日期="20200130"),
    row(出发日期="2020-02-03", 到达日期="2020-02-01"),  # arrives before it leaves
    row(出发日期="2020-06-01", 到达日期=""),  # too far ahead
    row(出发日期="明天"),
    row(出发日期=""),
    row(到达日期="  ", 出发日期="2020-01-30"),
    row(返程类别="", 出发日期="2020-01-31"),
    row(返程类别="游客"),
    row(返程类别="大学生", 出发日期="2020-01-10"),
    row(是否途经风险地区="是", 出发地="湖北省武汉市", 出发日期="2020-01-11"),
    row(是否途经风险地区="Y", 出发日期="2020-01-12"),
    row(是否途经风险地区="也许"),
    row(出发地="湖北省武汉市", 出发日期="2020-01-13"),  # a risk area, though 否
    row(返程类别="入境人员", 出发地="韩国", 出发日期="2020-01-14"),
    row(返程类别="入境人员", 出发地="湖北省孝感市", 出发日期="2020-01-15"),
    row(目的地区划代码=152921110201.0, 出发日期="2020-01-16"),
    row(目的地区划代码=OTHER_VILLAGE, 出发日期="2020-01-17"),
    row(目的地区划代码=BAYANHAOTE),  # a town, not a village
    row(目的地区划代码=RIGHT_VILLAGE),  # outside the worker's jurisdiction
    row(目的地区划代码="1529211102000"),
    row(目的地区划代码=""),
    row(姓名="  李四  ", 出发日期="2020-01-18", 工作单位=" 盟医院 ", 备注=" 备注 "),
    row(姓名="长" * 51),
    row(姓名=12345.0, 出发日期="2020-01-19"),
    row(),  # the same person and day as the first row that has them
    [STANDARD_ID],  # a short row
    [None] * len(TEMPLATE_HEADERS),  # a blank row
    row(身份证号=STANDARD_ID, 出发日期="2020-01-09", 姓名="张三丰"),  # the person's later details
]


@time_machine.travel("2020-02-05 10:00 +0800", tick=False)
class CensusFastPathTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.worker = make_user("worker", Role.GRASSROOTS, BAYANHAOTE)
        RiskArea.objects.create(province="湖北省", city="武汉市", division_code="1529")
        RiskArea.objects.create(province="韩国", division_code="1529")

    def both(self, rows: list[list[Any]], **kw: Any) -> tuple[Any, Any]:
        results = []
        for fast_path in (True, False):
            table = Table("摸底排查", 0, [list(TEMPLATE_HEADERS), *rows])
            with translation.override("en"):
                good, report = check_rows(table, actor=self.worker, fast_path=fast_path, **kw)
            results.append(
                (
                    [astuple(g) for g in good],
                    report.summary(),
                    [(p.row, p.column, p.message) for p in report.problems],
                )
            )
        return results[0], results[1]

    def test_tricky_rows_are_read_alike_by_the_fast_and_the_full_check(self):
        fast, full = self.both(TRICKY)
        assert fast == full
        good, summary, problems = fast
        assert summary["rows"] == len(TRICKY) - 1 and 0 < summary["rejected"] < summary["rows"]
        by_row = {g[0]: g for g in good}
        assert by_row[3][1] == STANDARD_ID  # the 15-digit number, converted
        assert by_row[14][4][7] == "蒙M12345"  # the plate, normalised
        assert by_row[30][4][4] is True and by_row[30][4][5] is not None  # through Wuhan
        assert by_row[33][4][4] is True  # Wuhan is a risk area even when the row says 否
        assert {(r, c) for r, c, _ in problems} >= {(5, "身份证号"), (39, "目的地区划代码")}

    def test_demo_census_rows_with_every_kind_of_bad_row_are_read_alike(self):
        rows = census_rows(
            random.Random(7),
            600,
            start=date(2020, 1, 20),
            villages=[VILLAGE, OTHER_VILLAGE, RIGHT_VILLAGE],
            bad_share=0.2,
        )
        fast, full = self.both(rows)
        assert fast == full
        assert fast[1]["rejected"] > 100 and len(fast[0]) > 300

    def test_a_default_division_fills_empty_codes_alike(self):
        rows = [row(目的地区划代码=""), row(目的地区划代码=OTHER_VILLAGE, 身份证号=ID_3)]
        fast, full = self.both(rows, default_division=VILLAGE)
        assert fast == full and fast[1]["rejected"] == 0
        assert [g[3][4] for g in fast[0]] == [VILLAGE, OTHER_VILLAGE]
