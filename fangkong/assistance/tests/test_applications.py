from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import time_machine
from django.core.exceptions import ValidationError

from fangkong.accounts.roles import Role
from fangkong.assistance.models import Application, ApplicationStatus, ApprovalPath, Household
from fangkong.assistance.services import applications
from fangkong.assistance.tests.factories import EnglishTestCase, id_number, village
from fangkong.core.models import EmergencyPeriod
from fangkong.test import LEFT_BANNER, make_user

T0 = datetime(2020, 2, 10, 2, 0, tzinfo=UTC)


class ApplicationTests(EnglishTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.v = village()
        cls.worker = make_user("gacha", Role.GRASSROOTS, cls.v.code)
        cls.caseworker = make_user("cw", Role.CASEWORKER, LEFT_BANNER)
        cls.caseworker2 = make_user("cw2", Role.CASEWORKER, LEFT_BANNER)

    def submit(self, actor=None) -> Application:
        return applications.application_submit(
            actor=actor or self.caseworker,
            division=self.v,
            kind="dibao",
            applicant_name="赵六",
            applicant_id_number=id_number(42),
            applicant_phone="13811112222",
            amount_requested=Decimal(600),
            reason="因病致贫",
        )

    def test_the_normal_path_runs_review_notice_sumu_and_banner_with_deadlines(self):
        with time_machine.travel(T0, tick=False):
            a = self.submit(self.worker)
        assert a.path == ApprovalPath.NORMAL
        assert a.status == ApplicationStatus.GACHA_REVIEW
        assert a.step_due_at == T0 + timedelta(days=3)
        # Kept in the platform's language (Chinese), whatever the screen language of its author.
        assert "没有启用简化审批" in a.path_reason
        with time_machine.travel(T0 + timedelta(days=1), tick=False):
            a = applications.application_review(actor=self.worker, application=a, approve=True)
        assert a.status == ApplicationStatus.PUBLIC_NOTICE
        assert a.notice_ends_at == T0 + timedelta(days=8)
        with (
            time_machine.travel(T0 + timedelta(days=5), tick=False),
            self.assertRaisesMessage(ValidationError, "The public notice runs until"),
        ):
            applications.application_notice_close(actor=self.worker, application=a)
        with time_machine.travel(T0 + timedelta(days=8), tick=False):
            a = applications.application_notice_close(actor=self.worker, application=a)
        assert a.status == ApplicationStatus.SUMU_REVIEW
        with time_machine.travel(T0 + timedelta(days=9), tick=False):
            a = applications.application_review(actor=self.caseworker, application=a, approve=True)
        assert a.status == ApplicationStatus.BANNER_APPROVAL
        with time_machine.travel(T0 + timedelta(days=10), tick=False):
            a = applications.application_decide(
                actor=self.caseworker2, application=a, approve=True, amount_granted=Decimal(550)
            )
        assert a.status == ApplicationStatus.APPROVED
        household = Household.objects.get(head_id_number=id_number(42))
        assert household.monthly_allowance == Decimal(550)
        assert str(household.next_review_date) == "2021-02-20"
        assert [s.to_status for s in a.steps.all()] == [
            "gacha_review", "public_notice", "sumu_review", "banner_approval", "approved"
        ]  # fmt: skip

    def test_an_emergency_period_with_simplified_approval_chooses_the_simplified_path(self):
        EmergencyPeriod.objects.create(
            name="新冠肺炎疫情一级响应",
            level="I",
            starts_at=T0 - timedelta(days=10),
            simplified_assistance_approval=True,
        )
        with time_machine.travel(T0, tick=False):
            a = self.submit()
        assert a.path == ApprovalPath.SIMPLIFIED
        assert "新冠肺炎疫情一级响应" in a.path_reason and "不再公示" in a.path_reason
        assert a.status == ApplicationStatus.COMBINED_REVIEW
        a = applications.application_review(actor=self.worker, application=a, approve=True)
        assert a.status == ApplicationStatus.BANNER_APPROVAL
        a = applications.application_decide(actor=self.officer, application=a, approve=True)
        assert a.status == ApplicationStatus.APPROVED and a.notice_ends_at is None

    def test_a_period_without_simplified_approval_keeps_the_normal_path(self):
        EmergencyPeriod.objects.create(name="x", level="II", starts_at=T0 - timedelta(days=1))
        with time_machine.travel(T0, tick=False):
            assert self.submit().path == ApprovalPath.NORMAL

    def test_whoever_entered_an_application_cannot_approve_it(self):
        EmergencyPeriod.objects.create(
            name="p", level="I", starts_at=T0, simplified_assistance_approval=True
        )
        with time_machine.travel(T0 + timedelta(hours=1), tick=False):
            a = self.submit(self.caseworker)
            a = applications.application_review(actor=self.worker, application=a, approve=True)
            with self.assertRaisesMessage(ValidationError, "someone else must approve"):
                applications.application_decide(actor=self.caseworker, application=a, approve=True)
        assert Application.objects.get(pk=a.pk).status == ApplicationStatus.BANNER_APPROVAL

    def test_a_grassroots_worker_cannot_approve_and_a_rejection_needs_a_reason(self):
        a = self.submit()
        with self.assertRaises(ValidationError):
            applications.application_review(actor=self.worker, application=a, approve=False)
        a = applications.application_review(
            actor=self.worker, application=a, approve=False, note="收入超标"
        )
        assert a.status == ApplicationStatus.REJECTED
        with self.assertRaises(ValidationError):
            applications.application_decide(actor=self.officer, application=a, approve=True)

    def test_pages_letter_and_the_outsider(self):
        EmergencyPeriod.objects.create(
            name="p", level="I", starts_at=T0, simplified_assistance_approval=True
        )
        client = self.client_for(self.caseworker)
        response = client.post(
            "/assistance/applications/new/",
            {
                "division": self.v.full_code,
                "kind": "temporary",
                "applicant_name": "孙七",
                "applicant_id_number": id_number(7),
                "amount_requested": "1000",
                "reason": "疫情停工",
            },
        )
        assert response.status_code == 302, response.content.decode()
        a = Application.objects.get()
        assert a.path == ApprovalPath.SIMPLIFIED
        url = f"/assistance/applications/{a.pk}/"
        assert client.post(url, {"decision": "pass", "note": "属实"}).status_code == 302
        own = client.post(url, {"decision": "pass"})
        assert "someone else must approve" in own.content.decode()
        officer = self.client_for(self.officer)
        assert officer.post(url, {"decision": "pass", "amount_granted": "800"}).status_code == 302
        letter = officer.get(f"{url}letter/").content.decode()
        assert "孙七" in letter and "800" in letter and id_number(7) not in letter
        outsider = self.client_for(self.outsider)
        assert outsider.get(url).status_code == 404
        assert outsider.get(f"{url}letter/").status_code == 404
        assert outsider.get(f"/api/v1/assistance/applications/{a.pk}").status_code == 404

    def test_the_api_runs_the_same_rules(self):
        client = self.client_for(self.caseworker)
        created = client.post(
            "/api/v1/assistance/applications",
            {
                "division_code": self.v.code,
                "kind": "tekun",
                "applicant_name": "周八",
                "applicant_id_number": id_number(8),
                "amount_requested": "900",
                "reason": "孤老",
            },
            content_type="application/json",
        )
        assert created.status_code == 201
        body = created.json()
        assert body["path"] == "normal" and body["status"] == "gacha_review"
        outsider = self.client_for(self.outsider).post(
            f"/api/v1/assistance/applications/{body['id']}/review",
            {"approve": True},
            content_type="application/json",
        )
        assert outsider.status_code == 404
        bad = client.post(
            "/api/v1/assistance/applications",
            {
                "division_code": self.v.code,
                "kind": "tekun",
                "applicant_name": "x",
                "applicant_id_number": "123",
                "amount_requested": "1",
                "reason": "x",
            },
            content_type="application/json",
        )
        assert bad.status_code == 422 and "ID number" in bad.json()["detail"]
