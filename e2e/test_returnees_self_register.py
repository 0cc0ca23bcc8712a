"""A returnee self-registers on a phone from the poster's page; the grassroots worker finds
them and confirms the arrival."""

from __future__ import annotations

import random
from io import StringIO

import pytest

from fangkong.accounts.demo import DEMO_PASSWORD
from fangkong.accounts.demo import populate as populate_users
from fangkong.returnees.models import ReturnTrip, TripStatus

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

VILLAGE = "152921110200"  # 南田村, in the demo grassroots worker's town


def test_a_returnee_self_registers_on_a_phone_and_a_worker_confirms_the_arrival(
    browser, live_server, divisions
):
    populate_users(rng=random.Random(1), scale=1, out=StringIO())
    base = live_server.url

    phone = browser.new_context(
        locale="zh-CN", viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True
    )
    page = phone.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base}/returnees/r/{VILLAGE}/")
    assert "南田村" in page.locator("main").inner_text()
    # Nothing is wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.fill("#id_id_number", "11010519491231002X")
    page.fill("#id_name", "张三")
    page.fill("#id_mobile", "13812345678")
    page.select_option("#id_key_group", "inbound")
    page.fill("#id_origin_country", "韩国")
    page.select_option("#id_transport", "flight")
    page.fill("#id_transport_number", "KE833")
    page.fill("#id_departure_date", "2020-02-03")
    page.fill("#id_arrival_date", "2020-02-04")
    page.click("[data-testid=self-submit]")
    receipt = page.locator("[data-testid=receipt] strong").inner_text()
    trip = ReturnTrip.objects.get()
    assert receipt == trip.receipt
    assert trip.registered_via == "self" and trip.division_code == VILLAGE
    phone.close()

    desk = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800})
    page = desk.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "grassroots")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("[data-testid=login-submit]")
    page.wait_for_url(f"{base}/")
    page.locator("nav.mainnav").get_by_role("link", name="返程人员").click()
    page.fill("#id_q", "zs")
    page.locator("[data-testid=trip-filters] button[type=submit]").click()
    page.locator("[data-testid=trip-table]").get_by_role("link", name="张三").click()
    assert "入境人员" in page.locator("[data-testid=trip-title]").inner_text()
    page.click("[data-testid=confirm-arrival]")
    page.wait_for_load_state()
    trip.refresh_from_db()
    assert trip.status == TripStatus.ARRIVED
    assert trip.observation.status == "active"  # inbound: observation starts by the rules
    assert page.locator("[data-testid=trip-status]").inner_text() == "已确认到达"
    desk.close()
