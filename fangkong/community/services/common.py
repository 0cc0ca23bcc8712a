"""Checks and photo handling that several community use cases share."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from fangkong.accounts.models import User
from fangkong.accounts.roles import Perm
from fangkong.community.models import Photo
from fangkong.community.uploads import MAX_PHOTOS, CleanFile, clean_photo
from fangkong.core.numbers import number_error
from fangkong.divisions.models import Division
from fangkong.lib.ids import InvalidNumber, normalize_mobile

FAMILY_EVENT_HORIZON_DAYS = 366
MAX_PEOPLE = 100_000


def _require_division(actor: User, division: Division, field: str = "division") -> None:
    if not actor.can(Perm.COMMUNITY_HANDLE, division.code):
        raise ValidationError(
            {
                field: _("%(name)s (%(code)s) is outside your jurisdiction.")
                % {"name": division.name, "code": division.code}
            }
        )


def _phone(value: str, field: str = "phone") -> str:
    value = (value or "").strip()
    if not value:
        return ""
    try:
        return normalize_mobile(value)
    except InvalidNumber as exc:
        raise ValidationError({field: number_error(exc)}) from None


def _text(value: str, field: str, *, required: bool = True, max_length: int = 200) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationError({field: _("This field is required.")})
    if len(text) > max_length:
        raise ValidationError({field: _("At most %(n)d characters, please.") % {"n": max_length}})
    return text


def _choice(value: str, choices: Any, field: str) -> str:
    if value not in choices.values:
        raise ValidationError({field: _("%(value)s is not a valid choice.") % {"value": value}})
    return value


def _clean_photos(photos: Sequence[UploadedFile]) -> list[CleanFile]:
    if len(photos) > MAX_PHOTOS:
        raise ValidationError({"photos": _("At most %(n)d photos, please.") % {"n": MAX_PHOTOS}})
    cleaned = []
    for index, upload in enumerate(photos, start=1):
        try:
            cleaned.append(clean_photo(upload, label=_("photo %(n)d") % {"n": index}))
        except ValidationError as exc:
            raise ValidationError({"photos": exc.messages}) from None
    return cleaned


def _save_photos(cleaned: list[CleanFile], *, division_code: str, **owner: Any) -> None:
    for item in cleaned:
        photo = Photo(
            content_type=item.content_type, size=item.size, division_code=division_code, **owner
        )
        photo.image.save(item.content.name or "photo", item.content, save=False)
        photo.save()


def _date_within(value: date, field: str, *, earliest: date, latest: date) -> date:
    if value < earliest or value > latest:
        raise ValidationError(
            {
                field: _("The date must lie between %(a)s and %(b)s.")
                % {"a": earliest.isoformat(), "b": latest.isoformat()}
            }
        )
    return value
