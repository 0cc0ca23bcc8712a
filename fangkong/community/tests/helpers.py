"""Test data builders for the community app."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from fangkong.accounts.roles import Role
from fangkong.community.models import GatheringReport
from fangkong.community.services import gatherings
from fangkong.test import BAYANHAOTE, division, make_user

BAYANHAOTE_GACHA = "152921110200"


def jpeg_with_exif(name: str = "party.jpg", size: tuple[int, int] = (64, 48)) -> SimpleUploadedFile:
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "SnoopCam"  # Make
    exif[0x0110] = "Model X"  # Model
    buf = io.BytesIO()
    image.save(buf, "JPEG", exif=exif)
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/jpeg")


def png(name: str = "place.png") -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (32, 32), (0, 120, 0)).save(buf, "PNG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


def sumu_worker(username: str = "sumu_worker"):
    return make_user(username, Role.GRASSROOTS, BAYANHAOTE)


def report(actor=None, code: str = BAYANHAOTE, **extra) -> GatheringReport:
    fields: dict[str, Any] = {
        "kind": "wedding",
        "place": "巴彦浩特镇某饭店",
        "division": division(code),
        "occurs_at": timezone.now() + timedelta(hours=3),
        "estimated_people": 80,
    }
    fields.update(extra)
    return gatherings.gathering_report(actor=actor, **fields)
