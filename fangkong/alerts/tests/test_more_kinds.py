"""The other event kinds: each raised once, to the right people, in their language, and to
nobody else."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone, translation

from fangkong.accounts.roles import Role
from fangkong.alerts import kinds
from fangkong.alerts.models import Event, Preference
from fangkong.alerts.scheduled import SWEEPS
from fangkong.assistance.models import HelpStatus, Urgency
from fangkong.assistance.services.help_requests import (
    help_request_answer,
    help_request_create,
    help_requests_escalate,
)
from fangkong.checkpoints.tests.helpers import requested
from fangkong.core.models import EmergencyPeriod, ResponseLevel
from fangkong.directives import services as directive_services
from fangkong.directives.models import AssignmentStatus
from fangkong.directives.tests.helpers import assign_all, notice_for
from fangkong.returnees.models import KeyGroup, RegisteredVia
from fangkong.returnees.services import (
    check_record,
    observation_start,
    returnee_register,
)
from fangkong.returnees.tests.helpers import ID_2, ID_3, STANDARD_ID, trip_data
from fangkong.test import (
    BAYANHAOTE,
    LEFT_BANNER,
    RIGHT_TOWN,
    BaseTestCase,
    division,
    make_user,
)

TZ = ZoneInfo("Asia/Shanghai")
VILLAGE = "152921110200"
OTHER_VILLAGE = "152921110201"


def recipients(kind: str) -> set[str]:
    event = Event.objects.get(kind=kind)
    return set(event.alerts.values_list("recipient__username", flat=True))


class KindTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.gacha = make_user("gacha_worker", Role.GRASSROOTS, VILLAGE)
        cls.neighbour = make_user("neighbour", Role.GRASSROOTS, OTHER_VILLAGE)
        cls.sumu = make_user("sumu_officer", Role.GRASSROOTS, BAYANHAOTE)
        cls.far_sumu = make_user("far_sumu", Role.GRASSROOTS, RIGHT_TOWN)
        cls.caseworker = make_user("banner_caseworker", Role.CASEWORKER, LEFT_BANNER)
        Preference.objects.create(user=cls.gacha, language="en")
        EmergencyPeriod.objects.create(
            name="2020",
            level=ResponseLevel.LEVEL_I,
            starts_at=datetime(2020, 1, 25, tzinfo=TZ),
            observation_days=14,
        )

    def setUp(self) -> None:
        traveller = time_machine.travel(datetime(2020, 2, 5, 10, tzinfo=TZ), tick=False)
        traveller.start()
        self.addCleanup(traveller.stop)

    # --- returnees ---------------------------------------------------------------------------

    def test_a_self_registration_alerts_the_workers_of_its_community_once(self):
        data = trip_data(name="王五", division_code=VILLAGE, arrival_date=date(2020, 2, 6))
        trip = returnee_register(actor=None, data=data, registered_via=RegisteredVia.SELF)
        assert recipients(kinds.SELF_REGISTERED) == {"gacha_worker"}
        event = Event.objects.get()
        assert event.url == f"/returnees/trips/{trip.pk}/"
        with translation.override("en"):
            assert event.text() == (
                "王五 registered a return to 南田 on the public page (arriving 2020-02-06)."
            )
        with translation.override("zh-hans"):
            assert event.title() == "社区有新的返乡自主登记"
        # The same person submitting again updates the trip: nothing new.
        returnee_register(actor=None, data=data, registered_via=RegisteredVia.SELF)
        # Staff registering a trip is no self-registration.
        returnee_register(actor=self.gacha, data=trip_data(id_number=ID_3, division_code=VILLAGE))
        assert Event.objects.count() == 1

    def test_checks_overdue_at_18_alert_the_responsible_worker_and_the_sumu_office(self):
        observations = []
        for id_number in (STANDARD_ID, ID_2):
            trip = returnee_register(
                actor=self.gacha,
                data=trip_data(
                    id_number=id_number,
                    name=f"人{id_number[-2:]}",
                    division_code=VILLAGE,
                    key_group=KeyGroup.INBOUND,
                    origin_country="韩国",
                ),
            )
            observations.append(observation_start(actor=self.gacha, trip=trip))
        check_record(actor=self.gacha, observation=observations[0], temperature="36.5")
        sweep = SWEEPS["returnees.checks_overdue"]
        at_six = datetime(2020, 2, 5, 18, 0, tzinfo=TZ)
        assert sweep.next_run(datetime(2020, 2, 5, 10, tzinfo=TZ)) == at_six
        assert sweep.next_run(at_six) == at_six + timedelta(days=1)
        assert sweep.run(at_six) == 1
        assert sweep.run(at_six) == 0  # once a day
        event = Event.objects.get(kind=kinds.CHECK_OVERDUE)
        assert event.key == f"overdue:{observations[1].pk}:2020-02-05"
        assert recipients(kinds.CHECK_OVERDUE) == {"gacha_worker", "sumu_officer"}
        with translation.override("en"):
            assert "has no daily check on 02-05 by 18:00" in event.text()
        # The next day both are overdue again, and each gets its own event.
        assert sweep.run(at_six + timedelta(days=1)) == 2

    def test_the_sweep_command_runs_or_schedules_the_sweeps(self):
        call_command("alerts_sweep", "--name", "returnees.checks_overdue")
        from django_tasks_db.models import DBTaskResult

        call_command("alerts_sweep", "--schedule")
        call_command("alerts_sweep", "--schedule")  # already queued: not queued twice
        queued = DBTaskResult.objects.filter(task_path="fangkong.alerts.tasks.run_sweep")
        names = sorted(r.args_kwargs["args"][0] for r in queued)
        assert names == sorted(SWEEPS)

    # --- checkpoints -------------------------------------------------------------------------

    def test_a_checkpoint_request_alerts_the_commanders_of_the_approving_hq(self):
        checkpoint = requested(self.colleague)
        assert recipients(kinds.CHECKPOINT_REQUEST_WAITING) == {"officer"}
        event = Event.objects.get()
        assert event.url == f"/checkpoints/{checkpoint.pk}/"
        with translation.override("en"):
            place = division(BAYANHAOTE).short_name
            assert event.text() == f"东口 in {place} waits for your approval (asked by colleague)."

    # --- directives --------------------------------------------------------------------------

    def test_a_report_sent_back_alerts_its_author_and_the_reporting_hq(self):
        banner_staff = make_user("banner_staff", Role.STAFF, LEFT_BANNER)
        notice = notice_for(self.league_commander, "1529")
        assignment = assign_all(self.league_commander, notice, [LEFT_BANNER], date(2020, 2, 20))[0]
        report = directive_services.implementation_report_submit(
            actor=banner_staff, assignment=assignment, text="已设卡口", status="in_progress"
        )
        with transaction.atomic():
            directive_services.implementation_report_return(
                actor=self.league_commander, report=report, comment="请补充照片"
            )
        assert recipients(kinds.REPORT_RETURNED) == {"banner_staff", "officer", "colleague"}
        event = Event.objects.get(kind=kinds.REPORT_RETURNED)
        assert event.url == f"/directives/tasks/{assignment.pk}/"
        with translation.override("en"):
            assert event.text().endswith("was sent back: 请补充照片")

    def test_a_measure_due_tomorrow_alerts_the_hq_it_is_assigned_to(self):
        notice = notice_for(self.league_commander, "1529")
        assignments = assign_all(
            self.league_commander, notice, [LEFT_BANNER, "152922"], date(2020, 2, 6)
        )
        for assignment in assignments:
            if assignment.division_code == "152922":
                assignment.status = AssignmentStatus.DONE
                assignment.save(update_fields=["status"])
        later = assign_all(self.league_commander, notice, ["152923"], date(2020, 2, 9))
        assert later
        sweep = SWEEPS["directives.measures_due_tomorrow"]
        raised = sweep.run(timezone.now())
        events = Event.objects.filter(kind=kinds.MEASURE_DUE_TOMORROW)
        left = [a for a in assignments if a.division_code == LEFT_BANNER]
        assert raised == events.count() == len(left) >= 1
        assert {e.division_code for e in events} == {LEFT_BANNER}
        everyone = set(events.values_list("alerts__recipient__username", flat=True))
        assert everyone == {"officer", "colleague"}
        assert sweep.run(timezone.now()) == 0

    # --- assistance --------------------------------------------------------------------------

    def _help(self, code: str = VILLAGE):
        return help_request_create(
            actor=None,
            division=division(code),
            name="其其格",
            phone="13912345678",
            category="medicine",
            urgency=Urgency.URGENT,
            description="降压药吃完了",
            channel="qr",
        )

    def test_a_help_request_due_soon_then_overdue_alerts_the_office_it_rests_with(self):
        request = self._help()
        sweep = SWEEPS["assistance.help_due_soon"]
        assert sweep.run(timezone.now()) == 0  # hours to go
        with time_machine.travel(request.deadline_at - timedelta(minutes=30), tick=False):
            assert sweep.run(timezone.now()) == 1
            assert sweep.run(timezone.now()) == 0
        assert recipients(kinds.HELP_REQUEST_DUE_SOON) == {"gacha_worker"}
        with time_machine.travel(request.deadline_at + timedelta(minutes=1), tick=False):
            assert help_requests_escalate() == 1
        assert recipients(kinds.HELP_REQUEST_OVERDUE) == {"sumu_officer"}
        event = Event.objects.get(kind=kinds.HELP_REQUEST_OVERDUE)
        assert event.severity == "urgent"
        request.refresh_from_db()
        with time_machine.travel(request.deadline_at + timedelta(minutes=1), tick=False):
            assert help_requests_escalate() == 1  # sumu → banner: the banner's office hears
        banner = Event.objects.filter(kind=kinds.HELP_REQUEST_OVERDUE).order_by("-id").first()
        assert set(banner.alerts.values_list("recipient__username", flat=True)) == {
            "officer",
            "colleague",
            "banner_caseworker",
        }

    def test_an_answered_request_raises_nothing(self):
        request = self._help()
        help_request_answer(actor=self.gacha, request=request, note="已送药")
        request.refresh_from_db()
        assert request.status != HelpStatus.OPEN
        with time_machine.travel(request.deadline_at - timedelta(minutes=30), tick=False):
            assert SWEEPS["assistance.help_due_soon"].run(timezone.now()) == 0
        assert not Event.objects.filter(kind__startswith="help_request").exists()
