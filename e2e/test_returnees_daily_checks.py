"""A grassroots worker records two checks of one person on the same day on a phone (390×844),
one-handed: big targets, no sideways scrolling; both readings are kept and shown, on the
observation and on the person's page, and the fever counts on the dashboard."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from fangkong.accounts.roles import Role
from fangkong.core.rollups import figures
from fangkong.returnees import metrics
from fangkong.returnees.models import DailyCheck
from fangkong.returnees.tests.helpers import STANDARD_ID, observe
from fangkong.test import BAYANHAOTE, PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PHONE = {"width": 390, "height": 844}
THUMB = 44  # px: the smallest target a thumb hits reliably


def _box(page, selector: str) -> dict[str, float]:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, selector
    return box


def test_two_checks_on_one_day_are_both_kept_and_the_fever_counts(browser, live_server, divisions):
    worker = make_user("check_worker", Role.GRASSROOTS, BAYANHAOTE)
    obs = observe(worker, STANDARD_ID, "张三", start=timezone.localdate() - timedelta(days=3))
    context = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "check_worker")
    page.fill("#id_password", PASSWORD)
    page.click("[data-testid=login-submit]")
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/returnees/observations/{obs.pk}/")

    # One-handed on a phone: nothing wider than the screen, every target thumb-sized.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert _box(page, "#id_check-temperature")["height"] >= THUMB
    assert page.get_attribute("#id_check-temperature", "inputmode") == "decimal"
    for label in page.locator("#id_check-contact label").all():
        box = label.bounding_box()
        assert box is not None and box["height"] >= THUMB
    for label in page.locator("#id_check-symptoms label").all():
        box = label.bounding_box()
        assert box is not None and box["height"] >= THUMB
    save = _box(page, "[data-testid=check-save]")
    assert save["height"] >= THUMB and save["width"] >= PHONE["width"] * 0.7

    # The morning check by phone, normal.
    page.fill("#id_check-temperature", "36.6")
    page.get_by_label("电话").check()
    page.screenshot(path="var/e2e-check-form.png", full_page=True)
    page.click("[data-testid=check-save]")
    expect(page.locator("[data-testid=check-row]")).to_have_count(1)
    expect(page.locator("[data-testid=checks-today]")).to_be_visible()

    # The evening check at the door: a fever and a cough. It adds, it overwrites nothing.
    page.fill("#id_check-temperature", "37.8")
    page.get_by_label("上门").check()
    page.get_by_label("干咳").check()
    page.click("[data-testid=check-save]")
    rows = page.locator("[data-testid=check-row]")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("37.8")
    expect(rows.nth(0)).to_contain_text("发热")
    expect(rows.nth(0)).to_contain_text("干咳")
    expect(rows.nth(0)).to_contain_text("check_worker")
    expect(rows.nth(1)).to_contain_text("36.6")
    expect(rows.nth(1)).to_contain_text("电话")
    page.screenshot(path="var/e2e-check-two.png", full_page=True)
    kept = sorted((str(t), c) for t, c in DailyCheck.objects.values_list("temperature", "contact"))
    assert kept == [("36.6", "phone"), ("37.8", "visit")]
    today = figures(["1529"], [metrics.FEVER, metrics.CHECKS_DONE], on=timezone.localdate())
    assert today[metrics.FEVER]["today"] == 1
    assert today[metrics.CHECKS_DONE]["today"] == 1  # one person checked

    # The person's page shows both checks.
    page.goto(f"{base}/returnees/people/{obs.person_id}/")
    timeline = page.locator("[data-testid=timeline-check]")
    expect(timeline).to_have_count(2)
    expect(timeline.nth(1)).to_contain_text("37.8")
    context.close()
