"""QR rendering and reading (no Django)."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import zxingcpp
from PIL import Image

from fangkong.lib import signing
from fangkong.lib.qr import make_qr, qr_png, qr_svg, read_qr


def _pass_code() -> str:
    private_key = signing.generate_private_key()
    now = datetime(2024, 5, 1, 8, 0, tzinfo=UTC)
    return signing.encode_pass(
        private_key=private_key,
        kid=signing.kid_for(private_key.public_key()),
        issuer_code="152900",
        serial="P-2024-000001",
        nbf=now,
        exp=now + timedelta(days=7),
        iat=now,
        claims={
            "plate": "蒙M12345",
            "vehicle_type": "货车",
            "cargo": "蔬菜",
            "origin": "152921",
            "destination": "150102",
            "driver_name": "张三",
            "driver_id_last4": "0013",
            "phone_last4": "5678",
        },
    )


def test_a_pass_code_survives_png_and_back() -> None:
    code = _pass_code()

    png = qr_png(code)

    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert read_qr(png) == [code]


def test_a_pass_code_is_alphanumeric_with_error_correction_q() -> None:
    code = _pass_code()

    symbol = make_qr(code)

    assert symbol.mode == "alphanumeric"
    assert symbol.error == "Q"
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr_png(code))))
    assert [b.ec_level for b in found] == ["Q"]


def test_error_correction_is_not_boosted() -> None:
    # A short code would fit at H in the same version; Q must stay Q.
    assert make_qr("FK1:ABC").error == "Q"


def test_text_outside_the_alphanumeric_set_round_trips_too() -> None:
    text = "https://fangkong.example/p/蒙M12345?x=1"

    assert make_qr(text).mode == "byte"
    assert read_qr(qr_png(text, scale=4)) == [text]


def test_the_scale_sets_the_module_size() -> None:
    small = Image.open(io.BytesIO(qr_png("FK1:ABC", scale=2, border=0)))
    large = Image.open(io.BytesIO(qr_png("FK1:ABC", scale=8, border=0)))

    assert large.size[0] == 4 * small.size[0]


def test_the_svg_is_well_formed_xml() -> None:
    svg = qr_svg(_pass_code())

    assert svg.startswith(b"<?xml")
    root = ET.fromstring(svg)  # noqa: S314 - our own output
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert int(root.attrib["width"]) > 0


def test_the_svg_and_the_png_have_the_same_size() -> None:
    code = _pass_code()

    root = ET.fromstring(qr_svg(code, scale=3, border=2))  # noqa: S314 - our own output
    png = Image.open(io.BytesIO(qr_png(code, scale=3, border=2)))

    assert (int(root.attrib["width"]), int(root.attrib["height"])) == png.size
    assert png.size == make_qr(code).symbol_size(scale=3, border=2)


def test_read_qr_returns_nothing_for_bytes_that_are_not_an_image() -> None:
    assert read_qr(b"") == []
    assert read_qr(b"not an image") == []
    assert read_qr(qr_png("FK1:ABC")[:60]) == []  # truncated PNG


def test_read_qr_returns_nothing_for_an_image_without_a_code() -> None:
    buf = io.BytesIO()
    Image.new("RGB", (200, 200), "white").save(buf, format="PNG")

    assert read_qr(buf.getvalue()) == []


def test_read_qr_reads_a_jpeg_photo_of_a_code() -> None:
    code = _pass_code()
    image = Image.open(io.BytesIO(qr_png(code, scale=8))).convert("RGB")
    buf = io.BytesIO()
    image.rotate(90, expand=True).save(buf, format="JPEG", quality=80)

    assert read_qr(buf.getvalue()) == [code]


def test_read_qr_refuses_a_huge_image() -> None:
    buf = io.BytesIO()
    Image.new("1", (8000, 6000), 1).save(buf, format="PNG")

    assert read_qr(buf.getvalue()) == []
