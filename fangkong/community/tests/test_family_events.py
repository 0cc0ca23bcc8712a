"""Planned family events (红白事报备): declare, outcome, follow-up on the day."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError

from fangkong.community.models import FamilyEvent
from fangkong.community.services import family_events
from fangkong.test import RIGHT_TOWN, BaseTestCase, division

from .helpers import BAYANHAOTE_GACHA, sumu_worker

TODAY = date(2020, 2, 10)


def _declare(actor, **extra):
    fields: dict[str, Any] = {
        "household_name": "巴特尔",
        "kind": "wedding",
        "planned_on": TODAY + timedelta(days=5),
        "place": "南田村巴特尔家",
        "division": division(BAYANHAOTE_GACHA),
        "expected_guests": 120,
        "phone": "13847112345",
    }
    fields.update(extra)
    return family_events.family_event_declare(actor=actor, **fields)


@time_machine.travel("2020-02-10 10:00 +0800", tick=False)
class FamilyEventServiceTests(BaseTestCase):
    def test_postponed_events_are_followed_up_on_the_new_date(self):
        worker = sumu_worker()
        event = _declare(worker)
        event = family_events.family_event_record_outcome(
            actor=worker, event=event, outcome="postponed", postponed_to=TODAY + timedelta(days=60)
        )
        assert event.follow_up_on == TODAY + timedelta(days=60)
        assert not event.follow_up_due(TODAY)
        assert event.follow_up_due(TODAY + timedelta(days=60))
        done = family_events.family_event_follow_up(actor=worker, event=event, notes="未举办")
        assert done.followed_up_at is not None
        with pytest.raises(ValidationError, match="already been followed up"):
            family_events.family_event_follow_up(actor=worker, event=event, notes="again")

    def test_held_small_needs_conditions_and_postponed_needs_a_date(self):
        worker = sumu_worker()
        event = _declare(worker)
        with pytest.raises(ValidationError) as exc:
            family_events.family_event_record_outcome(
                actor=worker, event=event, outcome="held_small"
            )
        assert "conditions" in exc.value.message_dict
        with pytest.raises(ValidationError) as exc:
            family_events.family_event_record_outcome(
                actor=worker, event=event, outcome="postponed"
            )
        assert "postponed_to" in exc.value.message_dict
        event.refresh_from_db()
        assert event.status == "declared"
        family_events.family_event_record_outcome(
            actor=worker, event=event, outcome="held_small", conditions="不超过10人，2小时内"
        )
        with pytest.raises(ValidationError, match="already recorded"):
            family_events.family_event_record_outcome(
                actor=worker, event=event, outcome="cancelled"
            )

    def test_follow_up_before_an_outcome_is_refused(self):
        worker = sumu_worker()
        event = _declare(worker)
        with pytest.raises(ValidationError, match="Record the outcome"):
            family_events.family_event_follow_up(actor=worker, event=event, notes="x")

    def test_dates_far_in_the_future_and_other_banners_are_refused(self):
        worker = sumu_worker()
        with pytest.raises(ValidationError) as exc:
            _declare(worker, planned_on=TODAY + timedelta(days=2000))
        assert "planned_on" in exc.value.message_dict
        with pytest.raises(ValidationError) as exc:
            _declare(worker, division=division(RIGHT_TOWN))
        assert "division" in exc.value.message_dict
        assert not FamilyEvent.objects.exists()


@time_machine.travel("2020-02-10 10:00 +0800", tick=False)
class FamilyEventPageTests(BaseTestCase):
    def test_a_worker_declares_records_the_outcome_and_follows_up_on_the_pages(self):
        worker = sumu_worker()
        client = self.client_for(worker)
        response = client.post(
            "/community/family-events/new/",
            {
                "household_name": "<script>x</script>",
                "kind": "funeral",
                "planned_on": "2020-02-11",
                "place": "东关村",
                "expected_guests": "40",
                "division": BAYANHAOTE_GACHA,
                "phone": "13847112345",
            },
        )
        assert response.status_code == 302
        event = FamilyEvent.objects.get()
        page = client.get(f"/community/family-events/{event.pk}/").content
        assert b"&lt;script&gt;" in page and b"<script>x</script>" not in page
        client.post(
            f"/community/family-events/{event.pk}/",
            {"action": "outcome", "outcome": "cancelled", "notes": "改为家人小范围"},
        )
        event.refresh_from_db()
        assert event.status == "cancelled" and event.follow_up_on == date(2020, 2, 11)
        with time_machine.travel("2020-02-11 18:00 +0800", tick=False):
            client = self.client_for(worker)
            due = client.get("/community/family-events/?due=1")
            assert "&lt;script&gt;x" in due.content.decode()
            client.post(
                f"/community/family-events/{event.pk}/",
                {"action": "follow_up", "notes": "确认未办"},
            )
        event.refresh_from_db()
        assert event.followed_up_at is not None

    def test_phones_are_masked_for_roles_without_personal_data(self):
        _declare(sumu_worker())
        body = self.client_for(self.colleague).get("/community/family-events/").content.decode()
        assert "13847112345" not in body
        assert "138****2345" in body

    def test_the_outsider_gets_not_found(self):
        event = _declare(sumu_worker())
        outsider = self.client_for(self.outsider)
        assert outsider.get(f"/community/family-events/{event.pk}/").status_code == 404
        assert (
            outsider.post(
                f"/community/family-events/{event.pk}/",
                {"action": "outcome", "outcome": "cancelled"},
            ).status_code
            == 404
        )
        api = outsider.post(
            f"/api/v1/community/family-events/{event.pk}/outcome",
            {"outcome": "cancelled"},
            content_type="application/json",
        )
        assert api.status_code == 404
        assert outsider.get("/api/v1/community/family-events").json() == []

    def test_the_api_declares_and_records_outcomes(self):
        client = self.client_for(sumu_worker())
        created = client.post(
            "/api/v1/community/family-events",
            {
                "household_name": "王五",
                "kind": "birthday",
                "planned_on": "2020-02-15",
                "place": "东关村",
                "division": BAYANHAOTE_GACHA,
            },
            content_type="application/json",
        )
        assert created.status_code == 201
        eid = created.json()["id"]
        bad = client.post(
            f"/api/v1/community/family-events/{eid}/outcome",
            {"outcome": "postponed", "postponed_to": "2031-01-01"},
            content_type="application/json",
        )
        assert bad.status_code == 422 and "postponed_to" in bad.json()["detail"]
        ok = client.post(
            f"/api/v1/community/family-events/{eid}/outcome",
            {"outcome": "postponed", "postponed_to": "2020-04-01"},
            content_type="application/json",
        )
        assert ok.json()["follow_up_on"] == "2020-04-01"
