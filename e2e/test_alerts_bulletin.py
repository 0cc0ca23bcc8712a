"""A banner HQ's office sends an SMS bulletin to the grassroots workers of two sumus: the count
of characters and SMS follows the typing, a confirm step names the phones per division, and
the delivery counts show after the worker sends."""

from __future__ import annotations

import pytest

from fangkong.accounts.roles import Role
from fangkong.alerts.models import Bulletin, Delivery
from fangkong.alerts.outbox import outbox_send_due
from fangkong.test import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

SUMU = "152921110"  # 巴彦浩特镇
OTHER_SUMU = "152921102"


def test_an_hq_sends_a_bulletin_to_the_workers_of_chosen_sumus(page):
    base = page.base_url
    make_user("banner_staff", Role.STAFF, "152921", display_name="阿左旗 李干事")
    make_user("w1", Role.GRASSROOTS, "152921110200", phone="13800000001")
    make_user("w2", Role.GRASSROOTS, SUMU, phone="13800000002")
    make_user("w3", Role.GRASSROOTS, OTHER_SUMU, phone="13800000003")
    make_user("w4", Role.GRASSROOTS, "152922103", phone="13800000004")  # another banner

    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "banner_staff")
    page.fill("#id_password", PASSWORD)
    page.click("[data-testid=login-submit]")
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/alerts/bulletins/new/")
    count = page.locator("[data-testid=sms-count]")
    page.fill("#id_text", "字" * 70)
    assert count.inner_text() == "70 个字 · 1 条短信"
    page.fill("#id_text", "字" * 71)
    assert count.inner_text() == "71 个字 · 2 条短信"
    text = "今晚八点前完成入户排查，发现发热立即上报。"
    page.fill("#id_text", text)
    assert count.inner_text() == f"{len(text)} 个字 · 1 条短信"
    picker = page.locator("[data-testid=division-picker]")
    assert picker.locator(f"input[value='{'152922103'}']").count() == 0  # not ours
    picker.locator(f"input[value='{SUMU}']").check()
    picker.locator(f"input[value='{OTHER_SUMU}']").check()
    page.click("[data-testid=bulletin-next]")
    page.locator("[data-testid=bulletin-preview]").wait_for()
    assert page.locator(f"[data-testid=preview-{SUMU}]").inner_text() == "2"
    assert page.locator(f"[data-testid=preview-{OTHER_SUMU}]").inner_text() == "1"
    assert not Delivery.objects.exists()
    page.click("[data-testid=bulletin-send]")
    page.locator("[data-testid=bulletin-counts]").wait_for()
    bulletin = Bulletin.objects.get()
    assert bulletin.status == "sent"
    assert set(Delivery.objects.values_list("phone", flat=True)) == {
        "13800000001",
        "13800000002",
        "13800000003",
    }
    outbox_send_due()  # what the task worker does
    page.reload()
    assert page.locator("[data-testid=bulletin-sent]").inner_text() == "3"
    assert page.locator("[data-testid=bulletin-total]").inner_text() == "3"
