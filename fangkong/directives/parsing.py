"""Turn a pasted notice (or an uploaded .docx / .txt file) into a structured notice.

Headquarters receive notices from the level above as web pages or Word files and paste them into
the platform. This module is pure Python (no Django, no other fangkong module) so it can be tested
and reused on its own.

Entry points:

* :func:`extract_text_from_docx` -- text of a .docx file (stdlib ``zipfile`` + ``xml.etree``).
* :func:`decode_text_file` -- text of a .txt file (UTF-8 with or without BOM, UTF-16 with BOM,
  then GB18030).
* :func:`extract_text_from_upload` -- picks one of the two above from the file name.
* :func:`parse_notice` -- pasted text to :class:`ParsedNotice`.

Every failure is a :class:`NoticeImportError` (a ``ValueError``) whose message is plain English
for the caller to translate, and whose ``code`` is a stable machine-readable key.

Choices made by :func:`parse_notice` (documented here because callers rely on them):

* ``cites`` holds one string per cited document that has a document number. When the number
  follows a title (``《…》（…〔2020〕1号）``) the string is ``"《title》（number）"``, otherwise it
  is the bare number. Either way every string contains the normalised document number, and the
  notice's own number is never listed.
* ``title``: an explicit title line before the body (a line containing 关于/通知/公告/…; an
  organisation line just above it is joined: ``…指挥部`` / ``二十号公告``; a ``【…】`` tag is
  dropped), else a news headline the page shows twice, else a ``标题：`` metadata field, else,
  for a report of a notice, ``{issuer}{kind}（{number}）``. If the text has none (the real
  Alxa sample starts directly with the body), a title is derived:
  ``关于{first measure title}等{N}项措施的{kind}`` where the kind (公告/通知/通报/通告) comes from
  phrases like 现公告如下 or 特此公告 (``关于{title}的{kind}`` for one measure; without a kind
  ``{first title}等{N}项措施``). Without measures the first sentence of the body is used,
  shortened to 40 characters.
* ``issuer``: the signature line(s) at the end of the notice (a signature or heading the page
  wrapped over two lines is joined first), else a red-header line (``…指挥部文件``), else a
  ``发文机关：`` field, else the organisation that starts the title (``…指挥部关于…的通知``,
  ``…指挥部28号公告``), else the organisation a report names in its opening lines
  (``10月20日，…指挥部发布公告``, ``…指挥部第二十一号公告称``, ``据…指挥部消息``), else an
  organisation-only header line. A signature followed by a line or two of the page (the next
  item's headline) still counts. Places a report puts before the name (``内蒙古自治区阿拉善盟``)
  are dropped. It is never guessed from the ``信息来源`` line, which names the office that
  published the web page, not the issuer: that goes to ``source``. Empty when unknown.
* ``date``: the last line that is only a date (the date under the signature), else a
  ``成文日期``/``发文日期`` field, else the date a report gives the notice (``10月20日，…指挥部发布
  公告``; without a year, the year of the page's own date, taking the latest such day not after
  it, and ``None`` when the page gives no year at all), else a ``发布日期``/``发布时间`` field, else
  a date in the header lines. Other dates inside running text (``2月1日，…``) are never used.
  ``None`` when unknown.
* ``doc_number``: a formal document number (``发文字号`` field or a number line such as
  ``阿防指发〔2020〕5号``), else the notice's number in its series as the heading gives it
  (``（第1号）``, ``二十号公告``, ``…指挥部6号令``, ``（2022第47号）``) or a report states it
  (``…指挥部第二十一号公告称``), written ``第N号`` in Arabic digits with the year in front when
  given (``2022年第47号``).
* ``measures``: top-level items 一、二、… (a marker counts at the start of a line or after 。！？,
  or, when that finds nothing, also after ；：), numbered consecutively from 一 (a first item
  typed ``1、`` before ``二、`` counts as 一). Without any, the parenthesised items （一）（二）…
  are used the same way. ``number`` is the bare numeral (``"一"``); ``text`` is the item's
  whole text without its marker, stopping before the closing formula (特此公告), an 附件 line,
  or the signature and date; ``title`` is its first sentence (up to the first 。 or the end of
  its first line) without the 。.
* ``body``: the notice text from its first line after the heading (a sentence, a salutation or
  an item) to its end, without the heading lines (title, number, site names, a news headline, a
  report's lead-in such as ``…指挥部发布公告：``) and the portal's metadata lines; the salutation,
  closing formula, signature and date are kept. The site's furniture is dropped wherever it
  is: menus and breadcrumbs, share and print buttons, editor and reporter credits (``责任编辑：``,
  ``（记者 …）``, ``编辑：``, ``监制：``), news datelines (``新华网…11月4日电``), copyright and
  licence footers, forum pagers, ads with links around the text, a copy's source notes
  (``(原题为《通告》)(本文来自…)``), a public-account article's follow prompts, and everything
  from a recommendations or related-reading heading (``为您推荐``, ``相关阅读``, ``往期回顾``,
  ``THE END``…) on. Lines at the end that only repeat earlier text (the headline again, a
  cut-off second copy) are dropped too.
* Punctuation the copying site turned into ASCII next to Chinese text (``10月26日,经``) is
  written full width again.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TypedDict
from xml.etree import ElementTree

__all__ = [
    "MAX_DOCX_XML_BYTES",
    "MAX_FILE_BYTES",
    "MAX_TEXT_CHARS",
    "MeasureJson",
    "NoticeImportError",
    "NoticeJson",
    "ParsedMeasure",
    "ParsedNotice",
    "decode_text_file",
    "extract_text_from_docx",
    "extract_text_from_upload",
    "normalise_doc_number",
    "parse_body",
    "parse_notice",
]

#: Largest text :func:`parse_notice` accepts (a notice is a few thousand characters).
MAX_TEXT_CHARS = 2_000_000
#: Largest uploaded file (.docx or .txt) accepted, in bytes.
MAX_FILE_BYTES = 20 * 1024 * 1024
#: Largest uncompressed ``word/document.xml`` read from a .docx (zip bomb guard), in bytes.
MAX_DOCX_XML_BYTES = 20 * 1024 * 1024


class NoticeImportError(ValueError):
    """The input cannot be imported as a notice.

    ``str(error)`` is a human-readable English message; ``code`` is a stable key the caller may
    use to pick a translated message.
    """

    def __init__(self, message: str, code: str = "invalid") -> None:
        super().__init__(message)
        self.code = code


class MeasureJson(TypedDict):
    """JSON form of :class:`ParsedMeasure`."""

    number: str
    title: str
    text: str


class NoticeJson(TypedDict):
    """JSON form of :class:`ParsedNotice` (``date`` is an ISO string or ``None``)."""

    title: str
    issuer: str
    date: str | None
    doc_number: str
    source: str
    cites: list[str]
    measures: list[MeasureJson]
    body: str


@dataclass(slots=True)
class ParsedMeasure:
    """One numbered measure of a notice."""

    number: str
    title: str
    text: str

    def as_json_dict(self) -> MeasureJson:
        """Return the measure as a JSON-serialisable dict."""
        return {"number": self.number, "title": self.title, "text": self.text}


@dataclass(slots=True)
class ParsedNotice:
    """A notice as parsed from pasted text; empty strings mean "not found"."""

    title: str = ""
    issuer: str = ""
    date: dt.date | None = None
    doc_number: str = ""
    source: str = ""
    cites: list[str] = field(default_factory=list)
    measures: list[ParsedMeasure] = field(default_factory=list)
    body: str = ""

    def as_json_dict(self) -> NoticeJson:
        """Return the notice as a JSON-serialisable dict (date as an ISO string or ``None``)."""
        return {
            "title": self.title,
            "issuer": self.issuer,
            "date": self.date.isoformat() if self.date else None,
            "doc_number": self.doc_number,
            "source": self.source,
            "cites": list(self.cites),
            "measures": [measure.as_json_dict() for measure in self.measures],
            "body": self.body,
        }


# --------------------------------------------------------------------------------------------
# File input
# --------------------------------------------------------------------------------------------

_W_NS = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_W_P = _W_NS + "p"
_W_T = _W_NS + "t"
_W_TAB = _W_NS + "tab"
_W_BREAKS = {_W_NS + "br", _W_NS + "cr"}
_W_HYPHEN = _W_NS + "noBreakHyphen"


def extract_text_from_docx(data: bytes) -> str:
    """Return the text of a .docx file: one line per paragraph, tabs and breaks kept.

    Only ``word/document.xml`` is read, so page headers, footers and comments are left out.
    Raises :class:`NoticeImportError` when the bytes are not a readable .docx file.
    """
    if len(data) > MAX_FILE_BYTES:
        raise NoticeImportError(
            f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB.", "file_too_large"
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as error:
        raise NoticeImportError(
            "The file is not a Word (.docx) document. Old .doc files must be saved as .docx first.",
            "not_docx",
        ) from error
    with archive:
        try:
            info = archive.getinfo("word/document.xml")
        except KeyError as error:
            raise NoticeImportError(
                "The file is a zip archive but not a Word (.docx) document.", "not_docx"
            ) from error
        too_big = NoticeImportError(
            "The Word document's text is too large to import.", "docx_too_large"
        )
        if info.file_size > MAX_DOCX_XML_BYTES:
            raise too_big
        try:
            # Read at most one byte past the limit: the size in the zip header may lie.
            with archive.open(info) as stream:
                xml_bytes = stream.read(MAX_DOCX_XML_BYTES + 1)
        except (
            zipfile.BadZipFile,
            zlib.error,
            RuntimeError,
            NotImplementedError,
            OSError,
        ) as error:
            raise NoticeImportError(
                "The Word document is damaged or encrypted and cannot be read.", "bad_docx"
            ) from error
    if len(xml_bytes) > MAX_DOCX_XML_BYTES:
        raise too_big
    # A real document.xml never has a DTD; refusing one rules out entity expansion attacks.
    head = xml_bytes[:4096].upper()
    if b"<!DOCTYPE" in head or b"<!ENTITY" in xml_bytes.upper():
        raise NoticeImportError("The Word document contains unsupported XML.", "bad_docx")
    try:
        root = ElementTree.fromstring(xml_bytes)  # noqa: S314 - DTDs are refused above
    except ElementTree.ParseError as error:
        raise NoticeImportError(
            "The Word document is damaged and cannot be read.", "bad_docx"
        ) from error
    lines: list[str] = []
    try:
        _docx_walk(root, lines)
    except RecursionError as error:
        raise NoticeImportError(
            "The Word document is nested too deeply to read.", "bad_docx"
        ) from error
    return "\n".join(line.rstrip() for line in lines).strip("\n")


def _docx_walk(element: ElementTree.Element, lines: list[str]) -> None:
    """Append one line per paragraph found under ``element``, in document order."""
    for child in element:
        if child.tag == _MC_FALLBACK:
            continue  # the same content as the mc:Choice next to it
        if child.tag == _W_P:
            _docx_paragraph(child, lines)
        else:
            _docx_walk(child, lines)


def _docx_paragraph(paragraph: ElementTree.Element, lines: list[str]) -> None:
    """Append the paragraph's line, then lines of paragraphs nested in it (text boxes)."""
    parts: list[str] = []
    nested: list[str] = []
    _docx_runs(paragraph, parts, nested)
    lines.append("".join(parts))
    lines.extend(nested)


def _docx_runs(element: ElementTree.Element, parts: list[str], nested: list[str]) -> None:
    """Collect the text of runs under ``element``; nested paragraphs go to ``nested``."""
    for child in element:
        tag = child.tag
        if tag == _W_T:
            parts.append(child.text or "")
        elif tag == _W_TAB:
            parts.append("\t")
        elif tag in _W_BREAKS:
            parts.append("\n")
        elif tag == _W_HYPHEN:
            parts.append("-")
        elif tag == _MC_FALLBACK:
            continue
        elif tag == _W_P:
            _docx_paragraph(child, nested)
        else:
            _docx_runs(child, parts, nested)


_BAD_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f]")


def decode_text_file(data: bytes) -> str:
    """Decode a text file: UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030.

    Raises :class:`NoticeImportError` for files that are too large or not text.
    """
    if len(data) > MAX_FILE_BYTES:
        raise NoticeImportError(
            f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB.", "file_too_large"
        )
    if data.startswith(b"PK\x03\x04"):
        raise NoticeImportError(
            "The file is a zip or Word document, not a plain text file.", "not_text"
        )
    text: str | None = None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            text = None
    if text is None:
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
    if text is None:
        raise NoticeImportError(
            "The file is not a text file in UTF-8 or GB18030 encoding.", "not_text"
        )
    text = text.removeprefix("\ufeff")
    controls = len(_BAD_CONTROL.findall(text))
    if "\x00" in text or controls > max(2, len(text) // 200):
        raise NoticeImportError("The file is not a text file.", "not_text")
    return text


def extract_text_from_upload(filename: str, data: bytes) -> str:
    """Return the text of an uploaded .docx or .txt file, chosen by the file name's extension."""
    name = filename.lower().strip()
    if name.endswith(".docx"):
        return extract_text_from_docx(data)
    if name.endswith((".txt", ".text")):
        return decode_text_file(data)
    if name.endswith((".doc", ".wps")):
        raise NoticeImportError(
            "Old Word (.doc) and WPS files are not supported; save the file as .docx first.",
            "unsupported_file",
        )
    raise NoticeImportError("Only .docx and .txt files can be imported.", "unsupported_file")


# --------------------------------------------------------------------------------------------
# Shared patterns
# --------------------------------------------------------------------------------------------

_CN_DIGITS = {
    "〇": 0, "零": 0, "○": 0, "Ｏ": 0, "O": 0,
    "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}  # fmt: skip
_CN_NUMERAL = "一二三四五六七八九十"

_OPEN_BRACKETS = "〔[［【（(﹝"
_CLOSE_BRACKETS = "〕]］】）)﹞"
_DOC_NUMBER = (
    r"(?P<prefix>[\u4e00-\u9fffA-Za-z][\u4e00-\u9fffA-Za-z ]{0,19}?)\s*"
    rf"[{re.escape(_OPEN_BRACKETS)}]\s*(?P<year>(?:19|20)\d{{2}})\s*"
    rf"[{re.escape(_CLOSE_BRACKETS)}]\s*(?:第\s*)?(?P<num>\d{{1,5}})\s*号"
)
_DOC_NUMBER_RE = re.compile(_DOC_NUMBER)
_DOC_NUMBER_LINE_RE = re.compile(rf"^{_DOC_NUMBER}(?:\s+签发人[：:].*)?$")
_DOC_NUMBER_PREFIX_NOISE = re.compile(
    r"^(?:根据|按照|依据|参照|对照|落实|贯彻|执行|转发|印发了?|下发了?|发布了?|详见|见|即|和|及|与)+"
)
_CITE_RE = re.compile(rf"《(?P<title>[^《》\n]{{1,150}})》\s*[（(]\s*{_DOC_NUMBER}\s*[）)]")
_PAREN_DOC_NUMBER_RE = re.compile(rf"[（(]\s*{_DOC_NUMBER}\s*[）)]")

_YEAR = r"(?P<year>(?:19|20)\d{2}|[〇零○Ｏ一二三四五六七八九]{4})"
_CN_DATE = (
    rf"{_YEAR}\s*年\s*(?P<month>\d{{1,2}}|[一二三四五六七八九十]{{1,2}})\s*月\s*"
    r"(?P<day>\d{1,2}|[一二三四五六七八九十]{1,3})\s*日"
)
_ISO_DATE = r"(?P<iyear>(?:19|20)\d{2})[-/.](?P<imonth>\d{1,2})[-/.](?P<iday>\d{1,2})(?!\d)"
_DATE_RE = re.compile(rf"{_CN_DATE}|{_ISO_DATE}")
_DATE_LINE_RE = re.compile(rf"^[（(]?\s*(?:{_CN_DATE}|{_ISO_DATE})\s*[）)]?$")
#: A date line a copy has mangled (2020126, 年2月9日): it ends a signature but gives no date.
_LOOSE_DATE_LINE_RE = re.compile(
    r"^(?:(?:19|20)\d{4,6}|(?:(?:19|20)\d{2}\s*)?年?\s*\d{1,2}\s*月\s*\d{1,2}\s*日)$"
)
_LABELLED_DATE_RE = re.compile(
    r"(?:成文日期|成文时间|发文日期|印发日期|发布日期|发布时间|发稿时间|更新时间|更新日期|生成日期)"
    r"\s*[：:]\s*"
    rf"(?:{_CN_DATE}|{_ISO_DATE})"
)

_ORG_SUFFIX = (
    r"(?:指挥部|领导小组|工作小组|委员会|人民政府|政府|办公室|办公厅|指挥中心|工作组|小组|中心"
    r"|管理局|服务局|局|厅|委|部|处|院|会|站|所|队|办)"
)
_ORG_LINE_RE = re.compile(
    rf"^[\u4e00-\u9fff（）()、\s]{{2,60}}?{_ORG_SUFFIX}(?:[（(]\s*盖章\s*[）)])?$"
)
_RED_HEADER_RE = re.compile(rf"^(?P<org>[\u4e00-\u9fff（）()、]{{2,60}}?{_ORG_SUFFIX})\s*文件$")
_SEQ_NUM = r"[0-9０-９]{1,4}|[〇零一二三四五六七八九十百]{1,6}"
_TITLE_ISSUER_RE = re.compile(
    rf"^(?P<org>[\u4e00-\u9fff（）()、·]{{2,60}}?{_ORG_SUFFIX})"
    rf"(?=关于|(?:第\s*)?(?:{_SEQ_NUM})\s*号|公告|通告|通知|通报|紧急通知|命令|令)"
)
#: A notice reported in running text: 额济纳旗…指挥部（10月18日）发布（15号）公告 /
#: …指挥部第二十一号公告称.
_PROSE_ISSUER_RE = re.compile(
    rf"(?:^|(?<=[^\u4e00-\u9fff])|(?<=[据经由]))(?P<org>[\u4e00-\u9fff（）()·]{{2,60}}?{_ORG_SUFFIX})"
    r"\s*(?:于\s*)?(?P<date>(?:(?:19|20)\d{2}\s*年\s*)?\d{1,2}\s*月\s*\d{1,2}\s*日)?\s*"
    rf"(?:(?:发布|公布|发出|下发|印发|发)了?\s*(?P<num1>(?:第\s*)?(?:{_SEQ_NUM})\s*号)?"
    rf"|(?P<num2>(?:第\s*)?(?:{_SEQ_NUM})\s*号))"
    r"\s*(?P<kind>公告|通告|通知|通报|命令|令)"
)
#: A report quoting an HQ: 据额济纳旗新冠肺炎防控工作指挥部消息
_REPORTED_BY_RE = re.compile(
    rf"据(?P<org>[\u4e00-\u9fff（）()·]{{2,60}}?{_ORG_SUFFIX})(?:消息|通报|发布|公告|通告)"
)
#: Place names a report puts before an issuer that does not carry them itself.
_ISSUER_CONTEXT_RE = re.compile(
    r"^(?:内蒙古(?:自治区)?)?(?:[\u4e00-\u9fff]{2,6}?[盟市](?=[\u4e00-\u9fff]{2,10}?[旗县区]))?"
)
_TAG_PREFIX_RE = re.compile(r"^(?:[【\[][^】\]]{1,10}[】\]]\s*)+")

_KIND_WORDS = (
    "公告|通告|通知|通报|意见|方案|决定|办法|规定|细则|预案|指南|指引|措施|倡议书|倡议|命令|纪要"
    "|公开信|一封信|批复|函|令"
)
_TITLE_HINT_RE = re.compile(rf"关于|(?:{_KIND_WORDS})(?:[（(][^（）()]{{1,20}}[）)])?$")
_TITLE_END_RE = re.compile(rf"(?:{_KIND_WORDS})(?:[（(][^（）()]{{1,20}}[）)])?$")
_KIND_RE = re.compile(
    r"现(?:将|就)?(?:有关|相关)?(?:事项|事宜|情况|要求)?(?P<a>公告|通知|通报|通告)如下"
    r"|特此(?P<b>公告|通知|通报|通告)"
)
_CLOSING_RE = re.compile(
    r"特此(?:公告|通告|通知|通报|函告|函复|批复|报告|决定|说明|证明)[。！!]?|此复[。]?"
)

_META_LABELS = (
    "索引号|主题分类|体裁分类|组配分类|服务对象|发文机关|发布机构|成文日期|发文日期|标题"
    "|发文字号|发文文号|文号|发布日期|发布时间|生成日期|主题词|公文种类|有效性|签发人|信息来源"
    "|文章来源|稿件来源|来源"
)
_META_LINE_RE = re.compile(rf"^(?:{_META_LABELS})\s*[：:]")
_META_FIELD_RE = re.compile(
    rf"(?P<label>{_META_LABELS})\s*[：:][ \t]*"
    rf"(?P<value>[^\n]*?)(?=[ \t]{{2,}}|[ \t]*(?:{_META_LABELS})\s*[：:]|\n|$)"
)
_SOURCE_CUT_RE = re.compile(
    r"(?:发布时间|发布日期|时间|日期|作者|浏览|点击|阅读|访问|字号|字体|责任编辑|编辑|分享|打印"
    r"|【|\[|\||｜).*$"
)

_SENTENCE_END = "。！？!?"
_SPACES_RE = re.compile("[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\t\f\v]")
_ZERO_WIDTH_RE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_CONTROL_RE = re.compile("[\x00-\x08\x0e-\x1f\x7f]")
_MULTI_SPACE_RE = re.compile(r" {2,}")
_FULL_WIDTH = {",": "，", ";": "；", ":": "：", "!": "！", "?": "？"}
_ASCII_PUNCT_RE = re.compile(r"(?<=[\u4e00-\u9fff”’）」』])[,;:!?](?![\d/])")
_WHITESPACE_RE = re.compile(r"\s+")


def _cn_int(numeral: str) -> int | None:
    """Parse a Chinese numeral up to 99 (一, 十, 十二, 二十, 三十一); ``None`` if invalid."""
    if not numeral or any(char not in _CN_NUMERAL for char in numeral):
        return None
    if "十" not in numeral:
        return _CN_DIGITS[numeral] if len(numeral) == 1 else None
    tens_part, _, units_part = numeral.partition("十")
    if "十" in units_part or len(tens_part) > 1 or len(units_part) > 1:
        return None
    tens = _CN_DIGITS[tens_part] if tens_part else 1
    units = _CN_DIGITS[units_part] if units_part else 0
    if tens_part == "一":
        return None  # 一十 is not how items are numbered
    return tens * 10 + units


def _cn_numeral(number: int) -> str:
    """Write 1..99 as a Chinese numeral (5 -> 五, 12 -> 十二, 20 -> 二十)."""
    digits = "零一二三四五六七八九"
    if number < 10:
        return digits[number]
    tens, units = divmod(number, 10)
    return ("" if tens == 1 else digits[tens]) + "十" + (digits[units] if units else "")


cn_numeral = _cn_numeral


def _date_part(value: str) -> int | None:
    """Parse a year, month or day written in Arabic digits or Chinese numerals."""
    if value.isdigit():
        return int(value)
    if len(value) == 4 and all(char in _CN_DIGITS for char in value):
        return int("".join(str(_CN_DIGITS[char]) for char in value))
    return _cn_int(value)


def _match_date(match: re.Match[str]) -> dt.date | None:
    """Build a date from a match of the date patterns; ``None`` if it is not a real date."""
    if match.group("year"):
        parts = (match.group("year"), match.group("month"), match.group("day"))
    else:
        parts = (match.group("iyear"), match.group("imonth"), match.group("iday"))
    numbers = [_date_part(part) for part in parts]
    if any(number is None for number in numbers):
        return None
    year, month, day = (number or 0 for number in numbers)
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _normalise_doc_number(match: re.Match[str]) -> str:
    """Normalise a document number match: 〔〕 brackets, no spaces, no leading verbs."""
    prefix = _DOC_NUMBER_PREFIX_NOISE.sub("", match.group("prefix").replace(" ", ""))
    prefix = prefix or match.group("prefix").replace(" ", "")
    return f"{prefix}〔{match.group('year')}〕{int(match.group('num'))}号"


def normalise_doc_number(value: str) -> str:
    """Normalise a document number string (阿防指发[2020]5号 -> 阿防指发〔2020〕5号).

    Returns the input stripped when it does not look like a document number.
    """
    match = _DOC_NUMBER_RE.fullmatch(value.strip())
    return _normalise_doc_number(match) if match else value.strip()


# --------------------------------------------------------------------------------------------
# Cleaning: portal noise, "related reading", repeated bodies
# --------------------------------------------------------------------------------------------

_PROVINCES = "京津沪渝冀晋蒙辽吉黑苏浙皖闽赣鲁豫鄂湘粤桂琼川贵云藏陕甘青宁新港澳台"
_FOOTER_VALUE = r"[^\s。，；：:！？]{0,40}"
_JUNK_PATTERNS = (
    r"扫一扫在手机上?(?:查看|打开|阅读|浏览)(?:当前|本)?(?:页面|页|文章)?",
    r"手机扫(?:一扫|描二维码)(?:查看|打开|阅读)?(?:当前|本)?(?:页面|页|文章)?",
    r"分享到\s*[：:]?(?:\s*(?:微信|朋友圈|微博|新浪微博|腾讯微博|QQ空间|QQ好友|QQ|人人网|豆瓣|更多)"
    r"\s*[、，,|｜]?)*",
    r"[【\[]?(?:打印本页|打印此页|打印文章|打印页面|打印正文|关闭窗口|关闭本页|关闭页面|返回顶部"
    r"|回到顶部|返回首页|加入收藏|收藏本页|已收藏)[】\]]?",
    r"[【\[](?:打印|关闭|收藏|分享|返回|纠错)[】\]]",
    r"[【\[（(]?(?:字号|字体)\s*[：:]?\s*(?:[【\[]?\s*[大中小]\s*[】\]]?\s*){3}[】\]）)]?",
    r"是否\s*[“\"「『]?确认[”\"」』]?\s*跳转到?登录页面?\s*[？?]?",
    rf"(?:主办单位|承办单位|协办单位|主管单位|运维单位|维护单位|技术支持|网站维护)\s*[：:]?{_FOOTER_VALUE}",
    rf"版权所有\s*[：:]?\s*{_FOOTER_VALUE}",
    r"(?:Copyright|COPYRIGHT|copyright)\s*(?:©|\([cC]\))?\s*[\d\s\-—–]*",
    r"©\s*\d{4}(?:\s*[-—–]\s*\d{4})?",
    rf"[{_PROVINCES}]?\s*ICP\s*备\s*\d+\s*号?(?:\s*[-－]\s*\d+)?",
    rf"[{_PROVINCES}]\s*公网安备\s*\d+\s*号?",
    r"(?:政府)?网站标识码\s*[：:]?\s*[0-9A-Za-z]+",
    r"网站地图|联系我们|网站声明|隐私声明|隐私政策|使用帮助|关于我们|无障碍浏览|无障碍阅读"
    r"|长者模式|适老化服务|繁體版|简体版",
    r"(?:信息|文章|稿件|新闻|内容)?来源\s*[：:][ \t]*[^\s。，；|｜]{0,60}",
    r"(?:发布|发稿|更新|生成)(?:时间|日期)\s*[：:]\s*"
    r"\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?",
    r"(?:浏览|阅读|访问|点击)(?:次数|量|数|率)\s*[：:]?\s*\d*\s*次?",
    r"(?:责任编辑|作者)\s*[：:][ \t]*[^\s。，；]{0,20}",
    r"来源标题\s*[：:][^\n]*",
    r"[【\[]\s*(?:字体|(?<!文)字号)\s*[：:]?\s*[】\]]?",
    r"下载本页|查看原文|阅读原文|预览时标签不可点|收录于合集\s*#?\s*\d*\s*个?",
    r"文章有问题[？?]?\s*点此查看未经处理的缓存",
    r"中国互联网举报中心|All Rights Reserved|[\u4e00-\u9fff]{2,20}主办(?=\s*(?:政府)?网站标识码)",
    r"(?:互联网新闻信息服务|增值电信业务经营|跨地区增值电信业务|信息网络传播视听节目)许可证\s*[\w\-]*",
    r"新出网证[（(][\u4e00-\u9fff][）)]字\s*\d+\s*号",
)
_JUNK_RE = re.compile("|".join(f"(?:{pattern})" for pattern in _JUNK_PATTERNS))
_TITLE_IN_GAP_RE = re.compile(r"关于.{2,80}?(?:公告|通告|通知|通报|意见|方案|决定)")
_MAX_JUNK_GAP = 200

_NAV_LINE_RE = re.compile(r"^(?:当前位置|您的位置|您当前的位置|您现在的位置|所在位置)\s*[：:]")
_BREADCRUMB_RE = re.compile(r"首页\s*[>＞»›/]")
_NAV_WORDS = {"首页", "登录", "注册", "退出", "无障碍", "打印", "关闭", "分享", "收藏", "返回"}
_RELATED_RE = re.compile(
    r"(?:^|(?<=[。！？]))[ \t]*[【\[]?(?:相关阅读|相关链接|相关新闻|相关文章|相关稿件|延伸阅读"
    r"|推荐阅读|相关推荐|猜你喜欢|上一篇|下一篇|为你推荐|为您推荐|新闻推荐|热门推荐|精彩推荐|频道精选"
    r"|往期回顾|往期推荐|网友评论|您可能也对以下帖子感兴趣|点击下方关注|点击上方[^\n]{0,12}关注"
    r"|长按[^\n]{0,10}(?:识别|关注)|本样式由\S{0,10}编辑器出品|THE END|—\s*END\s*—)[】\]]?",
    re.MULTILINE,
)
_UNIT_RE = re.compile(r"[^\n。！？]+(?:[。！？]+[”’」』]*)?|[。！？]+")
# A repeated block is dropped when it is one sentence of 120+ characters or 2+ consecutive
# sentences of 60+ characters together.
_MIN_REPEAT_CHARS = 120
_MIN_REPEAT_RUN_CHARS = 60
_MAX_REPEAT_CANDIDATES = 8


def _normalise_text(text: str) -> str:
    """Unify line ends and spaces, drop zero-width and control characters."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u2028", "\n").replace("\u2029", "\n").replace("\x0b", "\n")
    text = text.replace("\x0c", "\n")
    text = _ZERO_WIDTH_RE.sub("", text)
    text = _SPACES_RE.sub(" ", text)
    text = _CONTROL_RE.sub("", text)
    # Sites that re-publish a notice often turn its punctuation into ASCII (10月26日,经...).
    return _ASCII_PUNCT_RE.sub(lambda match: _FULL_WIDTH[match.group()], text)


def _gap_is_junk(gap: str) -> bool:
    """Whether text between two portal-noise matches is noise too.

    Across lines only whitespace counts (a title line between a breadcrumb and a date line must
    survive); within one line any short stretch without a sentence end does.
    """
    stripped = gap.strip()
    if not stripped:
        return True
    if "\n" in gap or len(stripped) > _MAX_JUNK_GAP:
        return False
    if any(char in _SENTENCE_END for char in stripped):
        return False
    return not _TITLE_IN_GAP_RE.search(stripped)


def _remove_portal_noise(text: str) -> str:
    """Replace clusters of portal noise (share prompts, footers, login prompts) by line breaks."""
    spans = [(match.start(), match.end()) for match in _JUNK_RE.finditer(text) if match.group()]
    if not spans:
        return text
    clusters: list[tuple[int, int]] = []
    start, end = spans[0]
    for next_start, next_end in spans[1:]:
        if _gap_is_junk(text[end:next_start]):
            end = max(end, next_end)
        else:
            clusters.append((start, end))
            start, end = next_start, next_end
    clusters.append((start, end))
    pieces: list[str] = []
    position = 0
    for start, end in clusters:
        pieces.append(text[position:start])
        pieces.append("\n")
        position = end
    pieces.append(text[position:])
    return "".join(pieces)


def _is_nav_line(line: str) -> bool:
    """Whether a line is site navigation: a breadcrumb or a row of short menu words."""
    if _NAV_LINE_RE.match(line) or line in _NAV_WORDS:
        return True
    has_sentence_punctuation = any(char in "。，；！？" for char in line)
    if _BREADCRUMB_RE.search(line) and not has_sentence_punctuation:
        return True
    tokens = [token for token in re.split(r"[\s|｜]+", line) if token]
    return (
        len(tokens) >= 4
        and not has_sentence_punctuation
        and all(len(token) <= 8 for token in tokens)
        and not _DATE_RE.search(line)
    )


_CREDIT_LINE_RE = re.compile(
    r"^[（(【\[]?\s*(?:责任编辑|编辑|图片编辑|实习编辑|平台实习编辑|审核|审校|校对|监制|总监制|媒体运营"
    r"|出品人?|策划|统筹|作者|记者|通讯员|摄影|撰稿|来源|稿源|原标题|来源标题)\s*[：:|｜]"
)
_BYLINE_LINE_RE = re.compile(
    r"^[（(](?:[^（）()]{0,20}(?:记者|通讯员|摄影|撰稿|编辑)[^（）()]{0,30}|完)[）)]$"
)
#: A reporter's name or 完 after the last sentence of a paragraph: …地址。(赵梦月)
_TRAILING_BYLINE_RE = re.compile(
    r"(?<=[。！？”])\s*[（(【\[](?:(?:记者|编辑|责任编辑|作者)\s*[：:]?\s*)?"
    r"(?:[\u4e00-\u9fff]{2,4}(?:[\s、，][\u4e00-\u9fff]{2,4}){0,3}|完)[）)】\]]$"
)
#: A news dateline before the text: 新华网呼和浩特11月4日电 / 人民网呼和浩特10月18日电(赵梦月)
_DATELINE_RE = re.compile(
    r"^[\u4e00-\u9fff]{0,16}?\d{1,2}\s*月\s*\d{1,2}\s*日\s*电\s*(?:[（(][^（）()]{1,30}[）)])?\s*"
)
_COPYRIGHT_LINE_RE = re.compile(
    r"版权所有|未经[^\n]{0,20}(?:授权|许可)|不得(?:转载|复制|镜像)|违者(?:依法)?必究|转载请注明"
    r"|凡本网注明|本网将追究|并不代表本网|转载目的在于|Copyright|All Rights Reserved",
    re.IGNORECASE,
)
_ADDRESS_LINE_RE = re.compile(r"^地\s*址\s*[：:].*(?:电话|传真|Email|邮编)", re.IGNORECASE)
_PAGER_LINE_RE = re.compile(r"^(?:页\s*[：:]|(?:\[\d+\]\s*)+(?:下一[页頁]|尾[页頁]|\s)*)$")
_HAS_WORD_RE = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]")
_URL_RE = re.compile(r"https?://|www\.[a-z0-9-]+\.", re.IGNORECASE)


#: A copy's note on where the text came from: (原题为《通告》)(本文来自澎湃新闻…)
_SOURCE_NOTE_LINE_RE = re.compile(
    r"^(?:[（(](?:原题为?|原标题|本文来自|本文转自|转自|转载自|来源)[^（）()]*(?:[（(][^（）()]*[）)][^（）()]*)*[）)])+$"
)


def _is_furniture_line(line: str) -> bool:
    """Whether a whole line is the site's, not the notice's: credits, bylines, footers, pagers."""
    return bool(
        _CREDIT_LINE_RE.match(line)
        or _BYLINE_LINE_RE.match(line)
        or _COPYRIGHT_LINE_RE.search(line)
        or _ADDRESS_LINE_RE.match(line)
        or _PAGER_LINE_RE.match(line)
        or _SOURCE_NOTE_LINE_RE.match(line)
    )


def _drop_furniture_lines(lines: list[str]) -> list[str]:
    """Drop furniture lines, trailing bylines and news datelines."""
    kept: list[str] = []
    for line in lines:
        if _is_furniture_line(line) or not _HAS_WORD_RE.search(line):
            continue
        line = _TRAILING_BYLINE_RE.sub("", _DATELINE_RE.sub("", line)).strip()
        if line:
            kept.append(line)
    return kept


def _drop_trailing_repeats(lines: list[str]) -> list[str]:
    """Drop lines at the end that only repeat earlier text (the headline again, a cut-off copy)."""
    end = len(lines)
    while end > 1:
        line = lines[end - 1]
        key = _WHITESPACE_RE.sub("", line)
        if (
            len(key) > 80
            or line[-1] in _SENTENCE_END
            or _DATE_LINE_RE.match(line)
            or _is_org_line(line)
            or key not in _WHITESPACE_RE.sub("", "".join(lines[: end - 1]))
        ):
            break
        end -= 1
    return lines[:end]


def _drop_nav_lines(lines: list[str]) -> list[str]:
    """Drop navigation lines found before the first or after the last sentence of the text."""
    sentence_rows = [i for i, line in enumerate(lines) if any(c in _SENTENCE_END for c in line)]
    first = sentence_rows[0] if sentence_rows else len(lines)
    last = sentence_rows[-1] if sentence_rows else -1
    kept: list[str] = []
    for index, line in enumerate(lines):
        outside = index < first or index > last
        if _NAV_LINE_RE.match(line) or (outside and (_is_nav_line(line) or _URL_RE.search(line))):
            continue
        kept.append(line)
    return kept


_SPACED_KIND_RE = re.compile(r"^(?:公\s+告|通\s+告|通\s+知|通\s+报|命\s+令)$")
_HAN_LINE_RE = re.compile(r"^[\u4e00-\u9fff（）()、·]{2,40}$")
_FRAGMENT_HINT_RE = re.compile(r"(?:的|和|及|与)$|新型冠状病毒|新冠|肺炎|疫情|防控")


def _is_fragment(line: str) -> bool:
    """Whether a line is the first half of a name the page wrapped (石门县新型冠状病毒感染的)."""
    bare = _TAG_PREFIX_RE.sub("", line)
    return (
        len(bare) <= 30
        and bool(_HAN_LINE_RE.match(bare))
        and not re.search(rf"{_ORG_SUFFIX}$", bare)
        and not _TITLE_END_RE.search(bare)
        and bool(_FRAGMENT_HINT_RE.search(bare))
    )


def _join_wrapped_lines(lines: list[str]) -> list[str]:
    """Join a heading or signature the page broke over two lines; unspace 通 告."""
    lines = [
        _WHITESPACE_RE.sub("", line) if _SPACED_KIND_RE.match(line) else line for line in lines
    ]
    joined: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        following = lines[index + 1] if index + 1 < len(lines) else ""
        if following and _is_fragment(line) and _HAN_LINE_RE.match(following):
            joined.append(line + following)
            index += 2
            continue
        joined.append(line)
        index += 1
    return joined


def _cut_related_reading(text: str) -> str:
    """Remove a "related reading" section (相关阅读, 相关链接, 上一篇...) and all that follows."""
    for match in _RELATED_RE.finditer(text):
        if any(char in _SENTENCE_END for char in text[: match.start()]):
            return text[: match.start()]
    return text


def _drop_repeated_blocks(text: str) -> str:
    """Keep one copy of a long block that the page repeated (compared sentence by sentence)."""
    units = []
    for match in _UNIT_RE.finditer(text):
        key = _WHITESPACE_RE.sub("", match.group())
        if key:
            units.append((match.start(), match.end(), key))
    seen: dict[str, list[int]] = {}
    removed: list[tuple[int, int]] = []
    index = 0
    count = len(units)
    while index < count:
        key = units[index][2]
        best = 0
        for earlier in seen.get(key, [])[:_MAX_REPEAT_CANDIDATES]:
            length = 0
            chars = 0
            while (
                index + length < count
                and earlier + length < index
                and units[earlier + length][2] == units[index + length][2]
            ):
                chars += len(units[index + length][2])
                length += 1
            long_enough = chars >= _MIN_REPEAT_CHARS or (
                length >= 2 and chars >= _MIN_REPEAT_RUN_CHARS
            )
            if long_enough and length > best:
                best = length
        if best:
            removed.append((units[index][0], units[index + best - 1][1]))
            index += best
        else:
            seen.setdefault(key, []).append(index)
            index += 1
    if not removed:
        return text
    pieces: list[str] = []
    position = 0
    for start, end in removed:
        pieces.append(text[position:start])
        pieces.append("\n")
        position = end
    pieces.append(text[position:])
    return "".join(pieces)


def _clean_lines(text: str) -> list[str]:
    """Return the notice's lines with portal noise, related reading and repeats removed."""
    text = _remove_portal_noise(text)
    lines = [_MULTI_SPACE_RE.sub(" ", line).strip() for line in text.split("\n")]
    lines = _join_wrapped_lines(_drop_nav_lines([line for line in lines if line]))
    text = _cut_related_reading("\n".join(_drop_furniture_lines(lines)))
    text = _drop_repeated_blocks(text)
    return _drop_trailing_repeats([line.strip() for line in text.split("\n") if line.strip()])


# --------------------------------------------------------------------------------------------
# Header, metadata and measures
# --------------------------------------------------------------------------------------------

_SALUTATION_RE = re.compile(r"^[^。！？]{1,80}[：:]$")
_MARKER_AT_START_RE = re.compile(
    r"^(?:[一二三四五六七八九十]{1,3}、|[（(][一二三四五六七八九十]{1,3}[）)])"
)
_TOP_MARKER_RE = re.compile(r"(?P<num>[一二三四五六七八九十]{1,3})、")
_SUB_MARKER_RE = re.compile(r"[（(](?P<num>[一二三四五六七八九十]{1,3})[）)]")
_CLOSING_QUOTES = "”’」』）)"
_STRONG_BEFORE = "。！？!?"
_WEAK_BEFORE = "；：;:"
_ATTACHMENT_RE = re.compile(r"\n\s*附\s*件\s*[：:\d１-９一二三四五六七八九]")
_URGENCY_LINE_RE = re.compile(
    r"^(?:特急|加急|急件|特提|平急|明电|密电|机密|秘密|绝密|公开)(?:[★☆\s\d年个月]*)$"
)
_PAREN_NOTE_RE = re.compile(r"^[（(][^（）()]{1,60}[）)]$")


def _meta_fields(text: str) -> dict[str, str]:
    """Return the first value of each portal metadata field (发文字号：…, 成文日期：…)."""
    fields: dict[str, str] = {}
    for match in _META_FIELD_RE.finditer(text):
        value = match.group("value").strip()
        if value:
            fields.setdefault(match.group("label"), value)
    return fields


def _find_source(fields: dict[str, str]) -> str:
    """Return the 信息来源 / 来源 value, cut before any label glued to it."""
    for label in ("信息来源", "文章来源", "稿件来源", "来源"):
        value = fields.get(label, "")
        value = _SOURCE_CUT_RE.sub("", value).strip(" ：:，,。")
        if value:
            return value
    return ""


def _body_start(lines: list[str]) -> int:
    """Index of the first body line: a sentence, a salutation or a numbered item."""
    for index, line in enumerate(lines[:15]):
        if _META_LINE_RE.match(line) or _DOC_NUMBER_LINE_RE.match(line):
            continue
        if len(line) <= 80 and _LEAD_IN_END_RE.search(line) and _PROSE_ISSUER_RE.search(line):
            continue  # a report's lead-in: 2021年10月26日，…指挥部发布公告：
        if (
            any(char in _SENTENCE_END for char in line)
            or _MARKER_AT_START_RE.match(line)
            or (_SALUTATION_RE.match(line) and not _DATE_RE.search(line))
            or (line.endswith(("：", ":")) and "，" in line)
            or len(line) > 120
        ):
            return index
    return min(len(lines), 15)


_LEAD_IN_END_RE = re.compile(r"(?:公告|通告|通知|通报|命令|令)\s*[：:。]$|[：:]$")


def _find_title(header: list[str]) -> tuple[str, list[int]]:
    """Return the title found in the header lines and the indexes of the lines it used."""
    candidates = [
        index
        for index, line in enumerate(header)
        if not _META_LINE_RE.match(line)
        and not _DOC_NUMBER_LINE_RE.match(line)
        and not _DATE_LINE_RE.match(line)
        and not _RED_HEADER_RE.match(line)
        and len(line) <= 120
    ]
    for position, index in enumerate(candidates):
        line = header[index]
        if not _TITLE_HINT_RE.search(line):
            continue
        used = [index]
        title = line
        # A long title wraps: 关于做好…  /  …工作的通知
        for following in candidates[position + 1 : position + 3]:
            if _TITLE_END_RE.search(title) or following != used[-1] + 1:
                break
            title += header[following]
            used.append(following)
        if not _TITLE_END_RE.search(title) and len(used) > 1:
            title, used = line, [index]
        # A heading in two lines: 阿拉善左旗新冠肺炎防控工作指挥部 / 二十号公告
        bare = _TAG_PREFIX_RE.sub("", title)
        if (
            position > 0
            and candidates[position - 1] == index - 1
            and _is_org_line(header[index - 1])
            and not bare.startswith("关于")
            and not _TITLE_ISSUER_RE.match(bare)
        ):
            title = _WHITESPACE_RE.sub("", header[index - 1]) + bare
            used.insert(0, index - 1)
        return _TAG_PREFIX_RE.sub("", title).strip(), used
    # A news headline the page shows twice (the page title and the article's heading).
    for index in candidates:
        line = header[index]
        if len(line) >= 8 and not _is_org_line(line) and header.count(line) >= 2:
            return line, [i for i in candidates if header[i] == line]
    return "", []


def _find_doc_number(
    header: list[str], lines: list[str], fields: dict[str, str]
) -> tuple[str, str]:
    """Return (document number, the line it came from) or ("", "")."""
    for label in ("发文字号", "发文文号", "文号"):
        match = _DOC_NUMBER_RE.search(fields.get(label, ""))
        if match:
            return _normalise_doc_number(match), ""
    for line in [*header, *lines]:
        match = _DOC_NUMBER_LINE_RE.match(line)
        if match:
            return _normalise_doc_number(match), line
    return "", ""


_SEQ_YEAR = r"(?:(?P<year>(?:19|20)\d{2})\s*年?\s*第?|年?\s*第)"
_SEQ_PAREN_LINE_RE = re.compile(
    rf"^[（(]\s*[\u4e00-\u9fff]{{0,20}}?\s*{_SEQ_YEAR}\s*(?P<num>{_SEQ_NUM})\s*号\s*[）)]$"
    rf"|^[【〔\[［]\s*(?P<year2>(?:19|20)\d{{2}})\s*[】〕\]］]\s*第?\s*(?P<num3>{_SEQ_NUM})\s*号$"
)
_SEQ_IN_TITLE_RE = re.compile(
    rf"[（(]\s*{_SEQ_YEAR}\s*(?P<num>{_SEQ_NUM})\s*号\s*[）)]"
    rf"|(?:第\s*)?(?P<num2>{_SEQ_NUM})\s*号\s*(?:公告|通告|通知|通报|命令|令)"
)
_SEQ_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


def _seq_int(numeral: str) -> int | None:
    """A notice's sequence number in Arabic or Chinese numerals (二十一, 一百零二, 219)."""
    numeral = numeral.strip().translate(_SEQ_DIGITS)
    if numeral.isdigit():
        return int(numeral)
    hundreds, marker, rest = numeral.partition("百")
    if not marker:
        return _cn_int(numeral)
    head = _CN_DIGITS.get(hundreds) if hundreds else 1
    rest = rest.lstrip("零〇")
    if rest.startswith("一十"):
        rest = rest[1:]  # 一百一十五: the 一 before 十 is written after a hundred
    if not rest:
        tail: int | None = 0
    elif len(rest) == 1 and rest != "十":
        tail = _CN_DIGITS.get(rest)
    else:
        tail = _cn_int(rest)
    if not head or tail is None:
        return None
    return head * 100 + tail


def _sequence_number(number: str | None, year: str | None = None) -> str:
    """第N号 (with the year in front when given) from a matched numeral; "" if it is not one."""
    value = _seq_int(number.strip("第号 ")) if number else None
    if not value:
        return ""
    return f"{year}年第{value}号" if year else f"第{value}号"


def _find_sequence_number(title: str, header: list[str], prose: re.Match[str] | None) -> str:
    """A notice numbered in its series (第1号, 二十号公告, 28号公告): heading, else prose."""
    found: list[str] = []
    for line in [title, *header]:
        match = _SEQ_PAREN_LINE_RE.match(line) or _SEQ_IN_TITLE_RE.search(line)
        if match:
            groups = match.groupdict()
            number = _sequence_number(
                groups.get("num") or groups.get("num2") or groups.get("num3"),
                groups.get("year") or groups.get("year2"),
            )
            if number:
                found.append(number)
    if found:
        # The heading may repeat the number with its year: 公告（第47号） / （2022第47号）
        return next((number for number in found if "年" in number), found[0])
    if prose:
        return _sequence_number(prose.group("num1") or prose.group("num2"))
    return ""


_STRONG_LABELLED_DATE_RE = re.compile(
    r"(?:成文日期|成文时间|发文日期|印发日期)\s*[：:]\s*" rf"(?:{_CN_DATE}|{_ISO_DATE})"
)
_MONTH_DAY_RE = re.compile(
    r"(?:(?P<year>(?:19|20)\d{2})\s*年\s*)?(?P<month>\d{1,2})\s*月\s*(?P<day>\d{1,2})\s*日"
)


def _prose_date(prose: re.Match[str] | None, reference: dt.date | None) -> dt.date | None:
    """The date a report gives its notice (10月20日，…指挥部发布公告): the year from the date
    itself, else from the page's own date (the latest such day not after it); else ``None``."""
    if prose is None:
        return None
    text = prose.group("date") or ""
    if not text:
        before = prose.string[: prose.start()]
        match = re.search(rf"(?:{_MONTH_DAY_RE.pattern})[\s，,]*$", before)
        text = match.group() if match else ""
    match = _MONTH_DAY_RE.search(text)
    if not match:
        return None
    month, day = int(match.group("month")), int(match.group("day"))
    years = [int(match.group("year"))] if match.group("year") else []
    if not years and reference:
        years = [reference.year, reference.year - 1]
    for year in years:
        try:
            found = dt.date(year, month, day)
        except ValueError:
            continue
        if not reference or match.group("year") or found <= reference:
            return found
    return None


def _find_date(
    lines: list[str],
    start: int,
    raw: str,
    prose: re.Match[str] | None = None,
    title_rows: list[int] | None = None,
) -> dt.date | None:
    """Return the notice date: a date-only line (under the signature, else under the title),
    else a 成文日期-like field, else the date a report gives the notice, else a 发布时间-like
    field, else a date in the heading. Heading lines above the title (a site's own dates and
    ads) are not used when there is a title."""
    for line in reversed(lines[start:]):
        match = _DATE_LINE_RE.match(line)
        if match and (found := _match_date(match)):
            return found
    first = min(title_rows) if title_rows else 0
    header = lines[first:start]
    for line in header:
        match = _DATE_LINE_RE.match(line)
        if match and (found := _match_date(match)):
            return found
    for match in _STRONG_LABELLED_DATE_RE.finditer(raw):
        if found := _match_date(match):
            return found
    page_date: dt.date | None = None
    for match in _LABELLED_DATE_RE.finditer(raw):
        if page_date := _match_date(match):
            break
    if page_date is None:
        for line in header:
            for match in _DATE_RE.finditer(line):
                if page_date := _match_date(match):
                    break
            if page_date:
                break
    return _prose_date(prose, page_date) or page_date


def _is_org_line(line: str) -> bool:
    """Whether a line is only an organisation's name (a signature or header line)."""
    return (
        bool(_ORG_LINE_RE.match(line))
        and not _MARKER_AT_START_RE.match(line)
        and not any(char in "。，；：:！？" for char in line)
    )


def _trailing_block(lines: list[str]) -> int:
    """Index where the trailing signature block (issuer lines, date, bracketed notes) starts.

    Returns ``len(lines)`` when there is none. The block is only accepted when it holds a date
    line or follows a finished sentence, so an unpunctuated last item (五、成立工作领导小组) is not
    mistaken for a signature.
    """
    start = len(lines)
    has_date = False
    for index in range(len(lines) - 1, max(-1, len(lines) - 9), -1):
        line = lines[index].strip()
        if line and (_DATE_LINE_RE.match(line) or _LOOSE_DATE_LINE_RE.match(line)):
            has_date = True
        elif line and not (_PAREN_NOTE_RE.match(line) or _is_org_line(line)):
            break
        start = index
    if start == len(lines):
        return start
    before = lines[start - 1].strip() if start > 0 else ""
    if has_date or (before and before[-1] in "。！？!?）)”"):
        return start
    return len(lines)


def _signature_lines(lines: list[str]) -> list[int]:
    """Indexes of the signature (issuer) lines at the end of the notice, top to bottom."""
    start = _trailing_block(lines)
    end = len(lines)
    if start == end:
        # The page may add a line or two after the notice's date (the next item's headline).
        for last in range(len(lines) - 2, max(-1, len(lines) - 4), -1):
            if _DATE_LINE_RE.match(lines[last]) and all(
                len(line) <= 40 for line in lines[last + 1 :]
            ):
                end = last + 1
                start = _trailing_block(lines[:end])
                break
    return [index for index in range(start, end) if _is_org_line(lines[index].strip())]


def _find_issuer(
    lines: list[str], header: list[str], start: int, title: str, fields: dict[str, str]
) -> str:
    """Return the issuing organisation (see the module docstring for the order tried)."""
    signature = _signature_lines(lines)
    if signature:
        names = [re.sub(r"[（(]\s*盖章\s*[）)]$", "", lines[index]).strip() for index in signature]
        return "、".join(_WHITESPACE_RE.sub("", name) for name in names)
    for line in header:
        match = _RED_HEADER_RE.match(line)
        if match:
            return match.group("org")
    if fields.get("发文机关"):
        return fields["发文机关"]
    match = _TITLE_ISSUER_RE.match(_TAG_PREFIX_RE.sub("", title))
    if match:
        return _without_context(match.group("org"))
    prose = _prose_notice(header, lines[start : start + 2])
    if prose:
        return _without_context(prose.group("org"))
    for line in [*header, *lines[start : start + 2]]:
        match = _REPORTED_BY_RE.search(line)
        if match:
            return _without_context(match.group("org"))
    for line in header:
        if _is_org_line(line):
            return _WHITESPACE_RE.sub("", line)
    return ""


def _prose_notice(header: list[str], lead: list[str]) -> re.Match[str] | None:
    """The first report of the notice in running text (…指挥部发布公告) in the opening lines."""
    for line in [*header, *lead]:
        match = _PROSE_ISSUER_RE.search(line)
        if match:
            return match
    return None


def _without_context(org: str) -> str:
    """Drop the places a report puts before an issuer (内蒙古自治区阿拉善盟…)."""
    org = _WHITESPACE_RE.sub("", org)
    bare = _ISSUER_CONTEXT_RE.sub("", org, count=1)
    return bare if len(bare) >= 4 else org


def _marker_strength(text: str, start: int) -> int:
    """2 if a marker at ``start`` opens a line or follows 。！？, 1 after ；：, else 0."""
    position = start - 1
    while position >= 0 and text[position] == " ":
        position -= 1
    if position < 0 or text[position] == "\n":
        return 2
    previous = text[position]
    if previous in _CLOSING_QUOTES and position > 0 and text[position - 1] in _STRONG_BEFORE:
        return 2
    if previous in _STRONG_BEFORE:
        return 2
    if previous in _WEAK_BEFORE:
        return 1
    return 0


def _marker_chain(text: str, pattern: re.Pattern[str]) -> list[tuple[int, int, int]]:
    """Find the longest run of consecutive item markers (一, 二, 三...) as (start, end, number)."""
    strong: list[tuple[int, int, int]] = []
    weak: list[tuple[int, int, int]] = []
    for match in pattern.finditer(text):
        number = _cn_int(match.group("num"))
        if number is None:
            continue
        strength = _marker_strength(text, match.start())
        if strength:
            marker = (match.start(), match.end(), number)
            weak.append(marker)
            if strength == 2:
                strong.append(marker)
    best = _longest_chain(strong)
    if len(best) <= 1:
        relaxed = _longest_chain(weak)
        if len(relaxed) > len(best):
            best = relaxed
    return best


def _longest_chain(markers: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """Longest chain 1, 2, 3... taking each time the first next-numbered marker after the last."""
    best: list[tuple[int, int, int]] = []
    for first_index, first in enumerate(markers):
        if first[2] != 1:
            continue
        chain = [first]
        for marker in markers[first_index + 1 :]:
            if marker[2] == chain[-1][2] + 1 and marker[0] >= chain[-1][1]:
                chain.append(marker)
        if len(chain) > len(best):
            best = chain
    return best


def _end_of_last_measure(text: str, start: int) -> int:
    """Where the last measure's text stops: closing formula, attachments, signature or date."""
    end = len(text)
    closing = _CLOSING_RE.search(text, start)
    if closing:
        end = closing.start()
    attachment = _ATTACHMENT_RE.search(text, start, end)
    if attachment:
        end = attachment.start()
    # A trailing signature, date and bracketed notes are not part of the measure.
    lines = text[start:end].rstrip().split("\n")
    lines = lines[: max(1, _trailing_block(lines))]
    return start + len("\n".join(lines))


def _measure_title(text: str) -> str:
    """The first sentence of a measure (up to the first 。 or line end), without the 。."""
    first = re.match(r"[^。\n]*", text)
    return first.group().strip() if first else ""


_ARABIC_FIRST_RE = re.compile(r"(?m)^1[、．.](?=\s*\S)")


def _arabic_first_item(body: str) -> str:
    """Read a first item typed 1、 in a list that goes on 二、三、… as 一、 (same length)."""
    match = _ARABIC_FIRST_RE.search(body)
    if (
        match
        and re.search(r"(?m)^二、", body[match.end() :])
        and not re.search(r"(?m)^2[、．.]", body)
    ):
        return body[: match.start()] + "一、" + body[match.end() :]
    return body


def _find_measures(body: str) -> list[ParsedMeasure]:
    """Split the body into numbered measures (一、…, else （一）…)."""
    chain = _marker_chain(_arabic_first_item(body), _TOP_MARKER_RE)
    if not chain:
        chain = _marker_chain(body, _SUB_MARKER_RE)
    measures: list[ParsedMeasure] = []
    for position, (_start, marker_end, number) in enumerate(chain):
        if position + 1 < len(chain):
            end = chain[position + 1][0]
        else:
            end = _end_of_last_measure(body, marker_end)
        text = body[marker_end:end].strip()
        text = "\n".join(line.strip() for line in text.split("\n") if line.strip())
        measures.append(
            ParsedMeasure(number=_cn_numeral(number), title=_measure_title(text), text=text)
        )
    return measures


def _find_cites(body: str, own_number: str) -> list[str]:
    """Cited documents that carry a document number, as 《title》（number） or the bare number."""
    cites: list[str] = []
    numbers: set[str] = {own_number} if own_number else set()
    covered: list[tuple[int, int]] = []
    for match in _CITE_RE.finditer(body):
        number = _normalise_doc_number(match)
        covered.append(match.span())
        if number not in numbers:
            numbers.add(number)
            cites.append(f"《{match.group('title').strip()}》（{number}）")
    for match in _PAREN_DOC_NUMBER_RE.finditer(body):
        if any(start <= match.start() < end for start, end in covered):
            continue
        number = _normalise_doc_number(match)
        if number not in numbers:
            numbers.add(number)
            cites.append(number)
    return cites


def _derive_title(body_lines: list[str], body: str, measures: list[ParsedMeasure]) -> str:
    """Make up a title when the text has none (see the module docstring)."""
    kind_match = _KIND_RE.search(body)
    kind = (kind_match.group("a") or kind_match.group("b")) if kind_match else ""
    if measures and measures[0].title:
        first = measures[0].title.rstrip("：:；;，,")
        if len(measures) == 1:
            return f"关于{first}的{kind}" if kind else first
        count = _cn_numeral(len(measures)) if len(measures) < 100 else str(len(measures))
        return f"关于{first}等{count}项措施的{kind}" if kind else f"{first}等{count}项措施"
    for line in body_lines:
        if _SALUTATION_RE.match(line):
            continue
        sentence = re.match(r"[^。！？]*", line)
        text = (sentence.group() if sentence else line).strip(" ，,：:；;")
        if text:
            return text if len(text) <= 40 else text[:40] + "…"
    return ""


def _iter_nonempty(lines: Iterable[str]) -> list[str]:
    """Strip lines and drop empty ones."""
    return [line.strip() for line in lines if line.strip()]


_HAN_RE = re.compile(r"[\u4e00-\u9fff]")
#: Fewest Chinese characters a notice's body has (延期开学。 is a notice; a menu is not).
_MIN_BODY_HAN = 4


def parse_body(body: str, own_number: str = "") -> tuple[str, list[ParsedMeasure], list[str]]:
    """Read a body a person has corrected: (the body, its measures, its cited documents).

    The text is taken as the notice's own text: nothing is dropped as a heading or furniture.
    """
    text = _normalise_text(body)
    lines = _iter_nonempty(_MULTI_SPACE_RE.sub(" ", line) for line in text.split("\n"))
    clean = "\n".join(lines)
    return clean, _find_measures(clean), _find_cites(clean, own_number)


def parse_notice(text: str) -> ParsedNotice:
    """Parse pasted notice text into a :class:`ParsedNotice`.

    Portal noise is removed, a body the page repeated is kept once, and the title, issuer, date,
    document number, source, cited documents and numbered measures are extracted. A text without
    numbered measures gives zero measures. Raises :class:`NoticeImportError` when the text is
    empty, longer than :data:`MAX_TEXT_CHARS`, or holds no notice text once the site's furniture
    is dropped (code ``nothing_found``).
    """
    if len(text) > MAX_TEXT_CHARS:
        raise NoticeImportError(
            f"The text is too long to be a notice ({len(text):,} characters; the limit is "
            f"{MAX_TEXT_CHARS:,}). Paste only the notice itself.",
            "text_too_large",
        )
    raw = _normalise_text(text)
    if not raw.strip():
        raise NoticeImportError("The text is empty.", "empty")
    fields = _meta_fields(raw)
    lines = _clean_lines(raw)

    start = _body_start(lines)
    header = lines[:start]
    title, title_rows = _find_title(header)
    if not title and fields.get("标题"):
        title = fields["标题"]
    doc_number, doc_number_line = _find_doc_number(header, lines, fields)

    dropped = set(title_rows)
    for index, line in enumerate(lines):
        if index < start and (
            _RED_HEADER_RE.match(line)
            or _DATE_LINE_RE.match(line)
            or _URGENCY_LINE_RE.match(line)
            or (_is_org_line(line) and index not in title_rows)
            or (title and line == title)  # the page showed the title twice
        ):
            dropped.add(index)
        if _META_LINE_RE.match(line) or (doc_number_line and line == doc_number_line):
            dropped.add(index)
    issuer = _find_issuer(lines, header, start, title, fields)
    prose = _prose_notice(header, lines[start : start + 2])
    notice_date = _find_date(lines, start, raw, prose, title_rows)
    if not doc_number:
        doc_number = _find_sequence_number(title, header, prose)

    # The heading lines (title, number, site names, a news headline, a report's lead-in) are
    # not the notice's text.
    body_lines = _iter_nonempty(
        line for i, line in enumerate(lines) if i >= start and i not in dropped
    )
    body = "\n".join(body_lines)
    measures = _find_measures(body)
    if len(_HAN_RE.findall(body)) < _MIN_BODY_HAN:
        raise NoticeImportError(
            "No notice text was found: what was pasted holds only a site's menus, footers, "
            "links or headings. Copy the notice itself, from its title to its date.",
            "nothing_found",
        )
    if not title and issuer and prose:
        # A report of the notice: name it as the issuer does (…指挥部公告（第21号）).
        title = issuer + prose.group("kind") + (f"（{doc_number}）" if doc_number else "")
    if not title:
        title = _derive_title(body_lines, body, measures)
    return ParsedNotice(
        title=title,
        issuer=issuer,
        date=notice_date,
        doc_number=doc_number,
        source=_find_source(fields),
        cites=_find_cites(body, doc_number),
        measures=measures,
        body=body,
    )
