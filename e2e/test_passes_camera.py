"""Scanning a pass with the camera: a real Chromium sees a QR code through a fake camera.

Chromium's fake capture device plays a Y4M file; the file here shows the printed pass's QR code.
Desktop Chromium on Linux has no ``BarcodeDetector``, so this drives the vendored decoder path.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import segno
from django.utils import timezone

from fangkong.accounts.roles import Role
from fangkong.checkpoints.models import Checkpoint
from fangkong.checkpoints.tests.helpers import opened
from fangkong.passes import services
from fangkong.test import PASSWORD, division, make_user

from .conftest import CHROMIUM, CHROMIUM_ARGS

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

WIDTH, HEIGHT = 640, 480


def write_y4m(text: str, path: Path, frames: int = 3) -> None:
    """A still video of ``text`` as a QR code, black on white, centred (4:2:0, mono chroma)."""
    rows = [list(row) for row in segno.make(text, error="m").matrix_iter(scale=1, border=4)]
    scale = min(WIDTH, HEIGHT) * 9 // 10 // len(rows)
    size = scale * len(rows)
    left, top = (WIDTH - size) // 2, (HEIGHT - size) // 2
    luma = bytearray([235]) * (WIDTH * HEIGHT)
    for y in range(size):
        row = rows[y // scale]
        offset = (top + y) * WIDTH + left
        for x in range(size):
            if row[x // scale]:
                luma[offset + x] = 16
    chroma = bytes([128]) * (WIDTH // 2 * HEIGHT // 2 * 2)
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F5:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            out.write(b"FRAME\n")
            out.write(luma)
            out.write(chroma)


@pytest.fixture
def keys(settings: Any, tmp_path: Path) -> None:
    settings.FANGKONG_KEY_DIR = tmp_path / "keys"
    services.key_create(actor=None, division=division("152921"), now=timezone.now())


@pytest.fixture
def checkpoint(db: None) -> Checkpoint:
    staff = make_user("hq_staff", Role.STAFF, "152921")
    commander = make_user("hq_commander", Role.COMMANDER, "152921")
    return opened(staff, commander)


@pytest.fixture
def camera_page(
    browser: Any, live_server: Any, divisions: None, keys: None, tmp_path: Path
) -> Iterator[Any]:
    """``start()`` opens a phone-sized page whose camera plays the file at ``video``: write
    the file first (Chromium reads it when it launches)."""
    video = tmp_path / "camera.y4m"

    class Holder:
        page: Any = None
        browser: Any = None

    holder = Holder()

    def start() -> Any:
        holder.browser = browser.browser_type.launch(
            executable_path=CHROMIUM,
            args=[
                *CHROMIUM_ARGS,
                "--use-fake-ui-for-media-stream",
                "--use-fake-device-for-media-stream",
                f"--use-file-for-fake-video-capture={video}",
            ],
        )
        context = holder.browser.new_context(
            locale="zh-CN", viewport={"width": 375, "height": 740}, permissions=["camera"]
        )
        holder.page = context.new_page()
        holder.page.set_default_timeout(20_000)
        holder.page.base_url = live_server.url
        return holder.page

    yield {"video": video, "start": start}
    if holder.browser is not None:
        holder.browser.close()


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


def test_the_camera_reads_a_pass_and_the_verdict_follows(
    camera_page: dict[str, Any], checkpoint: Checkpoint
) -> None:
    make_user("inspector", Role.INSPECTOR, "152921110")
    code = _issue("蒙M12345")
    write_y4m(code, camera_page["video"])
    page = camera_page["start"]()
    page.goto(f"{page.base_url}/accounts/login/")
    page.fill("#id_username", "inspector")
    page.fill("#id_password", PASSWORD)
    page.click("[data-testid=login-submit]")
    page.wait_for_url(f"{page.base_url}/")
    page.goto(f"{page.base_url}/checkpoints/{checkpoint.pk}/duty/")
    page.wait_for_selector("#duty[data-ready='1']")
    assert page.evaluate("'BarcodeDetector' in window") is False  # the vendored decoder reads it

    page.click("#scan")
    page.wait_for_selector("#verdict:not([hidden])")
    assert page.get_attribute("#verdict", "data-reason") == "valid"
    assert page.get_attribute("#verdict", "class") == "verdict green"
    assert "蒙M12345" in page.inner_text("[data-testid=verdict-plate]")
    assert page.is_hidden("#camera")  # the camera stops once it has read a code
