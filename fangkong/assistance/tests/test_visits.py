from __future__ import annotations

from datetime import date
from decimal import Decimal

from fangkong.accounts.roles import Role
from fangkong.assistance import metrics, selectors
from fangkong.assistance.models import ReliefAction
from fangkong.assistance.services import visits
from fangkong.assistance.tests.factories import EnglishTestCase, household, village
from fangkong.core.rollups import figures, rebuild
from fangkong.test import BAYANHAOTE, LEFT_BANNER, division, make_user


class VisitTests(EnglishTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.worker = make_user("gacha", Role.GRASSROOTS, BAYANHAOTE)
        cls.caseworker = make_user("cw", Role.CASEWORKER, LEFT_BANNER)
        cls.a = household(cls.caseworker, village(n=0), seed=1)
        cls.b = household(cls.caseworker, village(n=1), seed=2)

    def test_a_sweep_lists_who_is_not_yet_visited_and_the_coverage(self):
        sweep = visits.sweep_create(
            actor=self.worker,
            division=division(BAYANHAOTE),
            title="走访",
            due_date=date(2030, 1, 1),
        )
        visits.visit_record(
            actor=self.worker,
            household=self.a,
            sweep=sweep,
            channel="phone",
            food_short=True,
            relief=[
                visits.Relief("cash", Decimal(300)),
                visits.Relief("in_kind", Decimal(80), "米"),
            ],
        )
        assert list(selectors.households_not_visited(actor=self.worker, sweep=sweep)) == [self.b]
        rows = {r["division"].code: r for r in selectors.coverage_by_division(
            actor=self.worker, parent=division(BAYANHAOTE), sweep=sweep)}  # fmt: skip
        assert rows[self.a.division_code]["percent"] == 100
        assert rows[self.b.division_code]["visited"] == 0
        assert ReliefAction.objects.count() == 2
        self.a.refresh_from_db()
        assert self.a.last_visited_at is not None
        today = metrics.day_of(self.a.last_visited_at)
        f = figures(
            [LEFT_BANNER], [metrics.HOUSEHOLDS_VISITED, metrics.HOUSEHOLDS_ACTIVE], on=today
        )
        assert f[metrics.HOUSEHOLDS_VISITED]["today"] == 1
        assert f[metrics.HOUSEHOLDS_ACTIVE]["total"] == 2
        before = f
        rebuild([metrics.HOUSEHOLDS_VISITED, metrics.HOUSEHOLDS_ACTIVE])
        assert figures([LEFT_BANNER], [metrics.HOUSEHOLDS_VISITED, metrics.HOUSEHOLDS_ACTIVE],
                       on=today) == before  # fmt: skip

    def test_a_negative_relief_is_refused(self):
        with self.assertRaisesMessage(Exception, "negative"):
            visits.visit_record(
                actor=self.worker, household=self.a, channel="phone",
                relief=[visits.Relief("cash", Decimal(-1))],
            )  # fmt: skip

    def test_the_page_records_a_visit_and_the_outsider_cannot(self):
        client = self.client_for(self.worker)
        url = f"/assistance/households/{self.b.pk}/"
        response = client.post(url, {"channel": "in_person", "heating_short": "on", "cash": "200"})
        assert response.status_code == 302
        assert self.b.visits.get().heating_short
        assert self.client_for(self.outsider).post(url, {"channel": "phone"}).status_code == 404
        api = self.client_for(self.outsider).post(
            f"/api/v1/assistance/households/{self.b.pk}/visits",
            {"channel": "phone"},
            content_type="application/json",
        )
        assert api.status_code == 404
        assert self.b.visits.count() == 1
        not_visited = client.get("/api/v1/assistance/households?not_visited=true").json()
        assert [h["id"] for h in not_visited] == [self.a.pk]
        assert client.get("/assistance/sweeps/").status_code == 200
