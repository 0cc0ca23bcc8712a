"""Checks for uploaded files: photos (images only, size-limited, EXIF stripped with Pillow) and
publicity files (the bytes must be what the name says)."""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_PHOTO_BYTES = 8 * 1024 * 1024
MAX_PHOTOS = 4
MAX_MATERIAL_BYTES = 15 * 1024 * 1024
MAX_PIXELS = 40_000_000

# Pillow format → (extensions allowed, content type, extension written)
IMAGE_FORMATS = {
    "JPEG": ({"jpg", "jpeg"}, "image/jpeg", "jpg"),
    "PNG": ({"png"}, "image/png", "png"),
    "WEBP": ({"webp"}, "image/webp", "webp"),
}


@dataclass(frozen=True)
class CleanFile:
    content: ContentFile
    content_type: str
    size: int


def _extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:.0f} MB"


def clean_photo(upload: UploadedFile, *, label: str = "") -> CleanFile:
    """A photo re-encoded from its pixels only (no EXIF, GPS or other metadata)."""
    name = upload.name or ""
    where = label or name
    if (upload.size or 0) > MAX_PHOTO_BYTES:
        raise ValidationError(
            _("%(file)s is too large (%(size)s); a photo may be at most %(max)s.")
            % {"file": where, "size": _mb(upload.size or 0), "max": _mb(MAX_PHOTO_BYTES)}
        )
    data = upload.read()
    try:
        with Image.open(io.BytesIO(data)) as probe:
            probe.verify()
        image = Image.open(io.BytesIO(data))
        image_format = image.format or ""
        if image.width * image.height > MAX_PIXELS:
            raise ValidationError(_("%(file)s has too many pixels.") % {"file": where})
        image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError):
        raise ValidationError(
            _("%(file)s is not an image (JPEG, PNG or WebP photos only).") % {"file": where}
        ) from None
    if image_format not in IMAGE_FORMATS:
        raise ValidationError(
            _("%(file)s is a %(format)s image; only JPEG, PNG or WebP photos are accepted.")
            % {"file": where, "format": image_format or "?"}
        )
    extensions, content_type, written_ext = IMAGE_FORMATS[image_format]
    if _extension(name) not in extensions:
        raise ValidationError(
            _("%(file)s is a %(format)s image but its name says otherwise; rename it.")
            % {"file": where, "format": image_format}
        )
    upright = ImageOps.exif_transpose(image)
    if upright.mode not in ("RGB", "RGBA", "L"):
        upright = upright.convert("RGBA" if "A" in upright.getbands() else "RGB")
    if image_format == "JPEG" and upright.mode == "RGBA":
        upright = upright.convert("RGB")
    # A new image made of the pixels alone carries none of the original's metadata.
    bare = Image.frombytes(upright.mode, upright.size, upright.tobytes())
    out = io.BytesIO()
    save_kwargs: dict[str, object] = {"quality": 85} if image_format != "PNG" else {}
    bare.save(out, format=image_format, **save_kwargs)
    payload = out.getvalue()
    return CleanFile(
        ContentFile(payload, name=f"{uuid.uuid4().hex}.{written_ext}"), content_type, len(payload)
    )


# Material kind → allowed extensions, and a check of the first bytes.
def _is_pdf(head: bytes) -> bool:
    return head.startswith(b"%PDF-")


def _audio_type(head: bytes) -> str:
    if head.startswith(b"ID3") or head[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"):
        return "audio/mpeg"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio/wav"
    if head.startswith(b"OggS"):
        return "audio/ogg"
    if head[4:8] == b"ftyp":
        return "audio/mp4"
    return ""


AUDIO_EXTENSIONS = {"audio/mpeg": {"mp3"}, "audio/wav": {"wav"}, "audio/ogg": {"ogg", "oga"}}
AUDIO_EXTENSIONS["audio/mp4"] = {"m4a", "mp4", "aac"}


def clean_material_file(upload: UploadedFile, *, kind: str) -> CleanFile:
    """A publicity file whose bytes match its kind and its name."""
    name = upload.name or ""
    if kind == "image":
        return clean_photo(upload)
    if (upload.size or 0) > MAX_MATERIAL_BYTES:
        raise ValidationError(
            _("%(file)s is too large (%(size)s); a publicity file may be at most %(max)s.")
            % {"file": name, "size": _mb(upload.size or 0), "max": _mb(MAX_MATERIAL_BYTES)}
        )
    data = upload.read()
    head = data[:16]
    ext = _extension(name)
    if kind == "pdf":
        if not _is_pdf(head) or ext != "pdf":
            raise ValidationError(_("%(file)s is not a PDF document.") % {"file": name})
        return CleanFile(
            ContentFile(data, name=f"{uuid.uuid4().hex}.pdf"), "application/pdf", len(data)
        )
    if kind == "audio":
        content_type = _audio_type(head)
        if not content_type or ext not in AUDIO_EXTENSIONS[content_type]:
            raise ValidationError(
                _("%(file)s is not an audio file (MP3, WAV, OGG or M4A).") % {"file": name}
            )
        return CleanFile(
            ContentFile(data, name=f"{uuid.uuid4().hex}.{ext}"), content_type, len(data)
        )
    raise ValidationError(_("A text material carries no file."))
