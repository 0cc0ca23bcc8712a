"""The league commander opens the dashboard, drills down to a banner, downloads the daily report
and follows the matrix on a phone (the banner's own report: test_directives_banner_report)."""

from __future__ import annotations

import random
from datetime import timedelta
from io import StringIO

import pytest
from django.db import transaction
from django.utils import timezone
from playwright.sync_api import expect

from fangkong.accounts.demo import DEMO_PASSWORD
from fangkong.accounts.demo import populate as populate_users
from fangkong.core import rollups
from fangkong.directives.demo import populate as populate_directives

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def _login(page, username: str) -> None:
    page.goto(f"{page.base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("[data-testid=login-submit]")
    page.wait_for_url(f"{page.base_url}/")


def test_the_commander_drills_down_to_a_banner_and_downloads_the_daily_report(page):
    populate_users(rng=random.Random(1), scale=1, out=StringIO())
    populate_directives(rng=random.Random(2), scale=1, out=StringIO())
    today = timezone.localdate()
    with transaction.atomic():
        rollups.bump("directives.reports.submitted", "152921110201", today - timedelta(days=1), 2)
        fast = rollups.STATISTICS["checkpoints.fast_pass.scan_ms"]
        assert isinstance(fast, rollups.Median)
        rollups.bump_many([(fast.bucket_metric(ms), "152921110201", today, 1) for ms in (300, 650)])
    _login(page, "commander")

    page.locator("nav.mainnav").get_by_role("link", name="指挥大屏").click()
    expect(page.locator("[data-testid=dashboard-division]")).to_contain_text("阿拉善盟")
    assert page.locator("[data-testid=group-directives]").is_visible()
    page.wait_for_selector("#chart-series canvas")

    page.click("[data-testid=drill-152921]")
    page.wait_for_url("**division=152921**")
    assert "阿拉善左旗" in page.locator("[data-testid=dashboard-division]").inner_text()
    assert page.locator("[data-testid=drill-152921110]").is_visible()
    page.wait_for_selector("#chart-children canvas")
    # The median fast-pass time of the banner's green-channel vehicles, with its bucket.
    median = page.locator('[data-testid="figure-checkpoints.fast_pass.scan_ms"]')
    assert median.inner_text() == "200 毫秒 至 400 毫秒"
    detail = page.locator('[data-testid="detail-checkpoints.fast_pass.scan_ms"]').inner_text()
    assert "共 2 条记录" in detail and "200 毫秒 至 400 毫秒" in detail

    with page.expect_download() as xlsx_info:
        page.click("[data-testid=report-xlsx]")
    assert xlsx_info.value.suggested_filename.startswith("daily-report-152921000000-")
    with page.expect_download() as pdf_info:
        page.click("[data-testid=report-pdf]")
    path = pdf_info.value.path()
    with open(path, "rb") as handle:
        assert handle.read(4) == b"%PDF"


def test_the_commander_sees_the_matrix_on_a_phone(page):
    populate_users(rng=random.Random(1), scale=1, out=StringIO())
    populate_directives(rng=random.Random(2), scale=1, out=StringIO())
    page.set_viewport_size({"width": 375, "height": 740})
    _login(page, "commander")
    page.goto(f"{page.base_url}/directives/")
    page.locator("[data-testid=notice-list] a").first.click()
    expect(page.locator("[data-testid=matrix]")).to_be_visible()
    assert page.locator("[data-testid=matrix] .status-done").count() >= 1
    assert page.locator("[data-testid=matrix] .overdue").count() >= 1
    assert page.locator("[data-testid=matrix] .returned").count() >= 1
