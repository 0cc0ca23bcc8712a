import json
import os
import subprocess
import sys
from pathlib import Path

from django.test import Client, override_settings
from openapi_spec_validator import validate

from fangkong.test import BaseTestCase

ROOT = Path(__file__).resolve().parents[3]


class UiShellTests(BaseTestCase):
    def test_the_ui_is_chinese_by_default_and_english_by_the_switch(self):
        client = self.client_for(self.officer)
        assert "退出登录" in client.get("/").content.decode()
        response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
        assert response.status_code == 302
        body = client.get("/").content.decode()
        assert "Log out" in body and 'lang="en"' in body

    def test_the_login_page_renders_for_anonymous_visitors(self):
        response = Client().get("/accounts/login/")
        assert response.status_code == 200
        assert "登录" in response.content.decode()

    def test_not_found_uses_the_platform_page(self):
        response = self.client_for(self.officer).get("/no/such/page/")
        assert response.status_code == 404
        assert "不在您的管辖范围内" in response.content.decode()

    @override_settings(DEBUG=False)
    def test_forbidden_and_server_error_pages_are_styled(self):
        from django.test import RequestFactory

        from fangkong.core.errors import permission_denied, server_error

        request = RequestFactory().get("/")
        request.user = self.officer
        assert "403" in permission_denied(request).content.decode()
        response = server_error(request)
        assert response.status_code == 500
        assert "系统出错了" in response.content.decode()

    def test_vendored_libraries_are_served_locally(self):
        body = self.client_for(self.officer).get("/").content.decode()
        assert "/static/vendor/htmx/htmx.min.js" in body
        assert (ROOT / "static" / "vendor" / "htmx" / "htmx.min.js").is_file()


class OpenApiTests(BaseTestCase):
    def test_the_api_publishes_a_valid_openapi_3_document(self):
        response = Client().get("/api/v1/openapi.json")
        assert response.status_code == 200
        spec = json.loads(response.content)
        assert spec["openapi"].startswith("3.")
        validate(spec)
        assert "/api/v1/divisions" in spec["paths"]
        assert "/api/v1/me" in spec["paths"]

    def test_the_api_docs_page_is_served(self):
        assert Client().get("/api/v1/docs").status_code == 200


def test_check_deploy_is_clean_with_production_settings():
    env = {
        **os.environ,
        "FANGKONG_DEBUG": "0",
        "FANGKONG_SECRET_KEY": "x" * 20 + "-production-secret-key-with-enough-entropy-0123456789",
        "FANGKONG_ALLOWED_HOSTS": "fangkong.example.org",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tests in this process
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_refuse_to_start_without_a_secret_key():
    env = {**os.environ, "FANGKONG_DEBUG": "0", "FANGKONG_SECRET_KEY": ""}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "FANGKONG_SECRET_KEY must be set" in result.stderr
