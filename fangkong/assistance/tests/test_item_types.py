"""The logistics group adds new types of goods with their unit; stock is counted in that unit
and never summed across units."""

from __future__ import annotations

import re
from decimal import Decimal

from fangkong.accounts.roles import Role
from fangkong.assistance import selectors
from fangkong.assistance.models import Item, Lot, Warehouse
from fangkong.assistance.tests.factories import EnglishTestCase
from fangkong.core.models import AuditEntry
from fangkong.divisions.models import Division
from fangkong.test import LEAGUE, make_user

STOCK = "/assistance/stock/"


class ItemTypeTests(EnglishTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.logistics = make_user("log", Role.LOGISTICS, LEAGUE)
        cls.warehouse = Warehouse.objects.create(
            name="盟物资库", division=Division.objects.get(code="1529"), division_code="1529"
        )

    def add(self, user, name: str, unit: str, whole: bool = True):
        data = {"add_item": "1", "name": name, "unit": unit}
        if whole:
            data["whole_units"] = "on"
        return self.client_for(user).post(STOCK, data)

    def receive(self, item: Item, quantity: str):
        return self.client_for(self.logistics).post(
            STOCK,
            {"receive": "1", "donor_kind": "company", "donor_name": "爱心企业",
             "warehouse": self.warehouse.pk, "item": item.pk, "quantity": quantity},
        )  # fmt: skip

    def test_a_new_item_type_is_stored_with_its_unit_and_received_in_it(self):
        assert self.add(self.logistics, " 医用口罩 ", "只").status_code == 302
        masks = Item.objects.get(name="医用口罩")
        assert (masks.unit, masks.whole_units) == ("只", True)
        assert AuditEntry.objects.filter(verb="item.create").count() == 1
        assert self.receive(masks, "500").status_code == 302
        assert Lot.objects.get(item=masks).quantity == 500
        levels = selectors.stock_levels(actor=self.logistics)
        assert [(r["item"], r["unit"], r["quantity"]) for r in levels] == [
            ("医用口罩", "只", Decimal(500))
        ]
        html = self.client_for(self.logistics).get(STOCK).content.decode()
        assert re.search(r"<td>医用口罩</td><td>500 只</td>", html)

    def test_the_same_goods_in_two_units_are_two_items_never_summed(self):
        self.add(self.logistics, "84消毒液", "瓶")
        self.add(self.logistics, "84消毒液", "升", whole=False)
        bottles = Item.objects.get(name="84消毒液", unit="瓶")
        litres = Item.objects.get(name="84消毒液", unit="升")
        assert not litres.whole_units
        self.receive(bottles, "10")
        self.receive(litres, "2.5")
        levels = selectors.stock_levels(actor=self.logistics)
        assert sorted((r["unit"], r["quantity"]) for r in levels) == [
            ("升", Decimal("2.5")),
            ("瓶", Decimal(10)),
        ]
        # A fraction of a bottle is refused: bottles are counted whole.
        response = self.receive(bottles, "1.5")
        assert "not a whole number" in response.content.decode()
        assert Lot.objects.filter(item=bottles).count() == 1

    def test_a_duplicate_or_an_empty_unit_is_refused_with_a_message(self):
        self.add(self.logistics, "医用口罩", "只")
        again = self.add(self.logistics, "医用口罩", "只").content.decode()
        assert "医用口罩 in 只 already exists." in again
        empty = self.add(self.logistics, "防护服", "").content.decode()
        assert "errorbox" in empty or "This field is required" in empty
        assert list(Item.objects.values_list("name", "unit")) == [("医用口罩", "只")]

    def test_someone_outside_the_logistics_group_cannot_add_an_item_type(self):
        response = self.add(self.outsider, "医用口罩", "只")
        assert response.status_code in (403, 404)
        assert not Item.objects.exists()
