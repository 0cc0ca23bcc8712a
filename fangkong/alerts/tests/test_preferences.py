"""A user's alert preferences page, and the SMS deliveries shown on an alert (phone masked)."""

from __future__ import annotations

from datetime import time

from django.db import transaction

from fangkong.accounts.roles import Role
from fangkong.alerts import kinds
from fangkong.alerts.models import Alert, Preference
from fangkong.alerts.outbox import outbox_send_due
from fangkong.alerts.services import raise_event
from fangkong.core.models import AuditEntry
from fangkong.core.tests.language import english_words, visible_text
from fangkong.test import BAYANHAOTE, BaseTestCase, make_user


class PreferencePageTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.sumu = make_user("sumu_officer", Role.GRASSROOTS, BAYANHAOTE, phone="13812345678")

    def test_saving_preferences(self):
        client = self.client_for(self.sumu)
        page = client.get("/alerts/preferences/").content.decode()
        assert "138****5678" in page and "13812345678" not in page
        response = client.post(
            "/alerts/preferences/",
            {
                "language": "en",
                "min_severity": "urgent",
                "quiet_start": "22:00",
                "quiet_end": "07:00",
            },
            follow=True,
        )
        assert response.status_code == 200
        pref = Preference.objects.get(user=self.sumu)
        assert (pref.language, pref.sms, pref.min_severity) == ("en", False, "urgent")
        assert (pref.quiet_start, pref.quiet_end) == (time(22), time(7))
        assert AuditEntry.objects.filter(verb="alert.preferences", actor=self.sumu).exists()

    def test_half_quiet_hours_are_refused_with_a_clear_error(self):
        client = self.client_for(self.sumu)
        page = client.post(
            "/alerts/preferences/",
            {"language": "", "sms": "on", "min_severity": "warning", "quiet_start": "22:00"},
        ).content.decode()
        assert "免打扰" in page and "两端都填写，或都不填。" in page
        assert not Preference.objects.exists()

    def test_the_alert_shows_its_sms_with_the_phone_masked(self):
        with transaction.atomic():
            raise_event(
                kinds.FEVER_RECORDED,
                key="p1",
                division_code="152921110200",
                params={"person": "王五", "place": "南田", "temperature": "38.6", "when": "x"},
            )
        outbox_send_due()
        alert = Alert.objects.get(recipient=self.sumu)
        page = self.client_for(self.sumu).get(f"/alerts/{alert.pk}/").content.decode()
        assert 'data-testid="deliveries"' in page
        assert "138****5678" in page and "13812345678" not in page
        assert "已发送" in page
        names = frozenset({"officer", "colleague", "sumu_officer"})  # the personas' names
        assert english_words(visible_text(page), typed=names) == []
        for url in ("/alerts/", "/alerts/preferences/", "/directives/dashboard/"):
            other = self.client_for(self.sumu).get(url).content.decode()
            assert english_words(visible_text(other), typed=names) == [], url
