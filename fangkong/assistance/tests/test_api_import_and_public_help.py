from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine

from fangkong.accounts.roles import Role
from fangkong.assistance.models import HelpRequest, Household
from fangkong.assistance.services import help_requests
from fangkong.assistance.tests.factories import EnglishTestCase, id_number, village, xlsx
from fangkong.test import BAYANHAOTE, LEFT_BANNER, make_user

T0 = datetime(2020, 2, 10, 2, 0, tzinfo=UTC)


class ImportAndPublicHelpApiTests(EnglishTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.caseworker = make_user("cw", Role.CASEWORKER, LEFT_BANNER)
        cls.worker = make_user("gacha", Role.GRASSROOTS, village().code)

    def upload(self, rows: list[list[object]]) -> object:
        data = xlsx(rows)
        data.name = "roster.xlsx"
        return data

    def test_the_roster_is_imported_through_the_api_all_or_nothing(self):
        code = village().code
        client = self.client_for(self.caseworker)
        good: list[list[object]] = [
            ["1", "王大", "户主", id_number(1), "", code, "低保", 500, None, None]
        ]
        bad: list[list[object]] = [
            *good,
            ["2", "李二", "户主", "123", "", code, "特困", 500, None, None],
        ]
        refused = client.post("/api/v1/assistance/households/import", {"file": self.upload(bad)})
        assert refused.status_code == 422
        assert refused.json()["detail"].startswith("row 3, column 身份证号: ID number must have")
        assert Household.objects.count() == 0
        done = client.post("/api/v1/assistance/households/import", {"file": self.upload(good)})
        assert done.json() == {"created": 1, "updated": 0, "members": 0}
        outsider = self.client_for(self.outsider).post(
            "/api/v1/assistance/households/import", {"file": self.upload(good)}
        )
        assert outsider.status_code == 404

    def test_the_public_asks_through_the_api_without_logging_in(self):
        with time_machine.travel(T0, tick=False):
            made = self.client.post(
                "/api/v1/assistance/help/public",
                {"division_code": village().full_code, "name": "张三", "phone": "13800135678",
                 "category": "medical_transport", "urgency": "urgent", "description": "要去透析"},
                content_type="application/json",
            )  # fmt: skip
        assert made.status_code == 201
        assert made.json()["deadline_at"].startswith("2020-02-10T04:00")
        receipt = made.json()["receipt_number"]
        bad = self.client.post(
            "/api/v1/assistance/help/public",
            {"division_code": village().code, "name": "x", "phone": "13800135678",
             "category": "space travel", "urgency": "urgent", "description": "x"},
            content_type="application/json",
        )  # fmt: skip
        assert bad.status_code == 422 and "category" in bad.json()["detail"]
        status = self.client.post(
            "/api/v1/assistance/help/status",
            {"receipt_number": receipt, "phone_last4": "5678"},
            content_type="application/json",
        )
        assert status.json()["status"] == "open"
        wrong = self.client.post(
            "/api/v1/assistance/help/status",
            {"receipt_number": receipt, "phone_last4": "5679"},
            content_type="application/json",
        )
        unknown = self.client.post(
            "/api/v1/assistance/help/status",
            {"receipt_number": "HNOSUCH00", "phone_last4": "5678"},
            content_type="application/json",
        )
        assert wrong.status_code == unknown.status_code == 404
        assert wrong.json() == unknown.json()

    def test_stats_per_division_and_the_outsider(self):
        with time_machine.travel(T0, tick=False):
            r = help_requests.help_request_create(
                actor=None, division=village(), name="x", phone="13800001111",
                category="food", urgency="normal", description="x", channel="web",
            )  # fmt: skip
        with time_machine.travel(T0 + timedelta(minutes=40), tick=False):
            help_requests.help_request_answer(actor=self.worker, request=r, note="ok")
        with time_machine.travel(T0 + timedelta(minutes=41), tick=False):
            help_requests.help_request_create(
                actor=None, division=village(), name="y", phone="13800001112",
                category="food", urgency="urgent", description="y", channel="web",
            )  # fmt: skip
        with time_machine.travel(T0 + timedelta(hours=4), tick=False):
            rows = self.client_for(self.officer).get(f"/api/v1/assistance/help/stats/{LEFT_BANNER}")
        row = next(x for x in rows.json() if x["division_code"] == BAYANHAOTE)
        assert (row["open"], row["overdue"], row["median_minutes"]) == (1, 1, 40)
        outsider = self.client_for(self.outsider).get(
            f"/api/v1/assistance/help/stats/{LEFT_BANNER}"
        )
        assert outsider.status_code == 404
        assert HelpRequest.objects.count() == 2
