"""The API's one error contract (``fangkong.core.api_errors``): answered once, for every app.

``test_no_api_module_catches_a_service_error`` reads every app's ``api.py``: an ``except`` that
names ``ValidationError`` (Django's, or any subclass such as a ``Conflict``) or
``PermissionDenied`` fails it, so a new operation cannot word its own 422 or 404.
"""

from __future__ import annotations

import ast
import importlib
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from fangkong.accounts.roles import Role
from fangkong.test import BAYANHAOTE, BaseTestCase, make_user

APPS_DIR = Path(__file__).resolve().parents[2]


def _api_modules() -> list[Path]:
    return sorted(APPS_DIR.glob("*/api.py"))


def _caught(handler: ast.ExceptHandler) -> list[ast.expr]:
    if handler.type is None:
        return []
    return list(handler.type.elts) if isinstance(handler.type, ast.Tuple) else [handler.type]


def _resolve(module: Any, node: ast.expr) -> Any:
    if isinstance(node, ast.Name):
        return getattr(module, node.id, None)
    if isinstance(node, ast.Attribute):
        owner = _resolve(module, node.value)
        return getattr(owner, node.attr, None) if owner is not None else None
    return None


def test_no_api_module_catches_a_service_error() -> None:
    found = []
    modules = _api_modules()
    assert len(modules) >= 8, modules
    for path in modules:
        name = f"fangkong.{path.parent.name}.api"
        module = importlib.import_module(name)
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.ExceptHandler):
                continue
            for expr in _caught(node):
                caught = _resolve(module, expr)
                if isinstance(caught, type) and issubclass(
                    caught, ValidationError | PermissionDenied
                ):
                    found.append(f"{name}:{node.lineno} catches {caught.__name__}")
    assert not found, "let fangkong.core.api_errors answer these:\n" + "\n".join(found)


class ErrorShapeTests(BaseTestCase):
    def post(self, path: str, body: Any, client: Client | None = None, **extra: Any) -> Any:
        client = client or self.client_for(self.colleague)
        return client.post(path, json.dumps(body), content_type="application/json", **extra)

    def test_a_schema_error_names_each_field_in_the_request_language(self) -> None:
        body = {"kind": "entertainment", "place": "x", "division": BAYANHAOTE, "occurs_at": "soon"}
        chinese = self.post("/api/v1/community/gatherings", body)
        assert chinese.status_code == 422
        data = chinese.json()
        assert data["errors"] == {"occurs_at": ["输入一个有效的日期/时间。"]}, data
        assert data["detail"] == "occurs_at: 输入一个有效的日期/时间。"
        english = self.post(
            "/api/v1/community/gatherings", {"place": "x"}, HTTP_ACCEPT_LANGUAGE="en"
        )
        errors = english.json()["errors"]
        assert errors["kind"] == ["This field is required."]
        assert errors["division"] == ["This field is required."]

    def test_a_service_error_has_the_same_shape(self) -> None:
        far = (timezone.now() + timedelta(days=90)).isoformat()
        body = {"kind": "entertainment", "place": "广场", "division": BAYANHAOTE, "occurs_at": far}
        response = self.post("/api/v1/community/gatherings", body, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 422
        data = response.json()
        assert set(data) == {"detail", "errors"}
        assert list(data["errors"]) == ["occurs_at"]
        assert data["detail"].startswith("occurs_at: The time must be within 30 days")
        from fangkong.community.models import GatheringReport

        assert not GatheringReport.objects.exists()

    def test_a_conflict_is_409_and_an_outsider_gets_not_found(self) -> None:
        from fangkong.checkpoints.tests.helpers import opened

        checkpoint = opened(self.colleague, self.officer)
        inspector = self.client_for(make_user("insp", Role.INSPECTOR, BAYANHAOTE))
        from fangkong.checkpoints import services

        services.checkpoint_close(actor=self.officer, checkpoint=checkpoint, reason="收费站撤点")
        batch = {"passages": [{"client_uuid": "8f9e0b52-1f4b-4c3e-9d7a-2a1b3c4d5e6f"}]}
        closed = self.post(
            f"/api/v1/checkpoints/{checkpoint.pk}/passages:batch", batch, client=inspector
        )
        assert closed.status_code == 409, closed.content
        assert set(closed.json()) >= {"detail", "errors"}
        outsider = self.post(
            f"/api/v1/checkpoints/{checkpoint.pk}/passages:batch",
            batch,
            client=self.client_for(self.outsider),
        )
        assert outsider.status_code == 404
        assert outsider.json() == {"detail": "Not found"}
