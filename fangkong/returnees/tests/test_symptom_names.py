"""Wherever a check's symptoms are shown (the observation's checks, the person's timeline,
the API), they are words in the reader's language, never the stored codes."""

from __future__ import annotations

import re
from datetime import datetime

import time_machine

from fangkong.accounts.roles import Role
from fangkong.returnees.services import check_record
from fangkong.returnees.tests.helpers import ID_2, TZ, observe
from fangkong.test import BAYANHAOTE, BaseTestCase, make_user

NOW = datetime(2020, 2, 6, 9, tzinfo=TZ)
CODES = ("cough", "fatigue", "breath")


class SymptomNameTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.worker = make_user("worker", Role.GRASSROOTS, BAYANHAOTE)
        cls.obs = observe(cls.worker, ID_2, "李四")
        with time_machine.travel(NOW, tick=False):
            check_record(
                actor=cls.worker,
                observation=cls.obs,
                temperature="37.2",
                symptoms=["cough", "fatigue"],
            )

    def test_the_observation_page_lists_the_symptoms_in_words(self) -> None:
        html = self.client_for(self.worker).get(f"/returnees/observations/{self.obs.pk}/")
        table = re.search(r'data-testid="checks">(.*?)</table>', html.content.decode(), re.S)
        assert table is not None
        rows = table.group(1)
        assert "干咳、乏力" in rows
        assert not any(code in rows for code in CODES)

    def test_the_person_timeline_lists_the_symptoms_in_words(self) -> None:
        page = self.client_for(self.worker).get(f"/returnees/people/{self.obs.person_id}/")
        found = re.findall(r'data-testid="timeline-symptoms">(.*?)</span>', page.content.decode())
        assert found == ["症状: 干咳、乏力"]
        timeline = page.content.decode().split('data-testid="timeline"', 1)[1].split("</ol>")[0]
        assert not any(code in timeline for code in CODES)

    def test_the_api_gives_the_codes_and_the_words(self) -> None:
        client = self.client_for(self.worker)
        body = client.get(f"/api/v1/observations/{self.obs.pk}", HTTP_ACCEPT_LANGUAGE="zh-hans")
        check = body.json()["checks"][0]
        assert check["symptoms"] == ["cough", "fatigue"]
        assert check["symptom_names"] == ["干咳", "乏力"]
        english = client.get(f"/api/v1/observations/{self.obs.pk}", HTTP_ACCEPT_LANGUAGE="en")
        assert english.json()["checks"][0]["symptom_names"] == ["Dry cough", "Fatigue"]
