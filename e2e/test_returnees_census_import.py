"""A sumu worker imports a census with mistakes in it: the dry run says what would be created
and rejected and saves nothing, each problem names its row and person, the template's example
row is never imported, a missing mobile number is refused, and a zip bomb gets a clear message.
Screenshots go to ``FANGKONG_SCREENSHOTS`` when set."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from fangkong.accounts.roles import Role
from fangkong.lib.tests import hostile
from fangkong.returnees.census import EXAMPLE_MARK, TEMPLATE_HEADERS
from fangkong.returnees.models import Person
from fangkong.returnees.tests.helpers import ID_2, ID_3, STANDARD_ID, VILLAGE
from fangkong.returnees.tests.test_census_import import workbook
from fangkong.test import BAYANHAOTE, PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _row(name: str, id_number: str, mobile: str, notes: str = "") -> list[str]:
    return [name, id_number, mobile, "农牧民工", "河北省石家庄市", "否", "火车", "K1234",
            "2020-02-03", "2020-02-04", VILLAGE, "", notes]  # fmt: skip


def _shot(page: object, name: str) -> None:
    folder = os.environ.get("FANGKONG_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / f"census-{name}.png"), full_page=True)


def test_a_census_with_mistakes_is_checked_then_imported_without_its_bad_rows(page):
    make_user("census_worker", Role.GRASSROOTS, BAYANHAOTE)
    base = page.base_url
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "census_worker")
    page.fill("#id_password", PASSWORD)
    page.click("[data-testid=login-submit]")
    page.wait_for_url(f"{base}/")
    assert TEMPLATE_HEADERS[2] == "手机号"
    bad_id = ID_2[:-1] + ("0" if ID_2[-1] != "0" else "1")
    rows = [
        _row("张三", STANDARD_ID, "13812345678", EXAMPLE_MARK),  # the template's example
        _row("王五", ID_3, "13712345678"),
        _row("李四", ID_2, ""),  # no mobile number
        _row("赵六", bad_id, "13612345678"),  # wrong check digit
    ]
    data = workbook(rows)

    page.goto(f"{base}/returnees/import/")
    page.set_input_files("#id_file", {"name": "摸排.xlsx", "mimeType": XLSX, "buffer": data})
    page.check("#id_dry_run")
    page.click("[data-testid=import-submit]")
    expect(page.locator("[data-testid=dry-run]")).to_have_text("试运行：未保存任何内容")
    report = page.locator("[data-testid=import-report]")
    expect(report).to_contain_text("共 3 行：导入将新增 1，更新 0，未变 0；拒绝 2。")
    problems = page.locator("[data-testid=problems] tbody tr")
    expect(problems).to_have_count(3)
    expect(problems.nth(0)).to_contain_text("模板中的示例行：不导入")
    expect(problems.nth(1)).to_contain_text("李四")
    expect(problems.nth(1)).to_contain_text("手机号")
    expect(problems.nth(2)).to_contain_text("赵六")
    expect(problems.nth(2)).to_contain_text("校验位")
    _shot(page, "1-dry-run")
    assert not Person.objects.exists()

    page.set_input_files("#id_file", {"name": "摸排.xlsx", "mimeType": XLSX, "buffer": data})
    page.uncheck("#id_dry_run")
    page.check("#id_skip_bad_rows")
    page.click("[data-testid=import-submit]")
    expect(report).to_contain_text("已导入")
    expect(report).to_contain_text("共 3 行：新增 1，更新 0，未变 0，拒绝 2。")
    _shot(page, "2-imported")
    assert list(Person.objects.values_list("name", flat=True)) == ["王五"]

    page.set_input_files(
        "#id_file", {"name": "bomb.xlsx", "mimeType": XLSX, "buffer": hostile.zip_bomb()}
    )
    page.click("[data-testid=import-submit]")
    expect(page.locator(".errorlist, .error, [role=alert]").first).to_contain_text("压缩炸弹")
    _shot(page, "3-zip-bomb")
    assert Person.objects.count() == 1
