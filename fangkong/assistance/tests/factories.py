"""Shared builders for the assistance tests."""

from __future__ import annotations

import io
import random
from datetime import date
from decimal import Decimal
from typing import Any

import xlsxwriter
from django.test import Client
from django.utils import translation

from fangkong.assistance.models import Household, Item, Warehouse
from fangkong.assistance.services import donations, households
from fangkong.divisions.models import Division, Level
from fangkong.lib import fake
from fangkong.test import BAYANHAOTE, RIGHT_TOWN, BaseTestCase

HEADER = ["户编号", "姓名", "与户主关系", "身份证号", "联系电话", "区划代码", "类别", "月保障金",
          "下次核查日期", "住址"]  # fmt: skip


def village(under: str = BAYANHAOTE, n: int = 0) -> Division:
    return list(
        Division.objects.filter(code__startswith=under, level=Level.VILLAGE).order_by("code")
    )[n]


def right_village() -> Division:
    return village(RIGHT_TOWN)


def id_number(seed: int) -> str:
    return fake.id_number(random.Random(seed), address_code="152921")


def xlsx(rows: list[list[Any]], header: list[str] | None = None) -> io.BytesIO:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    for r, row in enumerate([header or HEADER, *rows]):
        for c, value in enumerate(row):
            if value is not None:
                sheet.write(r, c, value)
    book.close()
    buffer.seek(0)
    return buffer


def household(
    actor: Any,
    division: Division,
    *,
    seed: int = 1,
    category: str = "dibao",
    next_review: date | None = None,
) -> Household:
    return households.household_register(
        actor=actor,
        division=division,
        head_name=f"户主{seed}",
        head_id_number=id_number(seed),
        head_phone="13900001234",
        category=category,
        monthly_allowance=Decimal(500),
        next_review_date=next_review,
    )


def stock(actor: Any, quantity: int = 10, *, whole: bool = True) -> tuple[Warehouse, Item]:
    warehouse = Warehouse.objects.create(
        name=f"仓库{Warehouse.objects.count()}",
        division=Division.objects.get(code="1529"),
        division_code="1529",
    )
    item = Item.objects.create(
        name=f"大米{Item.objects.count()}", unit="袋" if whole else "公斤", whole_units=whole
    )
    donor = donations.donor_create(actor=actor, kind="company", name="粮油公司")
    donations.lot_receive(
        actor=actor, donor=donor, warehouse=warehouse, item=item, quantity=Decimal(quantity)
    )
    return warehouse, item


class EnglishTestCase(BaseTestCase):
    """Messages in English (the UI default is Chinese; one test checks the Chinese too)."""

    def setUp(self) -> None:
        super().setUp()
        translation.activate("en")
        self.addCleanup(translation.deactivate)
        self.client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"

    def client_for(self, user: Any) -> Client:
        client = super().client_for(user)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client
