"""Every page of returnees, asked by people of another banner: not found, or nothing of ours.

The list of requests names every URL of the app, so a new page without an outsider check
fails ``test_every_page_of_the_app_is_asked``. (The JSON API has its own in ``test_api``.)
"""

from __future__ import annotations

import io
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import time_machine
from python_calamine import CalamineWorkbook

from fangkong.accounts.roles import Role
from fangkong.core.models import AuditEntry
from fangkong.returnees import urls
from fangkong.returnees.models import (
    CensusJob,
    Convoy,
    KeyGroup,
    Observation,
    ObservationStatus,
    Person,
    ReturnTrip,
    RiskArea,
    TripStatus,
    UnitKind,
    WorkUnit,
)
from fangkong.returnees.services import (
    convoy_add_passengers,
    convoy_create,
    observation_start,
    returnee_register,
    risk_area_create,
    work_unit_create,
)
from fangkong.returnees.tests.helpers import ID_2, STANDARD_ID, VILLAGE, trip_data
from fangkong.returnees.tests.test_census_import import GOOD, workbook
from fangkong.test import BAYANHAOTE, RIGHT_BANNER, RIGHT_TOWN, BaseTestCase, make_user

TZ = ZoneInfo("Asia/Shanghai")
#: What no outsider may see: the returnee, the unit, the convoy's plate, our community.
SECRETS = ("张三", "李四", "阿左旗人民医院", "蒙M12345", "南田村", STANDARD_ID, "13812345678")
#: By design: the public page a poster opens names its community; the template's example row
#: is the standard's example person.
PUBLIC = {
    "self-register": {"南田村"},
    "census-template": {"张三", STANDARD_ID, "13812345678"},
    # The report names each refused row's person as the uploader's own file spells it.
    "census-import": {"张三", "李四"},
    "census-report": {"张三", "李四"},
}


def _text(response: Any) -> str:
    content = getattr(response, "content", b"")
    if content.startswith(b"PK"):
        book = CalamineWorkbook.from_filelike(io.BytesIO(content))
        return " ".join(
            str(cell)
            for name in book.sheet_names
            for row in book.get_sheet_by_name(name).to_python()
            for cell in row
        )
    return content.decode("utf-8", "replace")


# The release confirm step with a clearance (the observation has days without a check).
def cleared(observation_id: int) -> dict[str, object]:
    return {
        "ids": [observation_id],
        "step": "confirm",
        "cleared_ids": [observation_id],
        "clearance_by": "王医生",
        "clearance_reason": "复查正常",
    }


@time_machine.travel(datetime(2020, 2, 19, 19, tzinfo=TZ), tick=False)  # after 18:00
class OutsiderTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.worker = make_user("worker", Role.GRASSROOTS, BAYANHAOTE)
        cls.unit_boss = make_user("unit_boss", Role.UNIT_ADMIN, "152921")
        cls.far_worker = make_user("far_worker", Role.GRASSROOTS, RIGHT_TOWN)
        cls.far_staff = make_user("far_staff", Role.STAFF, RIGHT_BANNER)
        cls.far_boss = make_user("far_boss", Role.UNIT_ADMIN, RIGHT_BANNER)

    def setUp(self) -> None:
        self.unit = work_unit_create(
            actor=self.colleague,
            name="阿左旗人民医院",
            kind=UnitKind.INSTITUTION,
            division_code="152921",
            admins=[self.unit_boss],
        )
        self.trip = returnee_register(
            actor=self.worker,
            data=trip_data(
                id_number=STANDARD_ID,
                key_group=KeyGroup.INBOUND,
                origin_country="韩国",
                departure_date=date(2020, 2, 1),
                arrival_date=None,
                work_unit_name="阿左旗人民医院",
            ),
        )
        arrived = returnee_register(
            actor=self.worker, data=trip_data(id_number=ID_2, name="李四", mobile="")
        )
        self.obs = observation_start(
            actor=self.worker, trip=arrived, start_date=date(2020, 2, 1)
        )  # due for release on 2020-02-15, unchecked today
        self.convoy = convoy_create(
            actor=self.colleague,
            kind="coach",
            vehicle="蒙M12345",
            driver_name="赵师傅",
            driver_mobile="13800000000",
            route="呼和浩特 → 巴彦浩特",
            departure_at=datetime(2020, 2, 20, 8, tzinfo=TZ),
            key_group=KeyGroup.MIGRANT,
            division_code="152921",
        )
        convoy_add_passengers(
            actor=self.colleague,
            convoy=self.convoy,
            lines=f"1, 王五, 152922198505050029, , {VILLAGE}",
        )
        self.job = CensusJob.objects.create(
            actor=self.worker, filename="c.xlsx", division_code=BAYANHAOTE, status="done"
        )
        self.area = risk_area_create(actor=self.officer, province="湖北省")
        self.passenger = self.convoy.passengers.get()

    def requests(self) -> dict[str, list[tuple[str, str, dict[str, Any]]]]:
        t, o, c, j = self.trip.pk, self.obs.pk, self.convoy.pk, self.job.pk
        p = self.trip.person_id
        census = io.BytesIO(workbook(GOOD))
        census.name = "c.xlsx"
        trip_form = {
            "id_number": "152921199001010013",
            "name": "赵六",
            "mobile": "13912345678",
            "key_group": "staff",
            "transport": "train",
            "departure_date": "2020-02-10",
            "division_code": VILLAGE,
            "notes": "x",
        }
        return {
            "trip-list": [("get", "/returnees/", {}), ("get", "/returnees/", {"format": "xlsx"})],
            "trip-create": [("post", "/returnees/new/", trip_form)],
            "trip-queue": [("get", "/returnees/queue/", {})],
            "unit-list": [("get", "/returnees/unit/", {})],
            "trip-detail": [("get", f"/returnees/trips/{t}/", {})],
            "trip-edit": [
                ("get", f"/returnees/trips/{t}/edit/", {}),
                ("post", f"/returnees/trips/{t}/edit/", trip_form),
            ],
            "trip-arrive": [
                ("post", f"/returnees/trips/{t}/arrive/", {"observe": "no", "kind": "home"})
            ],
            "trip-back-at-work": [("post", f"/returnees/trips/{t}/back-at-work/", {})],
            "person-detail": [("get", f"/returnees/people/{p}/", {})],
            "person-merge": [
                ("get", f"/returnees/people/{p}/merge/{self.obs.person_id}/", {}),
                ("post", f"/returnees/people/{p}/merge/{self.obs.person_id}/", {}),
            ],
            "observation-list": [
                ("get", "/returnees/observations/", {"view": view})
                for view in ("active", "overdue", "due")
            ],
            "observation-detail": [
                ("get", f"/returnees/observations/{o}/", {}),
                (
                    "post",
                    f"/returnees/observations/{o}/",
                    {"action": "check", "check-temperature": "36.5", "check-contact": "phone"},
                ),
                (
                    "post",
                    f"/returnees/observations/{o}/",
                    {"action": "end", "end-status": "released"},
                ),
                (
                    "post",
                    f"/returnees/observations/{o}/",
                    {"action": "reassign", "reassign-responsible": self.far_worker.pk},
                ),
            ],
            "observation-release-bulk": [
                ("post", "/returnees/observations/release/", {"ids": [o]}),
                ("post", "/returnees/observations/release/", cleared(o)),
            ],
            "census-import": [
                ("get", "/returnees/import/", {}),
                ("post", "/returnees/import/", {"file": census}),
            ],
            "census-template": [("get", "/returnees/import/template.xlsx", {})],
            "census-report": [("get", "/returnees/import/report.xlsx", {})],
            "census-job": [("get", f"/returnees/import/jobs/{j}/", {})],
            "census-job-report": [("get", f"/returnees/import/jobs/{j}/report.xlsx", {})],
            "self-register": [("get", f"/returnees/r/{VILLAGE}/", {})],
            "poster-list": [("get", "/returnees/posters/", {})],
            "poster": [
                ("get", f"/returnees/posters/{VILLAGE}.png", {}),
                ("get", f"/returnees/posters/{VILLAGE}.pdf", {}),
            ],
            "risk-area-list": [("post", "/returnees/risk-areas/", {"deactivate": self.area.pk})],
            "work-unit-list": [
                ("get", "/returnees/units/", {}),
                (
                    "post",
                    "/returnees/units/",
                    {"name": "新单位", "kind": "enterprise", "division_code": "152921"},
                ),
            ],
            "work-unit-detail": [
                ("get", f"/returnees/units/{self.unit.pk}/", {}),
                ("post", f"/returnees/units/{self.unit.pk}/", {"admins": [self.far_boss.pk]}),
            ],
            "convoy-list": [
                ("get", "/returnees/transport/", {}),
                (
                    "post",
                    "/returnees/transport/",
                    {
                        "kind": "coach",
                        "vehicle": "蒙M54321",
                        "driver_name": "x",
                        "driver_mobile": "13800000000",
                        "route": "x",
                        "departure_at": "2020-02-20T08:00",
                        "key_group": "migrant",
                        "seats_per_row": 4,
                        "division_code": "152921",
                    },
                ),
            ],
            "convoy-detail": [
                ("get", f"/returnees/transport/{c}/", {}),
                ("post", f"/returnees/transport/{c}/", {"action": "confirm"}),
                (
                    "post",
                    f"/returnees/transport/{c}/",
                    {
                        "action": "check",
                        "check-passenger": self.passenger.pk,
                        "check-stage": "boarding",
                        "check-temperature": "38.5",
                    },
                ),
            ],
        }

    def state(self) -> list[Any]:
        return [
            list(ReturnTrip.objects.values_list("pk", "status", "notes", "updated_at")),
            list(Person.objects.values_list("pk", "name")),
            list(Observation.objects.values_list("pk", "status", "responsible_id", "updated_at")),
            self.obs.checks.count(),
            list(Convoy.objects.values_list("pk", "status")),
            list(self.convoy.passengers.values_list("flagged", flat=True)),
            list(WorkUnit.objects.values_list("pk", "admins")),
            list(RiskArea.objects.values_list("pk", "active")),
        ]

    def test_every_page_of_the_app_is_asked(self):
        names = {pattern.name for pattern in urls.urlpatterns}
        assert set(self.requests()) == names

    def test_people_of_another_banner_get_not_found_or_nothing_of_ours(self):
        for user in (self.outsider, self.far_worker, self.far_staff, self.far_boss):
            client = self.client_for(user)
            before = self.state()
            for name, calls in self.requests().items():
                for method, url, data in calls:
                    response = getattr(client, method)(url, data)
                    where = f"{user.username} {method} {url} ({name})"
                    assert response.status_code in (200, 302, 404), where
                    if response.status_code != 404:
                        text = _text(response)
                        public = PUBLIC.get(name, set())
                        leaked = [s for s in SECRETS if s in text and s not in public]
                        assert not leaked, f"{where} shows {leaked}"
            assert self.state() == before, user.username
        assert self.trip.status == TripStatus.EXPECTED
        assert Observation.objects.get(pk=self.obs.pk).status == ObservationStatus.ACTIVE
        verbs = set(
            AuditEntry.objects.filter(
                actor__in=[self.outsider, self.far_worker, self.far_staff, self.far_boss]
            ).values_list("verb", flat=True)
        )
        assert verbs <= {"returnee.export"}, verbs

    def test_the_same_requests_reach_our_data_for_our_own_people(self):
        """The control: the requests above are right, since our worker gets our data."""
        client = self.client_for(self.worker)
        for url in (
            "/returnees/",
            "/returnees/queue/",
            f"/returnees/trips/{self.trip.pk}/",
            f"/returnees/trips/{self.trip.pk}/edit/",
            f"/returnees/people/{self.trip.person_id}/",
            "/returnees/observations/?view=overdue",
            "/returnees/observations/?view=due",
            f"/returnees/observations/{self.obs.pk}/",
            "/returnees/posters/",
        ):
            response = client.get(url)
            assert response.status_code == 200, url
            assert any(s in _text(response) for s in SECRETS), url
        assert "张三" in _text(client.get("/returnees/", {"format": "xlsx"}))
        assert "张三" in _text(self.client_for(self.unit_boss).get("/returnees/unit/"))
        colleague = self.client_for(self.colleague)
        assert "阿左旗人民医院" in _text(colleague.get("/returnees/units/"))
        assert "蒙M12345" in _text(colleague.get("/returnees/transport/"))
        assert "王五" in _text(colleague.get(f"/returnees/transport/{self.convoy.pk}/"))
        assert client.get(f"/returnees/posters/{VILLAGE}.png").status_code == 200
        assert client.get(f"/returnees/import/jobs/{self.job.pk}/").status_code == 200
        response = client.post("/returnees/observations/release/", {"ids": [self.obs.pk]})
        assert response.status_code == 200  # the confirm step, naming the person
        assert "李四" in _text(response)
        assert Observation.objects.get(pk=self.obs.pk).status == ObservationStatus.ACTIVE
        response = client.post("/returnees/observations/release/", cleared(self.obs.pk))
        assert response.status_code == 302
        assert Observation.objects.get(pk=self.obs.pk).status == ObservationStatus.RELEASED
