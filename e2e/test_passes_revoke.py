"""The transport official revokes a pass: a confirm step names the plate and the driver, and
nothing is revoked until it is confirmed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from fangkong.accounts.roles import Role
from fangkong.passes import services
from fangkong.passes.models import GreenPass
from fangkong.test import PASSWORD, division, make_user

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture
def green(settings: Any, tmp_path: Path, divisions: None) -> GreenPass:
    settings.FANGKONG_KEY_DIR = tmp_path / "keys"
    left = division("152921")
    services.key_create(actor=None, division=left, now=timezone.now())
    make_user("transport", Role.TRANSPORT, "152921")
    return services.pass_create_full(
        actor=None,
        division=left,
        plate="蒙M12345",
        cargo="medical",
        origin="152921",
        destination="银川市",
        driver_name="张三",
        driver_id_number="152921199001010013",
        now=timezone.now(),
    )


def _login(page: Any, username: str) -> None:
    page.goto(f"{page.base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("[data-testid=login-submit]")
    page.wait_for_url(f"{page.base_url}/")


def test_revoking_a_pass_waits_for_the_confirm_step(page: Any, green: GreenPass) -> None:
    _login(page, "transport")
    page.goto(f"{page.base_url}/passes/{green.pk}/")
    page.fill("input[name=reason]", "车辆更换")
    page.click("[data-testid=revoke]")

    confirm = page.locator("[data-testid=revoke-confirm]")
    expect(confirm).to_be_visible()
    expect(page.locator("[data-testid=revoke-plate]")).to_have_text("蒙M12345")
    expect(page.locator("[data-testid=revoke-driver]")).to_contain_text("张三")
    expect(page.locator("[data-testid=revoke-reason]")).to_have_value("车辆更换")
    green.refresh_from_db()
    assert green.status == GreenPass.Status.ISSUED
    assert green.revoked_at is None

    # Cancelling leaves the pass valid.
    page.click("[data-testid=revoke-cancel]")
    expect(page.locator("[data-testid=status]")).to_have_text("已签发")
    green.refresh_from_db()
    assert green.is_valid_at(timezone.now())

    # The reason is required on the confirm step too.
    page.fill("input[name=reason]", "车辆更换")
    page.click("[data-testid=revoke]")
    page.fill("[data-testid=revoke-reason]", "")
    page.click("[data-testid=revoke-confirm-submit]")
    expect(confirm).to_be_visible()  # the browser refuses the empty required field
    green.refresh_from_db()
    assert green.status == GreenPass.Status.ISSUED

    page.fill("[data-testid=revoke-reason]", "车辆更换，司机离岗")
    page.click("[data-testid=revoke-confirm-submit]")
    expect(page.locator("[data-testid=status]")).to_contain_text("已吊销")
    green.refresh_from_db()
    assert green.status == GreenPass.Status.REVOKED
    assert green.revoked_reason == "车辆更换，司机离岗"
    assert not green.is_valid_at(timezone.now())
