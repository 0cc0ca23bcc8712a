from __future__ import annotations

import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

import time_machine

from fangkong.accounts.roles import Role
from fangkong.returnees.models import KeyGroup, ReturnTrip
from fangkong.returnees.services import observation_start, returnee_register
from fangkong.returnees.tests.helpers import ID_3, RIGHT_VILLAGE, STANDARD_ID, VILLAGE, trip_data
from fangkong.test import BAYANHAOTE, BaseTestCase, make_user

TZ = ZoneInfo("Asia/Shanghai")
BODY = {
    "id_number": STANDARD_ID,
    "name": "张三",
    "mobile": "13812345678",
    "key_group": "migrant",
    "departure_date": "2020-02-03",
    "arrival_date": "2020-02-04",
    "division_code": VILLAGE,
    "transport": "train",
    "transport_number": "K1234",
}


@time_machine.travel(datetime(2020, 2, 5, 10, tzinfo=TZ), tick=False)
class ReturneeApiTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.worker = make_user("worker", Role.GRASSROOTS, BAYANHAOTE)

    def post(self, user, url, body):
        return self.client_for(user).post(url, json.dumps(body), content_type="application/json")

    def test_staff_create_a_returnee_and_read_it_back(self):
        response = self.post(self.worker, "/api/v1/returnees", BODY)
        assert response.status_code == 201, response.content
        created = response.json()
        assert created["id_number"] == STANDARD_ID  # grassroots may see personal data
        detail = self.client_for(self.colleague).get(f"/api/v1/returnees/{created['id']}").json()
        assert detail["id_number"] == "110105********002X"  # staff see it masked
        assert detail["mobile"] == "138****5678"

    def test_a_bad_id_number_is_a_422_naming_the_field(self):
        response = self.post(
            self.worker, "/api/v1/returnees", {**BODY, "id_number": "110105194912310020"}
        )
        assert response.status_code == 422
        assert "id_number: 身份证号校验位错误" in response.json()["detail"]  # the site's language
        english = self.client_for(self.worker).post(
            "/api/v1/returnees",
            json.dumps({**BODY, "id_number": "110105194912310020"}),
            content_type="application/json",
            headers={"accept-language": "en"},
        )
        assert "id_number: ID number check digit is wrong" in english.json()["detail"]
        assert not ReturnTrip.objects.exists()

    def test_the_list_filters_by_key_group_and_searches_pinyin(self):
        returnee_register(actor=self.worker, data=trip_data(id_number=STANDARD_ID))
        returnee_register(
            actor=self.worker,
            data=trip_data(id_number=ID_3, name="李四", key_group=KeyGroup.STUDENT),
        )
        client = self.client_for(self.officer)
        names = [
            t["name"] for t in client.get("/api/v1/returnees?key_group=student").json()["items"]
        ]
        assert names == ["李四"]
        names = [t["name"] for t in client.get("/api/v1/returnees?q=zs").json()["items"]]
        assert names == ["张三"]
        names = [t["name"] for t in client.get(f"/api/v1/returnees?q={ID_3}").json()["items"]]
        assert names == ["李四"]

    def test_the_list_filters_by_departure_dates(self):
        returnee_register(actor=self.worker, data=trip_data(id_number=STANDARD_ID))
        returnee_register(
            actor=self.worker,
            data=trip_data(id_number=ID_3, name="李四", departure_date=date(2020, 1, 20)),
        )
        client = self.client_for(self.officer)

        def names(query: str) -> list[str]:
            response = client.get(f"/api/v1/returnees?{query}")
            assert response.status_code == 200, response.content
            return sorted(t["name"] for t in response.json()["items"])

        assert names("departed_to=2020-01-31") == ["李四"]
        assert names("departed_from=2020-02-01") == ["张三"]
        assert names("departed_from=2020-01-01&departed_to=2020-02-28") == ["张三", "李四"]
        assert client.get("/api/v1/returnees?departed_from=yesterday").status_code == 422

    def test_a_daily_check_is_posted_to_an_observation(self):
        trip = returnee_register(actor=self.worker, data=trip_data())
        obs = observation_start(actor=self.worker, trip=trip)
        response = self.post(
            self.worker,
            f"/api/v1/observations/{obs.pk}/checks",
            {"temperature": 37.8, "symptoms": ["cough"], "contact": "phone"},
        )
        assert response.status_code == 201, response.content
        assert response.json()["fever"] is True
        bad = self.post(self.worker, f"/api/v1/observations/{obs.pk}/checks", {"temperature": 50})
        assert bad.status_code == 422 and "temperature" in bad.json()["detail"]

    def test_an_outsider_gets_404_for_a_trip_an_observation_and_an_empty_list(self):
        trip = returnee_register(actor=self.worker, data=trip_data())
        obs = observation_start(actor=self.worker, trip=trip)
        outsider = self.client_for(self.outsider)
        assert outsider.get(f"/api/v1/returnees/{trip.pk}").status_code == 404
        assert (
            outsider.get("/api/v1/returnees/999999").json()
            == outsider.get(f"/api/v1/returnees/{trip.pk}").json()
        )
        assert outsider.get("/api/v1/returnees").json()["items"] == []
        far = make_user("far", Role.GRASSROOTS, "152922103")
        assert (
            self.post(
                far, f"/api/v1/observations/{obs.pk}/checks", {"temperature": 36.5}
            ).status_code
            == 404
        )
        assert self.post(far, "/api/v1/returnees", BODY).status_code == 422
        assert (
            self.post(
                far, "/api/v1/returnees", {**BODY, "division_code": RIGHT_VILLAGE}
            ).status_code
            == 201
        )

    def test_anonymous_callers_are_refused(self):
        assert self.client.get("/api/v1/returnees").status_code == 401
