from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Sum
from django.utils import timezone

from fangkong.accounts.roles import Role
from fangkong.assistance import metrics
from fangkong.assistance.models import Delivery, Lot, StockMovement
from fangkong.assistance.services import donations
from fangkong.assistance.tests.factories import EnglishTestCase, household, stock, village
from fangkong.core.rollups import figures, rebuild
from fangkong.test import LEAGUE, LEFT_BANNER, make_user

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f"
    b"\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa75\x81\x84\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)


class DonationTests(EnglishTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.logistics = make_user("log", Role.LOGISTICS, LEAGUE)
        cls.caseworker = make_user("cw", Role.CASEWORKER, LEFT_BANNER)
        cls.home = household(cls.caseworker, village(), seed=1)
        cls.home2 = household(cls.caseworker, village(), seed=2, category="tekun")

    def test_stock_is_the_sum_of_the_ledger_and_draws_the_oldest_expiry_first(self):
        warehouse, item = stock(self.logistics, 10)
        donor = donations.donor_create(actor=self.logistics, kind="person", name="好心人")
        early = donations.lot_receive(
            actor=self.logistics, donor=donor, warehouse=warehouse, item=item,
            quantity=Decimal(4), expires_on=__import__("datetime").date(2020, 3, 1),
        )  # fmt: skip
        donations.distribution_create(
            actor=self.logistics, warehouse=warehouse, item=item, household=self.home,
            quantity=Decimal(6),
        )  # fmt: skip
        early.refresh_from_db()
        assert early.remaining == 0
        total = StockMovement.objects.filter(warehouse=warehouse, item=item).aggregate(
            s=Sum("quantity")
        )["s"]
        assert total == 8
        assert sum(lot.remaining for lot in Lot.objects.filter(item=item)) == 8
        on = metrics.day_of(timezone.now())
        assert figures([LEAGUE], [metrics.STOCK_UNITS], on=on)[metrics.STOCK_UNITS]["total"] == 8
        rebuild([metrics.STOCK_UNITS])
        assert figures([LEAGUE], [metrics.STOCK_UNITS], on=on)[metrics.STOCK_UNITS]["total"] == 8

    def test_fractions_negatives_and_overdrawing_are_refused_and_nothing_changes(self):
        warehouse, item = stock(self.logistics, 5)
        for quantity, message in [
            (Decimal("1.5"), "not a whole number"),
            (Decimal(-1), "more than zero"),
            (Decimal(6), "5 袋 left, 6 asked"),
        ]:
            with self.assertRaisesMessage(ValidationError, message):
                donations.distribution_create(
                    actor=self.logistics, warehouse=warehouse, item=item, household=self.home,
                    quantity=quantity,
                )  # fmt: skip
        assert Delivery.objects.count() == 0
        assert StockMovement.objects.count() == 1

    def test_weighed_items_take_fractions(self):
        warehouse, item = stock(self.logistics, 5, whole=False)
        donations.distribution_create(
            actor=self.logistics, warehouse=warehouse, item=item, household=self.home,
            quantity=Decimal("2.5"),
        )  # fmt: skip
        assert Lot.objects.get(item=item).remaining == Decimal("2.5")

    def test_a_plan_is_all_or_nothing(self):
        warehouse, item = stock(self.logistics, 1)
        with self.assertRaisesMessage(ValidationError, "Not enough"):
            donations.distribution_plan_create(
                actor=self.logistics, plan_name="p", warehouse=warehouse, item=item,
                quantity_each=Decimal(1), division=village(),
            )  # fmt: skip
        assert Delivery.objects.count() == 0
        plan = donations.distribution_plan_create(
            actor=self.logistics, plan_name="p", warehouse=warehouse, item=item,
            quantity_each=Decimal(1), division=village(), category="tekun",
        )  # fmt: skip
        assert [d.household for d in plan] == [self.home2]

    def test_delivery_needs_proof_and_happens_once_and_the_donation_is_traced(self):
        warehouse, item = stock(self.logistics, 5)
        delivery = donations.distribution_create(
            actor=self.logistics, warehouse=warehouse, item=item, household=self.home,
            quantity=Decimal(2),
        )  # fmt: skip
        with self.assertRaisesMessage(ValidationError, "does not match"):
            donations.delivery_confirm(
                actor=self.logistics, delivery=delivery, proof_kind="receipt_code",
                receipt_code="WRONG1",
            )  # fmt: skip
        with self.assertRaisesMessage(ValidationError, "Attach"):
            donations.delivery_confirm(actor=self.logistics, delivery=delivery, proof_kind="photo")
        donations.delivery_confirm(
            actor=self.logistics, delivery=delivery, proof_kind="signature",
            proof_file=SimpleUploadedFile("sig.png", PNG, content_type="image/png"),
        )  # fmt: skip
        with self.assertRaisesMessage(ValidationError, "already confirmed"):
            donations.delivery_confirm(
                actor=self.logistics, delivery=delivery, proof_kind="receipt_code",
                receipt_code=delivery.receipt_code,
            )  # fmt: skip
        lot = Lot.objects.get(item=item)
        client = self.client_for(self.logistics)
        trace = client.get(f"/api/v1/assistance/lots/{lot.pk}/trace").json()
        assert [(t["kind"], t["household_id"], t["delivered"]) for t in trace] == [
            ("receipt", None, False),
            ("distribution", self.home.pk, True),
        ]
        assert (
            self.home.head_name in client.get(f"/assistance/stock/lots/{lot.pk}/").content.decode()
        )

    def test_pages_and_api_and_the_outsider(self):
        warehouse, item = stock(self.logistics, 5)
        client = self.client_for(self.logistics)
        made = client.post(
            "/api/v1/assistance/distributions",
            {"warehouse_id": warehouse.pk, "item_id": item.pk, "household_id": self.home.pk,
             "quantity": "7"},
            content_type="application/json",
        )  # fmt: skip
        assert made.status_code == 422 and "5 袋 left, 7 asked" in made.json()["detail"]
        made = client.post(
            "/api/v1/assistance/distributions",
            {"warehouse_id": warehouse.pk, "item_id": item.pk, "household_id": self.home.pk,
             "quantity": "2"},
            content_type="application/json",
        )  # fmt: skip
        assert made.status_code == 201
        delivery_id = made.json()["id"]
        page = client.post(
            f"/assistance/deliveries/{delivery_id}/",
            {"proof_kind": "receipt_code", "receipt_code": made.json()["receipt_code"]},
        )
        assert page.status_code == 302
        stock_page = client.get("/api/v1/assistance/stock").json()
        assert stock_page[0]["quantity"] == "3"
        outsider = self.client_for(self.outsider)
        assert outsider.get(f"/assistance/deliveries/{delivery_id}/").status_code == 404
        assert outsider.get("/api/v1/assistance/stock").json() == []
        other = outsider.post(
            "/api/v1/assistance/distributions",
            {"warehouse_id": warehouse.pk, "item_id": item.pk, "household_id": self.home.pk,
             "quantity": "1"},
            content_type="application/json",
        )  # fmt: skip
        assert other.status_code == 404
