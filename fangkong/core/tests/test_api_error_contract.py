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


class InputBoundsTests(BaseTestCase):
    """What the database could not store never reaches a schema (``fangkong.core.api_input``)."""

    def send(self, raw: bytes) -> Any:
        return self.client_for(self.colleague).post(
            "/api/v1/community/gatherings", raw, content_type="application/json"
        )

    def test_nul_surrogates_nan_and_deep_nesting_in_a_body_are_refused_and_nothing_is_stored(
        self,
    ) -> None:
        from fangkong.community.models import GatheringReport

        when = (timezone.now() + timedelta(hours=2)).isoformat()
        good = {
            "kind": "entertainment",
            "place": "KTV",
            "division": BAYANHAOTE,
            "occurs_at": when,
            "estimated_people": 25,
        }
        deep: Any = "x"
        for _ in range(40):
            deep = [deep]
        bodies = {
            "nul": json.dumps({**good, "place": "K\x00TV"}).encode(),
            "nul in a key": json.dumps({**good, "x\x00": 1}).encode(),
            "lone surrogate": json.dumps({**good, "place": "\ud800"}).encode(),
            "NaN": json.dumps(good).replace("25", "NaN").encode(),
            "Infinity": json.dumps(good).replace("25", "-Infinity").encode(),
            "deep": json.dumps({**good, "organiser": deep}).encode(),
        }
        for what, raw in bodies.items():
            response = self.send(raw)
            assert response.status_code == 400, (what, response.content)
            assert response.json() == {"detail": "Cannot parse request body"}, what
        assert not GatheringReport.objects.exists()
        assert self.send(json.dumps(good).encode()).status_code == 201

    def test_nul_in_a_query_names_the_field(self) -> None:
        client = self.client_for(self.colleague)
        response = client.get("/api/v1/divisions?parent=1529%00", HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 422
        assert response.json()["errors"] == {
            "parent": ["Remove the NUL character: it cannot be stored."]
        }
        assert client.get("/api/v1/divisions?parent=1529").status_code == 200
