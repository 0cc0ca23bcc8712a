"""Editing a registered trip: staff of its jurisdiction, validated, audited."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import time_machine
from django.core.exceptions import ValidationError

from fangkong.accounts.roles import Role
from fangkong.core.models import AuditEntry
from fangkong.core.rollups import figures
from fangkong.returnees import metrics
from fangkong.returnees.models import KeyGroup, ReturnTrip, TripStatus
from fangkong.returnees.services import returnee_register, trip_confirm_arrival, trip_update
from fangkong.returnees.tests.helpers import (
    ID_3,
    OTHER_VILLAGE,
    RIGHT_VILLAGE,
    STANDARD_ID,
    VILLAGE,
    trip_data,
)
from fangkong.test import BAYANHAOTE, RIGHT_TOWN, BaseTestCase, make_user

TZ = ZoneInfo("Asia/Shanghai")


def form(**overrides: Any) -> dict[str, Any]:
    values = {
        "key_group": "staff",
        "origin_province": "河北省",
        "origin_city": "石家庄市",
        "transport": "train",
        "transport_number": "K1234",
        "departure_date": "2020-02-03",
        "arrival_date": "2020-02-04",
        "division_code": VILLAGE,
    }
    values.update(overrides)
    return values


@time_machine.travel(datetime(2020, 2, 5, 10, tzinfo=TZ), tick=False)
class TripUpdateTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.worker = make_user("worker", Role.GRASSROOTS, BAYANHAOTE)
        cls.far_worker = make_user("far_worker", Role.GRASSROOTS, RIGHT_TOWN)

    def setUp(self) -> None:
        self.trip = returnee_register(actor=self.worker, data=trip_data(id_number=STANDARD_ID))

    def test_staff_correct_a_trip_and_the_change_is_audited(self):
        trip = trip_update(
            actor=self.colleague,
            trip=self.trip,
            data=trip_data(
                key_group=KeyGroup.STUDENT,
                transport_number="Z22",
                departure_date=date(2020, 2, 2),
                division_code=OTHER_VILLAGE,
                notes="补登",
            ),
        )
        trip.refresh_from_db()
        assert (trip.key_group, trip.transport_number, trip.notes) == ("student", "Z22", "补登")
        assert trip.departure_date == date(2020, 2, 2) and trip.division_code == OTHER_VILLAGE
        assert trip.person.id_number == STANDARD_ID and trip.person.name == "张三"
        entry = AuditEntry.objects.get(verb="returnee.edit")
        assert entry.actor == self.colleague and entry.target_id == str(trip.pk)
        assert {"key_group", "transport_number", "departure_date", "division"} <= set(
            entry.extra["changed"]
        )
        rolled = figures(
            [VILLAGE, OTHER_VILLAGE],
            [metrics.REGISTERED, metrics.by_group("student"), metrics.by_group("staff")],
            on=date(2020, 2, 5),
        )
        assert rolled[metrics.by_group("student")]["today"] == 1
        assert rolled[metrics.by_group("staff")]["today"] == 0
        assert rolled[metrics.REGISTERED]["today"] == 1

    def test_an_edit_that_changes_nothing_writes_nothing(self):
        trip_update(actor=self.worker, trip=self.trip, data=trip_data())
        assert not AuditEntry.objects.filter(verb="returnee.edit").exists()

    def test_the_person_is_not_changed_by_a_trip_edit(self):
        trip_update(
            actor=self.worker,
            trip=self.trip,
            data=trip_data(id_number=ID_3, name="王五", mobile="13900000000"),
        )
        person = ReturnTrip.objects.get(pk=self.trip.pk).person
        assert (person.id_number, person.name, person.mobile) == (
            STANDARD_ID,
            "张三",
            "13812345678",
        )

    def test_bad_values_are_named_by_field(self):
        with self.assertRaises(ValidationError) as ctx:
            trip_update(
                actor=self.worker,
                trip=self.trip,
                data=trip_data(arrival_date=date(2020, 1, 1), division_code="152921999999"),
            )
        assert set(ctx.exception.message_dict) == {"arrival_date", "division_code"}
        with self.assertRaises(ValidationError) as ctx:
            trip_update(
                actor=self.worker,
                trip=self.trip,
                data=trip_data(transport="car", transport_number="not a plate"),
            )
        assert "transport_number" in ctx.exception.message_dict

    def test_a_second_trip_leaving_the_same_day_is_refused(self):
        returnee_register(
            actor=self.worker,
            data=trip_data(id_number=STANDARD_ID, departure_date=date(2020, 1, 20)),
        )
        with self.assertRaises(ValidationError) as ctx:
            trip_update(
                actor=self.worker,
                trip=self.trip,
                data=trip_data(departure_date=date(2020, 1, 20), arrival_date=None),
            )
        assert "departure_date" in ctx.exception.message_dict

    def test_an_arrived_trip_stays_in_its_community(self):
        trip_confirm_arrival(actor=self.worker, trip=self.trip, observe=False)
        self.trip.refresh_from_db()
        assert self.trip.status == TripStatus.ARRIVED
        with self.assertRaises(ValidationError) as ctx:
            trip_update(
                actor=self.worker, trip=self.trip, data=trip_data(division_code=OTHER_VILLAGE)
            )
        assert "division_code" in ctx.exception.message_dict
        trip_update(actor=self.worker, trip=self.trip, data=trip_data(notes="已到达"))
        assert ReturnTrip.objects.get(pk=self.trip.pk).notes == "已到达"

    def test_outsiders_and_readers_cannot_edit_and_a_trip_cannot_be_moved_out(self):
        for actor in (self.outsider, self.far_worker, self.officer):  # officer: reads only
            with self.assertRaises(ValidationError):
                trip_update(actor=actor, trip=self.trip, data=trip_data(notes="x"))
        with self.assertRaises(ValidationError) as ctx:
            trip_update(
                actor=self.worker, trip=self.trip, data=trip_data(division_code=RIGHT_VILLAGE)
            )
        assert "division_code" in ctx.exception.message_dict
        assert ReturnTrip.objects.get(pk=self.trip.pk).division_code == VILLAGE
        assert not AuditEntry.objects.filter(verb="returnee.edit").exists()


@time_machine.travel(datetime(2020, 2, 5, 10, tzinfo=TZ), tick=False)
class TripEditPageTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.worker = make_user("worker", Role.GRASSROOTS, BAYANHAOTE)

    def setUp(self) -> None:
        self.trip = returnee_register(actor=self.worker, data=trip_data(id_number=STANDARD_ID))
        self.url = f"/returnees/trips/{self.trip.pk}/edit/"

    def test_the_page_shows_the_trip_and_saves_a_correction(self):
        client = self.client_for(self.worker)
        detail = client.get(f"/returnees/trips/{self.trip.pk}/").content.decode()
        assert self.url in detail
        page = client.get(self.url).content.decode()
        assert 'value="K1234"' in page and 'name="id_number"' not in page
        response = client.post(self.url, form(transport_number="K9999"))
        assert response.status_code == 302
        assert ReturnTrip.objects.get(pk=self.trip.pk).transport_number == "K9999"
        assert AuditEntry.objects.filter(verb="returnee.edit", actor=self.worker).exists()

    def test_errors_are_shown_on_the_form_in_chinese(self):
        response = self.client_for(self.worker).post(
            self.url, form(arrival_date="2020-01-01", transport="car", transport_number="x")
        )
        page = response.content.decode()
        assert response.status_code == 200
        assert "到达日期不能早于出发日期。" in page
        assert "车牌应为省份简称" in page
        assert ReturnTrip.objects.get(pk=self.trip.pk).transport_number == "K1234"

    def test_the_outsider_and_a_reader_get_not_found(self):
        for user in (self.outsider, self.officer):
            client = self.client_for(user)
            assert client.get(self.url).status_code == 404
            assert client.post(self.url, form(notes="x")).status_code == 404
            assert (
                f"/trips/{self.trip.pk}/edit/"
                not in client.get(f"/returnees/trips/{self.trip.pk}/").content.decode()
            )
        assert ReturnTrip.objects.get(pk=self.trip.pk).notes == ""
        assert self.client.get(self.url).status_code == 302  # anonymous: to the login page
