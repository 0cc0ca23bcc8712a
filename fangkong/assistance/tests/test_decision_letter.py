"""The decision letter handed to a citizen, and the application's history, read in Chinese:
the right wording for a one-off and a monthly amount, signed by the banner's civil-affairs
bureau, no stored codes and no English sentences."""

from __future__ import annotations

import re
from decimal import Decimal

from fangkong.accounts.roles import Role
from fangkong.assistance.models import Application
from fangkong.assistance.services import applications
from fangkong.assistance.tests.factories import id_number, village
from fangkong.core.models import EmergencyPeriod
from fangkong.core.tests.language import english_words, visible_text
from fangkong.test import LEFT_BANNER, BaseTestCase, make_user


class DecisionLetterTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.v = village()
        cls.caseworker = make_user("cw", Role.CASEWORKER, LEFT_BANNER, display_name="陈社工")

    def _decided(self, kind: str, amount: str) -> Application:
        a = applications.application_submit(
            actor=self.caseworker,
            division=self.v,
            kind=kind,
            applicant_name="孙七",
            applicant_id_number=id_number(7),
            amount_requested=Decimal(amount),
            reason="疫情停工",
        )
        a = applications.application_review(actor=self.caseworker, application=a, approve=True)
        return applications.application_decide(
            actor=self.officer, application=a, approve=True, amount_granted=Decimal(amount)
        )

    def _letter(self, a: Application) -> str:
        response = self.client_for(self.officer).get(f"/assistance/applications/{a.pk}/letter/")
        assert response.status_code == 200
        return visible_text(response.content.decode())

    def setUp(self) -> None:
        EmergencyPeriod.objects.create(
            name="新冠肺炎疫情一级响应",
            level="I",
            starts_at="2020-01-25T00:00:00+08:00",
            simplified_assistance_approval=True,
        )

    def test_a_one_off_grant_is_worded_once_and_signed_by_the_banner_bureau(self):
        text = self._letter(self._decided("temporary", "800"))
        assert "一次性发放 800.00 元" in text
        assert "元/月" not in text and "每月" not in text
        assert "阿拉善左旗民政局" in text
        assert "不再公示" in text  # why the simplified path, in Chinese
        assert english_words(text) == [], english_words(text)

    def test_a_monthly_allowance_is_worded_per_month(self):
        text = self._letter(self._decided("dibao", "600"))
        assert "每月 600.00 元" in text and "一次性" not in text
        assert english_words(text) == []

    def test_the_history_shows_statuses_and_people_not_codes(self):
        a = self._decided("temporary", "800")
        page = self.client_for(self.officer).get(f"/assistance/applications/{a.pk}/")
        text = visible_text(page.content.decode())
        assert "联合审核" in text and "已批准" in text
        assert "combined_review" not in text and "banner_approval" not in text
        assert "陈社工" in text
        assert "800.00 元（一次性）" in text
        assert not re.search(r"\bcw\b", text)  # the caseworker by name, not by login
