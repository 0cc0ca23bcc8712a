"""A roster keeper plans shifts: a double booking is refused naming the person (nothing stored)
until it is confirmed with a reason; on a phone (390×844) and on a desktop."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from fangkong.accounts.demo import DEMO_PASSWORD, populate
from fangkong.accounts.models import User
from fangkong.accounts.roles import Role
from fangkong.checkpoints import services
from fangkong.checkpoints.models import Kind, Shift
from fangkong.core.models import AuditEntry
from fangkong.divisions.models import Division
from fangkong.test import make_user

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}
SHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"


def _login(page, username: str) -> None:
    page.goto(f"{page.base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("[data-testid=login-submit]")
    page.wait_for_url(f"{page.base_url}/")


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _open_checkpoint(name: str):
    staff = User.objects.get(username="staff")
    commander = User.objects.get(username="banner_commander")
    checkpoint = services.checkpoint_request(
        actor=staff,
        name=name,
        division=Division.objects.get(code="152921110"),
        kind=Kind.TOWNSHIP_ROAD,
        department="巴彦浩特镇政府",
        reason="进出道路值守",
    )
    services.checkpoint_approve(actor=commander, checkpoint=checkpoint, reason="同意")
    services.checkpoint_open(actor=staff, checkpoint=checkpoint, reason="到位")
    return checkpoint


@pytest.fixture
def roster():
    populate(rng=random.Random(1), scale=1, out=StringIO())
    east, west = _open_checkpoint("东关卡口"), _open_checkpoint("西口检查点")
    lead = make_user("cp_lead", Role.INSPECTOR, "152921110", display_name="王组长")
    person = User.objects.get(username="inspector")  # 刘检查员
    tz = timezone.get_current_timezone()
    tomorrow = datetime.combine(
        timezone.localdate() + timedelta(days=1), datetime.min.time(), tzinfo=tz
    )
    day = services.shift_create(
        actor=User.objects.get(username="staff"),
        checkpoint=east,
        starts_at=tomorrow + timedelta(hours=8),
        ends_at=tomorrow + timedelta(hours=20),
        leader=User.objects.get(username="grassroots"),
        members=[person],
    )
    return {"east": east, "west": west, "lead": lead, "person": person, "day": day, "at": tomorrow}


@pytest.mark.parametrize("size", SIZES)
def test_a_double_booking_is_refused_by_name_until_confirmed_with_a_reason(page, roster, size):
    page.set_viewport_size(SIZES[size])
    west, person, at = roster["west"], roster["person"], roster["at"]
    _login(page, "staff")
    page.goto(f"{page.base_url}/checkpoints/{west.pk}/roster/?start={at:%Y-%m-%d}")
    page.fill("#id_starts_at", f"{at:%Y-%m-%d}T12:00")
    page.fill("#id_ends_at", f"{at:%Y-%m-%d}T22:00")
    page.select_option("#id_leader", str(roster["lead"].pk))
    page.select_option("#id_members", [str(person.pk)])
    page.click("[data-testid=add-shift]")

    refusal = page.locator(".errorbox")
    expect(refusal).to_contain_text("巴彦浩特镇卡口 刘检查员")
    expect(refusal).to_contain_text("东关卡口")
    expect(refusal).to_contain_text(f"{at:%m-%d} 08:00–20:00")
    expect(page.locator("[data-testid=confirm-override]")).to_be_visible()
    _shot(page, f"rosters-double-booking-refused-{size}")
    assert not Shift.objects.filter(checkpoint=west).exists()

    # Confirming without a reason is refused too; with one, the shift is stored and audited.
    page.click("[data-testid=confirm-override]")
    expect(page.locator(".errorbox")).to_contain_text("请填写重复排班的理由")
    assert not Shift.objects.filter(checkpoint=west).exists()
    page.fill("#id_override_reason", "西口人手不足，临时支援")
    page.click("[data-testid=confirm-override]")
    expect(page.locator(".messages, [role=status]").first).to_contain_text("班次已添加")
    stored = Shift.objects.get(checkpoint=west)
    assert list(stored.members.all()) == [person]
    entry = AuditEntry.objects.get(verb="checkpoint.shift_override")
    assert entry.extra["reason"] == "西口人手不足，临时支援"
    assert entry.extra["clashes"][0]["shift"] == roster["day"].pk
    _shot(page, f"rosters-double-booking-confirmed-{size}")


@pytest.mark.parametrize("size", SIZES)
def test_repeat_a_shift_for_five_days_after_a_preview(page, roster, size):
    page.set_viewport_size(SIZES[size])
    day, at = roster["day"], roster["at"]
    _login(page, "staff")
    page.goto(f"{page.base_url}/checkpoints/{roster['east'].pk}/roster/?start={at:%Y-%m-%d}")
    page.locator("[data-testid=shift-repeat]").first.click()
    page.fill("#id_days", "5")
    page.click("[data-testid=preview]")
    rows = page.locator("[data-testid=plan-row]")
    expect(rows).to_have_count(5)
    expect(rows.first).to_contain_text("08:00–20:00")
    expect(rows.first).to_contain_text("将创建")
    _shot(page, f"rosters-repeat-preview-{size}")
    assert Shift.objects.count() == 1  # the preview keeps nothing
    page.click("[data-testid=confirm-plan]")
    expect(page.locator(".messages").first).to_contain_text("已添加 5 个班次")
    copies = Shift.objects.exclude(pk=day.pk).order_by("starts_at")
    assert copies.count() == 5
    assert [c.starts_at for c in copies] == [day.starts_at + timedelta(days=n) for n in range(1, 6)]
    assert all(list(c.members.all()) == [roster["person"]] for c in copies)
    _shot(page, f"rosters-repeat-done-{size}")


@pytest.mark.parametrize("size", SIZES)
def test_the_banner_hq_sees_gaps_and_double_bookings_and_a_night_shift_once(page, roster, size):
    page.set_viewport_size(SIZES[size])
    staff = User.objects.get(username="staff")
    at, person = roster["at"], roster["person"]
    night = services.shift_create(
        actor=staff,
        checkpoint=roster["east"],
        starts_at=at + timedelta(hours=20),
        ends_at=at + timedelta(hours=32),
        leader=roster["lead"],
        members=[User.objects.get(username="grassroots")],
    )
    services.shift_create(
        actor=staff,
        checkpoint=roster["west"],
        starts_at=at + timedelta(hours=10),
        ends_at=at + timedelta(hours=14),
        leader=roster["lead"],
        members=[person],
        override_reason="西口临时支援",
    )
    _login(page, "banner_commander")
    page.goto(f"{page.base_url}/checkpoints/gaps/")
    banner = page.locator("[data-testid=banner-roster]")
    expect(banner).to_have_count(1)
    expect(banner).to_contain_text("阿拉善左旗")
    expect(banner.locator("[data-testid=double-booking]")).to_have_count(2)
    expect(banner.locator("[data-testid=double-booking]").first).to_contain_text("刘检查员")
    _shot(page, f"rosters-gaps-{size}")
    banner.locator("[data-testid=gap-link]").first.click()
    week = page.locator("[data-testid=week]")
    expect(week.locator("[data-testid=shift-clash]")).to_have_count(1)
    expect(week).to_contain_text("20:00–次日 08:00")
    assert week.locator(f"text={night.leader}").count() >= 1
    _shot(page, f"rosters-week-{size}")


@pytest.mark.parametrize("size", SIZES)
def test_copy_a_week_after_a_preview_and_a_second_copy_is_refused_whole(page, roster, size):
    page.set_viewport_size(SIZES[size])
    east, at, day = roster["east"], roster["at"], roster["day"]
    _login(page, "staff")
    page.goto(f"{page.base_url}/checkpoints/{east.pk}/roster/?start={at:%Y-%m-%d}")
    page.click("[data-testid=copy-week]")
    expect(page.locator("[data-testid=plan-row]")).to_have_count(1)
    expect(page.locator("[data-testid=plan-row]")).to_contain_text("将创建")
    page.click("[data-testid=confirm-plan]")
    expect(page.locator(".messages").first).to_contain_text("已添加 1 个班次")
    copy = Shift.objects.exclude(pk=day.pk).get()
    assert copy.starts_at == day.starts_at + timedelta(days=7)
    # The same copy again would be the same shift twice: refused, with nothing to confirm.
    page.goto(f"{page.base_url}/checkpoints/{east.pk}/roster/copy/?start={at:%Y-%m-%d}")
    expect(page.locator("[data-testid=plan-refused]")).to_have_count(1)
    expect(page.locator("[data-testid=plan-row]")).to_contain_text("刘检查员")
    expect(page.locator("[data-testid=confirm-plan]")).to_have_count(0)
    _shot(page, f"rosters-copy-refused-{size}")
    assert Shift.objects.count() == 2
