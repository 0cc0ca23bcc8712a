import random
from datetime import date, timedelta

import time_machine
from django.db import transaction
from django.utils import translation

from fangkong.core import rollups
from fangkong.core.models import DailyCount
from fangkong.directives import metrics, services
from fangkong.directives.dashboard import build_dashboard
from fangkong.directives.models import Assignment, ImplementationReport
from fangkong.directives.tests.helpers import assign_all, notice_for
from fangkong.divisions.models import Division
from fangkong.test import BAYANHAOTE, LEAGUE, LEFT_BANNER, RIGHT_BANNER, BaseTestCase

DAY = date(2020, 2, 10)
VILLAGE_L = "152921110201"


class MetricsMixin(BaseTestCase):
    """Registers two metrics of a made-up app for the test, as another app would."""

    def setUp(self):
        super().setUp()
        self._saved = dict(rollups.METRICS)
        rollups.register_metric("returnees.registered", "Returnees registered", "flow")
        rollups.register_metric("returnees.under_observation", "Under observation", "stock")
        rollups.register_metric("zoo.animals", "Animals counted", "flow")

    def tearDown(self):
        rollups.METRICS.clear()
        rollups.METRICS.update(self._saved)
        super().tearDown()

    def bump_sample(self):
        with transaction.atomic():
            rollups.bump("returnees.registered", VILLAGE_L, DAY - timedelta(days=1), 4)
            rollups.bump("returnees.registered", VILLAGE_L, DAY, 3)
            rollups.bump("returnees.registered", "152922103200", DAY, 5)
            rollups.bump("returnees.under_observation", VILLAGE_L, DAY - timedelta(days=2), 6)
            rollups.bump("returnees.under_observation", VILLAGE_L, DAY, -2)
            rollups.bump("zoo.animals", BAYANHAOTE, DAY, 1)


class DashboardFigureTests(MetricsMixin):
    def test_every_registered_metric_appears_grouped_by_app_in_notice_order(self):
        self.bump_sample()
        dash = build_dashboard(division=Division.objects.get(code=LEAGUE), day=DAY)
        apps = [g.app for g in dash.groups]
        assert apps[0] == "returnees" and apps[-1] == "zoo"
        assert "directives" in apps
        assert dash.groups[0].measures == "一"
        registered = dash.row("returnees.registered")
        assert (registered.today, registered.value, registered.change) == (8, 12, 4)
        observed = dash.row("returnees.under_observation")
        assert (observed.headline, observed.change) == (4, -2)
        assert dash.row("zoo.animals").label == "Animals counted"

    def test_drilling_down_gives_each_child_its_own_figures(self):
        self.bump_sample()
        league = build_dashboard(
            division=Division.objects.get(code=LEAGUE), day=DAY, selected="returnees.registered"
        )
        index = league.metric_names.index("returnees.registered")
        by_code = {c.division.code: c.values[index] for c in league.children}
        assert by_code[LEFT_BANNER] == 3 and by_code[RIGHT_BANNER] == 5
        assert league.child_level == "county"
        town = build_dashboard(division=Division.objects.get(code=BAYANHAOTE), day=DAY)
        assert town.child_level == "village"
        village_row = next(c for c in town.children if c.division.code == VILLAGE_L)
        assert village_row.values[index] == 3
        village = build_dashboard(division=Division.objects.get(code=VILLAGE_L), day=DAY)
        assert village.children == []
        assert village.row("returnees.registered").value == 7

    def test_the_series_of_a_stock_is_its_level_day_by_day(self):
        self.bump_sample()
        dash = build_dashboard(
            division=Division.objects.get(code=LEFT_BANNER),
            day=DAY,
            selected="returnees.under_observation",
        )
        levels = dict(dash.series)
        assert levels[DAY - timedelta(days=3)] == 0
        assert levels[DAY - timedelta(days=1)] == 6
        assert levels[DAY] == 4

    def test_the_dashboard_reads_only_the_rollups_in_a_few_queries(self):
        self.bump_sample()
        league = Division.objects.get(code=LEAGUE)
        # The division's and its children's figures, with yesterday's, are two queries (running
        # totals by child, and the days from yesterday on); then the children, the chart's
        # series and the breadcrumbs; and one per breakdown (the goods in stock per item).
        with self.assertNumQueries(5 + len(rollups.BREAKDOWNS)):
            full = build_dashboard(division=league, day=DAY)
        assert full.row("returnees.registered").change == 4
        with self.assertNumQueries(5 + len(rollups.BREAKDOWNS)):  # without yesterday's flows
            page = build_dashboard(division=league, day=DAY, compare=False)
        assert page.row("returnees.registered").change is None
        assert page.row("returnees.under_observation").change == -2


class DashboardPageTests(MetricsMixin):
    def test_the_commander_sees_the_league_and_drills_down_to_a_banner(self):
        self.bump_sample()
        client = self.client_for(self.league_commander)
        body = client.get(f"/directives/dashboard/?date={DAY}").content.decode()
        assert "Returnees registered" in body or "返程" in body
        assert f"?division={LEFT_BANNER}" in body
        banner = client.get(f"/directives/dashboard/?division={LEFT_BANNER}&date={DAY}")
        assert banner.status_code == 200
        assert banner.context["dash"].division.code == LEFT_BANNER
        assert 'id="chart-data"' in banner.content.decode()

    def test_an_officer_sees_his_banner_by_default_and_not_the_league(self):
        client = self.client_for(self.officer)
        assert client.get("/directives/dashboard/").context["dash"].division.code == LEFT_BANNER
        assert client.get(f"/directives/dashboard/?division={LEAGUE}").status_code == 404

    def test_an_outsider_gets_not_found_for_another_banner(self):
        client = self.client_for(self.outsider)
        assert client.get(f"/directives/dashboard/?division={LEFT_BANNER}").status_code == 404
        api = client.get(f"/api/v1/directives/dashboard?division={LEFT_BANNER}")
        assert api.status_code == 404

    def test_the_api_gives_groups_and_children(self):
        self.bump_sample()
        data = self.client_for(self.officer).get(f"/api/v1/directives/dashboard?day={DAY}").json()
        assert data["division_code"] == LEFT_BANNER
        figures = {f["metric"]: f for g in data["groups"] for f in g["figures"]}
        assert figures["returnees.registered"]["today"] == 3
        assert data["children"][0]["values"]["returnees.registered"] >= 0


@time_machine.travel("2020-02-10 10:00 +0800", tick=False)
class DirectivesRollupTests(BaseTestCase):
    def test_directives_figures_equal_a_direct_count_after_random_changes(self):
        rng = random.Random(8)
        notice = notice_for(self.league_commander, LEAGUE)
        banners = [d.code for d in Division.objects.filter(parent__code=LEAGUE)]
        assign_all(self.league_commander, notice, banners, DAY)
        staff = {code: self._staff(code) for code in banners}
        for _ in range(40):
            assignment = rng.choice(list(Assignment.objects.all()))
            latest = assignment.reports.order_by("-created_at", "-id").first()
            if latest is not None and latest.state == "submitted" and rng.random() < 0.3:
                services.implementation_report_return(
                    actor=self.league_commander, report=latest, comment="补充"
                )
            else:
                services.implementation_report_submit(
                    actor=staff[assignment.division_code],
                    assignment=assignment,
                    text="进展",
                    status=rng.choice(["not_started", "in_progress", "done"]),
                )
        names = [
            metrics.ASSIGNMENTS_OPEN,
            metrics.ASSIGNMENTS_OVERDUE_DONE,
            metrics.REPORTS_SUBMITTED,
            metrics.REPORTS_RETURNED,
        ]
        for key in [LEAGUE, *banners]:
            figs = rollups.figures([key], names, on=DAY)
            within = Assignment.objects.within(key)
            reports = ImplementationReport.objects.within(key)
            assert figs[metrics.ASSIGNMENTS_OPEN]["total"] == within.exclude(status="done").count()
            assert (
                figs[metrics.ASSIGNMENTS_OVERDUE_DONE]["total"]
                == within.filter(status="done").count()
            )
            assert figs[metrics.REPORTS_SUBMITTED]["total"] == reports.count()
            assert (
                figs[metrics.REPORTS_RETURNED]["total"] == reports.filter(state="returned").count()
            )
        before = {
            (r.metric, r.division_code): r.value
            for r in DailyCount.objects.filter(metric__startswith="directives.")
        }
        rollups.rebuild(names)
        after = {
            (r.metric, r.division_code): r.value
            for r in DailyCount.objects.filter(metric__startswith="directives.")
        }
        assert {k: v for k, v in before.items() if v} == after

    def _staff(self, code):
        from fangkong.accounts.roles import Role
        from fangkong.test import make_user

        return make_user(f"staff{code}", Role.STAFF, code)


def between(lower: float, value: float | None, upper: float) -> bool:
    """``lower < value <= upper``: a median lies in its bucket."""
    return value is not None and lower < value <= upper


class DashboardStatisticsTests(BaseTestCase):
    """The medians and averages the apps register, at every level of the drill-down."""

    FAST = "checkpoints.fast_pass.scan_ms"
    HELP = "assistance.help.response_median"
    SCORE = "community.hygiene.score_average"

    def bump_sample(self):
        fast = rollups.STATISTICS[self.FAST]
        help_median = rollups.STATISTICS[self.HELP]
        rows = [(fast.bucket_metric(ms), VILLAGE_L, DAY, 1) for ms in (120, 450, 600)]
        rows += [(fast.bucket_metric(ms), "152922103001", DAY, 1) for ms in (2500, 2600)]
        rows += [(fast.bucket_metric(900), VILLAGE_L, DAY - timedelta(days=1), 1)]
        rows += [(help_median.bucket_metric(m), VILLAGE_L, DAY, 1) for m in (25, 40, 200)]
        rows += [
            ("assistance.help.response_minutes", VILLAGE_L, DAY, 265),
            ("assistance.help.answered", VILLAGE_L, DAY, 3),
            ("community.hygiene.score_tenths", VILLAGE_L, DAY, 855 + 700),
            ("community.hygiene.inspections", VILLAGE_L, DAY, 2),
        ]
        rollups.bump_many(rows)

    @translation.override("en")
    def test_each_level_shows_the_median_of_its_own_observations(self):
        self.bump_sample()
        index = None
        for code, count, bucket in [
            (LEAGUE, 5, (400, 700)),  # 120 450 600 2500 2600: the middle one is 600
            (LEFT_BANNER, 3, (400, 700)),  # 120 450 600: 450
            (BAYANHAOTE, 3, (400, 700)),
            (VILLAGE_L, 3, (400, 700)),
            (RIGHT_BANNER, 2, (2000, 5000)),
        ]:
            dash = build_dashboard(division=Division.objects.get(code=code), day=DAY)
            row = dash.row(self.FAST)
            assert row is not None and row.kind == "median"
            assert between(bucket[0], row.today, bucket[1]), (code, row.today)
            assert row.detail.startswith(f"{count} recorded"), row.detail
            # the bucket the median lies in, not an interpolated point inside it
            words = {(400, 700): "400 ms to 700 ms", (2000, 5000): "2.0 s to 5.0 s"}
            assert row.headline_text == words[bucket]
            if code == LEFT_BANNER:
                assert between(700, row.yesterday, 1000)
                assert row.change_text.startswith("-")
            index = dash.metric_names.index(self.FAST)
            if code == LEAGUE:
                by_code = {c.division.code: c for c in dash.children}
                assert between(400, by_code[LEFT_BANNER].values[index], 700)
                assert between(2000, by_code[RIGHT_BANNER].values[index], 5000)
                assert by_code["152923"].values[index] is None
                assert by_code["152923"].texts[index] == "—"
        village = build_dashboard(division=Division.objects.get(code=VILLAGE_L), day=DAY)
        help_row = village.row(self.HELP)
        assert between(30, help_row.today, 60)  # 25 40 200 minutes: the middle one is 40
        assert village.row("assistance.help.response_average").today == 265 / 3
        assert village.row(self.SCORE).today == 77.75
        assert village.row(self.SCORE).headline_text == "77.8"
        assert village.row("assistance.help.response_minutes") is None  # a hidden part
        assert index is not None

    def test_the_page_the_api_and_the_daily_report_show_them_in_chinese(self):
        from fangkong.directives.dailyreport import build_daily_report, render_pdf, render_xlsx
        from fangkong.directives.tests.test_daily_report import _cells

        self.bump_sample()
        client = self.client_for(self.league_commander)
        page = client.get(f"/directives/dashboard/?division={BAYANHAOTE}&date={DAY}")
        html = page.content.decode()
        assert "绿色通道快速通行用时中位数" in html
        assert "卫生检查平均得分" in html and "求助答复用时中位数" in html
        assert "中位数在 400 毫秒 至 700 毫秒 之间" in html
        chart = client.get(
            f"/directives/dashboard/?division={LEFT_BANNER}&date={DAY}&metric={self.FAST}"
        )
        series = dict(chart.context["dash"].series)
        assert between(400, series[DAY], 700)
        assert between(700, series[DAY - timedelta(days=1)], 1000)
        data = client.get(f"/api/v1/directives/dashboard?division={LEAGUE}&day={DAY}").json()
        stats = {s["metric"]: s for g in data["groups"] for s in g["statistics"]}
        assert stats[self.FAST]["unit"] == "ms"
        assert between(400, stats[self.FAST]["today"], 700)
        assert stats[self.SCORE]["today"] == 77.75
        left = next(c for c in data["children"] if c["code"] == LEFT_BANNER)
        assert between(400, left["statistics"][self.FAST], 700)
        assert self.FAST not in left["values"]
        with translation.override("zh-hans"):
            report = build_daily_report(division=Division.objects.get(code=LEAGUE), day=DAY)
            rows = _cells(render_xlsx(report))
            pdf = render_pdf(report)
        fast = next(r for r in rows if r and r[0] == "绿色通道快速通行用时中位数：扫码到判定")
        assert fast[1] == "毫秒" and fast[2] == "400 毫秒 至 700 毫秒"
        score = next(r for r in rows if r and r[0] == "卫生检查平均得分")
        assert score[1] == "分" and score[2] == 77.8
        assert pdf.startswith(b"%PDF")
