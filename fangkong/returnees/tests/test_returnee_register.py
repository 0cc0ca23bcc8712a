from __future__ import annotations

from datetime import date

import time_machine
from django.core.exceptions import ValidationError

from fangkong.accounts.roles import Role
from fangkong.core.models import AuditEntry
from fangkong.core.rollups import figures, rebuild
from fangkong.returnees import metrics
from fangkong.returnees.models import KeyGroup, Person, RegisteredVia, ReturnTrip
from fangkong.returnees.services import returnee_register, risk_area_create
from fangkong.returnees.tests.helpers import (
    ID_2,
    RIGHT_VILLAGE,
    STANDARD_ID,
    VILLAGE,
    trip_data,
)
from fangkong.test import BAYANHAOTE, BaseTestCase, make_user


@time_machine.travel("2020-02-05 10:00 +0800", tick=False)
class ReturneeRegisterTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.worker = make_user("worker", Role.GRASSROOTS, BAYANHAOTE)

    def test_it_registers_a_person_and_trip_with_birth_date_sex_and_pinyin(self):
        trip = returnee_register(actor=self.worker, data=trip_data(id_number=STANDARD_ID))
        person = trip.person
        assert person.id_number == STANDARD_ID
        assert person.birth_date == date(1949, 12, 31)
        assert person.sex == "F"
        assert person.name_pinyin == "zhangsan"
        assert person.name_initials == "zs"
        assert trip.division_code == VILLAGE
        assert trip.registered_via == RegisteredVia.STAFF
        assert trip.receipt.startswith("R") and len(trip.receipt) == 10
        assert AuditEntry.objects.filter(verb="returnee.register", target_id=str(trip.pk)).exists()

    def test_a_15_digit_legacy_number_is_converted_to_18_digits(self):
        trip = returnee_register(actor=self.worker, data=trip_data(id_number="110105491231002"))
        assert trip.person.id_number == STANDARD_ID
        assert trip.person.birth_date == date(1949, 12, 31)

    def test_it_rejects_a_wrong_check_digit(self):
        with self.assertRaises(ValidationError) as ctx:
            returnee_register(actor=self.worker, data=trip_data(id_number="110105194912310020"))
        assert "check digit" in str(ctx.exception.message_dict["id_number"])
        assert not Person.objects.exists()

    def test_it_rejects_an_impossible_birth_date(self):
        with self.assertRaises(ValidationError) as ctx:
            returnee_register(actor=self.worker, data=trip_data(id_number="110105194902300027"))
        assert "birth date" in str(ctx.exception.message_dict["id_number"])

    def test_it_rejects_a_bad_mobile_and_an_unknown_division(self):
        with self.assertRaises(ValidationError) as ctx:
            returnee_register(
                actor=self.worker, data=trip_data(mobile="12345", division_code="152921999999")
            )
        assert set(ctx.exception.message_dict) == {"mobile", "division_code"}

    def test_the_destination_must_be_a_community_not_a_town(self):
        with self.assertRaises(ValidationError) as ctx:
            returnee_register(actor=self.worker, data=trip_data(division_code=BAYANHAOTE))
        assert "division_code" in ctx.exception.message_dict

    def test_staff_cannot_register_outside_their_jurisdiction(self):
        with self.assertRaises(ValidationError):
            returnee_register(actor=self.worker, data=trip_data(division_code=RIGHT_VILLAGE))
        assert not ReturnTrip.objects.exists()

    def test_a_second_registration_of_the_same_trip_updates_it(self):
        first = returnee_register(actor=self.worker, data=trip_data())
        second = returnee_register(
            actor=self.worker, data=trip_data(transport_number="G88", key_group=KeyGroup.MIGRANT)
        )
        assert first.pk == second.pk
        assert ReturnTrip.objects.count() == 1
        second.refresh_from_db()
        assert second.transport_number == "G88"
        rolled = figures(
            ["1529"], [metrics.REGISTERED, metrics.by_group("migrant")], on=date(2020, 2, 5)
        )
        assert rolled[metrics.REGISTERED]["total"] == 1
        assert rolled[metrics.by_group("migrant")]["total"] == 1
        assert (
            figures(["1529"], [metrics.by_group("staff")], on=date(2020, 2, 5))[
                metrics.by_group("staff")
            ]["total"]
            == 0
        )

    def test_a_new_departure_date_is_a_new_trip_of_the_same_person(self):
        returnee_register(actor=self.worker, data=trip_data())
        returnee_register(
            actor=self.worker,
            data=trip_data(departure_date=date(2020, 1, 20), arrival_date=date(2020, 1, 21)),
        )
        assert Person.objects.count() == 1
        assert ReturnTrip.objects.count() == 2

    def test_an_origin_on_the_risk_area_list_flags_the_trip(self):
        risk_area_create(actor=self.league_commander, province="湖北省", city="武汉市")
        trip = returnee_register(
            actor=self.worker, data=trip_data(origin_province="湖北省", origin_city="武汉市")
        )
        assert trip.through_risk_area is True
        assert trip.risk_area is not None
        assert trip.needs_observation

    def test_rollups_match_a_recount(self):
        returnee_register(actor=self.worker, data=trip_data())
        returnee_register(actor=self.worker, data=trip_data(id_number=STANDARD_ID, name="李四"))
        before = figures(["1529"], [metrics.REGISTERED], on=date(2020, 2, 5))
        rebuild([metrics.REGISTERED])
        after = figures(["1529"], [metrics.REGISTERED], on=date(2020, 2, 5))
        assert before == after
        assert after[metrics.REGISTERED]["today"] == 2

    def test_self_registration_needs_no_actor_but_never_renames_a_known_person(self):
        returnee_register(actor=self.worker, data=trip_data())
        trip = returnee_register(
            actor=None,
            data=trip_data(name="王五", mobile="13900000000", departure_date=date(2020, 2, 1)),
            registered_via=RegisteredVia.SELF,
        )
        assert trip.person.id_number == ID_2
        trip.person.refresh_from_db()
        assert trip.person.name == "张三"
        assert trip.person.mobile == "13812345678"

    def test_self_registration_never_moves_a_known_person_to_another_community(self):
        returnee_register(actor=self.worker, data=trip_data())
        far = "152922103001"  # 阳光社区, another banner: its staff must not gain the record
        trip = returnee_register(
            actor=None,
            data=trip_data(departure_date=date(2020, 2, 1), division_code=far),
            registered_via=RegisteredVia.SELF,
        )
        assert trip.division_code == far  # the trip goes where the poster says
        trip.person.refresh_from_db()
        assert trip.person.division_code == VILLAGE
        # Staff registering the person there do move them.
        returnee_register(
            actor=make_user("far_staff", Role.STAFF, "152922"),
            data=trip_data(departure_date=date(2020, 2, 2), division_code=far),
        )
        trip.person.refresh_from_db()
        assert trip.person.division_code == far


@time_machine.travel("2020-02-05 10:00 +0800", tick=False)
class ReturneeMoveTests(BaseTestCase):
    def test_moving_an_expected_trip_to_another_community_moves_its_rollups(self):
        worker = make_user("worker", Role.GRASSROOTS, BAYANHAOTE)
        returnee_register(actor=worker, data=trip_data())
        returnee_register(actor=worker, data=trip_data(division_code="152921110201"))
        day = date(2020, 2, 5)
        assert figures([VILLAGE], [metrics.REGISTERED], on=day)[metrics.REGISTERED]["total"] == 0
        moved = figures(["152921110201"], [metrics.REGISTERED, metrics.by_group("staff")], on=day)
        assert moved[metrics.REGISTERED]["total"] == 1
        assert moved[metrics.by_group("staff")]["total"] == 1
