"""Publicity materials published to the gachas, and each gacha's confirmation."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.accounts.models import User
from fangkong.community import metrics
from fangkong.community.models import (
    Conveyance,
    ConveyMethod,
    Material,
    MaterialKind,
    MaterialTarget,
)
from fangkong.community.services.common import _choice, _require_division, _text
from fangkong.community.uploads import CleanFile, clean_material_file
from fangkong.core.audit import record_audit
from fangkong.core.rollups import bump
from fangkong.divisions.models import Division, Level


def gachas_under(codes: Sequence[str]) -> list[Division]:
    """The gachas/communities (village level) under any of ``codes``."""
    from fangkong.core.jurisdiction import scope_q

    if not codes:
        return []
    return list(
        Division.objects.filter(scope_q(codes, field="code"), level=Level.VILLAGE).order_by("code")
    )


@transaction.atomic
def material_publish(
    *,
    actor: User,
    title: str,
    kind: str,
    division: Division,
    targets: Sequence[Division],
    body: str = "",
    upload: UploadedFile | None = None,
) -> Material:
    """Publish a text, image, PDF or audio material to chosen divisions."""
    _require_division(actor, division)
    kind = _choice(kind, MaterialKind, "kind")
    if not targets:
        raise ValidationError({"targets": _("Choose at least one division to publish to.")})
    for target in targets:
        _require_division(actor, target, "targets")
    body = _text(body, "body", required=kind == MaterialKind.TEXT, max_length=20000)
    cleaned: CleanFile | None = None
    if kind != MaterialKind.TEXT:
        if upload is None:
            raise ValidationError({"file": _("Attach the file for this material.")})
        try:
            cleaned = clean_material_file(upload, kind=kind)
        except ValidationError as exc:
            raise ValidationError({"file": exc.messages}) from None
    target_codes = sorted({t.code for t in targets})
    gachas = gachas_under(target_codes)
    if not gachas:
        raise ValidationError(
            {"targets": _("The chosen divisions hold no gacha or community to reach.")}
        )
    material = Material(
        title=_text(title, "title"),
        kind=kind,
        body=body,
        division=division,
        division_code=division.code,
        published_by=actor,
        target_count=len(gachas),
    )
    if cleaned is not None:
        material.content_type = cleaned.content_type
        material.file.save(cleaned.content.name or "file", cleaned.content, save=False)
    material.save()
    by_code = {t.code: t for t in targets}
    MaterialTarget.objects.bulk_create(
        MaterialTarget(material=material, division=by_code[code], division_code=code)
        for code in target_codes
    )
    record_audit(actor, "material.publish", material, kind=kind, targets=target_codes)
    day = metrics.day_of(material.created_at)
    for gacha in gachas:
        bump(metrics.PUBLICITY_TARGETS, gacha.code, day)
    return material


@transaction.atomic
def conveyance_confirm(
    *, actor: User, material: Material, gacha: Division, method: str, notes: str = ""
) -> Conveyance:
    """A gacha/community worker confirms the material was passed on (已传达), and how."""
    _require_division(actor, gacha, "gacha")
    target_codes = list(material.targets.values_list("division_code", flat=True))
    if gacha.level != Level.VILLAGE or not any(gacha.code.startswith(c) for c in target_codes):
        raise ValidationError(
            {
                "gacha": _("%(name)s is not a gacha this material was published to.")
                % {"name": gacha.name}
            }
        )
    existing = (
        Conveyance.objects.select_related("confirmed_by")
        .filter(material=material, division=gacha)
        .first()
    )
    if existing is not None:
        raise ValidationError(
            _("%(gacha)s already confirmed this on %(day)s.")
            % {"gacha": gacha.name, "day": timezone.localdate(existing.created_at).isoformat()}
        )
    conveyance = Conveyance.objects.create(
        material=material,
        division=gacha,
        division_code=gacha.code,
        method=_choice(method, ConveyMethod, "method"),
        notes=_text(notes, "notes", required=False, max_length=300),
        confirmed_by=actor,
    )
    record_audit(actor, "material.convey", material, division_code=gacha.code, method=method)
    bump(metrics.PUBLICITY_CONVEYED, gacha.code, metrics.day_of(conveyance.created_at))
    return conveyance
