"""``/api/v1/passes``: trust list, verification, and passes for the transport role."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pydantic
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponseBase, HttpResponseNotAllowed
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from ninja import Query, Router, Schema, Status
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as ApiValidationError

from fangkong.accounts.api import BearerToken, SessionAuth
from fangkong.accounts.models import User
from fangkong.accounts.roles import Perm
from fangkong.accounts.selectors import require_perm
from fangkong.divisions.selectors import division_by_code
from fangkong.lib.masking import mask_id_number
from fangkong.passes import keystore, selectors, services, trust
from fangkong.passes.models import GreenPass
from fangkong.passes.schemas import (
    ChecksBatchIn,
    ChecksBatchOut,
    ChecksBatchResult,
    PassIn,
    PassOut,
    PlateCodesOut,
    RevokeIn,
    RootKeyOut,
    TrustEnvelope,
    VerifyIn,
    VerifyOut,
)

router = Router(tags=["passes"])


class _Anonymous:
    """``request.auth`` of a caller with neither a device token nor a session."""

    is_authenticated = False


ANONYMOUS = _Anonymous()


def _anyone(request: HttpRequest) -> _Anonymous:
    return ANONYMOUS


VERIFY_AUTH: list[Callable[[HttpRequest], Any]] = [BearerToken(), SessionAuth(), _anyone]


def _actor(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined]


def _require_verifier(actor: User) -> None:
    if not selectors.may_verify(actor):
        raise HttpError(404, "Not found")


def pass_out(green: GreenPass) -> PassOut:
    now = timezone.now()
    return PassOut(
        id=green.pk,
        serial=green.serial,
        plate=green.vehicle.plate,
        vehicle_type=green.vehicle.vehicle_type,
        cargo=green.cargo,
        origin=green.origin,
        destination=green.destination,
        valid_from=green.valid_from,
        valid_until=green.valid_until,
        issuer=green.division_code,
        status=green.status_at(now),
        revoked_reason=green.revoked_reason,
        driver_name=green.driver.name if green.driver else None,
        driver_id_number=mask_id_number(green.driver.id_number) if green.driver else None,
        code=green.code,
    )


@router.get("/passes/trust-list", response=TrustEnvelope, summary="The signed trust list")
def trust_list(request: HttpRequest) -> dict[str, str]:
    """HQ public keys and revoked serials, signed by the league root key (see DESIGN.md).
    Check ``signature`` over the UTF-8 bytes of ``payload`` with the root key before use."""
    _require_verifier(_actor(request))
    try:
        return trust.envelope(at=timezone.now())
    except (trust.NoRootKey, keystore.MissingPrivateKey) as exc:
        raise HttpError(503, str(exc)) from None


@router.get("/passes/root-key", response=RootKeyOut, summary="The league root public key")
def root_key(request: HttpRequest) -> dict[str, str]:
    _require_verifier(_actor(request))
    root = trust.root_key()
    if root is None:
        raise HttpError(503, "no league root key: run `fangkong keys create --root`")
    return {"kid": root.kid, "public_key": root.public_key}


def _verify_body(request: HttpRequest) -> VerifyIn:
    """The JSON body as ninja reads a ``body: VerifyIn`` parameter, with the same errors."""
    raw = request.body
    if not raw:
        raise ApiValidationError(
            [{"type": "missing", "loc": ("body", "body"), "msg": "Field required"}]
        )
    try:
        return VerifyIn.model_validate_json(raw)  # the usual case, parsed and checked in one go
    except pydantic.ValidationError:
        pass  # read it again as ninja does, for the same answer (and to accept what it accepts)
    try:
        data = json.loads(raw)
    except Exception as exc:  # as ninja's parser: bad JSON, bad UTF-8, nesting too deep
        message = "Cannot parse request body"
        raise HttpError(400, f"{message} ({exc})" if settings.DEBUG else message) from exc
    try:
        return VerifyIn.model_validate(data)
    except pydantic.ValidationError as exc:
        errors = []
        for error in exc.errors(include_url=False):
            item: dict[str, Any] = dict(error)
            item["loc"] = ("body", "body", *error["loc"])
            del item["input"]
            if isinstance(item.get("ctx", {}).get("error"), Exception):
                item["ctx"]["error"] = str(item["ctx"]["error"])
            errors.append(item)
        raise ApiValidationError(errors) from None


def _verify(request: HttpRequest, body: VerifyIn) -> services.Verdict:
    if body.checkpoint is None:
        return services.verify_code(body.code, at=timezone.now())
    auth = request.auth  # type: ignore[attr-defined]
    if not isinstance(auth, User):
        raise HttpError(401, "Authentication required: log in or send a device token.")
    actor = auth
    _require_verifier(actor)
    return services.pass_check_verify(
        actor=actor, code=body.code, checkpoint_id=body.checkpoint, at=timezone.now()
    )


@csrf_exempt  # a session caller's CSRF token is checked by SessionAuth, as in the API
def verify_view(request: HttpRequest) -> HttpResponseBase:
    """``POST /api/v1/passes/verify`` (the ``verify`` operation below) as a plain Django view.

    Every roadside scan comes here, so ``fangkong.urls`` routes the path to this view ahead of
    the API and it skips django-ninja's per-request machinery, keeping its contract: the same
    authentication methods in the same order (a session cookie still needs its CSRF token), then
    the body read as ``VerifyIn``, with the errors ninja would give, rendered by the API's own
    exception handlers and JSON renderer (``tests/test_verify_endpoint.py`` pins those answers).
    """
    from fangkong.api import api  # the API this router is part of (it imports this module)

    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"], content=b"Method not allowed")
    try:
        for method in VERIFY_AUTH:
            actor = method(request)
            if actor:
                request.auth = actor  # type: ignore[attr-defined]
                break
        else:
            raise AuthenticationError()
        verdict = _verify(request, _verify_body(request))
    except Exception as exc:
        return api.on_exception(request, exc)
    return api.create_response(
        request,
        {
            "valid": verdict.valid,
            "reason": verdict.reason,
            "claims": verdict.claims,
            "serial": verdict.serial,
            "issuer": verdict.issuer,
            "kind": verdict.kind,
        },
        status=200,
    )


@router.post(
    "/passes/verify",
    response=VerifyOut,
    auth=None,  # verify_view authenticates with VERIFY_AUTH itself
    summary="Verify a pass (or an EU HC1 code)",
    openapi_extra={
        "requestBody": {
            "content": {"application/json": {"schema": VerifyIn.model_json_schema()}},
            "required": True,
        },
        "security": [{"BearerToken": []}, {"SessionAuth": []}, {}],
    },
)
def verify(request: HttpRequest) -> HttpResponseBase:
    """Reasons: bad_prefix, bad_base45, bad_compression, bad_cbor, trust_list_expired,
    unknown_kid, bad_signature, not_yet_valid, expired, revoked, valid. ``HC1:`` codes are
    verified as EU certificates when the server has a DCC trust file (reasons are then the
    failing stage or ``valid``).

    Without ``checkpoint`` anyone may verify, as any offline verifier can with the public trust
    list: the answer says no more than the QR code itself carries, plus whether it is genuine.
    With ``checkpoint`` the check is logged as a passage, which needs a device token or a
    session of someone with checkpoint duty or pass rights."""
    return verify_view(request)


@router.post(
    "/passes/checks:batch", response=ChecksBatchOut, summary="Upload queued checks (idempotent)"
)
def checks_batch(request: HttpRequest, body: ChecksBatchIn) -> dict[str, Any]:
    """The wire format of ``/checkpoints/{id}/passages:batch``, for the preview duty page."""
    actor = _actor(request)
    _require_verifier(actor)
    outcomes = services.pass_checks_batch(
        actor=actor, checkpoint_id=None, items=body.passages, now=timezone.now()
    )
    return {
        "results": [
            ChecksBatchResult(client_uuid=o.client_uuid, outcome=o.outcome, reason=o.reason)
            for o in outcomes
        ]
    }


@router.get(
    "/passes/by-plate/{plate}", response=PlateCodesOut, summary="Current pass codes of a plate"
)
def passes_by_plate(request: HttpRequest, plate: str) -> dict[str, object]:
    """For a checkpoint where the driver has no QR at hand: the codes of the plate's issued,
    unexpired passes (at most 5), to verify like scanned ones."""
    _require_verifier(_actor(request))
    return {"plate": plate, "codes": selectors.pass_codes_for_plate(plate=plate, at=timezone.now())}


class PassFilter(Schema):
    q: str = ""
    status: str = ""
    limit: int = 50
    offset: int = 0


@router.get("/passes", response=list[PassOut], summary="Passes in your jurisdiction")
def pass_list(request: HttpRequest, filters: Query[PassFilter]) -> list[PassOut]:
    actor = _actor(request)
    try:
        require_perm(actor, Perm.PASSES_VIEW)
    except Http404:
        raise HttpError(404, "Not found") from None
    if not 1 <= filters.limit <= 500 or filters.offset < 0:
        raise HttpError(422, "limit must be 1 to 500 and offset not negative")
    if filters.status and filters.status not in GreenPass.Status.values:
        raise HttpError(422, "status must be issued, revoked or expired")
    qs = selectors.pass_list(actor=actor, q=filters.q, status=filters.status, at=timezone.now())
    return [pass_out(g) for g in qs[filters.offset : filters.offset + filters.limit]]


@router.post("/passes", response={201: PassOut}, summary="Issue a pass")
def pass_create(request: HttpRequest, body: PassIn) -> Status[PassOut]:
    actor = _actor(request)
    try:
        keys = require_perm(actor, Perm.PASSES_ISSUE)
    except Http404:
        raise HttpError(404, "Not found") from None
    code = body.issuer or sorted(keys, key=len)[0]
    division = division_by_code(code)
    if division is None or not actor.can(Perm.PASSES_ISSUE, division.code):
        raise HttpError(404, "issuer: no such HQ in your jurisdiction")
    now = timezone.now()
    green = services.pass_create_full(
        actor=actor,
        division=division,
        plate=body.plate,
        vehicle_type=body.vehicle_type,
        owner=body.owner,
        driver_name=body.driver_name,
        driver_id_number=body.driver_id_number,
        driver_phone=body.driver_phone,
        cargo=body.cargo,
        origin=body.origin,
        destination=body.destination,
        days=body.days,
        now=now,
    )
    return Status(201, pass_out(green))


@router.get("/passes/{pass_id}", response=PassOut, summary="One pass")
def pass_detail(request: HttpRequest, pass_id: int) -> PassOut:
    try:
        return pass_out(selectors.access_pass_by_id(_actor(request), pass_id))
    except Http404:
        raise HttpError(404, "Not found") from None


@router.post("/passes/{pass_id}/revoke", response=PassOut, summary="Revoke a pass")
def pass_revoke(request: HttpRequest, pass_id: int, body: RevokeIn) -> PassOut:
    actor = _actor(request)
    try:
        green = selectors.access_pass_by_id(actor, pass_id, write=True)
    except Http404:
        raise HttpError(404, "Not found") from None
    green = services.pass_revoke(actor=actor, green=green, reason=body.reason, now=timezone.now())
    return pass_out(green)
