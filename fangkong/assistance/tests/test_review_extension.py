from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError

from fangkong.accounts.roles import Role
from fangkong.assistance.models import Household, ReviewExtension
from fangkong.assistance.services import reviews
from fangkong.assistance.tests.factories import EnglishTestCase, household, village
from fangkong.core.models import AuditEntry
from fangkong.test import LEFT_BANNER, division, make_user


class ReviewExtensionTests(EnglishTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.caseworker = make_user("cw", Role.CASEWORKER, LEFT_BANNER)
        v = village()
        cls.due = [
            household(cls.caseworker, v, seed=n, next_review=date(2020, 3, n)) for n in (1, 15, 31)
        ]
        cls.later = household(cls.caseworker, v, seed=9, next_review=date(2020, 5, 1))

    def apply(self, **kw):
        return reviews.review_extension_apply(
            actor=kw.pop("actor", self.officer),
            division=division(LEFT_BANNER),
            due_from=date(2020, 3, 1),
            due_to=date(2020, 3, 31),
            months=kw.pop("months", 3),
            **kw,
        )

    def test_a_dry_run_counts_and_changes_nothing(self):
        outcome = self.apply(dry_run=True)
        assert outcome.households == 3 and not outcome.applied and outcome.extension is None
        assert Household.objects.get(pk=self.due[0].pk).next_review_date == date(2020, 3, 1)
        assert ReviewExtension.objects.count() == 0

    def test_applying_extends_once_is_audited_and_can_be_reverted(self):
        outcome = self.apply()
        assert outcome.applied and outcome.households == 3
        dates = [Household.objects.get(pk=h.pk).next_review_date for h in self.due]
        assert dates == [date(2020, 6, 1), date(2020, 6, 15), date(2020, 6, 30)]
        assert Household.objects.get(pk=self.later.pk).next_review_date == date(2020, 5, 1)
        again = self.apply(months=6)
        assert not again.applied and again.extension == outcome.extension
        assert Household.objects.get(pk=self.due[0].pk).next_review_date == date(2020, 6, 1)
        assert AuditEntry.objects.filter(verb="review_extension.apply").count() == 1
        assert outcome.extension is not None
        restored = reviews.review_extension_revert(actor=self.officer, extension=outcome.extension)
        assert restored == 3
        assert Household.objects.get(pk=self.due[2].pk).next_review_date == date(2020, 3, 31)
        with self.assertRaisesMessage(ValidationError, "already reverted"):
            reviews.review_extension_revert(actor=self.officer, extension=outcome.extension)
        assert self.apply().applied  # after a revert the window may be extended again

    def test_only_a_commander_may_extend(self):
        with self.assertRaises(ValidationError):
            self.apply(actor=self.caseworker)
        with self.assertRaises(ValidationError):
            self.apply(actor=self.outsider)
        assert ReviewExtension.objects.count() == 0

    def test_the_page_previews_then_applies_and_the_outsider_gets_404(self):
        client = self.client_for(self.officer)
        form = {"division": LEFT_BANNER, "due_from": "2020-03-01", "due_to": "2020-03-31",
                "months": "2"}  # fmt: skip
        preview = client.post("/assistance/reviews/", {**form, "dry_run": "1"})
        assert preview.context["preview"] == 3
        assert client.post("/assistance/reviews/", {**form, "apply": "1"}).status_code == 302
        assert Household.objects.get(pk=self.due[0].pk).next_review_date == date(2020, 5, 1)
        extension = ReviewExtension.objects.get()
        outsider = self.client_for(self.outsider)
        assert (
            outsider.post(f"/assistance/reviews/extensions/{extension.pk}/revert/").status_code
            == 404
        )
        api = outsider.post(
            "/api/v1/assistance/reviews/extensions",
            {**form, "division_code": LEFT_BANNER, "months": 2, "dry_run": False},
            content_type="application/json",
        )
        assert api.status_code == 404
        assert (
            client.post(f"/assistance/reviews/extensions/{extension.pk}/revert/").status_code == 302
        )
        assert Household.objects.get(pk=self.due[0].pk).next_review_date == date(2020, 3, 1)
