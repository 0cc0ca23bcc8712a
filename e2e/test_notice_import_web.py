"""The league commander imports notices copied from other sites (a news portal's repost and a
news agency's report) and checks and corrects what was found before issuing."""

from __future__ import annotations

import os
import random
import re
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from fangkong.accounts.demo import DEMO_PASSWORD
from fangkong.accounts.demo import populate as populate_users
from fangkong.directives.models import Notice

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

WEB = Path(settings.BASE_DIR) / "data" / "notices" / "web"
#: Set to a folder to keep the screenshots of the walk.
SHOTS = os.environ.get("FANGKONG_SCREENSHOTS", "")


def _shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def _open_import(page) -> None:
    page.goto(f"{page.base_url}/accounts/login/")
    page.fill("#id_username", "commander")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("[data-testid=login-submit]")
    page.wait_for_url(f"{page.base_url}/")
    page.goto(f"{page.base_url}/directives/")
    page.click("[data-testid=notice-import]")
    expect(page.locator("[data-testid=import-form]")).to_be_visible()


def test_a_portal_repost_is_checked_and_issued(page):
    populate_users(rng=random.Random(1), scale=1, out=StringIO())
    _open_import(page)
    page.fill("#id_text", (WEB / "01-qianlong-ejina-28.txt").read_text("utf-8"))
    page.click("[data-testid=import-form] button[type=submit]")
    expect(page.locator("[data-testid=confirm-form]")).to_be_visible()
    expect(page.locator("#id_issuer_name")).to_have_value("额济纳旗新冠肺炎防控工作指挥部")
    expect(page.locator("#id_doc_number")).to_have_value("第28号")
    expect(page.locator("#id_date")).to_have_value("2021-10-26")
    body = page.locator("#id_body").input_value()
    assert body.startswith("10月26日，经流行病学调查")
    assert body.endswith("额济纳旗新冠肺炎防控工作指挥部\n2021年10月26日")
    for furniture in ("责任编辑", "为你推荐", "版权所有", "QQ空间", "总台记者"):
        assert furniture not in body
    _shot(page, "import-qianlong-confirm")
    assert not Notice.objects.exists()
    page.click("[data-testid=confirm]")
    page.wait_for_url(re.compile(r"/directives/\d+/$"))
    notice = Notice.objects.get()
    assert notice.issuer_name == "额济纳旗新冠肺炎防控工作指挥部"
    assert notice.doc_number == "第28号" and notice.body == body
    expect(page.locator("main")).to_contain_text("额济纳旗确认新增20例新冠肺炎确诊病例")
    _shot(page, "import-qianlong-issued")


def test_a_report_without_a_year_asks_for_the_date_and_takes_a_corrected_text(page):
    populate_users(rng=random.Random(1), scale=1, out=StringIO())
    _open_import(page)
    page.fill("#id_text", (WEB / "09-northplus-alxa-left-21.txt").read_text("utf-8"))
    page.click("[data-testid=import-form] button[type=submit]")
    expect(page.locator("#id_issuer_name")).to_have_value("阿拉善左旗新冠肺炎防控工作指挥部")
    expect(page.locator("#id_doc_number")).to_have_value("第21号")
    expect(page.locator("#id_date")).to_have_value("")
    expect(page.locator("[data-testid=confirm-form]")).to_contain_text("文本中没有找到日期")
    body = page.locator("#id_body").input_value()
    assert "THE END" not in body and "新华网" not in body
    assert body.count("第二十一号公告称") == 1
    _shot(page, "import-northplus-confirm")
    # Issuing without a date is refused (the browser asks for it; the server would too) and
    # nothing is stored.
    page.click("[data-testid=confirm]")
    assert page.locator("#id_date").evaluate("element => element.validity.valueMissing")
    expect(page.locator("[data-testid=confirm-form]")).to_be_visible()
    assert not Notice.objects.exists()
    first_sentence = body.split("\n")[0]
    page.fill("#id_date", "2021-11-04")
    page.fill("#id_body", first_sentence)
    expect(page.locator("[data-testid=parsed-cites]")).to_be_visible()
    page.click("[data-testid=recheck]")
    # Read again from the corrected text: the cited document went with the deleted sentence.
    expect(page.locator("[data-testid=parsed-cites]")).to_have_count(0)
    expect(page.locator("#id_date")).to_have_value("2021-11-04")
    expect(page.locator("#id_body")).to_have_value(first_sentence)
    _shot(page, "import-northplus-corrected")
    page.click("[data-testid=confirm]")
    page.wait_for_url(re.compile(r"/directives/\d+/$"))
    notice = Notice.objects.get()
    assert notice.date.isoformat() == "2021-11-04"
    assert notice.body == first_sentence
    assert notice.title == "阿拉善左旗新冠肺炎防控工作指挥部公告（第21号）"
    _shot(page, "import-northplus-issued")
