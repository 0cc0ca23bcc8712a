from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import time_machine
from django.core.exceptions import ValidationError

from fangkong.accounts.roles import Role
from fangkong.core.models import EmergencyPeriod, ResponseLevel
from fangkong.core.rollups import figures
from fangkong.returnees import metrics, selectors
from fangkong.returnees.models import (
    KeyGroup,
    Observation,
    ObservationKind,
    ObservationStatus,
    TripStatus,
    UnitKind,
)
from fangkong.returnees.services import (
    check_record,
    observation_end,
    observation_resume,
    observation_start,
    returnee_register,
    trip_confirm_arrival,
    trip_confirm_back_at_work,
    work_unit_create,
)
from fangkong.returnees.tests.helpers import ID_3, STANDARD_ID, trip_data
from fangkong.test import BAYANHAOTE, RIGHT_TOWN, BaseTestCase, make_user

TZ = ZoneInfo("Asia/Shanghai")


class ObservationTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.worker = make_user("worker", Role.GRASSROOTS, BAYANHAOTE)
        cls.far_worker = make_user("far_worker", Role.GRASSROOTS, RIGHT_TOWN)
        EmergencyPeriod.objects.create(
            name="2020",
            level=ResponseLevel.LEVEL_I,
            starts_at=datetime(2020, 1, 25, tzinfo=TZ),
            observation_days=14,
        )

    def setUp(self) -> None:
        self.traveller = time_machine.travel(datetime(2020, 2, 5, 10, tzinfo=TZ), tick=False)
        self.traveller.start()
        self.addCleanup(self.traveller.stop)

    def _inbound(self, id_number: str = STANDARD_ID):
        return returnee_register(
            actor=self.worker,
            data=trip_data(id_number=id_number, key_group=KeyGroup.INBOUND, origin_country="韩国"),
        )

    def test_confirming_an_inbound_arrival_starts_observation_for_the_periods_days(self):
        trip = trip_confirm_arrival(actor=self.worker, trip=self._inbound())
        assert trip.status == TripStatus.ARRIVED
        obs = trip.observation
        assert obs.status == ObservationStatus.ACTIVE
        assert obs.start_date == date(2020, 2, 5)
        assert obs.planned_end == date(2020, 2, 19)
        assert obs.responsible == self.worker

    def test_a_domestic_trip_not_through_a_risk_area_is_not_observed(self):
        trip = returnee_register(actor=self.worker, data=trip_data())
        trip = trip_confirm_arrival(actor=self.worker, trip=trip)
        assert not Observation.objects.filter(trip=trip).exists()

    def test_an_arrival_is_confirmed_only_once(self):
        trip = trip_confirm_arrival(actor=self.worker, trip=self._inbound())
        with self.assertRaises(ValidationError):
            trip_confirm_arrival(actor=self.worker, trip=trip)

    def test_a_worker_of_another_banner_cannot_confirm(self):
        trip = self._inbound()
        with self.assertRaises(ValidationError):
            trip_confirm_arrival(actor=self.far_worker, trip=trip)
        trip.refresh_from_db()
        assert trip.status == TripStatus.EXPECTED

    def test_a_second_check_the_same_day_is_kept_beside_the_first(self):
        obs = observation_start(actor=self.worker, trip=self._inbound(), kind=ObservationKind.HOME)
        first = check_record(
            actor=self.worker, observation=obs, temperature="36.6", contact="phone"
        )
        again = check_record(
            actor=self.worker, observation=obs, temperature="37.5", symptoms=["cough"]
        )
        assert obs.checks.count() == 2
        first.refresh_from_db()
        assert (str(first.temperature), first.contact, first.symptom_list) == ("36.6", "phone", [])
        assert again.is_fever and again.symptom_list == ["cough"]
        assert (
            figures(["1529"], [metrics.CHECKS_DONE], on=date(2020, 2, 5))[metrics.CHECKS_DONE][
                "today"
            ]
            == 1
        )

    def test_an_impossible_temperature_is_refused(self):
        obs = observation_start(actor=self.worker, trip=self._inbound())
        with self.assertRaises(ValidationError) as ctx:
            check_record(actor=self.worker, observation=obs, temperature="47")
        assert "temperature" in ctx.exception.message_dict

    def test_the_overdue_list_holds_unchecked_observations_after_six_pm(self):
        checked = observation_start(actor=self.worker, trip=self._inbound())
        unchecked = observation_start(actor=self.worker, trip=self._inbound(ID_3))
        check_record(actor=self.worker, observation=checked, temperature="36.5")
        assert list(selectors.overdue_list(actor=self.worker)) == []
        with time_machine.travel(datetime(2020, 2, 5, 18, 1, tzinfo=TZ), tick=False):
            assert [o.pk for o in selectors.overdue_list(actor=self.worker)] == [unchecked.pk]
            assert list(selectors.overdue_list(actor=self.far_worker)) == []

    def test_release_before_the_planned_end_is_refused(self):
        obs = observation_start(actor=self.worker, trip=self._inbound())
        with self.assertRaises(ValidationError):
            observation_end(actor=self.worker, observation=obs, status=ObservationStatus.RELEASED)

    def test_the_transitions_follow_their_allowed_sources(self):
        obs = observation_start(actor=self.worker, trip=self._inbound())
        observation_end(actor=self.worker, observation=obs, status=ObservationStatus.LOST)
        with self.assertRaises(ValidationError):
            check_record(actor=self.worker, observation=obs, temperature="36.5")
        observation_resume(actor=self.worker, observation=obs)
        observation_end(actor=self.worker, observation=obs, status=ObservationStatus.HOSPITAL)
        assert obs.status == ObservationStatus.HOSPITAL
        for status in (ObservationStatus.LOST, ObservationStatus.TRANSFERRED):
            with self.assertRaises(ValidationError):
                observation_end(actor=self.worker, observation=obs, status=status)
        with self.assertRaises(ValidationError):
            observation_resume(actor=self.worker, observation=obs)
        level = figures(["1529"], [metrics.UNDER_OBSERVATION], on=date(2020, 2, 5))
        assert level[metrics.UNDER_OBSERVATION]["total"] == 0

    def test_a_work_unit_admin_confirms_their_own_staff_back_at_work_once(self):
        admin = make_user("unit_boss", Role.UNIT_ADMIN, "152921")
        other_admin = make_user("other_boss", Role.UNIT_ADMIN, "152921")
        unit = work_unit_create(
            actor=self.colleague,
            name="阿左旗人民医院",
            kind=UnitKind.INSTITUTION,
            division_code="152921",
            uscc="91110000600037341L",
            admins=[admin],
        )
        trip = returnee_register(actor=self.worker, data=trip_data(), work_unit=unit)
        assert list(selectors.unit_trip_list(actor=admin)) == [trip]
        assert list(selectors.unit_trip_list(actor=other_admin)) == []
        with self.assertRaises(ValidationError):
            trip_confirm_back_at_work(actor=other_admin, trip=trip)
        trip_confirm_back_at_work(actor=admin, trip=trip)
        assert trip.back_at_work_at is not None
        with self.assertRaises(ValidationError):
            trip_confirm_back_at_work(actor=admin, trip=trip)

    def test_a_work_unit_needs_a_valid_credit_code(self):
        with self.assertRaises(ValidationError) as ctx:
            work_unit_create(
                actor=self.colleague,
                name="某公司",
                kind=UnitKind.ENTERPRISE,
                division_code="152921",
                uscc="91110000600037341X",
            )
        assert "uscc" in ctx.exception.message_dict
