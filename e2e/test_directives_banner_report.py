"""The banner HQ reports 落实情况 with evidence on a phone; the league sends it back with a reason;
the banner sees the reason. A matrix cell the user may not open is not a link."""

from __future__ import annotations

import random
from io import StringIO

import pytest
from playwright.sync_api import expect

from fangkong.accounts.demo import DEMO_PASSWORD
from fangkong.accounts.demo import populate as populate_users
from fangkong.directives.demo import populate as populate_directives
from fangkong.directives.models import Assignment, ImplementationReport

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def _login(page, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{page.base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("[data-testid=login-submit]")
    page.wait_for_url(f"{page.base_url}/")


def _demo() -> None:
    populate_users(rng=random.Random(1), scale=1, out=StringIO())
    populate_directives(rng=random.Random(2), scale=1, out=StringIO())


def test_the_banner_office_reports_with_a_photo_on_a_phone_and_sees_it_sent_back(page, tmp_path):
    _demo()
    page.set_viewport_size({"width": 390, "height": 844})
    _login(page, "banner_staff")
    page.goto(f"{page.base_url}/directives/tasks/")
    rows = page.locator("[data-testid=assignment-list] tbody tr")
    # The demo's report the league sent back comes first, with its reason.
    expect(rows.first.locator("[data-testid=returned-reason]")).to_contain_text("请补充")
    todo = Assignment.objects.filter(division_code="152921", reports__isnull=True).order_by(
        "measure__position"
    )[0]
    page.click(f"[data-testid=assignment-{todo.pk}] a")
    page.wait_for_url(f"**/directives/tasks/{todo.pk}/")
    form = page.locator("[data-testid=report-form]")
    expect(form).to_be_visible()
    # Nothing sticks out sideways on the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    photo = tmp_path / "卡口照片.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0 demo jpeg")
    page.select_option("#id_status", "done")
    page.fill("#id_text", "全旗设立卡口12处，24小时值守。")
    page.fill("#id_figures", "卡口: 12\n值守人员: 240")
    page.set_input_files("#id_attachments", str(photo))
    page.click("[data-testid=report-submit]")
    page.wait_for_selector("[data-testid=report] >> text=全旗设立卡口12处")
    expect(page.locator("[data-testid=assignment-status]")).to_have_text("已完成")
    # Done: the form folds away and the page says the report is in.
    expect(page.locator("[data-testid=report-done]")).to_be_visible()
    expect(form).to_be_hidden()
    expect(page.locator("[data-testid=evidence]")).to_have_text("卡口照片.jpg")

    report = ImplementationReport.objects.get(assignment=todo)
    assert report.author.username == "banner_staff" and report.status == "done"
    assert report.figures == {"卡口": 12, "值守人员": 240}
    assert report.attachments.get().file.read() == photo.read_bytes()

    # The league office sends it back with a reason.
    _login(page, "staff")
    page.goto(f"{page.base_url}/directives/tasks/{todo.pk}/")
    page.fill("[data-testid=return-form] textarea", "请附各苏木镇卡口名单")
    page.click("[data-testid=return-form] button[type=submit]")
    expect(page.locator("[data-testid=report-returned]").first).to_contain_text(
        "请附各苏木镇卡口名单"
    )
    report.refresh_from_db()
    assert report.state == "returned" and report.return_comment == "请附各苏木镇卡口名单"

    # The banner commander sees the return and its reason; the form is open again.
    _login(page, "banner_commander")
    page.goto(f"{page.base_url}/directives/tasks/{todo.pk}/")
    expect(page.locator("[data-testid=returned-box]")).to_contain_text("请附各苏木镇卡口名单")
    expect(page.locator("[data-testid=report-form]")).to_be_visible()
    page.fill("#id_text", "已补充各苏木镇卡口名单。")
    page.select_option("#id_status", "done")
    page.click("[data-testid=report-submit]")
    expect(page.locator("[data-testid=report-done]")).to_be_visible()
    expect(page.locator("[data-testid=returned-box]")).to_have_count(0)
    latest = ImplementationReport.objects.filter(assignment=todo).order_by("-id")[0]
    assert latest.author.username == "banner_commander" and latest.state == "submitted"


def test_matrix_cells_of_other_banners_are_text_not_links(page):
    _demo()
    _login(page, "banner_commander")
    page.goto(f"{page.base_url}/directives/")
    page.locator("[data-testid=notice-list] a").first.click()
    matrix = page.locator("[data-testid=matrix]")
    expect(matrix).to_be_visible()
    links = matrix.locator("a.cell")
    assert links.count() == Assignment.objects.filter(division_code="152921").count()
    for i in range(links.count()):
        assert links.nth(i).get_attribute("data-testid").endswith("-152921")
    other = matrix.locator('[data-testid="cell-一-152922"]')
    expect(other).to_be_visible()
    assert other.evaluate("e => e.tagName") == "SPAN"
    links.first.click()
    expect(page.locator("h1")).to_be_visible()
    assert "404" not in page.locator("h1").inner_text()
