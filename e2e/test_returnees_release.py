"""A grassroots worker, on a phone, releases people at the end of their observation: nobody
is pre-selected, the person with a fever reading is held back with the reading shown, the
confirm step names who is released, and a held person goes only with a named clearance."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from fangkong.accounts.roles import Role
from fangkong.core.models import AuditEntry
from fangkong.returnees.models import Observation, ObservationStatus
from fangkong.returnees.tests.helpers import ID_2, ID_3, STANDARD_ID, check_days, observe
from fangkong.test import BAYANHAOTE, PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PHONE = {"width": 390, "height": 844}


def _status(obs: Observation) -> str:
    return Observation.objects.get(pk=obs.pk).status


def test_the_release_page_holds_the_fever_person_and_names_who_is_released(
    browser, live_server, divisions
):
    worker = make_user("release_worker", Role.GRASSROOTS, BAYANHAOTE)
    start: date = timezone.localdate() - timedelta(days=14)  # due today
    clean = observe(worker, STANDARD_ID, "张三", start=start)
    check_days(worker, clean)
    fever = observe(worker, ID_2, "李四", start=start)
    fever_day = start + timedelta(days=4)
    check_days(worker, fever, readings={fever_day: "38.1"})
    missed = observe(worker, ID_3, "王五", start=start)
    check_days(worker, missed, skip=(start + timedelta(days=2),))

    context = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "release_worker")
    page.fill("#id_password", PASSWORD)
    page.click("[data-testid=login-submit]")
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/returnees/observations/?view=due")

    # Nobody is pre-selected; the fever person and the one with a missed day show as held.
    boxes = page.locator("input[name=ids]")
    expect(boxes).to_have_count(3)
    for i in range(3):
        expect(boxes.nth(i)).not_to_be_checked()
    held = page.locator(f"[data-testid=release-state-{fever.pk}]")
    expect(held).to_be_visible()
    expect(held).to_contain_text("暂缓解除")
    expect(held).to_contain_text("38.1")
    expect(held).to_contain_text(fever_day.strftime("%m-%d"))
    expect(page.locator(f"[data-testid=release-state-{missed.pk}]")).to_contain_text("无监测记录")
    expect(page.locator(f"[data-testid=release-state-{clean.pk}]")).to_contain_text("可以解除")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.screenshot(path="var/e2e-release-due.png", full_page=True)

    # Pressing release with nothing ticked releases nobody.
    page.click("[data-testid=release-bulk]")
    expect(page.locator(".messages")).to_contain_text("请至少选择一名")
    assert _status(clean) == ObservationStatus.ACTIVE

    page.check(f"[data-testid=release-pick-{clean.pk}]")
    page.check(f"[data-testid=release-pick-{fever.pk}]")
    page.click("[data-testid=release-bulk]")

    # The confirm step names who is released and who stays; nothing has changed yet.
    ready = page.locator("[data-testid=release-ready]")
    expect(ready).to_contain_text("张三")
    expect(ready).not_to_contain_text("李四")
    kept = page.locator("[data-testid=release-held]")
    expect(kept).to_contain_text("李四")
    expect(kept).to_contain_text("38.1")
    expect(page.locator(f"[data-testid=clear-{fever.pk}]")).not_to_be_checked()
    assert _status(clean) == ObservationStatus.ACTIVE
    page.screenshot(path="var/e2e-release-confirm.png", full_page=True)
    page.click("[data-testid=release-confirm-submit]")

    page.wait_for_url(f"{base}/returnees/observations/?view=due")
    expect(page.locator(".messages")).to_contain_text("已解除观察（1 人）：张三")
    expect(page.locator(".messages")).to_contain_text("暂缓解除：李四")
    assert _status(clean) == ObservationStatus.RELEASED
    assert _status(fever) == ObservationStatus.ACTIVE
    assert _status(missed) == ObservationStatus.ACTIVE
    expect(page.locator(f"[data-testid=release-state-{clean.pk}]")).to_have_count(0)

    # The doctor's all-clear: tick the held person and name the clearance.
    page.check(f"[data-testid=release-pick-{fever.pk}]")
    page.click("[data-testid=release-bulk]")
    expect(page.locator("[data-testid=release-none-ready]")).to_be_visible()
    page.check(f"[data-testid=clear-{fever.pk}]")
    page.click("[data-testid=release-confirm-submit]")  # no name yet: refused, said where
    expect(page.locator(".field.has-error")).to_contain_text("请为勾选的人员填写放行人")
    assert _status(fever) == ObservationStatus.ACTIVE
    page.fill("#id_clearance_by", "旗医院 王医生")
    page.fill("#id_clearance_reason", "复查体温正常")
    page.click("[data-testid=release-confirm-submit]")
    page.wait_for_url(f"{base}/returnees/observations/?view=due")
    expect(page.locator(".messages")).to_contain_text("已解除观察（1 人）：李四")
    assert _status(fever) == ObservationStatus.RELEASED
    entry = AuditEntry.objects.get(verb="observation.release_cleared")
    assert entry.target_id == str(fever.pk)
    assert (entry.extra["cleared_by"], entry.extra["reason"]) == ("旗医院 王医生", "复查体温正常")
    assert _status(missed) == ObservationStatus.ACTIVE
    context.close()
