"""The inspector's verifier page: in-browser verification, offline queue, stale trust list."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from fangkong.accounts.roles import Role
from fangkong.checkpoints.models import Checkpoint, Passage
from fangkong.checkpoints.tests.helpers import opened
from fangkong.lib import signing
from fangkong.passes import keystore, services, trust
from fangkong.passes.models import GreenPass, PassCheck
from fangkong.passes.tests.vectors import build
from fangkong.test import PASSWORD, division, make_user

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture
def keys(settings: Any, tmp_path: Path) -> None:
    settings.FANGKONG_KEY_DIR = tmp_path / "keys"
    services.key_create(actor=None, division=division("152921"), now=timezone.now())


@pytest.fixture
def checkpoint(db: None) -> Checkpoint:
    """An open checkpoint in 巴彦浩特镇, where the inspector works."""
    staff = make_user("hq_staff", Role.STAFF, "152921")
    commander = make_user("hq_commander", Role.COMMANDER, "152921")
    return opened(staff, commander)


def _issue(plate: str) -> str:
    green = services.pass_create_full(
        actor=None,
        division=division("152921"),
        plate=plate,
        cargo="medical",
        origin="152921",
        destination="银川市",
        driver_name="张三",
        driver_id_number="152921199001010013",
        now=timezone.now(),
    )
    return green.code


def _login(page: Any, username: str) -> None:
    page.goto(f"{page.base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("[data-testid=login-submit]")
    page.wait_for_url(f"{page.base_url}/")


def _verify(page: Any, code: str) -> str:
    page.fill("#code", code)
    page.click("[data-testid=verify]")
    page.wait_for_selector("#verdict:not([hidden])")
    return str(page.get_attribute("#verdict", "data-reason"))


def _log(page: Any, button: str) -> None:
    page.click(f"[data-testid={button}]")
    page.wait_for_selector("#verdict", state="hidden")


def test_offline_verification_and_queued_passages_reach_the_server_once(
    page: Any, keys: None, checkpoint: Checkpoint
) -> None:
    make_user("inspector", Role.INSPECTOR, "152921110")
    valid = _issue("蒙M12345")
    revoked_code = _issue("蒙M54321")
    revoked = GreenPass.objects.get(code=revoked_code)
    services.pass_revoke(actor=None, green=revoked, reason="lost", now=timezone.now())

    _login(page, "inspector")
    page.goto(f"{page.base_url}/checkpoints/{checkpoint.pk}/duty/")
    page.wait_for_selector("#duty[data-ready='1']")
    assert page.get_attribute("#trust-age", "data-state") == "fresh"
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")

    page.set_viewport_size({"width": 375, "height": 740})  # a phone
    assert _verify(page, "蒙M12345") == "valid"  # typed plate: codes fetched, checked here
    assert page.is_visible("[data-testid=log-fast]")
    page.click("#verdict-close")
    page.wait_for_selector("#verdict", state="hidden")

    page.context.set_offline(True)
    assert _verify(page, valid) == "valid"
    assert "蒙M12345" in page.inner_text("[data-testid=verdict-plate]")
    assert page.get_attribute("#verdict", "class") == "verdict green"
    _log(page, "log-fast")
    assert _verify(page, revoked_code) == "revoked"
    assert "吊销" in page.inner_text("[data-testid=verdict-reason]")
    assert page.get_attribute("#verdict", "class") == "verdict red"
    page.fill("#back-reason", "通行证已吊销")
    _log(page, "log-back")
    for _ in range(3):
        _verify(page, valid)
        _log(page, "log-fast")
    page.wait_for_function("document.getElementById('pending').textContent === '5'")
    assert not Passage.objects.exists()

    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_function("document.getElementById('pending').textContent === '0'")
    logged = list(Passage.objects.filter(checkpoint=checkpoint).order_by("at"))
    assert len(logged) == 5
    assert sorted(p.result for p in logged) == ["fast_passed"] * 4 + ["turned_back"]
    assert {p.plate for p in logged} == {"蒙M12345", "蒙M54321"}
    assert all(p.scan_ms is not None and p.log_ms is not None for p in logged)
    assert not PassCheck.objects.exists()  # the checkpoint's log, not the preview's
    page.evaluate("window.fkDuty.sync()")  # a second sync sends nothing twice
    assert Passage.objects.count() == 5


def test_a_trust_list_past_its_expiry_says_out_of_date_even_offline(
    page: Any, keys: None, checkpoint: Checkpoint
) -> None:
    make_user("inspector", Role.INSPECTOR, "152921110")
    valid = _issue("蒙M12345")
    _login(page, "inspector")
    page.goto(f"{page.base_url}/checkpoints/{checkpoint.pk}/duty/")
    page.wait_for_selector("#duty[data-ready='1']")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")

    past = timezone.now() - timedelta(hours=72)
    root = trust.root_key()
    assert root is not None
    old = signing.sign_trust_list(trust.build(at=past), keystore.load(root.kid))
    page.evaluate(
        """(env) => new Promise((resolve) => {
            const req = indexedDB.open("fangkong-duty", 1);
            req.onsuccess = () => {
                const t = req.result.transaction("meta", "readwrite");
                t.objectStore("meta").put(env, "envelope");
                t.oncomplete = () => resolve(true);
            };
        })""",
        old,
    )
    page.context.set_offline(True)
    page.reload()  # served by the service worker
    page.wait_for_selector("#duty[data-ready='1']")
    assert page.get_attribute("#trust-age", "data-state") == "stale"
    assert "过期" in page.inner_text("#trust-age") or "out of date" in page.inner_text("#trust-age")
    assert _verify(page, valid) == "trust_list_expired"
    assert page.get_attribute("#verdict", "class") == "verdict red"


def test_the_browser_gives_the_server_verdict_on_every_vector(page: Any) -> None:
    tl, vectors = build()
    page.goto(f"{page.base_url}/accounts/login/")
    page.add_script_tag(url=f"{page.base_url}/static/passes/verifier.js")
    payload = signing.trust_list_to_json(tl)
    cases = [{"code": v.code, "at": v.at.timestamp()} for v in vectors]
    got = page.evaluate(
        """async ([payload, cases]) => {
            const trust = FkVerifier.parseTrustList(payload);
            const out = [];
            for (const c of cases) {
                const r = await FkVerifier.verifyPass(c.code, trust, c.at);
                out.push([r.valid, r.reason, r.serial, r.claims]);
            }
            return out;
        }""",
        [payload, cases],
    )
    for vector, (valid, reason, serial, claims) in zip(vectors, got, strict=True):
        server = signing.verify_pass(vector.code, tl, at=vector.at)
        assert (reason, valid) == (server.reason, server.valid), vector.name
        assert claims == server.claims, vector.name
        if server.claims is not None:
            assert serial == server.serial, vector.name
