"""Correcting a checkpoint's details and changing a shift after it was made."""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from fangkong.accounts.roles import Role
from fangkong.checkpoints import services
from fangkong.checkpoints.models import Checkpoint, Kind, Shift
from fangkong.core.models import AuditEntry
from fangkong.test import BAYANHAOTE, RIGHT_TOWN, BaseTestCase, make_user

from .helpers import opened, requested

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2020, 2, 10, 8, 0, tzinfo=TZ)

DETAILS = {
    "name": "东口（新）",
    "location": "G110 k12",
    "latitude": "38.833000",
    "longitude": "105.667000",
    "department": "巴彦浩特镇政府",
    "planned_hours": "06:00-22:00",
}


@time_machine.travel(NOW, tick=False)
class CheckpointEditTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        with time_machine.travel(NOW, tick=False):
            cls.checkpoint = opened(cls.colleague, cls.officer)

    def url(self, checkpoint=None):
        return f"/checkpoints/{(checkpoint or self.checkpoint).pk}/edit/"

    def test_the_requester_corrects_the_details_and_the_change_is_audited(self):
        client = self.client_for(self.colleague)
        page = client.get(self.url())
        assert page.status_code == 200
        assert page.context["form"].initial["name"] == "东口"
        assert (
            'data-testid="checkpoint-edit"'
            in client.get(f"/checkpoints/{self.checkpoint.pk}/").content.decode()
        )
        response = client.post(self.url(), DETAILS)
        assert response.status_code == 302
        self.checkpoint.refresh_from_db()
        assert self.checkpoint.name == "东口（新）"
        assert self.checkpoint.latitude == Decimal("38.833000")
        assert self.checkpoint.planned_hours == "06:00-22:00"
        # The place, kind and approving HQ stay.
        assert (self.checkpoint.division_code, self.checkpoint.kind) == (
            "152921110",
            Kind.VILLAGE_ENTRANCE,
        )
        entry = AuditEntry.objects.get(verb="checkpoint.update")
        assert entry.extra["changes"]["name"] == {"before": "东口", "after": "东口（新）"}
        assert "department" not in entry.extra["changes"]

    def test_saving_unchanged_details_writes_no_audit_entry(self):
        current = {
            "name": "东口",
            "location": "",
            "latitude": "",
            "longitude": "",
            "department": "巴彦浩特镇政府",
            "planned_hours": "24h",
        }
        assert self.client_for(self.colleague).post(self.url(), current).status_code == 302
        assert not AuditEntry.objects.filter(verb="checkpoint.update").exists()

    def test_bad_details_are_refused_with_the_field_named_and_nothing_changes(self):
        client = self.client_for(self.colleague)
        response = client.post(self.url(), {**DETAILS, "longitude": ""})
        assert response.status_code == 400
        assert "longitude" in response.context["form"].errors
        no_name = client.post(self.url(), {**DETAILS, "name": " "})
        assert no_name.status_code == 400
        assert "name" in no_name.context["form"].errors
        self.checkpoint.refresh_from_db()
        assert self.checkpoint.name == "东口"
        bad_lat = client.post(self.url(), {**DETAILS, "latitude": "91"})
        assert bad_lat.status_code == 400
        assert "latitude" in bad_lat.context["form"].errors

    def test_the_outsider_and_a_viewer_without_the_right_get_404(self):
        outsider = self.client_for(self.outsider)
        assert outsider.get(self.url()).status_code == 404
        assert outsider.post(self.url(), DETAILS).status_code == 404
        inspector = make_user("insp", Role.INSPECTOR, BAYANHAOTE)
        assert self.client_for(inspector).post(self.url(), DETAILS).status_code == 404
        with pytest.raises(PermissionDenied):
            services.checkpoint_update(
                actor=self.outsider, checkpoint=self.checkpoint, name="x", department="y"
            )
        self.checkpoint.refresh_from_db()
        assert self.checkpoint.name == "东口"

    def test_a_closed_checkpoint_is_not_edited(self):
        checkpoint = requested(self.colleague, name="西口")
        services.checkpoint_reject(actor=self.officer, checkpoint=checkpoint, reason="no")
        assert self.client_for(self.officer).get(self.url(checkpoint)).status_code == 404
        with pytest.raises(ValidationError):
            services.checkpoint_update(
                actor=self.officer,
                checkpoint=checkpoint,
                name="x",
                department="y",
            )
        assert Checkpoint.objects.get(pk=checkpoint.pk).name == "西口"


@time_machine.travel(NOW, tick=False)
class ShiftEditTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.a = make_user("insp_a", Role.INSPECTOR, BAYANHAOTE, display_name="阿")
        cls.b = make_user("insp_b", Role.INSPECTOR, BAYANHAOTE, display_name="巴")
        cls.stranger = make_user("insp_r", Role.INSPECTOR, RIGHT_TOWN)
        with time_machine.travel(NOW, tick=False):
            cls.checkpoint = opened(cls.colleague, cls.officer)
        cls.shift = services.shift_create(
            actor=cls.colleague,
            checkpoint=cls.checkpoint,
            starts_at=NOW,
            ends_at=NOW + timedelta(hours=12),
            leader=cls.a,
            members=[cls.b],
        )

    def url(self):
        return f"/checkpoints/shifts/{self.shift.pk}/edit/"

    def test_the_roster_keeper_moves_a_shift_and_changes_its_people(self):
        client = self.client_for(self.colleague)
        week = client.get(f"/checkpoints/{self.checkpoint.pk}/roster/?start=2020-02-10")
        assert 'data-testid="shift-edit"' in week.content.decode()
        page = client.get(self.url())
        assert page.status_code == 200
        assert page.context["form"].initial["leader"] == self.a.pk
        response = client.post(
            self.url(),
            {
                "starts_at": "2020-02-10T20:00",
                "ends_at": "2020-02-11T08:00",
                "leader": self.b.pk,
                "members": [self.a.pk, self.b.pk],
            },
        )
        assert response.status_code == 302
        assert response["Location"].endswith("?start=2020-02-10")
        shift = Shift.objects.get()
        assert shift.starts_at == NOW + timedelta(hours=12)
        assert shift.leader == self.b
        assert list(shift.members.all()) == [self.a]  # the leader is not also a member
        entry = AuditEntry.objects.get(verb="checkpoint.shift_update")
        assert entry.extra["before"]["people"] == ["insp_a", "insp_b"]
        assert entry.extra["after"]["people"] == ["insp_b", "insp_a"]

    def test_a_bad_change_names_the_field_and_changes_nothing(self):
        client = self.client_for(self.colleague)
        response = client.post(
            self.url(),
            {
                "starts_at": "2020-02-10T20:00",
                "ends_at": "2020-02-10T19:00",
                "leader": self.a.pk,
            },
        )
        assert response.status_code == 400
        assert "ends_at" in response.context["form"].errors
        with pytest.raises(ValidationError) as exc:
            services.shift_update(
                actor=self.colleague,
                shift=self.shift,
                starts_at=NOW,
                ends_at=NOW + timedelta(hours=8),
                leader=self.a,
                members=[self.stranger],
            )
        assert "insp_r" in str(exc.value)
        shift = Shift.objects.get()
        assert (shift.starts_at, shift.leader) == (NOW, self.a)
        assert list(shift.members.all()) == [self.b]
        assert not AuditEntry.objects.filter(verb="checkpoint.shift_update").exists()

    def test_the_outsider_and_a_shift_member_cannot_change_it(self):
        data = {"starts_at": "2020-02-10T09:00", "ends_at": "2020-02-10T10:00", "leader": self.a.pk}
        assert self.client_for(self.outsider).get(self.url()).status_code == 404
        assert self.client_for(self.outsider).post(self.url(), data).status_code == 404
        assert self.client_for(self.b).post(self.url(), data).status_code == 404
        with pytest.raises(PermissionDenied):
            services.shift_update(
                actor=self.a,
                shift=self.shift,
                starts_at=NOW,
                ends_at=NOW + timedelta(hours=1),
                leader=self.a,
            )
        assert Shift.objects.get().ends_at == NOW + timedelta(hours=12)
