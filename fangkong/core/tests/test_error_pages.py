"""`make run` (DEBUG on) serves the styled error pages, never Django's technical pages."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from django.test import Client, override_settings

from fangkong.test import BaseTestCase

ROOT = Path(__file__).resolve().parents[3]
TECHNICAL = ("Using the URLconf", "Traceback", "DEBUG = True", "Django tried these URL patterns")


def _assert_styled(body: str) -> None:
    for marker in TECHNICAL:
        assert marker not in body, f"Django's technical page leaked: {marker!r}"
    assert "/static/css/fangkong.css" in body


@override_settings(DEBUG=True, ROOT_URLCONF="fangkong.core.tests.error_urls")
class StyledErrorPagesUnderDebugTests(BaseTestCase):
    def test_an_unknown_url_gets_the_styled_404_with_the_users_menu(self):
        response = self.client_for(self.officer).get("/no/such/page/")
        assert response.status_code == 404
        body = response.content.decode()
        _assert_styled(body)
        assert "不在您的管辖范围内" in body
        assert "退出登录" in body  # rendered inside the platform's frame, for the logged-in user

    def test_a_view_that_raises_not_found_gets_the_styled_404(self):
        response = self.client_for(self.officer).get("/test-errors/missing/")
        assert response.status_code == 404
        body = response.content.decode()
        _assert_styled(body)
        assert "no such record" not in body
        assert "不在您的管辖范围内" in body

    def test_a_record_outside_the_jurisdiction_gets_the_styled_404(self):
        response = self.client_for(self.outsider).get("/directives/tasks/999999/")
        assert response.status_code == 404
        _assert_styled(response.content.decode())

    def test_a_forbidden_view_gets_the_styled_403(self):
        response = self.client_for(self.officer).get("/test-errors/forbidden/")
        assert response.status_code == 403
        body = response.content.decode()
        _assert_styled(body)
        assert "您无权进行此操作" in body

    def test_a_failing_view_gets_the_styled_500_and_the_error_is_logged(self):
        client = Client(raise_request_exception=False)
        client.force_login(self.officer)
        with self.assertLogs("django.request", level="ERROR") as logs:
            response = client.get("/test-errors/boom/")
        assert response.status_code == 500
        body = response.content.decode()
        _assert_styled(body)
        assert "a bug in a view" not in body and "RuntimeError" not in body
        assert "系统出错了" in body
        assert any("a bug in a view" in line for line in logs.output)

    def test_a_missing_trailing_slash_still_redirects(self):
        response = self.client_for(self.officer).get("/directives/tasks")
        assert response.status_code == 301
        assert response["Location"] == "/directives/tasks/"

    def test_uploaded_files_are_not_served_from_the_media_url(self):
        response = self.client_for(self.officer).get("/media/reports/2020/02/x.pdf")
        assert response.status_code == 404
        _assert_styled(response.content.decode())

    @override_settings(FANGKONG_DEBUG_PAGES=True)
    def test_a_developer_can_ask_for_djangos_technical_pages(self):
        response = self.client_for(self.officer).get("/no/such/page/")
        assert response.status_code == 404
        assert "Using the URLconf" in response.content.decode()
        client = Client(raise_request_exception=False)
        client.force_login(self.officer)
        with self.assertLogs("django.request", level="ERROR"):
            response = client.get("/test-errors/boom/")
        assert response.status_code == 500
        assert "Traceback" in response.content.decode()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_the_dev_server_as_make_run_starts_it_serves_the_styled_404(tmp_path):
    """The real `make run` server: settings from the environment (DEBUG on by default)."""
    port = _free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("FANGKONG_") and k != "DJANGO_SETTINGS_MODULE"
    }
    env["FANGKONG_VAR_DIR"] = str(tmp_path)
    env["DJANGO_SETTINGS_MODULE"] = "fangkong.settings"
    server = subprocess.Popen(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/no/such/page/", timeout=5)
            except urllib.error.HTTPError as exc:
                status, body = exc.code, exc.read().decode()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        assert status == 404
        _assert_styled(body)
        assert "页面不存在" in body
    finally:
        server.terminate()
        server.wait(timeout=10)
