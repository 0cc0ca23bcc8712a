"""A caller the API does not let in is answered 401 on every operation and every method.

The walk takes every operation of every router as bound to the API (so a new operation is
asked too): with an unknown token, a revoked one, another scheme, and no credentials at all,
through a client that enforces CSRF as a browser-less device meets it. None may get the
session's CSRF 403, a 404 or a 422 before being told to authenticate. The public operations
(no login; rate-limited, see ``test_public_write_limits``) let an anonymous caller through but
still refuse a bad token.
"""

from __future__ import annotations

import re
from typing import Any

from django.test import Client

from fangkong.accounts.api import anyone
from fangkong.accounts.services import token_create, token_revoke
from fangkong.api import api
from fangkong.test import BaseTestCase


def operations() -> list[tuple[str, str, bool]]:
    """(method, sample path, needs login) for every operation of the API."""
    found = []
    for router in api._get_bound_routers():
        for path, path_view in router.path_operations.items():
            sample = "/api/v1" + re.sub(r"\{[^}]+\}", "1", router.prefix + path)
            for operation in path_view.operations:
                public = not operation.auth_callbacks or anyone in operation.auth_callbacks
                for method in operation.methods:
                    found.append((method, sample, not public))
    return found


class EveryOperationTests(BaseTestCase):
    def send(self, method: str, path: str, **headers: Any) -> Any:
        client = Client(enforce_csrf_checks=True)
        return client.generic(method, path, b"{}", content_type="application/json", **headers)

    def test_a_bad_token_is_401_on_every_method(self) -> None:
        token, revoked = token_create(actor=None, user=self.officer, name="old phone")
        token_revoke(actor=self.officer, token=token)
        _, good = token_create(actor=None, user=self.officer, name="phone")
        callers = {
            "unknown": "Bearer fk_unknownunknownunknownunknownunknown",
            "revoked": f"Bearer {revoked}",
            "malformed": "Bearer",
            "other scheme": f"Basic {good}",
        }
        ops = operations()
        methods = {method for method, _, _ in ops}
        assert {"GET", "POST", "PUT", "PATCH"} <= methods, methods  # the API has no DELETE
        assert len(ops) > 60, len(ops)
        wrong = []
        for method, path, _needs_login in ops:
            for who, header in callers.items():
                response = self.send(method, path, HTTP_AUTHORIZATION=header)
                if response.status_code != 401:
                    wrong.append(f"{who}: {method} {path} -> {response.status_code}")
                else:
                    assert response.json() == {
                        "detail": "Authentication required: log in or send a device token."
                    }
        assert not wrong, "\n".join(wrong)

    def test_no_credentials_is_401_not_a_csrf_refusal(self) -> None:
        wrong = []
        public = []
        for method, path, needs_login in operations():
            response = self.send(method, path)
            if not needs_login:
                public.append(path)
                assert response.status_code != 401, (method, path)
            elif response.status_code != 401:
                wrong.append(f"{method} {path} -> {response.status_code}")
        assert not wrong, "\n".join(wrong)
        assert "/api/v1/assistance/help/public" in public

    def test_a_session_without_the_csrf_token_is_still_refused_its_writes(self) -> None:
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.officer)
        refused = client.post(
            "/api/v1/community/gatherings", b"{}", content_type="application/json"
        )
        assert refused.status_code == 403
        assert refused.json() == {"detail": "CSRF check Failed"}
        assert client.get("/api/v1/me").status_code == 200
