"""Fever recorded: one event per check, to the responsible worker, the sumu office and the
banner HQ, each in their language, and to nobody else; acknowledged once for all."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction
from django.utils import translation

from fangkong.accounts.roles import Role
from fangkong.alerts import kinds, selectors
from fangkong.alerts.models import Alert, Event, Preference
from fangkong.alerts.services import raise_event
from fangkong.core.models import AuditEntry, EmergencyPeriod, ResponseLevel
from fangkong.returnees.models import KeyGroup
from fangkong.returnees.services import check_record, observation_start, returnee_register
from fangkong.returnees.tests.helpers import STANDARD_ID, trip_data
from fangkong.test import BAYANHAOTE, RIGHT_TOWN, BaseTestCase, make_user

TZ = ZoneInfo("Asia/Shanghai")
VILLAGE = "152921110200"  # 南田村, in 巴彦浩特镇
OTHER_VILLAGE = "152921110201"


class FeverAlertTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.worker = make_user("gacha_worker", Role.GRASSROOTS, VILLAGE)
        cls.sumu = make_user("sumu_officer", Role.GRASSROOTS, BAYANHAOTE)
        cls.neighbour = make_user("neighbour", Role.GRASSROOTS, OTHER_VILLAGE)
        cls.far_sumu = make_user("far_sumu", Role.GRASSROOTS, RIGHT_TOWN)
        cls.inspector = make_user("sumu_inspector", Role.INSPECTOR, BAYANHAOTE)
        Preference.objects.create(user=cls.colleague, language="en")
        EmergencyPeriod.objects.create(
            name="2020",
            level=ResponseLevel.LEVEL_I,
            starts_at=datetime(2020, 1, 25, tzinfo=TZ),
            observation_days=14,
        )

    def setUp(self) -> None:
        traveller = time_machine.travel(datetime(2020, 2, 5, 17, tzinfo=TZ), tick=False)
        traveller.start()
        self.addCleanup(traveller.stop)
        trip = returnee_register(
            actor=self.worker,
            data=trip_data(
                id_number=STANDARD_ID,
                name="王五",
                division_code=VILLAGE,
                key_group=KeyGroup.INBOUND,
                origin_country="韩国",
            ),
        )
        self.observation = observation_start(actor=self.worker, trip=trip)

    def fever(self, temperature: str = "38.6"):
        return check_record(
            actor=self.worker, observation=self.observation, temperature=temperature
        )

    def recipients(self, event: Event) -> set[str]:
        return set(event.alerts.values_list("recipient__username", flat=True))

    def test_a_fever_alerts_the_worker_the_sumu_office_and_the_banner_hq_once(self):
        check = self.fever()
        event = Event.objects.get()
        assert event.kind == kinds.FEVER_RECORDED
        assert event.key == f"check:{check.pk}"
        assert event.severity == "urgent"
        assert event.division_code == VILLAGE
        assert event.url == f"/returnees/observations/{self.observation.pk}/"
        assert self.recipients(event) == {"gacha_worker", "sumu_officer", "officer", "colleague"}
        for outsider in ("neighbour", "far_sumu", "sumu_inspector", "outsider"):
            assert not Alert.objects.filter(recipient__username=outsider).exists()
        # The league HQ is not in a fever's default audience (it sees it in its oversight).
        assert not Alert.objects.filter(recipient=self.league_commander).exists()

    def test_each_recipient_reads_it_in_their_language(self):
        self.fever("38.6")
        chinese = Alert.objects.get(recipient=self.officer)
        english = Alert.objects.get(recipient=self.colleague)
        assert chinese.language == "zh-hans"
        assert english.language == "en"
        with translation.override(english.language):
            assert english.event.title() == "Fever recorded"
            assert english.event.text() == (
                "王五 in 南田: 38.6 °C at the daily check (02-05 17:00)."
            )
        with translation.override(chinese.language):
            assert chinese.event.title() == "发现发热"
            assert chinese.event.text() == "南田 王五：每日健康监测体温 38.6 °C（02-05 17:00）。"

    def test_no_fever_no_alert_and_each_fever_reading_alerts_once(self):
        check_record(actor=self.worker, observation=self.observation, temperature="36.6")
        assert not Event.objects.exists()
        first = self.fever("38.6")
        assert Event.objects.get().key == f"check:{first.pk}"
        with transaction.atomic():
            again = raise_event(
                kinds.FEVER_RECORDED,
                key=f"check:{first.pk}",
                division_code=VILLAGE,
                params=Event.objects.get().params,
            )
        assert again is None
        assert Event.objects.count() == 1 and Alert.objects.count() == 4
        # A later check the same day is its own reading: its fever alerts again.
        second = self.fever("39.1")
        assert sorted(Event.objects.values_list("key", flat=True)) == sorted(
            [f"check:{first.pk}", f"check:{second.pk}"]
        )
        assert Alert.objects.count() == 8

    def test_a_badly_described_event_is_refused_with_what_is_wrong(self):
        with transaction.atomic():
            with pytest.raises(ValueError, match="unknown event kind 'nope'"):
                raise_event("nope", key="x", division_code=VILLAGE, params={})
            with pytest.raises(ValueError, match="needs the parameters: place, temperature"):
                raise_event(
                    kinds.FEVER_RECORDED,
                    key="x",
                    division_code=VILLAGE,
                    params={"person": "a", "when": "b"},
                )
        assert not Event.objects.exists()

    def test_rolled_back_check_leaves_no_alert(self):
        with pytest.raises(RuntimeError), transaction.atomic():
            self.fever()
            raise RuntimeError("the caller fails after recording")
        assert not Event.objects.exists() and not Alert.objects.exists()

    def test_acknowledging_once_acknowledges_for_all_and_the_hq_count_drops(self):
        self.fever()
        assert selectors.unacknowledged_count(actor=self.officer) == 1
        assert selectors.unacknowledged_count(actor=self.outsider) == 0
        mine = Alert.objects.get(recipient=self.sumu)
        response = self.client_for(self.sumu).post(f"/api/v1/alerts/{mine.pk}/ack")
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["acknowledged_by"] == "sumu_officer"
        assert body["read_at"] is not None
        event = Event.objects.get()
        assert event.acknowledged_by == self.sumu and event.acknowledged_at is not None
        assert selectors.unacknowledged_count(actor=self.officer) == 0
        officer_view = self.client_for(self.officer).get("/api/v1/alerts").json()
        assert officer_view["items"][0]["acknowledged_by"] == "sumu_officer"
        assert officer_view["items"][0]["read_at"] is None  # acknowledged, but not read by him
        assert AuditEntry.objects.filter(verb="alert.acknowledge").count() == 1
        # A second acknowledgement (by another recipient) keeps the first.
        theirs = Alert.objects.get(recipient=self.officer)
        self.client_for(self.officer).post(f"/api/v1/alerts/{theirs.pk}/ack")
        assert Event.objects.get().acknowledged_by == self.sumu
        assert AuditEntry.objects.filter(verb="alert.acknowledge").count() == 1

    def test_nobody_acknowledges_or_reads_an_alert_that_is_not_theirs(self):
        self.fever()
        alert = Alert.objects.get(recipient=self.sumu)
        for user in (self.outsider, self.neighbour, self.officer):
            client = self.client_for(user)
            assert client.post(f"/api/v1/alerts/{alert.pk}/ack").status_code == 404
            assert client.get(f"/alerts/{alert.pk}/").status_code == 404
        assert Event.objects.get().acknowledged_at is None
        assert Alert.objects.get(pk=alert.pk).read_at is None

    def test_the_api_lists_my_own_alerts_with_filters_and_pages(self):
        self.fever()
        client = self.client_for(self.sumu)
        body = client.get("/api/v1/alerts").json()
        assert body["count"] == 1 and body["unread"] == 1 and body["has_next"] is False
        item = body["items"][0]
        assert item["kind"] == "fever_recorded" and item["place"] == "南田"
        assert client.get("/api/v1/alerts?state=acknowledged").json()["count"] == 0
        assert client.get("/api/v1/alerts?kind=passage_invalid_pass").json()["count"] == 0
        assert client.get("/api/v1/alerts?severity=urgent").json()["count"] == 1
        bad = client.get("/api/v1/alerts?state=sideways")
        assert bad.status_code == 422 and "state" in bad.json()["detail"]
        assert self.client_for(self.outsider).get("/api/v1/alerts").json()["count"] == 0

    def test_the_badge_the_page_and_the_oversight_list(self):
        self.fever()
        client = self.client_for(self.sumu)
        home = client.get("/").content.decode()
        assert 'data-testid="alerts-unread">1<' in home
        page = client.get("/alerts/").content.decode()
        alert = Alert.objects.get(recipient=self.sumu)
        assert f'data-testid="alert-{alert.pk}"' in page and "王五" in page
        detail = client.get(f"/alerts/{alert.pk}/").content.decode()
        assert f'href="/returnees/observations/{self.observation.pk}/"' in detail
        assert 'data-testid="alert-ack"' in detail
        assert Alert.objects.get(pk=alert.pk).read_at is not None
        assert 'data-testid="alerts-unread"' not in client.get("/").content.decode()
        hq = self.client_for(self.officer).get("/alerts/unacknowledged/").content.decode()
        assert f'data-testid="event-{alert.event_id}"' in hq
        far = self.client_for(self.outsider).get("/alerts/unacknowledged/").content.decode()
        assert f'data-testid="event-{alert.event_id}"' not in far
        client.post(f"/alerts/{alert.pk}/ack/")
        detail = client.get(f"/alerts/{alert.pk}/").content.decode()
        assert 'data-testid="alert-ack"' not in detail and "sumu_officer" in detail
        hq = self.client_for(self.officer).get("/alerts/unacknowledged/").content.decode()
        assert f'data-testid="event-{alert.event_id}"' not in hq

    def test_the_dashboard_shows_the_unacknowledged_count(self):
        self.fever()
        page = self.client_for(self.officer).get("/directives/dashboard/").content.decode()
        assert 'data-testid="alerts-unacknowledged">1<' in page
        alert = Alert.objects.get(recipient=self.sumu)
        self.client_for(self.sumu).post(f"/alerts/{alert.pk}/ack/")
        page = self.client_for(self.officer).get("/directives/dashboard/").content.decode()
        assert 'data-testid="alerts-unacknowledged">0<' in page
        assert 'data-testid="alerts-mean-ack">0 分钟<' in page

    def test_oversight_lists_the_oldest_first(self):
        first = self.fever()
        with time_machine.travel(datetime(2020, 2, 6, 9, tzinfo=TZ), tick=False):
            second = self.fever("39.0")
        keys = [e.key for e in selectors.unacknowledged(actor=self.officer)]
        assert keys == [f"check:{first.pk}", f"check:{second.pk}"]
