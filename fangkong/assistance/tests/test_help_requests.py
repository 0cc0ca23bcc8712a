from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import override_settings

from fangkong.accounts.roles import Role
from fangkong.assistance import metrics
from fangkong.assistance.models import HelpLevel, HelpRequest, HelpStatus
from fangkong.assistance.services import help_requests
from fangkong.assistance.tests.factories import EnglishTestCase, village
from fangkong.core.models import AuditEntry, RateLimitHit
from fangkong.core.rollups import figures
from fangkong.test import BAYANHAOTE, LEFT_BANNER, make_user

T0 = datetime(2020, 2, 10, 2, 0, tzinfo=UTC)


class HelpRequestTests(EnglishTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.v = village()
        cls.gacha_worker = make_user("gacha", Role.GRASSROOTS, cls.v.code)
        cls.sumu_worker = make_user("sumu", Role.GRASSROOTS, BAYANHAOTE)
        cls.caseworker = make_user("cw", Role.CASEWORKER, LEFT_BANNER)

    def ask(self, urgency: str = "urgent") -> HelpRequest:
        return help_requests.help_request_create(
            actor=None,
            division=self.v,
            name="张三",
            phone="138 0013 5678",
            category="medicine",
            urgency=urgency,
            description="降压药吃完了",
            channel="web",
        )

    def test_a_request_gets_a_receipt_a_deadline_and_the_gacha_worker(self):
        with time_machine.travel(T0, tick=False):
            urgent = self.ask("urgent")
            normal = self.ask("normal")
        assert urgent.receipt_number.startswith("H") and len(urgent.receipt_number) == 9
        assert urgent.deadline_at == T0 + timedelta(hours=2)
        assert normal.deadline_at == T0 + timedelta(hours=24)
        assert urgent.level == HelpLevel.GACHA and urgent.assigned_code == self.v.code
        assert urgent.phone == "13800135678"
        day = metrics.day_of(T0)
        assert figures([LEFT_BANNER], [metrics.HELP_OPEN], on=day)[metrics.HELP_OPEN]["total"] == 2

    def test_a_bad_phone_is_refused_with_a_clear_message(self):
        with self.assertRaises(ValidationError) as caught:
            help_requests.help_request_create(
                actor=None, division=self.v, name="x", phone="12", category="food",
                urgency="normal", description="x", channel="web",
            )  # fmt: skip
        assert "mobile number" in str(caught.exception)
        assert HelpRequest.objects.count() == 0

    def test_unanswered_requests_go_to_the_sumu_then_the_banner_and_escalation_is_idempotent(self):
        with time_machine.travel(T0, tick=False):
            request = self.ask("urgent")
        with time_machine.travel(T0 + timedelta(hours=1), tick=False):
            assert help_requests.help_requests_escalate() == 0
        with time_machine.travel(T0 + timedelta(hours=2, minutes=1), tick=False):
            assert help_requests.help_requests_escalate() == 1
            assert help_requests.help_requests_escalate() == 0
        request.refresh_from_db()
        assert request.level == HelpLevel.SUMU and request.assigned_code == BAYANHAOTE
        assert request.deadline_at == T0 + timedelta(hours=4, minutes=1)
        with time_machine.travel(T0 + timedelta(hours=5), tick=False):
            call_command("escalate_help_requests", stdout=__import__("io").StringIO())
        request.refresh_from_db()
        assert request.level == HelpLevel.BANNER and request.assigned_code == LEFT_BANNER
        with time_machine.travel(T0 + timedelta(hours=9), tick=False):
            assert help_requests.help_requests_escalate() == 0
            overdue = list(
                __import__("fangkong.assistance.selectors", fromlist=["x"]).help_requests_overdue(
                    actor=self.officer
                )
            )
        assert overdue == [request]
        assert AuditEntry.objects.filter(verb="help_request.escalate").count() == 2
        total = figures([LEFT_BANNER], [metrics.HELP_OVERDUE], on=metrics.day_of(T0))
        assert total[metrics.HELP_OVERDUE]["total"] == 2

    def test_answered_requests_are_not_escalated(self):
        with time_machine.travel(T0, tick=False):
            request = self.ask()
        with time_machine.travel(T0 + timedelta(minutes=30), tick=False):
            help_requests.help_request_answer(
                actor=self.gacha_worker, request=request, note="已送药"
            )
        with time_machine.travel(T0 + timedelta(hours=3), tick=False):
            assert help_requests.help_requests_escalate() == 0
        request.refresh_from_db()
        assert request.response_minutes == 30
        f = figures([LEFT_BANNER], [metrics.HELP_OPEN, metrics.HELP_RESPONSE_MINUTES],
                    on=metrics.day_of(T0))  # fmt: skip
        assert f[metrics.HELP_OPEN]["total"] == 0
        assert f[metrics.HELP_RESPONSE_MINUTES]["total"] == 30

    def test_closing_needs_a_response_note(self):
        request = self.ask()
        with self.assertRaises(ValidationError):
            help_requests.help_request_close(actor=self.gacha_worker, request=request, note=" ")
        assert HelpRequest.objects.get(pk=request.pk).status == HelpStatus.OPEN
        help_requests.help_request_close(actor=self.gacha_worker, request=request, note="已处理")
        request.refresh_from_db()
        assert request.status == HelpStatus.CLOSED and request.response_note == "已处理"

    def test_the_requester_sees_the_answer_with_receipt_and_last_four_digits(self):
        request = self.ask()
        help_requests.help_request_answer(
            actor=self.gacha_worker, request=request, note="村医下午到"
        )
        response = self.client.post(
            "/assistance/help/status/",
            {"receipt_number": request.receipt_number.lower(), "phone_last4": "5678"},
        )
        assert "村医下午到" in response.content.decode()

    @override_settings(FANGKONG_PUBLIC_RATE_LIMIT="5/15m")
    def test_wrong_digits_and_unknown_receipts_look_the_same_and_are_rate_limited(self):
        request = self.ask()
        wrong = self.client.post(
            "/assistance/help/status/",
            {"receipt_number": request.receipt_number, "phone_last4": "0000"},
        )
        unknown = self.client.post(
            "/assistance/help/status/", {"receipt_number": "HZZZZZZZZ", "phone_last4": "5678"}
        )
        chinese = self.client.post(
            "/assistance/help/status/",
            {"receipt_number": request.receipt_number, "phone_last4": "0001"},
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )
        assert "没有与该回执号和手机号后4位相符的求助。" in chinese.content.decode()
        message = "No request matches this receipt number and these phone digits."
        assert message in wrong.content.decode()
        assert message in unknown.content.decode()
        for _ in range(2):
            self.client.post(
                "/assistance/help/status/", {"receipt_number": "HX", "phone_last4": "1111"}
            )
        assert RateLimitHit.objects.filter(scope="help-status").count() == 5
        blocked = self.client.post(
            "/assistance/help/status/",
            {"receipt_number": request.receipt_number, "phone_last4": "5678"},
        )
        assert blocked.status_code == 429
        assert "降压药" not in blocked.content.decode()
        assert "Too many submissions from this network" in blocked.content.decode()
        api = self.client.post(
            "/api/v1/assistance/help/status",
            {"receipt_number": request.receipt_number, "phone_last4": "5678"},
            content_type="application/json",
        )
        assert api.status_code == 429
        assert api.json()["detail"].startswith("Too many submissions from this network")
        assert int(api["Retry-After"]) > 0

    def test_the_public_form_needs_no_login_and_the_qr_points_to_it(self):
        response = self.client.post(
            "/assistance/help/ask/?via=qr",
            {
                "division": self.v.code,
                "name": "李四",
                "phone": "13912345678",
                "category": "food",
                "urgency": "normal",
                "description": "家里没米了",
            },
        )
        assert response.status_code == 200
        request = HelpRequest.objects.get()
        assert request.channel == "qr"
        assert request.receipt_number in response.content.decode()
        qr = self.client.get(f"/assistance/help/qr/{self.v.code}.svg")
        assert qr["Content-Type"] == "image/svg+xml" and b"<svg" in qr.content

    def test_hotline_entry_by_staff_and_answer_through_the_api(self):
        client = self.client_for(self.gacha_worker)
        created = client.post(
            "/api/v1/assistance/help/hotline",
            {
                "division_code": self.v.full_code,
                "name": "王五",
                "phone": "13700001234",
                "category": "heating",
                "urgency": "urgent",
                "description": "煤用完了",
            },
            content_type="application/json",
        )
        assert created.status_code == 201, created.content
        request_id = created.json()["id"]
        answered = client.post(
            f"/api/v1/assistance/help/{request_id}/answer",
            {"note": "已送煤"},
            content_type="application/json",
        )
        assert answered.json()["status"] == "answered"
        again = client.post(
            f"/api/v1/assistance/help/{request_id}/answer",
            {"note": "再次"},
            content_type="application/json",
        )
        assert again.status_code == 422
        assert again.json()["detail"] == "This request was already answered."

    def test_the_outsider_cannot_see_or_answer_a_request(self):
        request = self.ask()
        outsider = self.client_for(self.outsider)
        assert outsider.get(f"/assistance/help/{request.pk}/").status_code == 404
        assert outsider.post(f"/assistance/help/{request.pk}/", {"note": "x"}).status_code == 404
        assert request.receipt_number not in outsider.get("/assistance/help/").content.decode()
        answered = outsider.post(
            f"/api/v1/assistance/help/{request.pk}/answer",
            {"note": "x"},
            content_type="application/json",
        )
        assert answered.status_code == 404
        assert HelpRequest.objects.get(pk=request.pk).status == HelpStatus.OPEN

    def test_the_staff_list_shows_stats_per_division(self):
        self.ask()
        response = self.client_for(self.officer).get("/assistance/help/")
        stats = {s["division"].code: s for s in response.context["stats"]}
        assert stats[BAYANHAOTE]["open"] == 1
