from datetime import datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from fangkong.core.models import AuditEntry, EmergencyPeriod
from fangkong.core.services import emergency_period_create, emergency_period_update
from fangkong.test import BaseTestCase

TZ = timezone.get_fixed_timezone(8 * 60)


def period_form(**overrides: str) -> dict[str, str]:
    data = {
        "name": "一级响应",
        "level": "I",
        "starts_at": "2020-01-25T00:00",
        "ends_at": "",
        "observation_days": "14",
        "simplified_assistance_approval": "on",
        "review_extension_months": "3",
        "notes": "",
    }
    data.update(overrides)
    return data


class EmergencyPeriodTests(BaseTestCase):
    def test_the_league_commander_declares_a_period_and_it_is_audited(self):
        client = self.client_for(self.league_commander)
        response = client.post("/hq/periods/new/", period_form())
        assert response.status_code == 302
        period = EmergencyPeriod.objects.get()
        assert period.simplified_assistance_approval
        assert period.review_extension_months == 3
        assert EmergencyPeriod.current() == period
        assert AuditEntry.objects.filter(verb="emergency_period.create").exists()

    def test_a_banner_commander_cannot_manage_periods(self):
        client = self.client_for(self.officer)
        assert client.get("/hq/periods/").status_code == 404
        assert client.post("/hq/periods/new/", period_form()).status_code == 404
        assert not EmergencyPeriod.objects.exists()

    def test_overlapping_periods_and_an_end_before_the_start_are_refused(self):
        emergency_period_create(
            actor=self.league_commander,
            name="A",
            level="I",
            starts_at=datetime(2020, 1, 25, tzinfo=TZ),
            ends_at=None,
        )
        with translation.override("en"), pytest.raises(ValidationError, match="overlaps"):
            emergency_period_create(
                actor=self.league_commander,
                name="B",
                level="II",
                starts_at=datetime(2020, 3, 1, tzinfo=TZ),
            )
        client = self.client_for(self.league_commander)
        response = client.post(
            "/hq/periods/new/",
            period_form(starts_at="2021-01-01T00:00", ends_at="2020-12-01T00:00"),
            HTTP_ACCEPT_LANGUAGE="en",
        )
        assert response.status_code == 200
        assert "The end must come after the start." in response.content.decode()
        assert EmergencyPeriod.objects.count() == 1

    def test_ending_a_period_changes_what_is_current(self):
        start = timezone.now() - timedelta(days=10)
        period = emergency_period_create(
            actor=self.league_commander, name="A", level="II", starts_at=start
        )
        assert EmergencyPeriod.current() == period
        emergency_period_update(
            actor=self.league_commander, period=period, ends_at=timezone.now() - timedelta(days=1)
        )
        assert EmergencyPeriod.current() is None
        assert period.is_active_at(start + timedelta(days=1))
        entry = AuditEntry.objects.get(verb="emergency_period.update")
        assert "ends_at" in entry.extra["changed"]

    def test_observation_days_must_be_sensible(self):
        client = self.client_for(self.league_commander)
        response = client.post("/hq/periods/new/", period_form(observation_days="0"))
        assert response.status_code == 200
        assert not EmergencyPeriod.objects.exists()
