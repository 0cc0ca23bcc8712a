"""A dashboard figure opens the list behind it, as long as the figure, on a phone and a desktop;
the 日报 page does the same; in English no card or label is clipped."""

from __future__ import annotations

import os
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from fangkong.accounts.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
SHOTS = Path(os.environ.get("FANGKONG_SCREENSHOTS", "var/screens"))


def _login(page, username: str) -> None:
    page.goto(f"{page.base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("[data-testid=login-submit]")
    page.wait_for_url(f"{page.base_url}/")


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _follow(page, testid: str) -> tuple[int, int]:
    """Click a figure's link; (the figure, the rows of the list it opened)."""
    link = page.locator(f'[data-testid="{testid}"]')
    figure = int(link.inner_text())
    link.click()
    page.wait_for_selector("[data-testid=records]")
    rows = page.locator("[data-testid=record-row]")
    assert rows.count() == 0 or rows.first.is_visible()
    return figure, rows.count()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_dashboard_figure_opens_a_list_with_as_many_rows(page, viewport):
    call_command("demo", stdout=StringIO())
    page.set_viewport_size(viewport)
    _login(page, "commander")
    page.goto(f"{page.base_url}/directives/dashboard/")
    _shot(page, f"dashboard-{viewport['width']}")
    figure, rows = _follow(page, "link-returnees.fever")
    assert figure > 0 and rows == figure
    assert "每日监测发现发热" in page.locator("h1").inner_text()
    _shot(page, f"fever-list-{viewport['width']}")
    page.go_back()
    figure, rows = _follow(page, "link-checkpoints.passages.flagged")
    assert rows == figure
    # A banner's cell of the grid below opens that banner's own list.
    page.go_back()
    cell = page.locator('[data-testid=children] a[href*="metric=returnees.registered"]').first
    value = int(cell.inner_text())
    cell.click()
    page.wait_for_selector("[data-testid=records]")
    assert page.locator("[data-testid=record-row]").count() == min(value, 50)
    assert int(page.locator("[data-testid=records-count]").get_attribute("data-count")) == value


def test_the_daily_report_page_opens_the_same_lists_and_english_cards_fit(page):
    call_command("demo", stdout=StringIO())
    page.set_viewport_size(PHONE)
    _login(page, "commander")
    page.goto(f"{page.base_url}/directives/dashboard/")
    page.click("[data-testid=report-html]")
    page.wait_for_selector("[data-testid=report-header]")
    assert "阿拉善盟疫情防控工作指挥部" in page.locator("[data-testid=report-header]").inner_text()
    _shot(page, "daily-report-390")
    figure, rows = _follow(page, "report-link-returnees.checks_done")
    assert figure > 0 and rows == figure
    # In English: the figure labels are English, and no card, label or number is clipped.
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": page.base_url}])
    page.goto(f"{page.base_url}/directives/dashboard/")
    text = page.locator("[data-testid=group-checkpoints]").inner_text()
    assert "Passages: Fast-passed" in text or "Passages:" in text
    assert "Pass checks: valid" in page.locator("[data-testid=group-passes]").inner_text()
    assert _clipped(page) == []
    wide = page.evaluate("document.documentElement.scrollWidth")
    assert wide <= PHONE["width"]
    _shot(page, "dashboard-en-390")
    page.set_viewport_size(DESKTOP)
    page.reload()
    assert _clipped(page) == []
    _shot(page, "dashboard-en-1366")


def _clipped(page) -> list[str]:
    """Cards, headings and figure cells whose content is wider than the box showing it."""
    return page.evaluate(
        """() => [...document.querySelectorAll('.card, .card h2, .figures th, .figures td')]
            .filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.textContent.slice(0, 40))"""
    )
