"""The duty page as an inspector's phone shows it: a red verdict never offers a fast pass, the
trust list refreshes itself while the page stays open, and the server flags what it must."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from fangkong.accounts.roles import Role
from fangkong.checkpoints.models import Checkpoint, Passage
from fangkong.checkpoints.tests.helpers import opened
from fangkong.lib import signing
from fangkong.passes import keystore, services, trust
from fangkong.passes.models import GreenPass
from fangkong.test import PASSWORD, division, make_user

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def keys(settings: Any, tmp_path: Path) -> None:
    settings.FANGKONG_KEY_DIR = tmp_path / "keys"
    services.key_create(actor=None, division=division("152921"), now=timezone.now())


@pytest.fixture
def checkpoint(db: None) -> Checkpoint:
    staff = make_user("hq_staff", Role.STAFF, "152921")
    commander = make_user("hq_commander", Role.COMMANDER, "152921")
    make_user("inspector", Role.INSPECTOR, "152921110")
    return opened(staff, commander)


def _issue(plate: str, *, now: Any = None, days: int = 7) -> GreenPass:
    return services.pass_create_full(
        actor=None,
        division=division("152921"),
        plate=plate,
        cargo="medical",
        origin="152921",
        destination="银川市",
        days=days,
        now=now or timezone.now(),
    )


def _stranger_code() -> str:
    """A well-formed pass signed by a key no HQ of ours holds."""
    key = signing.generate_private_key()
    now = timezone.now()
    return signing.encode_pass(
        private_key=key,
        kid=signing.kid_for(key.public_key()),
        issuer_code="152921",
        serial="152921-FORGED",
        nbf=now - timedelta(hours=1),
        exp=now + timedelta(days=3),
        iat=now,
        claims=dict.fromkeys(signing.PASS_FIELDS, "x"),
    )


def _open_duty(page: Any, checkpoint: Checkpoint) -> None:
    page.set_viewport_size(PHONE)
    page.goto(f"{page.base_url}/accounts/login/")
    page.fill("#id_username", "inspector")
    page.fill("#id_password", PASSWORD)
    page.click("[data-testid=login-submit]")
    page.wait_for_url(f"{page.base_url}/")
    page.goto(f"{page.base_url}/checkpoints/{checkpoint.pk}/duty/")
    page.wait_for_selector("#duty[data-ready='1']")


def _verify(page: Any, code: str) -> str:
    page.fill("#code", code)
    page.click("[data-testid=verify]")
    page.wait_for_selector("#verdict:not([hidden])")
    return str(page.get_attribute("#verdict", "data-reason"))


def _visible_actions(page: Any) -> list[str]:
    buttons = page.locator("#verdict button")
    return [
        str(buttons.nth(i).get_attribute("data-testid") or buttons.nth(i).get_attribute("id"))
        for i in range(buttons.count())
        if buttons.nth(i).is_visible()
    ]


def _assert_no_fast_pass(page: Any) -> None:
    fast = page.locator("[data-testid=log-fast]")
    assert not page.is_visible("[data-testid=log-fast]")
    assert all(fast.nth(i).bounding_box() is None for i in range(fast.count()))
    with pytest.raises(PlaywrightTimeoutError):
        fast.first.click(timeout=300)
    assert _visible_actions(page) == ["log-back", "log-escalate", "verdict-close"]
    # Nothing a thumb could press on the red screen is a fast pass: hit-test the whole box.
    hits = page.evaluate(
        """() => {
            const box = document.getElementById("verdict").getBoundingClientRect();
            const found = new Set();
            for (let x = box.left + 5; x < box.right; x += 15)
                for (let y = box.top + 5; y < box.bottom; y += 15) {
                    const el = document.elementFromPoint(x, y);
                    const b = el && el.closest("[data-action]");
                    if (b) found.add(b.dataset.action);
                }
            return [...found].sort();
        }"""
    )
    assert "fast_passed" not in hits and hits, hits


def test_no_red_verdict_offers_a_fast_pass_and_an_escalation_is_logged(
    page: Any, keys: None, checkpoint: Checkpoint
) -> None:
    now = timezone.now()
    revoked = _issue("蒙M54321")
    services.pass_revoke(actor=None, green=revoked, reason="丢失", now=now)
    red = {
        "revoked": revoked.code,
        "expired": _issue("蒙M11111", now=now - timedelta(days=3), days=1).code,
        "not_yet_valid": _issue("蒙M22222", now=now + timedelta(days=1)).code,
        "unknown_kid": _stranger_code(),
    }
    valid = _issue("蒙M12345").code
    _open_duty(page, checkpoint)
    # The rule that let a "hidden" fast-pass button show: a class that displays buttons.
    assert (
        page.evaluate(
            """() => { const b = document.createElement("button"); b.className = "button primary";
            b.hidden = true; document.body.appendChild(b);
            const shown = getComputedStyle(b).display; b.remove(); return shown; }"""
        )
        == "none"
    )

    assert _verify(page, valid) == "valid"
    assert page.is_visible("[data-testid=log-fast]")
    assert _visible_actions(page) == ["log-fast", "verdict-close"]
    page.click("#verdict-close")

    for reason, code in red.items():
        assert _verify(page, code) == reason
        assert page.get_attribute("#verdict", "class") == "verdict red"
        _assert_no_fast_pass(page)
        if reason == "revoked":
            page.fill("#back-reason", "通行证已吊销，司机有异议")
            page.click("[data-testid=log-escalate]")
            page.wait_for_selector("#verdict", state="hidden")
        else:
            page.click("#verdict-close")
    page.wait_for_function("document.getElementById('pending').textContent === '0'")
    logged = Passage.objects.get(checkpoint=checkpoint)
    assert (logged.result, logged.plate, logged.pass_serial) == (
        "escalated",
        "蒙M54321",
        revoked.serial,
    )
    assert logged.flag == ""  # not a fast pass: nothing to flag

    # A trust list past its expiry: the page says so, and still no fast pass.
    past = timezone.now() - timedelta(hours=72)
    root = trust.root_key()
    assert root is not None
    old = signing.sign_trust_list(trust.build(at=past), keystore.load(root.kid))
    _put_envelope(page, old)
    page.context.set_offline(True)
    page.reload()
    page.wait_for_selector("#duty[data-ready='1']")
    assert page.get_attribute("#trust-age", "data-state") == "stale"
    assert _verify(page, valid) == "trust_list_expired"
    _assert_no_fast_pass(page)


def _put_envelope(page: Any, envelope: dict[str, str]) -> None:
    page.evaluate(
        """(env) => new Promise((resolve) => {
            const req = indexedDB.open("fangkong-duty", 1);
            req.onsuccess = () => {
                const t = req.result.transaction("meta", "readwrite");
                t.objectStore("meta").put(env, "envelope");
                t.oncomplete = () => resolve(true);
            };
        })""",
        envelope,
    )


def test_a_revocation_reaches_an_open_page_and_a_fast_pass_on_it_is_flagged(
    page: Any, keys: None, checkpoint: Checkpoint, settings: Any
) -> None:
    settings.FANGKONG_TRUST_REFRESH_SECONDS = 2
    green = _issue("蒙M12345")
    other = _issue("蒙M67890")
    _open_duty(page, checkpoint)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    assert page.get_attribute("#trust-age", "data-state") == "fresh"
    assert "分钟前" in page.inner_text("#trust-age")
    assert _verify(page, green.code) == "valid"
    page.click("#verdict-close")

    # Revoked at the HQ while the page stays open: the page's own refresh brings it.
    first = page.get_attribute("#duty", "data-trust-issued-at")
    services.pass_revoke(actor=None, green=green, reason="车辆改装", now=timezone.now())
    page.wait_for_function(
        "(first) => document.getElementById('duty').dataset.trustIssuedAt !== first", arg=first
    )
    assert _verify(page, green.code) == "revoked"
    _assert_no_fast_pass(page)
    page.click("#verdict-close")

    # Offline, the page cannot learn of a revocation: the other pass, revoked at the HQ now,
    # still reads valid there and is fast-passed. On regaining a signal the page fetches the
    # list at once, and the server flags the passage it receives.
    page.context.set_offline(True)
    page.evaluate("window.dispatchEvent(new Event('offline'))")
    services.pass_revoke(actor=None, green=other, reason="冒用", now=timezone.now())
    assert _verify(page, other.code) == "valid"
    page.click("[data-testid=log-fast]")
    page.wait_for_selector("#verdict", state="hidden")
    stale = page.get_attribute("#duty", "data-trust-issued-at")
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_function("document.getElementById('pending').textContent === '0'")
    page.wait_for_function(
        "(old) => document.getElementById('duty').dataset.trustIssuedAt !== old", arg=stale
    )
    assert _verify(page, other.code) == "revoked"
    passage = Passage.objects.get(checkpoint=checkpoint)
    assert (passage.result, passage.flag) == ("fast_passed", "pass_revoked")
    assert "通行证已吊销" in page.inner_text("#rejected")


def test_a_list_in_the_last_quarter_of_its_life_shows_amber(
    page: Any, keys: None, checkpoint: Checkpoint
) -> None:
    _open_duty(page, checkpoint)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    root = trust.root_key()
    assert root is not None
    aging = signing.sign_trust_list(
        trust.build(at=timezone.now() - timedelta(hours=40)), keystore.load(root.kid)
    )
    _put_envelope(page, aging)
    page.context.set_offline(True)
    page.reload()
    page.wait_for_selector("#duty[data-ready='1']")
    assert page.get_attribute("#trust-age", "data-state") == "aging"
    assert page.get_attribute("#trust-age", "class") == "warn"
    assert "40 小时前" in page.inner_text("#trust-age")
    color = page.evaluate("getComputedStyle(document.getElementById('trust-age')).color")
    assert color == "rgb(138, 90, 0)"  # --warn
