"""A grassroots worker records a fever on a phone; the sumu officer's badge shows it, they open
it and acknowledge it; the banner HQ's dashboard count of unacknowledged alerts goes down."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from fangkong.accounts.roles import Role
from fangkong.alerts.models import Alert, Event
from fangkong.core.models import EmergencyPeriod, ResponseLevel
from fangkong.returnees.models import DailyCheck, KeyGroup
from fangkong.returnees.services import observation_start, returnee_register
from fangkong.returnees.tests.helpers import STANDARD_ID, trip_data
from fangkong.test import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

VILLAGE = "152921110200"  # 南田, in 巴彦浩特镇, 阿拉善左旗
SUMU = "152921110"
BANNER = "152921"


def _login(browser, base, username, *, phone=False):
    viewport = {"width": 390, "height": 844} if phone else {"width": 1280, "height": 800}
    context = browser.new_context(locale="zh-CN", viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("[data-testid=login-submit]")
    page.wait_for_url(f"{base}/")
    return context, page


def test_a_fever_reaches_the_sumu_officer_who_acknowledges_it(page):
    base = page.base_url
    browser = page.context.browser
    worker = make_user("gacha_worker", Role.GRASSROOTS, VILLAGE, display_name="南田 宝音")
    make_user("sumu_officer", Role.GRASSROOTS, SUMU, display_name="巴彦浩特镇 其其格")
    make_user("banner_officer", Role.COMMANDER, BANNER, display_name="阿左旗 张指挥")
    make_user("far_officer", Role.COMMANDER, "152922", display_name="阿右旗 李指挥")
    EmergencyPeriod.objects.create(
        name="本次疫情",
        level=ResponseLevel.LEVEL_II,
        starts_at=timezone.now() - timedelta(days=10),
        observation_days=14,
    )
    trip = returnee_register(
        actor=worker,
        data=trip_data(
            id_number=STANDARD_ID,
            name="王五",
            division_code=VILLAGE,
            key_group=KeyGroup.INBOUND,
            origin_country="韩国",
        ),
    )
    observation = observation_start(actor=worker, trip=trip)

    hq_context, hq = _login(browser, base, "banner_officer")
    hq.goto(f"{base}/directives/dashboard/")
    assert hq.locator("[data-testid=alerts-unacknowledged]").inner_text() == "0"

    # The gacha worker, on a phone, records the evening check: 38.7 °C.
    w_context, wpage = _login(browser, base, "gacha_worker", phone=True)
    wpage.goto(f"{base}/returnees/observations/{observation.pk}/")
    wpage.fill("#id_check-temperature", "38.7")
    wpage.click("[data-testid=check-save]")
    wpage.wait_for_load_state()
    assert DailyCheck.objects.filter(observation=observation, temperature="38.7").exists()
    event = Event.objects.get(kind="fever_recorded")
    assert set(event.alerts.values_list("recipient__username", flat=True)) == {
        "gacha_worker",
        "sumu_officer",
        "banner_officer",
    }
    w_context.close()
    hq.reload()
    assert hq.locator("[data-testid=alerts-unacknowledged]").inner_text() == "1"
    assert hq.locator("[data-testid=alerts-unread]").inner_text() == "1"

    # The sumu officer's badge shows it; they open it and acknowledge it.
    s_context, spage = _login(browser, base, "sumu_officer", phone=True)
    badge = spage.locator("[data-testid=alerts-unread]")
    assert badge.is_visible() and badge.inner_text() == "1"
    spage.click("[data-testid=alerts-badge]")
    row = spage.locator(
        f"[data-testid=alert-{event.alerts.get(recipient__username='sumu_officer').pk}]"
    )
    assert "王五" in row.inner_text() and "38.7" in row.inner_text()
    row.get_by_role("link").click()
    assert spage.locator("[data-testid=alert-title]").inner_text() == "发现发热"
    assert "南田 王五" in spage.locator("[data-testid=alert-text]").inner_text()
    assert spage.locator("[data-testid=alert-record]").get_attribute("href") == (
        f"/returnees/observations/{observation.pk}/"
    )
    assert spage.locator("[data-testid=alerts-unread]").count() == 0  # read now
    spage.click("[data-testid=alert-ack]")
    spage.locator("[data-testid=alert-ack-state]").wait_for()
    assert "巴彦浩特镇 其其格" in spage.locator("[data-testid=alert-ack-state]").inner_text()
    assert spage.locator("[data-testid=alert-ack]").count() == 0
    event.refresh_from_db()
    assert event.acknowledged_by is not None and event.acknowledged_by.username == "sumu_officer"
    assert Alert.objects.get(event=event, recipient__username="sumu_officer").read_at is not None
    s_context.close()

    # The banner HQ's dashboard: nothing left unacknowledged; the alert shows who acknowledged.
    hq.reload()
    assert hq.locator("[data-testid=alerts-unacknowledged]").inner_text() == "0"
    hq.goto(f"{base}/alerts/")
    assert "巴彦浩特镇 其其格" in hq.locator("[data-testid=alert-list]").inner_text()
    hq_context.close()
