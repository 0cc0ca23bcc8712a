"""Tests for the pure-Python notice parser (no database, no Django)."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from pathlib import Path

import pytest

from fangkong.directives.parsing import (
    MAX_TEXT_CHARS,
    NoticeImportError,
    ParsedNotice,
    decode_text_file,
    extract_text_from_docx,
    extract_text_from_upload,
    normalise_doc_number,
    parse_notice,
)

SAMPLE_NAME = "alxa-league-2020-02-return-to-work.txt"
_PROJECT_ROOT = Path(__file__).resolve().parents[3]
_SAMPLE_CANDIDATES = (
    _PROJECT_ROOT / "data" / "notices" / SAMPLE_NAME,
    _PROJECT_ROOT.parent / "shared" / "data" / "notices" / SAMPLE_NAME,
)

SAMPLE_TITLES = [
    "做好节后返程返岗疫情防控工作",
    "做好农村牧区疫情防控工作",
    "大力开展爱国卫生运动",
    "确保物资供应车辆畅通",
    "多措并举保障困难群众基本生活",
]
PORTAL_NOISE = [
    "扫一扫",
    "主办单位",
    "政府网站标识码",
    "是否“确认”跳转到登录页",
    "已收藏",
    "信息来源",
]


def _sample_text() -> str:
    """The real notice as the portal gave it (the project's data/ copy first)."""
    for path in _SAMPLE_CANDIDATES:
        if path.is_file():
            return path.read_text(encoding="utf-8")
    pytest.skip(f"sample notice {SAMPLE_NAME} not found")


@pytest.fixture(scope="module")
def sample() -> ParsedNotice:
    """The parsed real sample."""
    return parse_notice(_sample_text())


def _docx(paragraphs_xml: str) -> bytes:
    """Build a minimal .docx whose body holds the given paragraph XML."""
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f"<w:body>{paragraphs_xml}</w:body></w:document>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", document)
        archive.writestr("word/footer1.xml", "<w:ftr>page footer</w:ftr>")
    return buffer.getvalue()


def _paragraph(*runs: str) -> str:
    """One w:p with one w:r/w:t per run."""
    return "<w:p>" + "".join(f"<w:r><w:t>{run}</w:t></w:r>" for run in runs) + "</w:p>"


# --- the real sample ------------------------------------------------------------------------


def test_sample_data_copy_is_unchanged() -> None:
    copies = [path for path in _SAMPLE_CANDIDATES if path.is_file()]
    if len(copies) < 2:
        pytest.skip("only one copy of the sample is available")
    assert copies[0].read_bytes() == copies[1].read_bytes()


def test_sample_keeps_one_body(sample: ParsedNotice) -> None:
    raw = _sample_text()
    sentence = "要畅通社会救助求助渠道，确保困难群众求助有门、受助及时。"
    assert raw.count(sentence) == 2
    assert sample.body.count(sentence) == 1
    assert sample.body.count("现公告如下") == 1
    assert sample.body.startswith("按照国家、自治区关于疫情防控工作部署要求")
    assert sample.body.endswith("特此公告。")


def test_sample_has_five_measures(sample: ParsedNotice) -> None:
    assert [measure.number for measure in sample.measures] == ["一", "二", "三", "四", "五"]
    assert [measure.title for measure in sample.measures] == SAMPLE_TITLES
    first, *_, last = sample.measures
    assert first.text.startswith("做好节后返程返岗疫情防控工作。2月1日，")
    assert first.text.endswith("全力防止疫情蔓延。")
    assert last.text.endswith("确保困难群众求助有门、受助及时。")
    assert "特此公告" not in last.text
    # 一断三不断 and 第一责任人 are running text, not item markers.
    assert "“一断三不断”" in sample.measures[3].text
    assert "第一责任人" in sample.measures[2].text


def test_sample_metadata(sample: ParsedNotice) -> None:
    assert sample.source == "阿拉善盟政务服务局"
    assert any("国发明电〔2020〕1号" in cite for cite in sample.cites)
    assert any("内防指发〔2020〕12号" in cite for cite in sample.cites)
    assert sample.cites == [
        "《关于做好春节后错峰返程加强疫情防控工作的通知》（国发明电〔2020〕1号）",
        "《关于做好机关企事业单位节后返程上岗人员疫情防控工作的紧急通知》（内防指发〔2020〕12号）",
    ]
    # The page has no title line, signature, date or own document number.
    assert sample.title == "关于做好节后返程返岗疫情防控工作等五项措施的公告"
    assert sample.issuer == ""
    assert sample.date is None
    assert sample.doc_number == ""


def test_sample_has_no_portal_noise(sample: ParsedNotice) -> None:
    texts = [sample.body, sample.title, *(m.text for m in sample.measures)]
    for noise in PORTAL_NOISE:
        for text in texts:
            assert noise not in text


def test_sample_json_shape(sample: ParsedNotice) -> None:
    data = sample.as_json_dict()
    assert list(data) == [
        "title",
        "issuer",
        "date",
        "doc_number",
        "source",
        "cites",
        "measures",
        "body",
    ]
    assert data["date"] is None
    assert all(list(measure) == ["number", "title", "text"] for measure in data["measures"])
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data


# --- varied pasted texts --------------------------------------------------------------------

FORMAL_NOTICE = """\
阿拉善盟新型冠状病毒感染肺炎防控工作指挥部文件
阿防指发[2020]5号
关于进一步加强农村牧区
疫情防控工作的通知
各旗区防控指挥部，盟直各部门：
　　根据《关于印发企事业单位复工复产疫情防控措施指南的通知》（国发明电（2020）4号）要求，\
现就有关事项通知如下：
　　一、压实主体责任。各企业要落实主体责任。
　　（一）建立台账。逐人建立健康台账。
　　（二）每日报告。每日向属地报告。
　　二、加强人员管控。返岗人员须测温，第一、二批次人员分批返岗。
　　三、做好物资保障
　　各旗区要保障口罩供应。
　　特此通知。
附件：复工复产企业名单
阿拉善盟新型冠状病毒感染肺炎防控工作指挥部
2020年2月3日
（此件公开发布）
"""


def test_formal_notice_header_fields() -> None:
    notice = parse_notice(FORMAL_NOTICE)
    assert notice.title == "关于进一步加强农村牧区疫情防控工作的通知"
    assert notice.doc_number == "阿防指发〔2020〕5号"
    assert notice.date == dt.date(2020, 2, 3)
    assert notice.issuer == "阿拉善盟新型冠状病毒感染肺炎防控工作指挥部"
    assert notice.cites == [
        "《关于印发企事业单位复工复产疫情防控措施指南的通知》（国发明电〔2020〕4号）"
    ]
    assert notice.body.startswith("各旗区防控指挥部，盟直各部门：")
    assert "阿防指发" not in notice.body
    assert notice.body.endswith("2020年2月3日\n（此件公开发布）")


def test_formal_notice_measures_one_per_line() -> None:
    notice = parse_notice(FORMAL_NOTICE)
    assert [(m.number, m.title) for m in notice.measures] == [
        ("一", "压实主体责任"),
        ("二", "加强人员管控"),
        ("三", "做好物资保障"),
    ]
    # Sub-items stay inside their measure; 第一、二批次 is not a marker.
    assert "（一）建立台账" in notice.measures[0].text
    assert "（二）每日报告" in notice.measures[0].text
    assert "第一、二批次" in notice.measures[1].text
    # The last measure stops before the closing formula, attachment and signature.
    assert notice.measures[2].text == "做好物资保障\n各旗区要保障口罩供应。"


def test_measures_without_punctuation_one_per_line() -> None:
    notice = parse_notice("各苏木镇：\n一、加强卡口检查\n二、做好宣传引导\n三、保障物资供应\n")
    assert [m.title for m in notice.measures] == ["加强卡口检查", "做好宣传引导", "保障物资供应"]
    assert [m.text for m in notice.measures] == ["加强卡口检查", "做好宣传引导", "保障物资供应"]


def test_paren_items_used_when_no_top_level_items() -> None:
    text = (
        "关于做好社区防控的通知\n各社区：\n（一）严格人员登记。外来人员一律登记。\n"
        "(二)加强宣传引导。通过大喇叭宣传。\n（三）做好环境整治；清理垃圾。\n二〇二〇年二月五日\n"
    )
    notice = parse_notice(text)
    assert [(m.number, m.title) for m in notice.measures] == [
        ("一", "严格人员登记"),
        ("二", "加强宣传引导"),
        ("三", "做好环境整治；清理垃圾"),
    ]
    assert notice.measures[2].text == "做好环境整治；清理垃圾。"
    assert notice.date == dt.date(2020, 2, 5)


def test_inline_items_after_colon_and_semicolon() -> None:
    notice = parse_notice("现通知如下：一、加强管控；二、做好宣传；三、保障物资。")
    assert [m.title for m in notice.measures] == ["加强管控；", "做好宣传；", "保障物资"]


def test_markers_must_be_consecutive_and_at_a_boundary() -> None:
    text = (
        "2020年2月3日，第一、二季度的工作安排如下。"
        "一、抓好防控。三、这不是第二项。二、做好保障。三、加强宣传。"
    )
    notice = parse_notice(text)
    assert [m.title for m in notice.measures] == ["抓好防控", "做好保障", "加强宣传"]
    assert "三、这不是第二项" in notice.measures[0].text
    # A date inside running text is not the notice date.
    assert notice.date is None


def test_more_than_ten_measures() -> None:
    numerals = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二"]
    text = "\n".join(f"{numeral}、第{index}项措施。" for index, numeral in enumerate(numerals, 1))
    notice = parse_notice(text)
    assert [m.number for m in notice.measures] == numerals
    assert notice.measures[-1].title == "第12项措施"


def test_text_without_measures() -> None:
    notice = parse_notice(
        "各单位：\n请做好春节期间值班值守工作，严格落实24小时值班制度。\n特此通知。"
    )
    assert notice.measures == []
    assert notice.title == "请做好春节期间值班值守工作，严格落实24小时值班制度"
    assert notice.body.endswith("特此通知。")


def test_portal_page_with_navigation_and_related_reading() -> None:
    page = """\
首页 > 政务公开 > 通知公告
当前位置：首页 > 通知公告
关于做好复工复产疫情防控工作的通知
发布时间：2020-02-10 09:30  来源：阿拉善盟卫生健康委员会  浏览次数：1234  字号：大 中 小
各旗区：
一、压实主体责任。各企业要落实主体责任。
二、加强人员管控。返岗人员须测温。
特此通知。
打印本页 关闭窗口
分享到：微信 微博 QQ空间
相关阅读
关于延迟开学的通知 2020-02-08
一、这不是本通知的内容。
版权所有：阿拉善盟行政公署 蒙ICP备05003123号-1 蒙公网安备 15290202000001号 网站地图 联系我们
"""
    notice = parse_notice(page)
    assert notice.title == "关于做好复工复产疫情防控工作的通知"
    assert notice.source == "阿拉善盟卫生健康委员会"
    assert notice.date == dt.date(2020, 2, 10)
    assert [m.title for m in notice.measures] == ["压实主体责任", "加强人员管控"]
    assert notice.body == (
        "各旗区：\n一、压实主体责任。各企业要落实主体责任。\n二、加强人员管控。返岗人员须测温。\n特此通知。"
    )
    for noise in ["首页", "打印本页", "分享到", "相关阅读", "延迟开学", "ICP", "网站地图", "字号"]:
        assert noise not in notice.body


def test_related_links_tail_removed_after_sentence() -> None:
    notice = parse_notice("请各单位做好防控工作。相关链接：关于延迟开学的通知")
    assert notice.body == "请各单位做好防控工作。"


def test_login_prompt_and_footer_inline() -> None:
    text = (
        "主办单位：某某政府主办 承办单位：某某办公厅承办 政府网站标识码：1500000001"
        "是否“确认”跳转到登录页？请各单位做好防控工作。"
    )
    assert parse_notice(text).body == "请各单位做好防控工作。"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("阿防指发〔2020〕5号", "阿防指发〔2020〕5号"),
        ("阿防指发[2020]5号", "阿防指发〔2020〕5号"),
        ("阿防指发［2020］5号", "阿防指发〔2020〕5号"),
        ("阿防指发（2020）5号", "阿防指发〔2020〕5号"),
        ("阿防指发(2020)5号", "阿防指发〔2020〕5号"),
        ("阿防指发 〔2020〕 第05号", "阿防指发〔2020〕5号"),
        ("不是文号", "不是文号"),
    ],
)
def test_doc_number_normalisation(raw: str, expected: str) -> None:
    assert normalise_doc_number(raw) == expected


@pytest.mark.parametrize("bracket", ["[2020]", "（2020）", "(2020)", "〔2020〕"])
def test_doc_number_line_and_cites_brackets(bracket: str) -> None:
    text = (
        f"关于加强防控的通知\n阿防指发{bracket}9号\n各旗区：\n"
        f"根据《关于防控的通知》（内防指发{bracket}12号）和（国发明电{bracket}1号）要求，请落实。"
    )
    notice = parse_notice(text)
    assert notice.doc_number == "阿防指发〔2020〕9号"
    assert notice.cites == ["《关于防控的通知》（内防指发〔2020〕12号）", "国发明电〔2020〕1号"]


def test_metadata_table_fields() -> None:
    text = (
        "索引号：11150000/2020-00012  主题分类：卫生\n"
        "发文机关：阿拉善盟行政公署  成文日期：2020年02月04日\n"
        "标题：关于加强公共场所管理的通告\n"
        "发文字号：阿署发〔2020〕3号  发布日期：2020年02月05日\n"
        "公共场所一律暂停营业。\n"
    )
    notice = parse_notice(text)
    assert notice.title == "关于加强公共场所管理的通告"
    assert notice.issuer == "阿拉善盟行政公署"
    assert notice.doc_number == "阿署发〔2020〕3号"
    assert notice.date == dt.date(2020, 2, 4)
    assert notice.body == "公共场所一律暂停营业。"


def test_title_names_issuer() -> None:
    notice = parse_notice("阿拉善盟防控工作指挥部关于延期开学的通知\n各学校：\n延期开学。")
    assert notice.title == "阿拉善盟防控工作指挥部关于延期开学的通知"
    assert notice.issuer == "阿拉善盟防控工作指挥部"


def test_repeated_body_kept_once_across_line_breaks() -> None:
    body = (
        "一、加强卡口管理，严格落实人员登记、体温检测等措施，确保不漏一车一人。\n"
        "二、做好物资保障，确保口罩、消毒液等防疫物资供应充足，价格稳定，不得哄抬物价。\n"
    )
    text = body + "扫一扫在手机上查看当前页面\n" + body.replace("\n", "")
    notice = parse_notice(text)
    assert len(notice.measures) == 2
    assert notice.body.count("确保不漏一车一人") == 1


def test_empty_text_is_refused() -> None:
    with pytest.raises(NoticeImportError) as error:
        parse_notice(" \n\u3000\n")
    assert error.value.code == "empty"


def test_oversized_paste_is_refused() -> None:
    with pytest.raises(NoticeImportError) as error:
        parse_notice("防" * (30 * 1024 * 1024))
    assert error.value.code == "text_too_large"
    assert "too long" in str(error.value)
    assert isinstance(error.value, ValueError)
    parse_notice("防" * MAX_TEXT_CHARS)  # the limit itself is accepted


# --- files ----------------------------------------------------------------------------------


def test_docx_end_to_end() -> None:
    data = _docx(
        _paragraph("关于加强", "疫情防控的通知")
        + _paragraph("阿防指发〔2020〕6号")
        + _paragraph("各旗区：")
        + "<w:p><w:r><w:t>一、</w:t></w:r><w:r><w:t>严格管控。外来人员</w:t><w:tab/>"
        + "<w:t>一律登记。</w:t></w:r></w:p>"
        + "<w:p><w:r><w:t>二、做好宣传。</w:t><w:br/><w:t>广泛宣传。</w:t></w:r></w:p>"
        + "<w:tbl><w:tr><w:tc>"
        + _paragraph("三、保障物资。")
        + "</w:tc></w:tr></w:tbl>"
        + "<w:p><w:r><w:delText>删除的文字</w:delText></w:r></w:p>"
        + _paragraph("阿拉善盟新型冠状病毒感染肺炎防控工作指挥部")
        + _paragraph("2020年2月6日")
    )
    text = extract_text_from_docx(data)
    assert text.splitlines()[:5] == [
        "关于加强疫情防控的通知",
        "阿防指发〔2020〕6号",
        "各旗区：",
        "一、严格管控。外来人员\t一律登记。",
        "二、做好宣传。",
    ]
    assert "删除的文字" not in text
    assert "page footer" not in text
    notice = parse_notice(text)
    assert notice.title == "关于加强疫情防控的通知"
    assert notice.doc_number == "阿防指发〔2020〕6号"
    assert notice.date == dt.date(2020, 2, 6)
    assert notice.issuer == "阿拉善盟新型冠状病毒感染肺炎防控工作指挥部"
    assert [m.title for m in notice.measures] == ["严格管控", "做好宣传", "保障物资"]
    assert notice.measures[1].text == "做好宣传。\n广泛宣传。"
    assert extract_text_from_upload("Notice.DOCX", data) == text


def test_non_zip_docx_is_refused() -> None:
    with pytest.raises(NoticeImportError) as error:
        extract_text_from_docx(b"\xd0\xcf\x11\xe0 an old .doc file")
    assert error.value.code == "not_docx"


def test_zip_without_document_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(NoticeImportError):
        extract_text_from_docx(buffer.getvalue())


def test_docx_zip_bomb_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("fangkong.directives.parsing.MAX_DOCX_XML_BYTES", 10_000)
    data = _docx(_paragraph("防" * 20_000))
    assert len(data) < 10_000
    with pytest.raises(NoticeImportError) as error:
        extract_text_from_docx(data)
    assert error.value.code == "docx_too_large"


def test_docx_with_dtd_is_refused() -> None:
    document = '<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaa">]><w:document/>'
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", document)
    with pytest.raises(NoticeImportError):
        extract_text_from_docx(buffer.getvalue())


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "utf-16"])
def test_text_file_encodings(encoding: str) -> None:
    text = "关于加强防控的通知\n一、严格管控。\n二、做好宣传。\n"
    decoded = decode_text_file(text.encode(encoding))
    assert decoded == text
    assert [m.title for m in parse_notice(decoded).measures] == ["严格管控", "做好宣传"]


def test_gb18030_sample_file() -> None:
    raw = _sample_text()
    notice = parse_notice(decode_text_file(raw.encode("gb18030")))
    assert [m.title for m in notice.measures] == SAMPLE_TITLES


@pytest.mark.parametrize(
    "data",
    [bytes(range(256)) * 4, b"\x00\x01\x02binary\x00", b"PK\x03\x04rest-of-a-zip"],
)
def test_binary_text_file_is_refused(data: bytes) -> None:
    with pytest.raises(NoticeImportError):
        decode_text_file(data)


def test_upload_of_unsupported_file_is_refused() -> None:
    with pytest.raises(NoticeImportError) as error:
        extract_text_from_upload("notice.doc", b"\xd0\xcf\x11\xe0")
    assert error.value.code == "unsupported_file"
    with pytest.raises(NoticeImportError):
        extract_text_from_upload("notice.pdf", b"%PDF-1.4")


def test_unpunctuated_last_item_is_not_a_signature() -> None:
    notice = parse_notice("各旗区：\n一、加强卡口检查\n二、成立疫情防控工作领导小组\n")
    assert notice.issuer == ""
    assert [m.title for m in notice.measures] == ["加强卡口检查", "成立疫情防控工作领导小组"]


def test_signature_without_date_after_closing_formula() -> None:
    text = "各旗区：\n一、加强检查。\n二、做好宣传。\n特此通知。\n阿拉善盟卫生健康委员会\n"
    notice = parse_notice(text)
    assert notice.issuer == "阿拉善盟卫生健康委员会"
    assert notice.measures[-1].text == "做好宣传。"


def test_title_shown_twice_is_dropped_from_body() -> None:
    notice = parse_notice("关于延期开学的通知\n关于延期开学的通知\n各学校：\n延期开学。")
    assert notice.title == "关于延期开学的通知"
    assert notice.body == "各学校：\n延期开学。"


def test_recommendations_above_the_notice_do_not_cut_it() -> None:
    notice = parse_notice("为您推荐\n热点新闻\n各旗区：\n请做好防控工作。\n为您推荐\n另一篇文章。")
    assert notice.body == "各旗区：\n请做好防控工作。"


def test_a_link_inside_the_notice_is_kept_and_ads_around_it_are_not() -> None:
    notice = parse_notice(
        "白癜风医院 http://ads.example.com/a.html\n各旗区：\n"
        "请登录 https://www.example.gov.cn/report 填报。\n特此通知。\n"
        "转载请注明地址：http://copy.example.com/1.html"
    )
    assert notice.body == "各旗区：\n请登录 https://www.example.gov.cn/report 填报。\n特此通知。"


def test_editor_credits_and_bylines_are_dropped_but_the_notice_kept() -> None:
    notice = parse_notice(
        "新华网呼和浩特11月4日电 某某旗指挥部公告称，解除封闭管理。（记者 张三）\n"
        "（责任编辑：李四）\n编辑：王五\n监制：赵六\nTHE END\n某某旗指挥部公告称，解除封闭管理。"
    )
    assert notice.body == "某某旗指挥部公告称，解除封闭管理。"


def test_a_report_naming_issuer_date_and_number_in_one_sentence() -> None:
    notice = parse_notice(
        "发布时间：2021-10-19 08:00\n"
        "内蒙古自治区阿拉善盟额济纳旗新冠肺炎防控工作指挥部10月18日发布15号公告，"
        "决定对达来呼布镇实行封闭管理。\n请广大居民配合。"
    )
    assert notice.issuer == "额济纳旗新冠肺炎防控工作指挥部"
    assert notice.doc_number == "第15号"
    assert notice.date == dt.date(2021, 10, 18)
    assert notice.title == "额济纳旗新冠肺炎防控工作指挥部公告（第15号）"


def test_a_reported_day_after_the_page_date_is_from_the_year_before() -> None:
    notice = parse_notice(
        "2022-01-03 10:00\n12月30日，某某旗疫情防控指挥部发布通告，全旗解除管控。"
    )
    assert notice.date == dt.date(2021, 12, 30)


def test_a_reported_day_without_any_year_on_the_page_gives_no_date() -> None:
    notice = parse_notice("12月30日，某某旗疫情防控指挥部发布通告，全旗解除管控。")
    assert notice.issuer == "某某旗疫情防控指挥部"
    assert notice.date is None


@pytest.mark.parametrize(
    ("heading", "number"),
    [
        ("某某旗疫情防控指挥部第一百零二号通告", "第102号"),
        ("某某旗疫情防控指挥部通告（2022年第219号）", "2022年第219号"),
        ("某某旗疫情防控指挥部3号令", "第3号"),
    ],
)
def test_a_notice_numbered_in_its_series(heading: str, number: str) -> None:
    notice = parse_notice(f"{heading}\n各苏木镇：\n请做好防控工作。")
    assert notice.doc_number == number
    assert notice.issuer == "某某旗疫情防控指挥部"


def test_a_page_of_only_furniture_is_refused_as_nothing_found() -> None:
    with pytest.raises(NoticeImportError) as error:
        parse_notice("首页 新闻 国内 聚焦\n版权所有 某某网 京ICP备12345678号\n分享到：微信 微博")
    assert error.value.code == "nothing_found"


def test_a_public_account_lead_in_and_source_notes_are_not_body() -> None:
    notice = parse_notice(
        "“某某发布”微信公号2月2日消息，内蒙古某某旗新冠疫情防控指挥部发布通告。\n"
        "广大居民：\n请广大居民尽量减少流动。\n(原题为《通告》)(本文来自某某新闻，更多资讯请下载APP)"
    )
    assert notice.issuer == "某某旗新冠疫情防控指挥部"
    assert notice.body == "广大居民：\n请广大居民尽量减少流动。"


def test_an_hq_quoted_by_a_report_is_the_issuer() -> None:
    notice = parse_notice("据某某旗新冠肺炎防控工作指挥部消息，10月21日，全旗新增确诊病例8例。")
    assert notice.issuer == "某某旗新冠肺炎防控工作指挥部"


def test_a_bracketed_year_number_and_a_signature_followed_by_the_next_headline() -> None:
    notice = parse_notice(
        "某某市关于调整中高风险区的通告\n【2022】17号\n各街道：\n现通告如下：调整风险区。\n"
        "特此通告。\n某某市新型冠状病毒\n感染肺炎防控工作指挥部\n2022年9月15日\n今起某某市高风险区清零！"
    )
    assert notice.doc_number == "2022年第17号"
    assert notice.issuer == "某某市新型冠状病毒感染肺炎防控工作指挥部"
    assert notice.date == dt.date(2022, 9, 15)


def test_an_ad_date_above_the_title_is_not_the_notice_date() -> None:
    notice = parse_notice(
        "某某积分入学什么时候开始申请\n2023-01-31\n更新时间:2022-08-05 16:05:22\n"
        "某某旗疫情防控指挥部公告(2022年2号)\n各嘎查：\n请做好防控工作。"
    )
    assert notice.date == dt.date(2022, 8, 5)
    assert notice.doc_number == "2022年第2号"


def test_a_first_item_typed_1_in_a_chinese_numbered_list_is_the_first_measure() -> None:
    notice = parse_notice("各苏木镇：\n1、 暂停公交。\n二、暂停营业。\n三、暂停聚集。")
    assert [m.number for m in notice.measures] == ["一", "二", "三"]
    assert notice.measures[0].title == "暂停公交"
    # A list numbered 1、2、3、 throughout is not read as measures 一、二、…
    assert parse_notice("各苏木镇：\n1、暂停公交。\n2、暂停营业。").measures == []
