"""A member of the public asks for help on a phone, the gacha worker answers, the requester
sees the answer with the receipt number."""

from __future__ import annotations

import pytest

from fangkong.accounts.roles import Role
from fangkong.divisions.models import Division, Level
from fangkong.test import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_the_public_asks_on_a_phone_the_worker_answers_and_the_requester_sees_it(page):
    base = page.base_url
    village = (
        Division.objects.filter(code__startswith="152921110", level=Level.VILLAGE)
        .order_by("code")
        .first()
    )
    assert village is not None
    make_user("gacha_worker", Role.GRASSROOTS, village.code, display_name="嘎查 宝音")

    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(f"{base}/assistance/help/ask/?d={village.code}&via=qr")
    assert page.locator("#id_division").input_value() == village.code
    page.fill("#id_name", "其其格")
    page.fill("#id_phone", "139 1234 5678")
    page.select_option("#id_category", "medicine")
    page.select_option("#id_urgency", "urgent")
    page.fill("#id_description", "老人降压药吃完了，无法出门")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the form is wider than the phone: {width}px"
    page.click("[data-testid=help-submit]")
    page.locator("[data-testid=receipt]").wait_for()
    receipt = page.locator("[data-testid=receipt]").inner_text().strip()
    assert receipt.startswith("H") and len(receipt) == 9

    worker = page.context.browser.new_context(locale="zh-CN")  # the worker's own phone
    wpage = worker.new_page()
    wpage.set_default_timeout(15_000)
    wpage.goto(f"{base}/accounts/login/")
    wpage.fill("#id_username", "gacha_worker")
    wpage.fill("#id_password", PASSWORD)
    wpage.click("[data-testid=login-submit]")
    wpage.wait_for_url(f"{base}/")
    wpage.goto(f"{base}/assistance/help/?status=open")
    wpage.get_by_role("link", name=receipt).click()
    wpage.fill("#id_note", "村医今天下午三点前送药上门，请保持电话畅通。")
    wpage.click("[data-testid=answer-submit]")
    wpage.wait_for_url(f"{base}/assistance/help/*/")
    worker.close()

    page.goto(f"{base}/assistance/help/status/")
    page.fill("#id_receipt_number", receipt)
    page.fill("#id_phone_last4", "1111")
    page.click("[data-testid=status-submit]")
    page.locator(".errorbox").wait_for()
    assert page.locator("[data-testid=answer]").count() == 0
    page.fill("#id_receipt_number", receipt)
    page.fill("#id_phone_last4", "5678")
    page.click("[data-testid=status-submit]")
    page.locator("[data-testid=answer]").wait_for()
    answer = page.locator("[data-testid=answer]").inner_text()
    assert "村医今天下午三点前送药上门" in answer
