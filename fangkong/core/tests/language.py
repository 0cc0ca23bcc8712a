"""What a reader sees of a page, and the English words in it.

Official text is Chinese by default: a page or printed document in the default language shows
no English sentence, no stored code (``combined_review``), no Python dict. What a person typed
or a code the system hands out (a plate, an application number ``SQ20200210ABCD``, a document
number) is allowed: a word is a run of two or more ASCII letters standing alone, not part of a
token with digits, and not one of the units and acronyms an official Chinese text uses.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

# Words an official Chinese text writes in Latin letters.
ALLOWED = frozenset(
    {
        # The language switch names each language in itself.
        "English",
        "QR",
        "PDF",
        "PNG",
        "SVG",
        "JPEG",
        "WebP",
        "OGG",
        "WAV",
        "MP3",
        "ID",
        "CSV",
        "xlsx",
        "XLSX",
        "MB",
        "KB",
        "GB",
        "km",
        "kg",
        "ml",
        "mm",
        "API",
        "SMS",
        "GPS",
        "IP",
        "URL",
        "HTTPS",
        "App",
        "APP",
        "Excel",
        "Word",
        "WPS",
        "docx",
        "txt",
        "png",
        "jpg",
        "Fangkong",
        "Ctrl",
        "CPU",
    }
)
_SKIP_TAGS = {"script", "style", "code", "pre", "textarea", "svg", "template", "noscript"}
# Not part of a longer token: an address (http://…), a file name, a code with digits or dashes.
_WORD = re.compile(r"(?<![A-Za-z0-9_@.\-/:])[A-Za-z]{2,}(?![A-Za-z0-9_@\-/:.])")


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self.skip += 1
        for name, value in attrs:
            # What a reader sees or hears of an element's attributes.
            if name in ("title", "placeholder", "aria-label", "alt") and value:
                self.parts.append(value)
            if (
                tag == "input"
                and name == "value"
                and dict(attrs).get("type")
                in (
                    "submit",
                    "button",
                )
            ):
                self.parts.append(value or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS and self.skip:
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return re.sub(r"\s+", " ", " ".join(parser.parts)).strip()


def english_words(text: str, *, typed: frozenset[str] = frozenset()) -> list[str]:
    """The words of ``text`` that are English (or codes) rather than Chinese."""
    return [w for w in _WORD.findall(text) if w not in ALLOWED and w not in typed]
