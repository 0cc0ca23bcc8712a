from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone

from fangkong.accounts.roles import Role
from fangkong.assistance import metrics
from fangkong.assistance.models import Household, HouseholdStatus
from fangkong.assistance.services import households
from fangkong.assistance.tests.factories import EnglishTestCase, household, village
from fangkong.core.models import AuditEntry
from fangkong.core.rollups import figures
from fangkong.test import LEFT_BANNER, make_user


class HouseholdStatusTests(EnglishTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.caseworker = make_user("cw", Role.CASEWORKER, LEFT_BANNER)
        cls.h = household(cls.caseworker, village(), seed=1)

    def active(self) -> int:
        on = metrics.day_of(timezone.now())
        level = figures([LEFT_BANNER], [metrics.HOUSEHOLDS_ACTIVE], on=on)
        return level[metrics.HOUSEHOLDS_ACTIVE]["total"]

    def test_suspend_reinstate_and_close_with_a_reason_and_closed_is_final(self):
        assert self.active() == 1
        households.household_set_status(
            actor=self.caseworker, household=self.h, status="suspended", reason="外出务工"
        )
        assert self.active() == 0
        households.household_set_status(
            actor=self.caseworker, household=self.h, status="active", reason="返乡"
        )
        assert self.active() == 1
        households.household_set_status(
            actor=self.caseworker, household=self.h, status="closed", reason="收入达标"
        )
        with self.assertRaisesMessage(ValidationError, "cannot become"):
            households.household_set_status(
                actor=self.caseworker, household=self.h, status="active", reason="x"
            )
        assert Household.objects.get(pk=self.h.pk).status == HouseholdStatus.CLOSED
        assert AuditEntry.objects.filter(verb="household.status").count() == 3
        assert self.active() == 0

    def test_a_reason_is_required(self):
        with self.assertRaises(ValidationError):
            households.household_set_status(
                actor=self.caseworker, household=self.h, status="suspended", reason=" "
            )
        assert Household.objects.get(pk=self.h.pk).status == HouseholdStatus.ACTIVE

    def test_page_api_and_the_outsider(self):
        client = self.client_for(self.caseworker)
        url = f"/assistance/households/{self.h.pk}/"
        assert client.post(url, {"status": "suspended", "reason": "核查"}).status_code == 302
        api = client.post(
            f"/api/v1/assistance/households/{self.h.pk}/status",
            {"status": "active", "reason": "恢复"},
            content_type="application/json",
        )
        assert api.json()["status"] == "active"
        outsider = self.client_for(self.outsider)
        assert outsider.post(url, {"status": "closed", "reason": "x"}).status_code == 404
        refused = outsider.post(
            f"/api/v1/assistance/households/{self.h.pk}/status",
            {"status": "closed", "reason": "x"},
            content_type="application/json",
        )
        assert refused.status_code == 404
        staff = self.client_for(self.colleague)  # sees households, may not change them
        assert staff.post(url, {"status": "closed", "reason": "x"}).status_code == 404
        assert Household.objects.get(pk=self.h.pk).status == HouseholdStatus.ACTIVE
