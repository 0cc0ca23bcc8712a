"""A sumu worker requests a checkpoint, the banner commander approves and opens it, the roster
shows the uncovered time in red, and a member of the public reports an unauthorised one."""

from __future__ import annotations

import random
from io import StringIO

import pytest
from playwright.sync_api import expect

from fangkong.accounts.demo import DEMO_PASSWORD, populate
from fangkong.checkpoints.models import Checkpoint, Status, UnauthorisedReport

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def _login(page, username: str) -> None:
    page.goto(f"{page.base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("[data-testid=login-submit]")
    page.wait_for_url(f"{page.base_url}/")


def _logout(page) -> None:
    page.click("[data-testid=logout]")
    page.wait_for_url("**/accounts/login/")


def test_a_checkpoint_goes_from_request_to_open_with_its_gaps_in_red(page):
    populate(rng=random.Random(1), scale=1, out=StringIO())
    base = page.base_url

    _login(page, "grassroots")
    page.goto(f"{base}/checkpoints/")
    page.click("[data-testid=checkpoint-request]")
    page.fill("#id_name", "东关村口卡点")
    page.fill("#id_division", "152921110201")
    page.select_option("#id_kind", "village_entrance")
    page.fill("#id_location", "东关村进村路口")
    page.fill("#id_latitude", "38.852")
    page.fill("#id_longitude", "105.735")
    page.fill("#id_department", "巴彦浩特镇政府")
    page.fill("#id_reason", "外来车辆较多，需要24小时值守")
    page.click("[data-testid=submit]")
    expect(page.locator("[data-testid=status]")).to_have_text("已申请")
    checkpoint = Checkpoint.objects.get(name="东关村口卡点")
    _logout(page)

    _login(page, "banner_commander")
    page.locator("nav.mainnav").get_by_role("link", name="审批").click()
    card = page.locator("[data-testid=request]", has_text="东关村口卡点")
    card.locator("textarea").fill("同意设立")
    card.locator(f"[data-testid=approve-{checkpoint.pk}]").click()
    expect(page.locator("[data-testid=status]")).to_have_text("已批准")
    page.fill("#reason-open", "人员已到位")
    page.click("[data-testid=action-open]")
    expect(page.locator("[data-testid=status]")).to_have_text("值守中")
    assert "同意设立" in page.locator("[data-testid=history]").inner_text()
    checkpoint.refresh_from_db()
    assert checkpoint.status == Status.OPEN

    page.click("text=排班表")
    week = page.locator("[data-testid=week]")
    expect(week.locator("[data-testid=gap]")).to_have_count(7)
    colour = week.locator("[data-testid=gap]").first.evaluate("e => getComputedStyle(e).color")
    assert colour == "rgb(164, 22, 26)"

    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(f"{base}/checkpoints/")
    expect(
        page.locator("[data-testid=checkpoint-table]").get_by_text("东关村口卡点")
    ).to_be_visible()
    assert page.locator("#checkpoint-map canvas").count() == 1


def test_the_public_reports_an_unauthorised_checkpoint_without_logging_in(page):
    page.goto(f"{page.base_url}/checkpoints/report/")
    page.fill("#id_division", "152921111")
    page.fill("#id_location", "X501 路段 12 公里处")
    page.fill("#id_description", "有人设路障拦车")
    page.click("[data-testid=report-submit]")
    expect(page.locator("[data-testid=report-thanks]")).to_be_visible()
    assert UnauthorisedReport.objects.get().division_code == "152921111"
