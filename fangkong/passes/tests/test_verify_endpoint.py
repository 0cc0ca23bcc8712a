"""``POST /api/v1/passes/verify`` keeps the API's contract though a plain view serves it.

The expected answers below are the ones django-ninja gave when it served the operation itself:
status, JSON shape and wording, and the order of the checks (authentication and its CSRF check
first, then the body, then the rights that logging at a checkpoint needs).
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import time_machine
from django.test import Client
from django.urls import resolve

from fangkong.accounts.roles import Role
from fangkong.accounts.services import token_create
from fangkong.api import api
from fangkong.passes.api import verify_view
from fangkong.passes.models import PassCheck
from fangkong.passes.tests.helpers import T0, PassesTestCase
from fangkong.test import make_user

VERIFY = "/api/v1/passes/verify"
JSON = "application/json"
UNREADABLE = {
    "valid": False,
    "reason": "bad_base45",
    "claims": None,
    "serial": None,
    "issuer": None,
    "kind": "fk1",
}


def answer(response: Any) -> tuple[int, Any]:
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return response.status_code, json.loads(response.content)


def invalid(field: str | None, message: str) -> dict[str, Any]:
    """The API's 422 (``fangkong.core.api_errors``), in the site's language."""
    return {
        "detail": f"{field}: {message}" if field else message,
        "errors": {field or "__all__": [message]},
    }


class VerifyEndpointContractTests(PassesTestCase):
    def post(self, body: bytes | str, client: Client | None = None, **extra: Any) -> Any:
        return (client or Client()).post(VERIFY, data=body, content_type=JSON, **extra)

    def test_the_path_is_served_by_the_plain_view(self) -> None:
        assert resolve(VERIFY).func is verify_view

    def test_a_valid_pass_gets_the_verdict_and_the_claims(self) -> None:
        green = self.issue()
        with time_machine.travel(T0 + timedelta(hours=1), tick=False):
            status, body = answer(self.post(json.dumps({"code": green.code})))
        assert status == 200
        assert list(body) == ["valid", "reason", "claims", "serial", "issuer", "kind"]
        assert (body["valid"], body["reason"], body["serial"], body["issuer"], body["kind"]) == (
            True,
            "valid",
            green.serial,
            "152921",
            "fk1",
        )
        assert body["claims"]["plate"] == "蒙M12345"

    def test_bodies_that_do_not_parse_or_validate_get_the_apis_errors(self) -> None:
        cases: list[tuple[bytes | str, int, Any]] = [
            ("not json", 400, {"detail": "Cannot parse request body"}),  # DEBUG adds the cause
            ("", 422, invalid(None, "此项为必填项。")),
            ("{}", 422, invalid("code", "此项为必填项。")),
            ("[]", 422, invalid("code", "此项为必填项。")),
            ('{"code": 5}', 422, invalid("code", "输入一个有效的值。")),
            (
                json.dumps({"code": "A" * 30_000}),
                422,
                invalid("code", "请确保不超过 20000 个字符。"),
            ),
            ('{"code": "FK1:x", "checkpoint": "seven"}', 422, invalid("checkpoint", "输入整数。")),
            ('{"code": "FK1:x", "checkpoint": null, "other": 1}', 200, UNREADABLE),
        ]
        for body, status, expected in cases:
            assert answer(self.post(body)) == (status, expected), body

    def test_a_body_that_is_not_utf8_is_a_400(self) -> None:
        response = self.post(b'{"code": "\xff"}')
        assert answer(response) == (400, {"detail": "Cannot parse request body"})

    def test_only_post_is_allowed(self) -> None:
        for method in ("get", "put", "delete"):
            response = getattr(Client(), method)(VERIFY)
            assert (response.status_code, response["Allow"]) == (405, "POST"), method

    def test_logging_at_a_checkpoint_needs_a_user_and_the_body_is_checked_first(self) -> None:
        expected = {"detail": "Authentication required: log in or send a device token."}
        for body in ('{"code": "FK1:x", "checkpoint": 1}', '{"code": "FK1:x", "checkpoint": "1"}'):
            assert answer(self.post(body)) == (401, expected)
            bogus = self.post(body, HTTP_AUTHORIZATION="Bearer fk_nonsense")
            assert answer(bogus) == (401, expected)
        bad = self.post('{"code": 1, "checkpoint": 1}')
        assert answer(bad)[0] == 422
        assert not PassCheck.objects.exists()

    def test_a_wrong_or_foreign_authorization_header_is_refused_not_taken_as_anyone(self) -> None:
        # A device whose token was revoked must learn it, not scan on as an anonymous caller.
        for header in ("Bearer fk_nonsense", "Basic dXNlcjpwYXNz"):
            response = self.post('{"code": "FK1:x"}', HTTP_AUTHORIZATION=header)
            assert answer(response) == (
                401,
                {"detail": "Authentication required: log in or send a device token."},
            ), header
        assert not PassCheck.objects.exists()

    def test_a_session_cookie_needs_the_csrf_token_before_anything_else(self) -> None:
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.inspector)
        for body in ('{"code": "FK1:x"}', "not json", '{"code": "FK1:x", "checkpoint": 7}'):
            assert answer(self.post(body, client)) == (403, {"detail": "CSRF check Failed"}), body
        client.get("/")  # sets the CSRF cookie, as the duty page does
        token = client.cookies["csrftoken"].value
        response = self.post('{"code": "FK1:x", "checkpoint": 7}', client, HTTP_X_CSRFTOKEN=token)
        assert answer(response) == (200, UNREADABLE)
        assert PassCheck.objects.get().inspector == self.inspector

    def test_a_device_token_logs_the_check_as_its_user(self) -> None:
        _, raw = token_create(actor=None, user=self.inspector, name="phone")
        green = self.issue()
        with time_machine.travel(T0 + timedelta(hours=1), tick=False):
            response = self.post(
                json.dumps({"code": green.code, "checkpoint": 7}),
                HTTP_AUTHORIZATION=f"Bearer {raw}",
            )
        assert answer(response)[1]["reason"] == "valid"
        check = PassCheck.objects.get()
        assert (check.inspector, check.checkpoint_id, check.verdict) == (self.inspector, 7, "valid")

    def test_an_outsider_without_duty_or_pass_rights_gets_not_found_and_logs_nothing(self) -> None:
        outsider = make_user("caseworker", Role.CASEWORKER, "152921")
        client = Client()
        client.force_login(outsider)
        response = self.post('{"code": "FK1:x", "checkpoint": 7}', client)
        assert answer(response) == (404, {"detail": "Not found"})
        assert not PassCheck.objects.exists()

    def test_the_openapi_document_describes_the_operation(self) -> None:
        document = json.loads(json.dumps(api.get_openapi_schema()))
        operation = document["paths"]["/api/v1/passes/verify"]["post"]
        body = operation["requestBody"]["content"]["application/json"]["schema"]
        assert body["required"] == ["code"]
        assert set(body["properties"]) == {"code", "checkpoint"}
        response = operation["responses"]["200"]["content"]["application/json"]["schema"]
        assert response == {"$ref": "#/components/schemas/VerifyOut"}
        assert operation["security"] == [{"BearerToken": []}, {"SessionAuth": []}, {}]
        assert "bad_signature" in operation["description"]
