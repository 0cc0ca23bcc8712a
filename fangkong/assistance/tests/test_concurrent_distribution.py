"""8 processes each making 500 distributions from the same stock at once (PostgreSQL)."""

from __future__ import annotations

import multiprocessing
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.db.models import Sum

from fangkong.accounts.roles import Role
from fangkong.assistance.models import Delivery, Lot, StockMovement
from fangkong.test import LEAGUE, LEFT_BANNER, make_user

PROCESSES = 8
EACH = 500
STOCK = 3000


def _worker(args: tuple[int, int, int, int]) -> int:
    from django.core.exceptions import ValidationError

    from fangkong.accounts.models import User
    from fangkong.assistance.models import Household, Item, Warehouse
    from fangkong.assistance.services import donations

    connections.close_all()  # never share the parent's connection
    user_id, warehouse_id, item_id, household_id = args
    actor = User.objects.get(pk=user_id)
    warehouse = Warehouse.objects.get(pk=warehouse_id)
    item = Item.objects.get(pk=item_id)
    household = Household.objects.get(pk=household_id)
    made = 0
    for _ in range(EACH):
        try:
            donations.distribution_create(
                actor=actor, warehouse=warehouse, item=item, household=household,
                quantity=Decimal(1),
            )  # fmt: skip
        except ValidationError:
            continue
        made += 1
    connections.close_all()
    return made


@pytest.fixture
def divisions_loaded(transactional_db: None) -> None:
    from pathlib import Path

    from django.conf import settings

    from fangkong.divisions.models import Division
    from fangkong.divisions.services import divisions_load_file

    if not Division.objects.exists():
        divisions_load_file(path=Path(settings.BASE_DIR) / "data" / "alxa_divisions.csv")


@pytest.mark.django_db(transaction=True)
def test_concurrent_distributions_never_overdraw_and_the_ledger_sums_exactly(divisions_loaded):
    if connection.vendor != "postgresql":
        pytest.skip("the concurrency test needs PostgreSQL (SQLite serialises every write)")
    from fangkong.assistance.tests.factories import household, stock, village

    logistics = make_user("log", Role.LOGISTICS, LEAGUE)
    caseworker = make_user("cw", Role.CASEWORKER, LEFT_BANNER)
    home = household(caseworker, village(), seed=1)
    warehouse, item = stock(logistics, STOCK)
    connections.close_all()
    args = (logistics.pk, warehouse.pk, item.pk, home.pk)
    with multiprocessing.get_context("fork").Pool(PROCESSES) as pool:
        made = pool.map(_worker, [args] * PROCESSES)
    assert sum(made) == STOCK
    assert Delivery.objects.count() == STOCK
    ledger = StockMovement.objects.filter(item=item).aggregate(s=Sum("quantity"))["s"]
    assert ledger == 0
    assert Lot.objects.get(item=item).remaining == 0
    out = StockMovement.objects.filter(item=item, kind="distribution")
    assert out.count() == STOCK
    assert out.values("delivery").distinct().count() == STOCK
