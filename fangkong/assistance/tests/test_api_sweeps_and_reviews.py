from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine

from fangkong.accounts.roles import Role
from fangkong.assistance import tasks
from fangkong.assistance.models import HelpLevel, HelpRequest, Sweep
from fangkong.assistance.services import help_requests
from fangkong.assistance.tests.factories import EnglishTestCase, household, village
from fangkong.test import BAYANHAOTE, LEFT_BANNER, make_user

T0 = datetime(2020, 2, 10, 2, 0, tzinfo=UTC)


class SweepAndReviewApiTests(EnglishTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.worker = make_user("sumu", Role.GRASSROOTS, BAYANHAOTE)
        cls.caseworker = make_user("cw", Role.CASEWORKER, LEFT_BANNER)
        from datetime import date

        cls.h = household(cls.caseworker, village(), seed=1, next_review=date(2020, 3, 5))

    def test_a_sweep_is_started_and_its_unvisited_households_listed(self):
        client = self.client_for(self.worker)
        made = client.post(
            "/api/v1/assistance/sweeps",
            {"division_code": BAYANHAOTE, "title": "全面走访", "due_date": "2030-03-01"},
            content_type="application/json",
        )
        assert made.status_code == 201
        sweep_id = made.json()["id"]
        rows = client.get(f"/api/v1/assistance/sweeps/{sweep_id}/not-visited").json()
        assert [r["id"] for r in rows] == [self.h.pk]
        assert rows[0]["head_id_number"] == self.h.head_id_number  # grassroots see personal data
        outsider = self.client_for(self.outsider)
        assert outsider.get(f"/api/v1/assistance/sweeps/{sweep_id}/not-visited").status_code == 404
        refused = outsider.post(
            "/api/v1/assistance/sweeps",
            {"division_code": BAYANHAOTE, "title": "x", "due_date": "2030-03-01"},
            content_type="application/json",
        )
        assert refused.status_code == 404
        assert Sweep.objects.count() == 1

    def test_reviews_due_are_listed_masked_for_staff_and_hidden_from_the_outsider(self):
        url = "/api/v1/assistance/reviews/due?due_from=2020-03-01&due_to=2020-03-31"
        rows = self.client_for(self.colleague).get(url).json()
        assert [r["id"] for r in rows] == [self.h.pk]
        assert "********" in rows[0]["head_id_number"]
        assert self.client_for(self.outsider).get(url).json() == []
        page = self.client_for(self.outsider).get("/assistance/reviews/")
        assert self.h.head_name not in page.content.decode()

    def test_the_escalation_task_escalates_like_the_command(self):
        with time_machine.travel(T0, tick=False):
            request = help_requests.help_request_create(
                actor=None, division=village(), name="x", phone="13800001111",
                category="food", urgency="urgent", description="x", channel="web",
            )  # fmt: skip
        with time_machine.travel(T0 + timedelta(hours=3), tick=False):
            assert tasks.escalate_help_requests.call() == 1
            assert tasks.escalate_help_requests.call() == 0
        assert HelpRequest.objects.get(pk=request.pk).level == HelpLevel.SUMU
