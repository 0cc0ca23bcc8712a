"""The self-registration poster of a community: a QR code and its name, as PNG or PDF.

Drawn with Pillow (already a requirement) in a CJK font found on the system; PDF is Pillow's
own writer, so no PDF library is needed.
"""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from fangkong.lib.qr import make_qr

FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
)
WIDTH, HEIGHT = 1240, 1754  # A4 at 150 dpi


@lru_cache(maxsize=8)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for candidate in FONT_CANDIDATES:
        if Path(candidate).exists():
            # index 2 of the Noto CJK collection is Simplified Chinese (SC)
            try:
                return ImageFont.truetype(candidate, size, index=2)
            except OSError:
                return ImageFont.truetype(candidate, size)
    return ImageFont.load_default(size)


def _centred(draw: ImageDraw.ImageDraw, y: int, text: str, size: int, fill: str = "#1f1a24") -> int:
    font = _font(size)
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    draw.text(((WIDTH - (right - left)) // 2, y), text, font=font, fill=fill)
    return int(y + (bottom - top) + size // 2)


def poster_image(*, url: str, community: str, parents: str) -> Image.Image:
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, WIDTH, 220), fill="#b3261e")
    _centred(draw, 60, "返程人员自主登记", 84, fill="white")
    y = _centred(draw, 280, community, 72)
    y = _centred(draw, y, parents, 40, fill="#5c5466")
    qr = make_qr(url)
    buf = io.BytesIO()
    qr.save(buf, kind="png", scale=20, border=2)
    code = Image.open(io.BytesIO(buf.getvalue())).convert("RGB")
    side = 760
    code = code.resize((side, side), Image.Resampling.NEAREST)
    image.paste(code, ((WIDTH - side) // 2, y + 30))
    y += side + 90
    for line in (
        "请用手机扫码，如实填写身份证号、姓名、电话和行程",
        "提交后请保存回执编号，社区工作人员将与您联系",
        "Scan to register your return trip",
    ):
        y = _centred(draw, y, line, 40)
    return image


def poster_png(*, url: str, community: str, parents: str) -> bytes:
    buf = io.BytesIO()
    poster_image(url=url, community=community, parents=parents).save(buf, format="PNG")
    return buf.getvalue()


def poster_pdf(*, url: str, community: str, parents: str) -> bytes:
    buf = io.BytesIO()
    poster_image(url=url, community=community, parents=parents).save(
        buf, format="PDF", resolution=150.0, title=f"{community} 返程人员自主登记"
    )
    return buf.getvalue()
