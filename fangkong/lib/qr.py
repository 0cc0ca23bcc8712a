"""QR codes: rendering (segno) and reading (zxing-cpp).

Passes (``FK1:`` + Base45) use only characters of the QR alphanumeric set, so they are encoded in
alphanumeric mode (5.5 bits a character instead of 8). Error correction is fixed at Q (25 %):
``boost_error=False`` keeps it there, so the same payload always gives the same symbol version.
Other text falls back to whatever mode segno picks (byte mode, UTF-8, for non-ASCII).
"""

from __future__ import annotations

import io
import warnings

import segno
import zxingcpp
from PIL import Image

__all__ = ["QR_ALPHANUMERIC", "make_qr", "qr_png", "qr_svg", "read_qr"]

#: The QR alphanumeric character set (Base45 uses exactly these 45 characters).
QR_ALPHANUMERIC = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")
#: Images larger than this are not decoded (a phone photo is ~12 Mpx).
MAX_IMAGE_PIXELS = 40_000_000
_QR_ONLY = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)


def make_qr(data: str) -> segno.QRCode:
    """The segno symbol: error correction Q, alphanumeric mode when ``data`` allows it."""
    mode = "alphanumeric" if data and set(data) <= QR_ALPHANUMERIC else None
    return segno.make_qr(data, error="q", boost_error=False, mode=mode)


def qr_png(data: str, *, scale: int = 6, border: int = 4) -> bytes:
    """PNG of a QR code for ``data``; ``scale`` pixels a module, ``border`` quiet-zone modules."""
    buf = io.BytesIO()
    make_qr(data).save(buf, kind="png", scale=scale, border=border)
    return buf.getvalue()


def qr_svg(data: str, *, scale: int = 6, border: int = 4) -> bytes:
    """Standalone SVG document (UTF-8, with an XML declaration) of a QR code for ``data``."""
    buf = io.BytesIO()
    make_qr(data).save(buf, kind="svg", scale=scale, border=border, xmldecl=True, svgns=True)
    return buf.getvalue()


def read_qr(image_bytes: bytes) -> list[str]:
    """Texts of the valid QR codes found in an image (PNG, JPEG, ...); ``[]`` if none.

    Never raises on unreadable or hostile image bytes: they simply yield no codes.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(image_bytes)) as image:
                width, height = image.size
                if width * height > MAX_IMAGE_PIXELS:
                    return []
                gray = image.convert("L")
    except Exception:  # not an image, truncated, decompression bomb, ...
        return []
    try:
        found = zxingcpp.read_barcodes(gray, formats=_QR_ONLY)
    except Exception:
        return []
    return [barcode.text for barcode in found if barcode.valid]
