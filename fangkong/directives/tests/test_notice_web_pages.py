"""The notice parser on real pages as other sites carry notices (data/notices/web/).

Each page is kept exactly as the stored copy gave its text; ``data/notices/web/SOURCE.md`` gives
its address and what was verified by reading it. Every page is checked for the issuer, the
number, the date, where the body starts and ends, and that none of the site's furniture
(recommendations, related reading, editors, copyright footers, share buttons, ads) is left.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from fangkong.directives.parsing import ParsedNotice, parse_notice

WEB_DIR = Path(__file__).resolve().parents[3] / "data" / "notices" / "web"

#: Furniture no page may leave in the body, whatever the site.
COMMON_FURNITURE = (
    "相关阅读",
    "推荐",
    "责任编辑",
    "编辑:",
    "编辑：",
    "版权所有",
    "Copyright",
    "ICP",
    "公网安备",
    "分享",
    "http",
    "来源:",
    "来源：",
    "上一篇",
    "下一篇",
    "扫一扫",
)


@dataclass(frozen=True)
class Page:
    """What a person reading the page finds in it (see SOURCE.md)."""

    file: str
    issuer: str
    number: str
    date: dt.date | None
    body_start: str
    body_end: str
    furniture: tuple[str, ...] = ()
    measures: int | None = None
    prose_issuer: bool = False
    title: str = ""


PAGES = (
    Page(
        "01-qianlong-ejina-28.txt",
        issuer="额济纳旗新冠肺炎防控工作指挥部",
        number="第28号",
        date=dt.date(2021, 10, 26),
        body_start="10月26日，经流行病学调查和核酸复检",
        body_end="坚决打赢疫情防控攻坚战。\n额济纳旗新冠肺炎防控工作指挥部\n2021年10月26日",
        furniture=(
            "无障碍",
            "全部频道",
            "正文",
            "央视新闻",
            "来源标题",
            "总台记者",
            "加载更多",
            "千龙",
            "许可证",
            "QQ空间",
            "有道云笔记",
        ),
    ),
    Page(
        "02-iewzx-alxa-left-20.txt",
        title="阿拉善左旗新冠肺炎防控工作指挥部二十号公告",
        issuer="阿拉善左旗新冠肺炎防控工作指挥部",
        number="第20号",
        date=dt.date(2021, 10, 29),
        body_start="按照阿拉善盟新冠肺炎防控工作指挥部统一安排部署",
        body_end="坚决打赢抗击新冠肺炎疫情战斗。\n阿拉善左旗新冠肺炎防控工作指挥部\n2021年10月29日",
        furniture=(
            "您的位置",
            "首页",
            "内蒙古阿拉善左旗：",
            "发布时间",
            "频道精选",
            "经贸网",
            "联系邮箱",
        ),
    ),
    Page(
        "03-henan-china-alxa-left-lockdown.txt",
        title="内蒙古阿拉善左旗实行封闭管理48小时 全员核酸采样检测",
        issuer="阿拉善左旗新冠肺炎防控工作指挥部",
        number="",
        date=dt.date(2021, 10, 20),
        body_start="10月20日，内蒙古阿拉善左旗新冠肺炎防控工作指挥部发布公告，发现巴彦浩特镇1居民",
        body_end="请广大居民密切关注，积极配合落实各项疫情防控措施。\n附巴彦浩特镇区核酸采样点地址。",
        furniture=(
            "中华网",
            "当前位置",
            "人民网",
            "赵梦月",
            "耿倩",
            "黄金",
            "春风送岗",
            "封闭管理48小时 全员",
        ),
        measures=3,
        prose_issuer=True,
    ),
    Page(
        "04-xam-gov-xingan-47.txt",
        issuer="兴安盟新冠肺炎疫情防控指挥部",
        number="2022年第47号",
        date=dt.date(2022, 11, 5),
        body_start="11月5日，兴安盟本轮疫情最后2例新冠肺炎患者治愈出院",
        body_end="共同守护好来之不易的防控成果。\n2022年11月5日",
        furniture=(
            "精准防控",
            "点击量",
            "下载本页",
            "打印",
            "地 址",
            "党政大楼",
            "传真",
            "Email",
            "行政公署主办",
            "标识码",
            "举报中心",
            "All Rights Reserved",
        ),
    ),
    Page(
        "05-smrmnews-shimen-1.txt",
        title="石门县新型冠状病毒感染的肺炎疫情防控指挥部通告",
        issuer="石门县新型冠状病毒感染的肺炎疫情防控指挥部",
        number="第1号",
        date=dt.date(2020, 1, 23),
        body_start="为全力做好新型冠状病毒感染的肺炎疫情防控工作，有效切断病毒传播途径",
        body_end="请公众不要信谣传谣。\n2020年1月23日",
        furniture=("王振华", "通 告"),
    ),
    Page(
        "06-heqing-gov-1.txt",
        issuer="鹤庆县新型冠状病毒感染的肺炎疫情防控工作指挥部办公室",
        number="第1号",
        date=dt.date(2020, 1, 26),
        body_start="针对目前新型冠状病毒感染的肺炎疫情发展态势",
        body_end="特此通告\n鹤庆县新型冠状病毒感染的肺炎疫情防控工作指挥部办公室\n2020126",
        furniture=("政府信息公开", "发布时间", "浏览次数", "字体"),
    ),
    Page(
        "07-cphoto-wuhan-1.txt",
        issuer="武汉市新型冠状病毒感染的肺炎疫情防控指挥部",
        number="第1号",
        date=dt.date(2020, 1, 23),
        body_start="为全力做好新型冠状病毒感染的肺炎疫情防控工作，有效切断病毒传播途径，坚决遏制",
        body_end="恳请广大市民、旅客理解支持！\n武汉市新型冠状病毒感染的肺炎疫情防控指挥部\n2020年1月23日",
        furniture=("页:", "页：", "[1]"),
    ),
    Page(
        "08-qdn-ejina-0126.txt",
        issuer="额济纳旗新冠肺炎防控工作指挥部",
        number="",
        date=dt.date(2021, 10, 26),
        body_start="10 月 26 日，经流行病学调查和核酸复检",
        body_end="坚决打赢疫情防控攻坚战。\n额济纳旗新冠肺炎防控工作指挥部\n2021 年 10 月 26 日",
        furniture=("凡本网注明", "黔东南信息港", "转载", "授权", "法律责任", "XXX"),
    ),
    Page(
        "09-northplus-alxa-left-21.txt",
        title="阿拉善左旗新冠肺炎防控工作指挥部公告（第21号）",
        issuer="阿拉善左旗新冠肺炎防控工作指挥部",
        number="第21号",
        date=None,  # the page gives 11月4日 but no year
        body_start="阿拉善左旗新冠肺炎防控工作指挥部第二十一号公告称，自11月4日起",
        body_end="阿拉善左旗新冠肺炎防控工作指挥部做出上述决定。",
        furniture=("新华网", "THE END"),
        prose_issuer=True,
    ),
    Page(
        "10-jinqianmua-luotian-6.txt",
        issuer="罗田县新型冠状病毒感染的肺炎防控工作指挥部",
        number="第6号",
        date=None,  # the page's date line lost its year: 年2月9日
        body_start="鉴于目前疫情防控进入关键时期",
        body_end="齐心协力打赢疫情防控阻击战。\n罗田县新型冠状病毒感染的肺炎防控工作指挥部\n年2月9日",
        furniture=("匡彬", "媒体运营", "监制", "姚汉桥", "预览时标签", "合集"),
        measures=2,
    ),
    Page(
        "11-tieba-kezuohou-1.txt",
        title="科左后旗新型冠状病毒感染的肺炎疫情防控工作应急指挥部令",
        issuer="科左后旗新型冠状病毒感染的肺炎疫情防控工作应急指挥部",
        number="第1号",
        date=dt.date(2020, 1, 27),
        body_start="各苏木镇场，甘旗卡社区服务中心，旗直各部门：\n现就我旗新型冠状病毒感染的肺炎疫情",
        body_end="九、所有对外服务性岗位工作人员，必须全员配戴口罩。\n2020年1月27日",
        furniture=("权威发布", "应急指挥部令", "社区服\n", "(第1号)"),
        measures=9,  # the first typed 1、, the rest 二、…九、
    ),
    Page(
        "12-163-ejina-1018.txt",
        title="额济纳旗新冠肺炎防控工作指挥部公告",
        issuer="额济纳旗新冠肺炎防控工作指挥部",
        number="",
        date=None,  # 10月18日, the page never states the year
        body_start="10月18日，内蒙古自治区阿拉善盟额济纳旗新冠肺炎防控工作指挥部发布公告，针对上海籍游客",
        body_end="支持配合旗人民政府各项防控工作。",
        furniture=("人民网", "赵梦月", "日电"),
        measures=3,
        prose_issuer=True,
    ),
    Page(
        "13-freewechat-manzhouli-45.txt",
        issuer="满洲里市新冠肺炎疫情防控指挥部",
        number="第45号",
        date=dt.date(2021, 11, 28),
        body_start="根据国务院联防联控机制《关于调整新冠肺炎疫情分区分级标准实施精准管控措施的通知》",
        body_end="为我市打赢疫情歼灭战赢得宝贵时间。\n满洲里市新冠肺炎疫情防控指挥部\n2021年11月28日",
        furniture=(
            "查看原文",
            "其他",
            "135编辑器",
            "实习编辑",
            "程群",
            "点击下方关注",
            "视频号",
            "往期回顾",
            "马强",
            "扫楼",
            "帖子",
            "未经处理的缓存",
        ),
    ),
    Page(
        "14-hlbe-molidawa-64.txt",
        issuer="莫力达瓦达斡尔族自治旗新型冠状病毒感染的肺炎疫情防控工作指挥部",
        number="第64号",
        date=dt.date(2020, 2, 20),
        body_start="岭岚·福仕园居民小区自2月6日零时起至2月20日零时实行全面封闭管理",
        body_end="该小区交由所在社区管理。\n2020年2月20日",
    ),
    Page(
        "15-ccschy-sunite-right-2.txt",
        issuer="苏尼特右旗新冠肺炎疫情防控指挥部",
        number="2022年第2号",
        date=dt.date(2022, 8, 5),  # 更新时间; an ad above the title carries 2023-01-31
        body_start="2022年8月5日，在外地返旗务工人员中，发现3名新冠病毒核酸阳性人员。",
        body_end="红事缓办、丧事简办、宴会不办。\n五、请广大居民做好",  # the stored copy ends here
        furniture=("积分入学", "2023-01-31", "更新时间", "作者", "未知"),
        measures=5,
    ),
    Page(
        "16-ycwb-ejina-19.txt",
        issuer="额济纳旗新冠肺炎防控工作指挥部",
        number="第19号",
        date=None,  # 10月21日 only
        body_start="内蒙古额济纳旗新冠肺炎防控工作指挥部19号公告：10月21日，经流行病学调查",
        body_end="将额济纳旗达来呼布镇镇区范围划定为高风险地区。",
        furniture=("金羊图库", "新闻排行榜", "返回顶部", "总台记者", "刘晓波"),
        prose_issuer=True,
    ),
)


def _comparable(text: str) -> str:
    """The parser keeps the page's punctuation; compare ASCII and full-width forms alike."""
    return text.replace(",", "，").replace(":", "：").replace("!", "！").replace("?", "？")


@pytest.fixture(scope="module")
def parsed() -> dict[str, ParsedNotice]:
    return {page.file: parse_notice((WEB_DIR / page.file).read_text("utf-8")) for page in PAGES}


def test_the_corpus_has_the_pages_and_their_sources() -> None:
    source = (WEB_DIR / "SOURCE.md").read_text("utf-8")
    files = sorted(path.name for path in WEB_DIR.glob("*.txt"))
    assert files == sorted(page.file for page in PAGES)
    sites = set(re.findall(r"^\| `[^`]+` \| (\S+) \|", source, re.MULTILINE))
    assert len(files) >= 8 and len(sites) >= 5
    for name in files:
        assert f"`{name}`" in source, name


def _params() -> list[object]:
    return [pytest.param(page, id=page.file[:2]) for page in PAGES]


@pytest.mark.parametrize("page", _params())
def test_the_issuer_is_found(page: Page, parsed: dict[str, ParsedNotice]) -> None:
    assert parsed[page.file].issuer == page.issuer


def test_an_issuer_stated_only_in_prose_is_found(parsed: dict[str, ParsedNotice]) -> None:
    prose = [page for page in PAGES if page.prose_issuer]
    assert len(prose) >= 3
    for page in prose:
        assert parsed[page.file].issuer == page.issuer, page.file


@pytest.mark.parametrize("page", [page for page in PAGES if page.title], ids=lambda p: p.file[:2])
def test_a_heading_split_or_missing_still_gives_a_title(
    page: Page, parsed: dict[str, ParsedNotice]
) -> None:
    assert parsed[page.file].title == page.title


@pytest.mark.parametrize("page", _params())
def test_the_number_is_found(page: Page, parsed: dict[str, ParsedNotice]) -> None:
    assert parsed[page.file].doc_number == page.number


@pytest.mark.parametrize("page", _params())
def test_the_date_is_found(page: Page, parsed: dict[str, ParsedNotice]) -> None:
    assert parsed[page.file].date == page.date


@pytest.mark.parametrize("page", _params())
def test_one_body_from_its_first_to_its_last_line(
    page: Page, parsed: dict[str, ParsedNotice]
) -> None:
    body = _comparable(parsed[page.file].body)
    assert body.startswith(_comparable(page.body_start)), body[:120]
    assert body.endswith(_comparable(page.body_end)), body[-160:]
    # One body: its first sentence is not repeated further down.
    first = body.split("。")[0]
    assert body.count(first) == 1
    if page.measures is not None:
        assert len(parsed[page.file].measures) == page.measures


@pytest.mark.parametrize("page", _params())
def test_no_site_furniture_is_left_in_the_body(page: Page, parsed: dict[str, ParsedNotice]) -> None:
    body = parsed[page.file].body
    left = [word for word in (*COMMON_FURNITURE, *page.furniture) if word in body]
    assert left == []
