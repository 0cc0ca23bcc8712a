"""Every figure of the dashboard and of the 日报 opens the list behind it, as long as the figure.

A hand-made case with a known answer (who had a fever on a day in 巴彦浩特镇), then every figure
of the demo data at three levels: follow the figure's own link on the page, count the rows.
"""

import re
from datetime import date, datetime
from io import StringIO
from statistics import fmean
from zoneinfo import ZoneInfo

import time_machine
from django.core.management import call_command
from django.utils import timezone

from fangkong.accounts.models import User
from fangkong.accounts.roles import Role
from fangkong.core import rollups
from fangkong.divisions.models import Division
from fangkong.returnees.services import check_record
from fangkong.returnees.tests.helpers import ID_2, ID_3, STANDARD_ID, check_days, observe
from fangkong.test import BAYANHAOTE, LEAGUE, LEFT_BANNER, BaseTestCase, make_user

TZ = ZoneInfo("Asia/Shanghai")
DAY = date(2020, 2, 5)
TZ = ZoneInfo("Asia/Shanghai")


def links(html: str, prefix: str) -> dict[str, str]:
    """{metric: href} of the figure links with ``data-testid="<prefix><metric>"``."""
    found = {}
    for href, name in re.findall(r'<a href="([^"]+)" data-testid="' + prefix + r'([^"]+)"', html):
        found[name] = href.replace("&amp;", "&")
    return found


def listed(client, href: str) -> tuple[int, int, str]:
    """(the count the list states, its rows over all its pages, the first page's html)."""
    first = client.get(href)
    assert first.status_code == 200, href
    html = first.content.decode()
    stated = int(re.search(r'data-testid="records-count" data-count="(\d+)"', html).group(1))
    rows = html.count('data-testid="record-row"')
    page = 2
    while f"page={page}" in html:
        html_next = client.get(f"{href}&page={page}").content.decode()
        rows += html_next.count('data-testid="record-row"')
        html = html_next
        page += 1
    return stated, rows, first.content.decode()


class FeverListTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.worker = make_user("worker", Role.GRASSROOTS, BAYANHAOTE)
        hot = observe(cls.worker, ID_2, "张三", start=DAY)
        cool = observe(cls.worker, ID_3, "李四", start=DAY)
        later = observe(cls.worker, STANDARD_ID, "王五", start=DAY)
        check_days(cls.worker, hot, readings={DAY: "38.2"}, days=2)
        check_days(cls.worker, cool, days=2)
        check_days(cls.worker, later, readings={date(2020, 2, 6): "37.5"}, days=2)
        # A second check the same afternoon: both readings kept, the person counted once.
        with time_machine.travel(datetime(2020, 2, 5, 15, tzinfo=TZ)):
            check_record(actor=cls.worker, observation=hot, temperature="36.6", contact="phone")

    def test_who_had_a_fever_that_day_in_bayanhaote_is_the_list_behind_the_figure(self):
        client = self.client_for(self.league_commander)
        page = client.get(f"/directives/dashboard/?division={BAYANHAOTE}&date={DAY}")
        html = page.content.decode()
        figure = page.context["dash"].row("returnees.fever")
        assert figure.headline == 1
        href = links(html, "link-")["returnees.fever"]
        stated, rows, listing = listed(client, href)
        assert (stated, rows) == (1, 1)
        assert "张三" in listing and "李四" not in listing and "王五" not in listing
        assert "38.2" in listing
        # up to the next day: both fevers, and the total on the page says so
        nxt = client.get(f"/directives/dashboard/?division={BAYANHAOTE}&date=2020-02-06")
        assert nxt.context["dash"].row("returnees.fever").value == 2
        total = links(nxt.content.decode(), "total-link-")["returnees.fever"]
        assert listed(client, total)[:2] == (2, 2)

    def test_the_daily_report_page_links_its_figures_to_the_same_lists(self):
        client = self.client_for(self.league_commander)
        page = client.get(
            f"/directives/daily-report/?division={LEFT_BANNER}&date={DAY}&format=html"
        )
        html = page.content.decode()
        assert "阿拉善左旗疫情防控工作指挥部" in html
        href = links(html, "report-link-")["returnees.fever"]
        assert listed(client, href)[:2] == (1, 1)
        # three people checked that day, one of them twice: three rows
        assert listed(client, links(html, "report-link-")["returnees.checks_done"])[:2] == (3, 3)

    def test_an_outsider_cannot_open_another_banners_list(self):
        client = self.client_for(self.outsider)
        response = client.get(
            f"/directives/dashboard/records/?metric=returnees.fever&division={BAYANHAOTE}&date={DAY}"
        )
        assert response.status_code == 404
        assert "张三" not in response.content.decode()

    def test_a_figure_without_a_list_or_a_bad_which_is_not_found(self):
        client = self.client_for(self.league_commander)
        base = f"/directives/dashboard/records/?division={LEAGUE}&date={DAY}"
        assert client.get(f"{base}&metric=no.such.metric").status_code == 404
        assert client.get(f"{base}&metric=returnees.fever&which=tomorrow").status_code == 404


class DemoFigureListTests(BaseTestCase):
    """On the demo data, every figure the dashboard shows equals its list's rows."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        if not Division.objects.exists():
            call_command("load_divisions", stdout=StringIO())
        call_command("demo", stdout=StringIO())
        cls.commander = User.objects.get(username="commander")

    def test_every_figure_equals_the_rows_of_its_list_at_league_banner_and_town(self):
        client = self.client_for(self.commander)
        day = timezone.localdate()
        checked = 0
        every = [n for n, m in rollups.METRICS.items() if not m.hidden] + list(rollups.STATISTICS)
        assert not set(every) - set(rollups.RECORDS), "a figure without its list"
        for code in (LEAGUE, LEFT_BANNER, BAYANHAOTE):
            page = client.get(f"/directives/dashboard/?division={code}&date={day}")
            dash = page.context["dash"]
            html = page.content.decode()
            today, total = links(html, "link-"), links(html, "total-link-")
            for group in dash.groups:
                for row in group.rows:
                    stated, rows, _html = listed(client, today[row.name])
                    assert stated == rows, row.name
                    if row.kind in ("flow", "stock"):
                        assert rows == row.headline, (code, row.name, rows, row.headline)
                        if row.kind == "flow":
                            assert listed(client, total[row.name])[:2] == (row.value, row.value)
                    else:  # a statistic: its observations, and what they make
                        self._check_statistic(client, code, day, row, rows)
                    checked += 1
        assert checked > 150

    def _check_statistic(self, client, code, day, row, rows):
        statistic = rollups.STATISTICS[row.name]
        figures = rollups.figures([code], statistic.metrics, on=day)
        if isinstance(statistic, rollups.Median):
            estimate = statistic.of(figures, "today")
            assert rows == (0 if estimate is None else estimate.count), row.name
        else:
            count = figures[statistic.count_metric]["today"]
            assert rows == count, row.name
        found = rollups.RECORDS[row.name]
        assert found.value is not None, row.name
        values = [float(found.value(r)) for r in found.rows(code, day, "today")]
        if isinstance(statistic, rollups.Average) and values:
            assert abs(fmean(values) - row.today) < 0.05, row.name
        if isinstance(statistic, rollups.Median) and values:
            estimate = statistic.of(figures, "today")
            exact = sorted(values)[(len(values) + 1) // 2 - 1]  # the lower middle, as estimated
            upper = float("inf") if estimate.upper is None else estimate.upper
            assert estimate.lower <= exact <= upper, row.name

    def test_each_banners_row_of_the_league_report_opens_its_own_list(self):
        client = self.client_for(self.commander)
        day = timezone.localdate()
        html = client.get(f"/directives/daily-report/?division={LEAGUE}&date={day}&format=html")
        cells = re.findall(
            r'<td class="num"><a href="([^"]+metric=returnees.registered[^"]+)">(\d+)</a></td>',
            html.content.decode(),
        )
        assert len(cells) >= 5  # four banners and the total
        for href, value in cells:
            assert listed(client, href.replace("&amp;", "&"))[:2] == (int(value), int(value))
