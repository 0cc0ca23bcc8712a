"""The JSON API's one error contract, registered once on the NinjaAPI (``fangkong.api``).

Every error answer is ``{"detail": "<one readable sentence>"}``; a 422 adds
``"errors": {"<field>": ["<message>", …]}`` (``__all__`` for what belongs to no one field).
The messages are in the request's language: a service's ``ValidationError`` is worded by the
service through gettext; a schema error from django-ninja (pydantic) is reworded here with
Django's own translated form messages.

| raised anywhere in an operation               | status |
| --------------------------------------------- | ------ |
| ``django.core.exceptions.ValidationError``    | 422    |
| ``Conflict`` (a ValidationError: the record's state forbids it) | 409 |
| ninja's ``ValidationError`` (the schema)      | 422    |
| ``Http404``, ``PermissionDenied`` (alike: nothing says whether it exists) | 404 |
| ``RequestDataTooBig``                         | 413    |

So an operation calls its service and lets the error rise: ``test_api_error_contract`` checks
that no ``api.py`` catches a ``ValidationError`` itself.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import ValidationError as SchemaError

from fangkong.core.exceptions import Conflict

NON_FIELD = "__all__"
#: Where ninja says a value came from; not part of the field's name.
_SOURCES = {"body", "query", "path", "form", "file", "header", "cookie", "payload"}


def _schema_message(error: dict[str, Any]) -> str:
    """A pydantic error in the request's language (Django's catalogue has these words)."""
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind in {"int_parsing", "int_type", "int_from_float"}:
        return _("Enter a whole number.")
    if kind in {"float_parsing", "float_type", "decimal_parsing", "decimal_type"}:
        return _("Enter a number.")
    if kind in {"finite_number"}:
        return _("Enter a number.")
    if kind in {"date_parsing", "date_from_datetime_parsing", "date_type"}:
        return _("Enter a valid date.")
    if kind in {"datetime_parsing", "datetime_from_date_parsing", "datetime_type"}:
        return _("Enter a valid date/time.")
    if kind in {"bool_parsing", "bool_type"}:
        return _("“%(value)s” value must be either True or False.") % {
            "value": error.get("input", "")
        }
    if kind in {"less_than_equal", "less_than"}:
        return _("Ensure this value is less than or equal to %(limit_value)s.") % {
            "limit_value": ctx.get("le", ctx.get("lt"))
        }
    if kind in {"greater_than_equal", "greater_than"}:
        return _("Ensure this value is greater than or equal to %(limit_value)s.") % {
            "limit_value": ctx.get("ge", ctx.get("gt"))
        }
    if kind == "string_too_long":
        return _("Ensure this value has at most %(limit_value)d characters.") % {
            "limit_value": int(ctx.get("max_length", 0))
        }
    if kind in {"enum", "literal_error"}:
        return _("Select a valid choice. %(value)s is not one of the available choices.") % {
            "value": error.get("input", "")
        }
    if kind in {"json_invalid", "model_attributes_type", "dict_type", "model_type"}:
        return _("The body must be a JSON object.")
    if kind == "nul_character":
        return _("Remove the NUL character: it cannot be stored.")
    if kind == "lone_surrogate":
        return _("Remove the broken character (a lone surrogate): it cannot be stored.")
    if kind in {"list_type", "tuple_type", "set_type"}:
        return _("Enter a list of values.")
    return _("Enter a valid value.")


def _field(loc: Any) -> str:
    parts = [str(p) for p in loc if str(p) not in _SOURCES]
    return ".".join(parts) or NON_FIELD


def _summary(errors: dict[str, list[str]]) -> str:
    return " ".join(
        message if field == NON_FIELD else f"{field}: {message}"
        for field, messages in errors.items()
        for message in messages
    )


def _invalid(
    api: NinjaAPI, request: HttpRequest, errors: dict[str, list[str]], status: int
) -> HttpResponse:
    body: dict[str, Any] = {"detail": _summary(errors), "errors": errors}
    return api.create_response(request, body, status=status)


def schema_errors(exc: SchemaError) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        errors.setdefault(_field(error.get("loc", ())), []).append(_schema_message(error))
    return errors


def service_errors(exc: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {field: list(messages) for field, messages in exc.message_dict.items()}
    return {NON_FIELD: list(exc.messages)}


def install(api: NinjaAPI) -> None:
    """Register the handlers on ``api`` (once, in ``fangkong.api``)."""

    @api.exception_handler(SchemaError)
    def _schema(request: HttpRequest, exc: SchemaError) -> HttpResponse:
        return _invalid(api, request, schema_errors(exc), 422)

    @api.exception_handler(DjangoValidationError)
    def _service(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        errors = service_errors(exc)
        if not isinstance(exc, Conflict):
            return _invalid(api, request, errors, 422)
        body = {"detail": exc.api_detail(_summary(errors)), "errors": errors, **exc.details}
        return api.create_response(request, body, status=409)

    @api.exception_handler(Http404)
    @api.exception_handler(PermissionDenied)
    def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
        # Refused like an outsider's look-up: nothing says whether the thing exists.
        return api.create_response(request, {"detail": "Not found"}, status=404)

    @api.exception_handler(RequestDataTooBig)
    def _too_big(request: HttpRequest, exc: Exception) -> HttpResponse:
        return api.create_response(
            request, {"detail": _("The request body is too large.")}, status=413
        )
