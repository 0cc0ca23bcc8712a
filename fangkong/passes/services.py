"""Write use cases of passes: keys, vehicles and drivers, issuing, revoking, checks."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from fangkong.accounts.models import User
from fangkong.accounts.roles import Perm
from fangkong.checkpoints import services as checkpoint_services
from fangkong.checkpoints.models import Checkpoint
from fangkong.checkpoints.models import Status as CheckpointStatus
from fangkong.core.audit import record_audit
from fangkong.core.numbers import number_error
from fangkong.core.rollups import bump, bump_many
from fangkong.divisions.models import Division
from fangkong.lib import signing
from fangkong.lib.ids import InvalidNumber, normalize_mobile, normalize_plate, parse_id_number
from fangkong.lib.spreadsheet import (
    Columns,
    Problem,
    Sheet,
    SpreadsheetError,
    cell_text,
    read_spreadsheet,
)
from fangkong.passes import keystore, trust
from fangkong.passes.models import (
    DEFAULT_VALIDITY_DAYS,
    MAX_VALIDITY_DAYS,
    Cargo,
    Driver,
    GreenPass,
    PassCheck,
    SigningKey,
    Vehicle,
)
from fangkong.passes.rollups import day, valid_deltas

MAX_BATCH = 1000
MAX_FUTURE = timedelta(minutes=5)
UNREADABLE = frozenset(
    {signing.Reason.BAD_PREFIX, signing.Reason.BAD_BASE45}
    | {signing.Reason.BAD_COMPRESSION, signing.Reason.BAD_CBOR}
)


def _region_root() -> Division:
    root = Division.objects.filter(parent__isnull=True).order_by("code").first()
    if root is None:
        raise ValidationError(_("No divisions are loaded."))
    return root


# --- keys -------------------------------------------------------------------------------------


def _new_key(*, division: Division, is_root: bool, now: datetime) -> SigningKey:
    private = signing.generate_private_key()
    kid_hex = keystore.store(private)
    return SigningKey.objects.create(
        kid=kid_hex,
        public_key=signing.public_key_to_b64(private.public_key()),
        is_root=is_root,
        division=division,
        division_code=division.code,
        valid_from=now,
    )


def key_create(
    *, actor: User | None, division: Division | None = None, root: bool = False, now: datetime
) -> list[SigningKey]:
    """A first signing key for an HQ (``root``: the league root key). Creates the root key too
    when there is none yet, since nothing can be trusted without it. Returns the keys made."""
    made: list[SigningKey] = []
    with transaction.atomic():
        if root or not SigningKey.objects.filter(is_root=True, retired_at__isnull=True).exists():
            if SigningKey.objects.filter(is_root=True, retired_at__isnull=True).exists():
                raise ValidationError(_("The league root key exists already: rotate it instead."))
            made.append(_new_key(division=_region_root(), is_root=True, now=now))
        if division is not None:
            if SigningKey.objects.filter(
                division_code=division.code, is_root=False, retired_at__isnull=True
            ).exists():
                raise ValidationError(
                    _("%(hq)s already has a signing key: rotate it instead.") % {"hq": division}
                )
            made.append(_new_key(division=division, is_root=False, now=now))
        for key in made:
            record_audit(actor, "passes.key_create", key, kid=key.kid, root=key.is_root)
        trust.bump_generation()
    return made


def key_rotate(
    *, actor: User | None, division: Division | None = None, root: bool = False, now: datetime
) -> tuple[SigningKey, SigningKey]:
    """Replace an HQ's key (or the root key). The old key stays trusted until the last pass it
    signed expires; the root key is replaced at once (checkpoints fetch the new one)."""
    with transaction.atomic():
        current = (
            SigningKey.objects.select_for_update()
            .filter(retired_at__isnull=True, is_root=root)
            .filter(**({} if root else {"division_code": division.code if division else ""}))
            .first()
        )
        if current is None:
            raise ValidationError(_("There is no key to rotate: create one first."))
        end = trust.last_pass_end(current.kid)
        current.retired_at = now
        current.valid_until = now if root or end is None or end < now else end
        current.save(update_fields=["retired_at", "valid_until"])
        new = _new_key(division=current.division, is_root=root, now=now)
        record_audit(
            actor,
            "passes.key_rotate",
            new,
            old_kid=current.kid,
            old_valid_until=current.valid_until,
        )
        trust.bump_generation()
    return current, new


# --- vehicles and drivers ---------------------------------------------------------------------


def _clean_plate(value: str) -> str:
    try:
        return normalize_plate(value)
    except InvalidNumber as exc:
        raise ValidationError({"plate": number_error(exc)}) from None


def vehicle_upsert(
    *, actor: User | None, division: Division, plate: str, vehicle_type: str = "", owner: str = ""
) -> Vehicle:
    """Register a vehicle by plate, or update its type and owner."""
    plate = _clean_plate(plate)
    with transaction.atomic():
        vehicle, created = Vehicle.objects.get_or_create(
            plate=plate,
            defaults={
                "vehicle_type": vehicle_type[:40],
                "owner": owner[:100],
                "division": division,
                "division_code": division.code,
            },
        )
        if not created and (vehicle_type or owner):
            vehicle.vehicle_type = vehicle_type[:40] or vehicle.vehicle_type
            vehicle.owner = owner[:100] or vehicle.owner
            vehicle.save(update_fields=["vehicle_type", "owner", "updated_at"])
        record_audit(actor, "passes.vehicle_save", vehicle, created=created)
    return vehicle


def driver_upsert(
    *, actor: User | None, division: Division, name: str, id_number: str, phone: str = ""
) -> Driver:
    """Register a driver by ID number (validated), or update name and phone."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"driver_name": _("The driver's name is required.")})
    try:
        number = parse_id_number(id_number).number
    except InvalidNumber as exc:
        raise ValidationError({"driver_id_number": number_error(exc)}) from None
    try:
        mobile = normalize_mobile(phone) if phone else ""
    except InvalidNumber as exc:
        raise ValidationError({"driver_phone": number_error(exc)}) from None
    with transaction.atomic():
        driver, created = Driver.objects.get_or_create(
            id_number=number,
            defaults={
                "name": name[:50],
                "phone": mobile,
                "division": division,
                "division_code": division.code,
            },
        )
        if not created:
            driver.name = name[:50]
            driver.phone = mobile or driver.phone
            driver.save(update_fields=["name", "phone", "updated_at"])
        record_audit(actor, "passes.driver_save", driver, created=created)
    return driver


# --- passes -----------------------------------------------------------------------------------


def _check_issuer(actor: User | None, division: Division) -> SigningKey:
    if actor is not None and not actor.can(Perm.PASSES_ISSUE, division.code):
        raise PermissionDenied
    key = SigningKey.objects.filter(
        division_code=division.code, is_root=False, retired_at__isnull=True
    ).first()
    if key is None:
        raise ValidationError(
            _("%(hq)s has no signing key: run `fangkong keys create --division %(code)s`.")
            % {"hq": division, "code": division.code}
        )
    return key


def _place(value: str, field: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError({field: _("This field is required.")})
    if len(text) > 100:
        raise ValidationError({field: _("At most 100 characters.")})
    return text


def _days(value: int | None) -> int:
    days = DEFAULT_VALIDITY_DAYS if value is None else value
    if not isinstance(days, int) or not 1 <= days <= MAX_VALIDITY_DAYS:
        raise ValidationError(
            {"days": _("Validity must be 1 to %(max)d days.") % {"max": MAX_VALIDITY_DAYS}}
        )
    return days


@dataclass(frozen=True)
class PassRequest:
    """What a pass says, before it is signed."""

    vehicle: Vehicle
    driver: Driver | None
    cargo: str
    origin: str
    destination: str
    days: int | None = None
    valid_from: datetime | None = None


def _issue(
    *, actor: User | None, division: Division, key: SigningKey, req: PassRequest, now: datetime
) -> GreenPass:
    if req.cargo not in Cargo.values:
        raise ValidationError({"cargo": _("Unknown cargo category: %(c)s") % {"c": req.cargo}})
    origin = _place(req.origin, "origin")
    destination = _place(req.destination, "destination")
    days = _days(req.days)
    start = (req.valid_from or now).replace(microsecond=0)
    if start < now - timedelta(minutes=5):
        raise ValidationError({"valid_from": _("A pass cannot start in the past.")})
    end = start + timedelta(days=days)
    serial = f"{division.code}-{timezone.localdate(now):%y%m%d}-{secrets.token_hex(4).upper()}"
    driver = req.driver
    try:
        private_key = keystore.load(key.kid)
    except keystore.MissingPrivateKey:
        raise ValidationError(
            _("The private key of %(hq)s is missing from the key directory: rotate the key.")
            % {"hq": division}
        ) from None
    code = signing.encode_pass(
        private_key=private_key,
        kid=bytes.fromhex(key.kid),
        issuer_code=division.code,
        serial=serial,
        nbf=start,
        exp=end,
        iat=now,
        claims={
            "plate": req.vehicle.plate,
            "vehicle_type": req.vehicle.vehicle_type,
            "cargo": req.cargo,
            "origin": origin,
            "destination": destination,
            "driver_name": driver.name if driver else "",
            "driver_id_last4": driver.id_number[-4:] if driver else "",
            "phone_last4": driver.phone[-4:] if driver and driver.phone else "",
        },
    )
    green = GreenPass.objects.create(
        serial=serial,
        vehicle=req.vehicle,
        driver=driver,
        cargo=req.cargo,
        origin=origin,
        destination=destination,
        valid_from=start,
        valid_until=end,
        division=division,
        division_code=division.code,
        kid=key.kid,
        code=code,
        issued_by=actor,
        created_at=now,
    )
    record_audit(actor, "passes.issue", green, plate=req.vehicle.plate, days=days)
    bump("passes.issued", division.code, day(now))
    bump_many(
        ("passes.valid", division.code, d, delta)
        for d, delta in valid_deltas(valid_from=start, valid_until=end, revoked_at=None)
    )
    return green


def pass_issue(
    *, actor: User | None, division: Division, request: PassRequest, now: datetime
) -> GreenPass:
    """Sign and record one pass issued by ``division``'s HQ."""
    with transaction.atomic():
        key = _check_issuer(actor, division)
        return _issue(actor=actor, division=division, key=key, req=request, now=now)


def pass_create_full(
    *,
    actor: User | None,
    division: Division,
    plate: str,
    cargo: str,
    origin: str,
    destination: str,
    days: int | None = None,
    vehicle_type: str = "",
    owner: str = "",
    driver_name: str = "",
    driver_id_number: str = "",
    driver_phone: str = "",
    now: datetime,
) -> GreenPass:
    """Register (or update) the vehicle and driver, and issue their pass: one transaction."""
    with transaction.atomic():
        key = _check_issuer(actor, division)
        vehicle = vehicle_upsert(
            actor=actor, division=division, plate=plate, vehicle_type=vehicle_type, owner=owner
        )
        driver = None
        if driver_name or driver_id_number:
            driver = driver_upsert(
                actor=actor,
                division=division,
                name=driver_name,
                id_number=driver_id_number,
                phone=driver_phone,
            )
        request = PassRequest(
            vehicle=vehicle,
            driver=driver,
            cargo=cargo,
            origin=origin,
            destination=destination,
            days=days,
        )
        return _issue(actor=actor, division=division, key=key, req=request, now=now)


def pass_revoke(*, actor: User | None, green: GreenPass, reason: str, now: datetime) -> GreenPass:
    """issued → revoked, with a reason; the serial goes into the next trust list."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason for revoking the pass.")})
    with transaction.atomic():
        green = GreenPass.objects.select_for_update().get(pk=green.pk)
        if actor is not None and not actor.can(Perm.PASSES_ISSUE, green.division_code):
            raise PermissionDenied
        if green.status_at(now) != GreenPass.Status.ISSUED:
            raise ValidationError(
                _("Only an issued, unexpired pass can be revoked; this one is %(s)s.")
                % {"s": GreenPass.Status(green.status_at(now)).label}
            )
        old = valid_deltas(
            valid_from=green.valid_from, valid_until=green.valid_until, revoked_at=None
        )
        green.status = GreenPass.Status.REVOKED
        green.revoked_at = now
        green.revoked_reason = reason[:200]
        green.save(update_fields=["status", "revoked_at", "revoked_reason", "updated_at"])
        new = valid_deltas(
            valid_from=green.valid_from, valid_until=green.valid_until, revoked_at=now
        )
        bump_many(
            [("passes.valid", green.division_code, d, -delta) for d, delta in old]
            + [("passes.valid", green.division_code, d, delta) for d, delta in new]
        )
        record_audit(actor, "passes.revoke", green, reason=reason)
        trust.bump_generation()
    return green


def passes_expire_due(*, now: datetime) -> int:
    """issued → expired for every pass past its end (the figures already count them out)."""
    with transaction.atomic():
        count = GreenPass.objects.filter(
            status=GreenPass.Status.ISSUED, valid_until__lte=now
        ).update(status=GreenPass.Status.EXPIRED, updated_at=now)
        if count:
            record_audit(None, "passes.expire", None, count=count)
    return count


# --- bulk issue from a spreadsheet ------------------------------------------------------------

#: Accepted column headers (English or Chinese) → field.
COLUMNS: dict[str, str] = {
    "plate": "plate",
    "车牌": "plate",
    "车牌号": "plate",
    "vehicle_type": "vehicle_type",
    "车型": "vehicle_type",
    "owner": "owner",
    "车主": "owner",
    "所属单位": "owner",
    "driver_name": "driver_name",
    "驾驶员": "driver_name",
    "driver_id_number": "driver_id_number",
    "驾驶员身份证号": "driver_id_number",
    "driver_phone": "driver_phone",
    "驾驶员电话": "driver_phone",
    "cargo": "cargo",
    "货物类别": "cargo",
    "origin": "origin",
    "起点": "origin",
    "destination": "destination",
    "终点": "destination",
    "days": "days",
    "有效天数": "days",
}
REQUIRED_COLUMNS = ("plate", "cargo", "origin", "destination")
MAX_ROWS = 5000
_CARGO_WORDS = {str(label): value for value, label in Cargo.choices} | {
    "应急物资": "emergency",
    "医疗物资": "medical",
    "生产物资": "production",
    "生活必需品": "daily",
}


_FLEET_ALIASES: dict[str, list[str]] = {}
for _header, _field in COLUMNS.items():
    _FLEET_ALIASES.setdefault(_field, [_field]).append(_header)
FLEET_COLUMNS = Columns(_FLEET_ALIASES)
MAX_FILE_BYTES = 5 * 1024 * 1024


def _read_sheet(data: bytes, filename: str) -> Sheet:
    return read_spreadsheet(
        data,
        filename,
        columns=FLEET_COLUMNS,
        header_keys=("plate",),
        max_rows=MAX_ROWS,
        max_bytes=MAX_FILE_BYTES,
    )


def pass_bulk_issue(
    *,
    actor: User | None,
    division: Division,
    data: bytes,
    owner: str = "",
    now: datetime,
    filename: str = "fleet.xlsx",
) -> list[GreenPass]:
    """Issue one pass per row of a fleet spreadsheet (xlsx, or CSV in UTF-8 or GBK): all rows
    or none.

    The file is read by the one spreadsheet reader; every row is checked first, and any
    problem raises ``SpreadsheetError`` naming each one by row and column (as the spreadsheet
    shows them). Nothing is written then.
    """
    sheet = _read_sheet(data, filename)
    found = FLEET_COLUMNS.map(sheet.rows[sheet.header_row])
    missing = FLEET_COLUMNS.missing(found, REQUIRED_COLUMNS)
    if missing:
        raise SpreadsheetError(
            gettext_noop("missing columns: %(columns)s"),
            {"columns": ", ".join(missing)},
            row=sheet.header_row + 1,
        )
    body = list(sheet.body())
    if not body:
        raise SpreadsheetError(gettext_noop("The spreadsheet has no rows under its header."))
    errors: list[Problem] = []
    parsed: list[tuple[int, dict[str, Any]]] = []
    seen_plates: dict[str, int] = {}
    for number, row in body:
        item: dict[str, Any] = {
            field: cell_text(row[i]) if i < len(row) else "" for field, i in found.index.items()
        }

        def problem(
            field: str,
            message: str,
            params: dict[str, Any] | None = None,
            number: int = number,
        ) -> None:
            errors.append(Problem(number, found.names.get(field, field), message, params))

        try:
            item["plate"] = normalize_plate(item.get("plate", ""))
            if item["plate"] in seen_plates:
                problem(
                    "plate",
                    gettext_noop("%(p)s is also on row %(r)d"),
                    {"p": item["plate"], "r": seen_plates[item["plate"]]},
                )
            seen_plates.setdefault(item["plate"], number)
        except InvalidNumber as exc:
            problem("plate", number_error(exc))
        cargo = item.get("cargo", "")
        item["cargo"] = cargo if cargo in Cargo.values else _CARGO_WORDS.get(cargo, "")
        if not item["cargo"]:
            problem("cargo", gettext_noop("unknown category '%(c)s'"), {"c": cargo})
        for field in ("origin", "destination"):
            if not item.get(field):
                problem(field, gettext_noop("required, but empty"))
        days_text = item.get("days", "")
        try:
            item["days"] = int(days_text) if days_text else DEFAULT_VALIDITY_DAYS
            _days(item["days"])
        except (ValueError, ValidationError):
            problem(
                "days",
                gettext_noop("must be a whole number from 1 to %(max)d"),
                {"max": MAX_VALIDITY_DAYS},
            )
        if item.get("driver_id_number") or item.get("driver_name"):
            try:
                item["driver_id_number"] = parse_id_number(item.get("driver_id_number", "")).number
            except InvalidNumber as exc:
                problem("driver_id_number", number_error(exc))
            if not item.get("driver_name"):
                problem("driver_name", gettext_noop("required with an ID number"))
            if item.get("driver_phone"):
                try:
                    item["driver_phone"] = normalize_mobile(item["driver_phone"])
                except InvalidNumber as exc:
                    problem("driver_phone", number_error(exc))
        parsed.append((number, item))
    if errors:
        raise SpreadsheetError(problems=errors)
    issued: list[GreenPass] = []
    with transaction.atomic():
        key = _check_issuer(actor, division)
        for _number, item in parsed:
            vehicle = vehicle_upsert(
                actor=actor,
                division=division,
                plate=item["plate"],
                vehicle_type=item.get("vehicle_type", ""),
                owner=item.get("owner", "") or owner,
            )
            driver = None
            if item.get("driver_id_number"):
                driver = driver_upsert(
                    actor=actor,
                    division=division,
                    name=item["driver_name"],
                    id_number=item["driver_id_number"],
                    phone=item.get("driver_phone", ""),
                )
            req = PassRequest(
                vehicle=vehicle,
                driver=driver,
                cargo=item["cargo"],
                origin=item["origin"],
                destination=item["destination"],
                days=item["days"],
            )
            issued.append(_issue(actor=actor, division=division, key=key, req=req, now=now))
        record_audit(
            actor, "passes.bulk_issue", None, division_code=division.code, count=len(issued)
        )
    return issued


# --- verification and the check log -----------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    valid: bool
    reason: str
    claims: dict[str, Any] | None
    serial: str | None
    issuer: str | None
    kind: str = "fk1"

    @property
    def unreadable(self) -> bool:
        return self.reason in UNREADABLE


def _dcc_certificates() -> list[Any] | None:
    from cryptography import x509
    from django.conf import settings

    path = getattr(settings, "FANGKONG_DCC_TRUST_FILE", None)
    if not path:
        return None
    try:
        with open(path, "rb") as fh:
            return list(x509.load_pem_x509_certificates(fh.read()))
    except (OSError, ValueError):
        return None


def verify_code(code: str, *, at: datetime) -> Verdict:
    """Verify a code against the server's own (always fresh) trust list; never raises.

    ``HC1:`` codes are read as EU certificates when ``settings.FANGKONG_DCC_TRUST_FILE`` (a PEM
    bundle of signer certificates) is configured; without it they are ``bad_prefix``.
    """
    if isinstance(code, str) and code.startswith("HC1:"):
        certificates = _dcc_certificates()
        if certificates is not None:
            dcc = signing.verify_hc1(code, certificates, at=at)
            return Verdict(
                valid=dcc.valid,
                reason=dcc.reason,
                claims=dcc.dgc if dcc.verify else None,
                serial=None,
                issuer=dcc.issuer,
                kind="hc1",
            )
    result = signing.verify_pass(code, trust.server_copy(at=at), at=at)
    return Verdict(
        valid=result.valid,
        reason=str(result.reason),
        claims=result.claims,
        serial=result.serial,
        issuer=result.issuer,
    )


def _duty_code(actor: User) -> str:
    keys = actor.scope_keys(Perm.CHECKPOINTS_DUTY) or actor.scope_keys(Perm.PASSES_VIEW)
    if not keys:
        raise PermissionDenied
    return sorted(keys, key=len)[-1]


def pass_check_verify(
    *, actor: User, code: str, checkpoint_id: int | None, at: datetime
) -> Verdict:
    """Verify a code; with a checkpoint, log the check as a passage (fast-passed or turned
    back) and count it in ``passes.verified.<reason>``."""
    verdict = verify_code(code, at=at)
    if checkpoint_id is None:
        return verdict
    division_code = _duty_code(actor)
    with transaction.atomic():
        check = PassCheck.objects.create(
            client_uuid=uuid.uuid4(),
            checkpoint_id=checkpoint_id,
            at=at,
            subject="vehicle",
            plate=(verdict.claims or {}).get("plate", "")[:8] if verdict.kind == "fk1" else "",
            result=PassCheck.Result.FAST_PASSED if verdict.valid else PassCheck.Result.TURNED_BACK,
            reason="" if verdict.valid else verdict.reason,
            verdict=verdict.reason[:20],
            pass_serial=(verdict.serial or "")[:32],
            division_code=division_code,
            inspector=actor,
        )
        record_audit(actor, "passes.check", check, verdict=verdict.reason)
        if verdict.reason in {r.value for r in signing.Reason}:
            bump(f"passes.verified.{verdict.reason}", division_code, day(at))
        if verdict.valid:
            _log_fast_passage(actor=actor, checkpoint_id=checkpoint_id, check=check)
    return verdict


def _log_fast_passage(*, actor: User, checkpoint_id: int, check: PassCheck) -> None:
    """A valid pass opens the green channel: log the vehicle in the checkpoint's passage log
    when the checkpoint is open and the actor works it. An invalid pass only means no green
    channel (the inspector decides what happens next), so nothing is logged for it here."""
    checkpoint = Checkpoint.objects.filter(pk=checkpoint_id, status=CheckpointStatus.OPEN).first()
    if checkpoint is None or not actor.can(Perm.CHECKPOINTS_DUTY, checkpoint.division_code):
        return
    checkpoint_services.passage_log(
        actor=actor,
        checkpoint=checkpoint,
        at=check.at,
        direction="in",
        subject="vehicle",
        result="fast_passed",
        plate=check.plate,
        pass_serial=check.pass_serial,
        client_uuid=check.client_uuid,
    )


@dataclass(frozen=True)
class BatchOutcome:
    client_uuid: str | None
    outcome: str  # stored | duplicate | rejected
    reason: str | None = None


_DIRECTIONS = {"in", "out"}
_SUBJECTS = {"person", "vehicle"}


def _check_item(item: Any, now: datetime) -> tuple[str | None, dict[str, Any] | str]:
    """(uuid text, cleaned fields) or (uuid text, rejection reason)."""
    if not isinstance(item, dict):
        return None, "not an object"
    raw_uuid = item.get("client_uuid")
    try:
        client_uuid = uuid.UUID(str(raw_uuid)) if raw_uuid is not None else None
    except ValueError:
        client_uuid = None
    uuid_text = str(raw_uuid) if raw_uuid is not None else None
    if client_uuid is None:
        return uuid_text, "client_uuid: not a UUID"
    at_text = item.get("at")
    at = parse_datetime(at_text) if isinstance(at_text, str) else None
    if at is None or at.tzinfo is None:
        return uuid_text, "at: not an ISO 8601 time with an offset"
    if at > now + MAX_FUTURE:
        return uuid_text, "at: more than 5 minutes in the future"
    direction, subject, result = item.get("direction"), item.get("subject"), item.get("result")
    if direction not in _DIRECTIONS:
        return uuid_text, "direction: must be in or out"
    if subject not in _SUBJECTS:
        return uuid_text, "subject: must be person or vehicle"
    if result not in PassCheck.Result.values:
        return uuid_text, "result: must be passed, fast_passed, turned_back or referred"
    plate = item.get("plate") or ""
    if plate:
        try:
            plate = normalize_plate(str(plate))
        except InvalidNumber as exc:
            return uuid_text, f"plate: {exc}"
    temperature = item.get("temperature")
    temp: Decimal | None = None
    if temperature is not None:
        try:
            temp = Decimal(str(temperature)).quantize(Decimal("0.1"))
        except InvalidOperation:
            return uuid_text, "temperature: not a number"
        if not Decimal("30") <= temp <= Decimal("45"):
            return uuid_text, "temperature: must be between 30 and 45 °C"
    verdict = item.get("verdict") or ""
    if verdict and verdict not in {r.value for r in signing.Reason}:
        return uuid_text, "verdict: unknown reason"
    timings: dict[str, int | None] = {}
    for name in ("scan_ms", "log_ms"):
        value = item.get(name)
        if value is not None and (not isinstance(value, int) or not 0 <= value < 86_400_000):
            return uuid_text, f"{name}: must be a whole number of milliseconds"
        timings[name] = value
    return uuid_text, {
        "client_uuid": client_uuid,
        "at": at,
        "direction": direction,
        "subject": subject,
        "plate": plate,
        "person_name": str(item.get("person_name") or "")[:50],
        "temperature": temp,
        "result": result,
        "reason": str(item.get("reason") or "")[:200],
        "verdict": verdict,
        "pass_serial": str(item.get("pass_serial") or "")[:32],
        **timings,
    }


def pass_checks_batch(
    *, actor: User, checkpoint_id: int | None, items: list[Any], now: datetime
) -> list[BatchOutcome]:
    """Store a device's queued checks idempotently by ``client_uuid`` (the wire format of the
    checkpoints passage batch): each item is stored, a duplicate, or rejected with a reason."""
    if len(items) > MAX_BATCH:
        raise ValidationError(_("At most %(n)d passages in one batch.") % {"n": MAX_BATCH})
    division_code = _duty_code(actor)
    outcomes: list[BatchOutcome] = []
    fresh: list[PassCheck] = []
    with transaction.atomic():
        cleaned = [_check_item(item, now) for item in items]
        uuids = [c[1]["client_uuid"] for c in cleaned if isinstance(c[1], dict)]
        known = {
            str(u)
            for u in PassCheck.objects.filter(client_uuid__in=uuids).values_list(
                "client_uuid", flat=True
            )
        }
        for uuid_text, fields in cleaned:
            if isinstance(fields, str):
                outcomes.append(BatchOutcome(uuid_text, "rejected", fields))
                continue
            key = str(fields["client_uuid"])
            if key in known:
                outcomes.append(BatchOutcome(uuid_text, "duplicate"))
                continue
            known.add(key)
            fresh.append(
                PassCheck(
                    checkpoint_id=checkpoint_id,
                    division_code=division_code,
                    inspector=actor,
                    created_at=now,
                    **fields,
                )
            )
            outcomes.append(BatchOutcome(uuid_text, "stored"))
        PassCheck.objects.bulk_create(fresh)
        bump_many(
            (f"passes.verified.{c.verdict}", division_code, day(c.at), 1)
            for c in fresh
            if c.verdict
        )
        if fresh:
            record_audit(
                actor, "passes.checks_batch", None, division_code=division_code, stored=len(fresh)
            )
    return outcomes
