"""A member of the public reports a gathering on a phone-sized screen through the QR form;
the sumu worker takes it on and handles it on a phone; the counts on the statistics page and on
the league dashboard change."""

from __future__ import annotations

import io
import random
from datetime import timedelta
from io import StringIO

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from fangkong.accounts.demo import DEMO_PASSWORD, populate
from fangkong.community.models import GatheringReport

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PHONE = {"width": 375, "height": 740}
SUMU = "152921110"  # 巴彦浩特镇: the demo user "grassroots" works here
GACHA = "152921110200"  # 南田村


def _photo_with_exif() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    buf = io.BytesIO()
    Image.new("RGB", (120, 90), (180, 40, 40)).save(buf, "JPEG", exif=exif)
    return buf.getvalue()


def _no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def _figure(page, testid: str) -> int:
    return int(page.locator(f"[data-testid='{testid}']").inner_text().strip())


def test_a_public_report_is_handled_by_the_sumu_worker_and_the_counts_change(page, browser):
    populate(rng=random.Random(1), scale=1, out=StringIO())
    base = page.base_url

    # The sumu worker, on a phone, looks at the statistics first.
    page.set_viewport_size(PHONE)
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "grassroots")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("[data-testid=login-submit]")
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/community/gatherings/stats/")
    reported_before = _figure(page, "stat-reported")
    handled_before = _figure(page, "stat-handled")

    # The league commander keeps the command dashboard open on a desktop.
    hq = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    dashboard = hq.new_page()
    dashboard.set_default_timeout(15_000)
    dashboard.goto(f"{base}/accounts/login/")
    dashboard.fill("#id_username", "commander")
    dashboard.fill("#id_password", DEMO_PASSWORD)
    dashboard.click("[data-testid=login-submit]")
    dashboard.wait_for_url(f"{base}/")
    dashboard.goto(f"{base}/directives/dashboard/")
    league_reported = _figure(dashboard, "figure-community.gatherings.reported")
    league_handled = _figure(dashboard, "figure-community.gatherings.handled")

    # A member of the public scans the QR code: no login, a phone-sized screen.
    public = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True)
    phone = public.new_page()
    phone.set_default_timeout(15_000)
    phone.goto(f"{base}/community/report/?d={SUMU}")
    assert "/accounts/login/" not in phone.url
    assert phone.get_by_role("heading", name="举报聚集性活动").is_visible()
    assert _no_sideways_scroll(phone)
    phone.select_option("#id_division", GACHA)
    phone.select_option("#id_kind", "wedding")
    phone.fill("#id_place", "南田村<b>张家</b>院内")
    when = timezone.localtime() + timedelta(hours=3)
    phone.fill("#id_occurs_at", when.strftime("%Y-%m-%dT%H:%M"))
    phone.fill("#id_estimated_people", "70")
    phone.fill("#id_description", "正在搭棚准备婚宴")
    phone.set_input_files(
        "#id_photos",
        files=[{"name": "wedding.jpg", "mimeType": "image/jpeg", "buffer": _photo_with_exif()}],
    )
    phone.click("[data-testid=submit]")
    phone.wait_for_url("**/community/report/thanks/**")
    assert "已收到" in phone.locator("[data-testid=thanks]").inner_text()
    public.close()

    report = GatheringReport.objects.get(source="public")
    assert report.division_code == GACHA and report.photos.count() == 1

    # The sumu worker sees the new report and handles it on the phone.
    page.goto(f"{base}/community/gatherings/stats/")
    assert _figure(page, "stat-reported") == reported_before + 1
    page.goto(f"{base}/community/")
    page.get_by_role("link", name="婚宴 · 南田村<b>张家</b>院内").click()
    # The click starts a navigation; wait until the detail page has loaded before measuring it.
    expect(page.locator("[data-testid=status]")).to_have_text("已上报")
    page.wait_for_load_state()
    assert _no_sideways_scroll(page)
    assert page.locator(".photos img").count() == 1
    page.click("[data-testid=assign]")
    expect(page.locator("[data-testid=status]")).to_have_text("已指派")
    page.select_option("#id_outcome", "dissuaded")
    page.fill("#id_notes", "已上门劝导，婚宴推迟到疫情结束后")
    page.click("[data-testid=handle]")
    expect(page.locator("[data-testid=status]")).to_have_text("已劝阻")
    assert "分钟" in page.locator(".facts").inner_text()

    page.goto(f"{base}/community/gatherings/stats/")
    assert _figure(page, "stat-handled") == handled_before + 1
    row = page.locator(f"tr[data-code='{GACHA}']")
    assert row.locator("td").nth(2).inner_text() == "1"
    report.refresh_from_db()
    assert report.status == "dissuaded" and report.handled_at is not None

    # The league dashboard counts the report and its handling.
    dashboard.reload()
    assert _figure(dashboard, "figure-community.gatherings.reported") == league_reported + 1
    assert _figure(dashboard, "figure-community.gatherings.handled") == league_handled + 1
    hq.close()
