"""SMS bulletins: an HQ picks divisions, sees the count per division, confirms, and the outbox
sends one SMS per phone; counts per division afterwards; never outside its jurisdiction."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from fangkong.accounts.roles import Role
from fangkong.alerts import bulletins
from fangkong.alerts.models import Bulletin, Delivery
from fangkong.alerts.outbox import outbox_send_due
from fangkong.core.models import EmergencyPeriod, ResponseLevel
from fangkong.returnees.models import KeyGroup
from fangkong.returnees.services import observation_end, observation_start, returnee_register
from fangkong.returnees.tests.helpers import ID_2, ID_3, STANDARD_ID, trip_data
from fangkong.test import BAYANHAOTE, RIGHT_TOWN, BaseTestCase, make_user

TZ = ZoneInfo("Asia/Shanghai")
VILLAGE = "152921110200"
OTHER_VILLAGE = "152921110201"
OTHER_SUMU = "152921102"


class BulletinTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.g1 = make_user("g1", Role.GRASSROOTS, VILLAGE, phone="13800000001")
        cls.g2 = make_user("g2", Role.GRASSROOTS, OTHER_VILLAGE, phone="13800000002")
        cls.g3 = make_user("g3", Role.GRASSROOTS, BAYANHAOTE, phone="13800000003")
        cls.g4 = make_user("g4", Role.GRASSROOTS, OTHER_SUMU, phone="13800000004")
        cls.no_phone = make_user("g5", Role.GRASSROOTS, VILLAGE)
        cls.far = make_user("far", Role.GRASSROOTS, RIGHT_TOWN, phone="13800000009")
        cls.inspector = make_user("insp", Role.INSPECTOR, BAYANHAOTE, phone="13800000010")

    def test_draft_preview_confirm_send_and_count_per_division(self):
        text = "各嘎查：今晚20时前完成返乡人员入户排查，发现发热立即上报。"
        client = self.client_for(self.colleague)
        response = client.post(
            "/alerts/bulletins/new/",
            {"audience": "grassroots", "text": text, "divisions": [BAYANHAOTE, OTHER_SUMU]},
        )
        bulletin = Bulletin.objects.get()
        assert response.status_code == 302
        assert response["Location"] == f"/alerts/bulletins/{bulletin.pk}/confirm/"
        assert not Delivery.objects.exists()  # nothing is sent before the confirmation
        page = client.get(response["Location"]).content.decode()
        assert f'data-testid="preview-{BAYANHAOTE}">3<' in page  # g1, g2, g3 (g5 has no phone)
        assert f'data-testid="preview-{OTHER_SUMU}">1<' in page
        assert "发送给 4 个手机号" in page
        client.post(f"/alerts/bulletins/{bulletin.pk}/confirm/")
        client.post(f"/alerts/bulletins/{bulletin.pk}/confirm/")  # a second click sends nothing
        phones = set(Delivery.objects.values_list("phone", flat=True))
        assert phones == {"13800000001", "13800000002", "13800000003", "13800000004"}
        assert all(d.text == text for d in Delivery.objects.all())
        assert outbox_send_due() == {"sent": 4}
        detail = client.get(f"/alerts/bulletins/{bulletin.pk}/").content.decode()
        assert 'data-testid="bulletin-sent">4<' in detail
        rows = {r.division.code: r for r in bulletins.bulletin_counts(bulletin)}
        assert (rows[BAYANHAOTE].recipients, rows[BAYANHAOTE].sent) == (3, 3)
        assert (rows[OTHER_SUMU].recipients, rows[OTHER_SUMU].sent) == (1, 1)

    def test_outside_the_jurisdiction_or_too_long_is_refused_with_what_is_wrong(self):
        with pytest.raises(ValidationError) as exc:
            bulletins.bulletin_draft(
                actor=self.colleague,
                audience="grassroots",
                text="通知",
                division_codes=[RIGHT_TOWN],
            )
        assert exc.value.message_dict == {"divisions": ["只能在本辖区内发送。"]}
        with pytest.raises(ValidationError) as exc:
            bulletins.bulletin_draft(
                actor=self.colleague,
                audience="grassroots",
                text="字" * 351,
                division_codes=[BAYANHAOTE],
            )
        assert "351" in str(exc.value)
        page = self.client_for(self.colleague).post(
            "/alerts/bulletins/new/", {"audience": "grassroots", "text": "通知", "divisions": []}
        )
        assert page.status_code == 200 and "此项为必填项" in page.content.decode()
        assert not Bulletin.objects.exists()
        # Nobody without the right to publish sees the pages.
        assert self.client_for(self.g3).get("/alerts/bulletins/new/").status_code == 404
        assert self.client_for(self.inspector).get("/alerts/bulletins/").status_code == 404

    def test_a_bulletin_of_another_banner_is_not_found(self):
        bulletin = bulletins.bulletin_draft(
            actor=self.colleague, audience="grassroots", text="通知", division_codes=[BAYANHAOTE]
        )
        outsider = self.client_for(self.outsider)
        assert outsider.get(f"/alerts/bulletins/{bulletin.pk}/confirm/").status_code == 404
        assert outsider.post(f"/alerts/bulletins/{bulletin.pk}/confirm/").status_code == 404
        assert not Delivery.objects.exists()

    def test_the_segment_count(self):
        assert bulletins.segments("") == 0
        assert bulletins.segments("字" * 70) == 1
        assert bulletins.segments("字" * 71) == 2

    def test_returnees_under_observation_in_a_community_get_their_reminder(self):
        EmergencyPeriod.objects.create(
            name="2020",
            level=ResponseLevel.LEVEL_I,
            starts_at=datetime(2020, 1, 25, tzinfo=TZ),
            observation_days=14,
        )
        with time_machine.travel(datetime(2020, 2, 5, 10, tzinfo=TZ), tick=False):
            observations = []
            for id_number, mobile, code in (
                (STANDARD_ID, "13900000001", VILLAGE),
                (ID_2, "13900000002", VILLAGE),
                (ID_3, "13900000003", OTHER_VILLAGE),
            ):
                trip = returnee_register(
                    actor=self.g3,
                    data=trip_data(
                        id_number=id_number,
                        mobile=mobile,
                        division_code=code,
                        key_group=KeyGroup.INBOUND,
                        origin_country="韩国",
                    ),
                )
                observations.append(observation_start(actor=self.g3, trip=trip))
            observation_end(actor=self.g3, observation=observations[1], status="hospital")
            bulletin = bulletins.bulletin_draft(
                actor=self.colleague,
                audience="observed_returnees",
                text="请于今天17时前上报体温。",
                division_codes=[VILLAGE],
            )
            assert [r.recipients for r in bulletins.bulletin_preview(bulletin)] == [1]
            assert bulletins.bulletin_send(actor=self.colleague, bulletin=bulletin) == 1
        assert list(Delivery.objects.values_list("phone", flat=True)) == ["13900000001"]
