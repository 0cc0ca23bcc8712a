"""Log in as the demo commander in Chinese, see the home page, switch to English, log out."""

from __future__ import annotations

import random
from io import StringIO

import pytest
from playwright.sync_api import expect

from fangkong.accounts.demo import DEMO_PASSWORD, populate

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_the_demo_commander_logs_in_in_chinese_switches_to_english_and_logs_out(page):
    populate(rng=random.Random(1), scale=1, out=StringIO())
    base = page.base_url

    page.goto(f"{base}/")
    assert "/accounts/login/" in page.url
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    page.fill("#id_username", "commander")
    page.fill("#id_password", "wrong-password")
    page.click("[data-testid=login-submit]")
    assert "用户名或密码错误" in page.locator("[data-testid=login-error]").inner_text()

    page.fill("#id_username", "commander")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("[data-testid=login-submit]")
    page.wait_for_url(f"{base}/")
    assert "欢迎" in page.locator("[data-testid=home-title]").inner_text()
    assert "盟指挥部 王指挥" in page.locator("[data-testid=who]").inner_text()
    assert page.locator("nav.mainnav").get_by_role("link", name="操作日志").is_visible()

    page.click("[data-testid=lang-en]")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert "Welcome" in page.locator("[data-testid=home-title]").inner_text()
    expect(page.locator("nav.mainnav").get_by_role("link", name="Audit trail")).to_be_visible()

    page.click("[data-testid=logout]")
    page.wait_for_url("**/accounts/login/")
    assert page.get_by_role("heading", name="Log in").is_visible()
    page.goto(f"{base}/")
    assert "/accounts/login/" in page.url


def test_a_phone_sized_screen_gets_the_folded_menu(page):
    populate(rng=random.Random(1), scale=1, out=StringIO())
    base = page.base_url
    page.set_viewport_size({"width": 375, "height": 700})
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "grassroots")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("[data-testid=login-submit]")
    page.wait_for_url(f"{base}/")
    nav = page.locator("nav.mainnav")
    assert not nav.is_visible()
    page.click("label.nav-toggle-label")
    expect(nav).to_be_visible()
    page.get_by_role("link", name="行政区划").first.click()
    page.fill("[data-testid=division-search]", "byht")
    page.wait_for_selector("[data-testid=division-results] >> text=巴彦浩特镇")
