"""What the JSON API accepts before any schema sees it (the API's ``parser``).

Text that reaches the database must be storable and comparable: a NUL character (PostgreSQL
refuses it in text), a lone UTF-16 surrogate (``"\\ud800"``: not encodable as UTF-8), the JSON
extensions ``NaN`` and ``Infinity`` and bodies nested deeper than ``MAX_DEPTH`` are refused
with a 4xx: a body as 400 (ninja's "Cannot parse request body"), a query or form field as 422
naming the field.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict
from ninja.errors import ValidationError as SchemaError
from ninja.parser import Parser

MAX_DEPTH = 32


class Refused(ValueError):
    def __init__(self, kind: str, path: tuple[Any, ...]) -> None:
        self.kind = kind
        self.path = path
        where = ".".join(str(p) for p in path) or "the body"
        super().__init__(f"{where}: {kind.replace('_', ' ')}")


def _constant(name: str) -> Any:
    raise Refused("non_finite_number", ())


def _text_problem(text: str) -> str | None:
    if "\x00" in text:
        return "nul_character"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "lone_surrogate"
    return None


def check(value: Any, path: tuple[Any, ...] = ()) -> None:
    """Raise ``Refused`` for the first value (or key) the database could not take."""
    stack: list[tuple[Any, tuple[Any, ...]]] = [(value, path)]
    while stack:
        item, where = stack.pop()
        if len(where) > MAX_DEPTH:
            raise Refused("nested_too_deep", where[:MAX_DEPTH])
        if isinstance(item, str):
            problem = _text_problem(item)
            if problem:
                raise Refused(problem, where)
        elif isinstance(item, dict):
            for key, inner in item.items():
                problem = _text_problem(key)
                if problem:
                    raise Refused(problem, where)
                stack.append((inner, (*where, key)))
        elif isinstance(item, list):
            stack.extend((inner, (*where, i)) for i, inner in enumerate(item))


class StrictParser(Parser):
    def parse_body(self, request: HttpRequest) -> Any:
        data = json.loads(request.body, parse_constant=_constant)
        check(data)
        return data

    def parse_querydict(
        self, data: MultiValueDict, list_fields: list[str], request: HttpRequest
    ) -> Any:
        errors = []
        for key, values in data.lists():
            for value in values:
                text = value if isinstance(value, str) else ""  # an uploaded file is not text
                problem = _text_problem(key) or _text_problem(text)
                if problem:
                    errors.append({"loc": ("query", key), "type": problem, "msg": problem})
        if errors:
            raise SchemaError(errors)
        return super().parse_querydict(data, list_fields, request)
