"""One person on two overlapping shifts (at any checkpoint) is refused, unless the roster's
keeper confirms it with a reason, which is audited."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from fangkong.accounts.roles import Role
from fangkong.checkpoints import services
from fangkong.checkpoints.models import Shift
from fangkong.core.models import AuditEntry
from fangkong.test import BAYANHAOTE, BaseTestCase, make_user

from .helpers import opened

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2020, 2, 10, 8, 0, tzinfo=TZ)


class RosterCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.a = make_user("insp_a", Role.INSPECTOR, BAYANHAOTE, display_name="阿拉坦")
        cls.b = make_user("insp_b", Role.INSPECTOR, BAYANHAOTE, display_name="巴特尔")
        cls.c = make_user("insp_c", Role.INSPECTOR, BAYANHAOTE, display_name="查干")
        with time_machine.travel(NOW, tick=False):
            cls.east = opened(cls.colleague, cls.officer, name="东口")
            cls.west = opened(cls.colleague, cls.officer, name="西口")
        cls.day = services.shift_create(
            actor=cls.colleague,
            checkpoint=cls.east,
            starts_at=NOW,
            ends_at=NOW + timedelta(hours=12),
            leader=cls.a,
            members=[cls.b],
        )

    def create(self, checkpoint, start, hours, leader, *members, reason=""):
        return services.shift_create(
            actor=self.colleague,
            checkpoint=checkpoint,
            starts_at=start,
            ends_at=start + timedelta(hours=hours),
            leader=leader,
            members=list(members),
            override_reason=reason,
        )


@time_machine.travel(NOW, tick=False)
class DoubleBookingTests(RosterCase):
    def test_a_member_already_on_duty_at_another_checkpoint_is_refused_by_name(self):
        with pytest.raises(services.DoubleBooked) as exc:
            self.create(self.west, NOW + timedelta(hours=4), 8, self.c, self.b)
        message = " ".join(exc.value.messages)
        assert "巴特尔" in message
        assert "东口" in message
        assert "02-10 08:00–20:00" in message
        assert "阿拉坦" not in message  # only the person who clashes is named
        assert [(c.person, c.other) for c in exc.value.clashes] == [(self.b, self.day)]
        assert Shift.objects.count() == 1
        assert (
            not AuditEntry.objects.filter(verb="checkpoint.shift_create")
            .exclude(target_id=str(self.day.pk))
            .exists()
        )

    def test_the_leader_counts_as_well_as_the_members(self):
        with pytest.raises(services.DoubleBooked) as exc:
            self.create(self.east, NOW + timedelta(hours=11), 2, self.a)
        assert "阿拉坦" in str(exc.value)
        assert Shift.objects.count() == 1

    def test_shifts_that_only_touch_do_not_clash(self):
        night = self.create(self.east, NOW + timedelta(hours=12), 12, self.a, self.b)
        before = self.create(self.west, NOW - timedelta(hours=8), 8, self.a, self.b)
        assert Shift.objects.count() == 3
        assert night.pk and before.pk

    def test_a_confirmed_override_with_a_reason_is_stored_and_audited(self):
        shift = self.create(
            self.west, NOW + timedelta(hours=4), 8, self.c, self.b, reason="西口缺人，临时支援"
        )
        assert Shift.objects.count() == 2
        entry = AuditEntry.objects.get(verb="checkpoint.shift_override")
        assert entry.target_id == str(shift.pk)
        assert entry.actor == self.colleague
        assert entry.extra["reason"] == "西口缺人，临时支援"
        self.day.refresh_from_db()
        assert entry.extra["clashes"] == [
            {
                "person": "insp_b",
                "shift": self.day.pk,
                "checkpoint": "东口",
                "starts_at": self.day.starts_at.isoformat(),
                "ends_at": self.day.ends_at.isoformat(),
            }
        ]
        # A shift without a clash writes no override entry, reason or not.
        self.create(self.west, NOW + timedelta(days=2), 8, self.c, reason="无")
        assert AuditEntry.objects.filter(verb="checkpoint.shift_override").count() == 1

    def test_a_blank_reason_is_no_override(self):
        with pytest.raises(services.DoubleBooked):
            self.create(self.west, NOW, 8, self.c, self.b, reason="   ")
        assert Shift.objects.count() == 1

    def test_an_update_is_checked_against_the_others_but_not_itself(self):
        other = self.create(self.west, NOW + timedelta(hours=12), 12, self.c)
        # Moving the day shift by an hour overlaps only itself: fine.
        services.shift_update(
            actor=self.colleague,
            shift=self.day,
            starts_at=NOW + timedelta(hours=1),
            ends_at=NOW + timedelta(hours=13),
            leader=self.a,
            members=[self.b],
        )
        # Putting 查干 (on the west night shift from 20:00) on it now clashes.
        with pytest.raises(services.DoubleBooked) as exc:
            services.shift_update(
                actor=self.colleague,
                shift=self.day,
                starts_at=NOW + timedelta(hours=1),
                ends_at=NOW + timedelta(hours=13),
                leader=self.a,
                members=[self.b, self.c],
            )
        assert "查干" in str(exc.value) and "西口" in str(exc.value)
        self.day.refresh_from_db()
        assert sorted(m.username for m in self.day.members.all()) == ["insp_b"]
        services.shift_update(
            actor=self.colleague,
            shift=self.day,
            starts_at=NOW + timedelta(hours=1),
            ends_at=NOW + timedelta(hours=13),
            leader=self.a,
            members=[self.b, self.c],
            override_reason="交接延长一小时",
        )
        entry = AuditEntry.objects.get(verb="checkpoint.shift_override")
        assert entry.target_id == str(self.day.pk)
        assert entry.extra["clashes"][0]["shift"] == other.pk

    def test_the_same_shift_twice_is_a_copy_and_cannot_be_overridden(self):
        with pytest.raises(ValidationError) as exc:
            self.create(self.east, NOW, 12, self.c, self.b, reason="再排一次")
        assert not isinstance(exc.value, services.DoubleBooked)
        assert "巴特尔" in str(exc.value)
        assert Shift.objects.count() == 1
        assert not AuditEntry.objects.filter(verb="checkpoint.shift_override").exists()
        # Nor can a change make a shift a copy of another.
        other = self.create(self.east, NOW + timedelta(days=1), 12, self.c)
        with pytest.raises(ValidationError) as exc:
            services.shift_update(
                actor=self.colleague,
                shift=other,
                starts_at=NOW,
                ends_at=NOW + timedelta(hours=12),
                leader=self.a,
                members=[self.b],
                override_reason="x",
            )
        assert not isinstance(exc.value, services.DoubleBooked)
        other.refresh_from_db()
        assert other.leader == self.c

    def test_other_refusals_come_before_the_double_booking_and_cannot_be_overridden(self):
        with pytest.raises(ValidationError) as exc:
            self.create(self.west, NOW, 30, self.c, self.b, reason="x")
        assert not isinstance(exc.value, services.DoubleBooked)
        assert Shift.objects.count() == 1


@time_machine.travel(NOW, tick=False)
class DoubleBookingPageTests(RosterCase):
    """The same rule through the roster page, with its confirm-override step."""

    def post(self, **extra):
        data = {
            "starts_at": "2020-02-10T12:00",
            "ends_at": "2020-02-10T20:00",
            "leader": self.c.pk,
            "members": [self.b.pk],
            **extra,
        }
        return self.client_for(self.colleague).post(f"/checkpoints/{self.west.pk}/roster/", data)

    def test_the_page_shows_the_refusal_and_the_confirm_step_and_stores_nothing(self):
        response = self.post()
        assert response.status_code == 400
        body = response.content.decode()
        assert "巴特尔" in body and "东口" in body
        assert 'data-testid="confirm-override"' in body
        assert Shift.objects.count() == 1

    def test_confirming_without_a_reason_asks_for_one(self):
        response = self.post(confirm_override="1", override_reason="")
        assert response.status_code == 400
        assert 'data-testid="confirm-override"' in response.content.decode()
        assert Shift.objects.count() == 1

    def test_confirming_with_a_reason_adds_the_shift_and_audits_it(self):
        response = self.post(confirm_override="1", override_reason="支援西口")
        assert response.status_code == 302
        assert Shift.objects.filter(checkpoint=self.west).count() == 1
        entry = AuditEntry.objects.get(verb="checkpoint.shift_override")
        assert entry.extra["reason"] == "支援西口"

    def test_a_reason_typed_but_not_confirmed_is_not_an_override(self):
        assert self.post(override_reason="支援西口").status_code == 400
        assert Shift.objects.count() == 1

    def test_the_edit_page_refuses_and_confirms_the_same_way(self):
        other = self.create(self.west, NOW + timedelta(hours=12), 12, self.c)
        url = f"/checkpoints/shifts/{other.pk}/edit/"
        data = {
            "starts_at": "2020-02-10T19:00",
            "ends_at": "2020-02-11T08:00",
            "leader": self.c.pk,
            "members": [self.a.pk],
        }
        client = self.client_for(self.colleague)
        refused = client.post(url, data)
        assert refused.status_code == 400
        assert "阿拉坦" in refused.content.decode()
        other.refresh_from_db()
        assert other.starts_at == NOW + timedelta(hours=12)
        done = client.post(url, {**data, "confirm_override": "1", "override_reason": "提前接班"})
        assert done.status_code == 302
        other.refresh_from_db()
        assert other.starts_at == NOW + timedelta(hours=11)


@time_machine.travel(NOW, tick=False)
class DoubleBookingApiTests(RosterCase):
    def api(self, payload, *, checkpoint=None, user=None):
        client = self.client_for(user or self.colleague)
        return client.post(
            f"/api/v1/checkpoints/{(checkpoint or self.west).pk}/shifts",
            payload,
            content_type="application/json",
        )

    def payload(self, **extra):
        return {
            "starts_at": "2020-02-10T12:00:00+08:00",
            "ends_at": "2020-02-10T20:00:00+08:00",
            "leader": "insp_c",
            "members": ["insp_b"],
            **extra,
        }

    def test_the_api_answers_409_naming_the_person_and_the_other_shift(self):
        response = self.api(self.payload())
        assert response.status_code == 409
        body = response.json()
        assert "巴特尔" in body["detail"]
        assert body["clashes"][0]["person"] == "insp_b"
        assert body["clashes"][0]["shift"] == self.day.pk
        assert body["clashes"][0]["checkpoint"] == "东口"
        assert Shift.objects.count() == 1

    def test_the_api_stores_an_override_with_its_reason(self):
        response = self.api(self.payload(override_reason="支援"))
        assert response.status_code == 201
        assert response.json()["members"] == ["insp_b"]
        assert Shift.objects.count() == 2
        assert AuditEntry.objects.filter(verb="checkpoint.shift_override").count() == 1

    def test_bad_input_is_422_with_the_field_named(self):
        late = self.api(self.payload(ends_at="2020-02-11T20:00:00+08:00"))
        assert late.status_code == 422
        assert late.json()["detail"].startswith("ends_at:")
        unknown = self.api(self.payload(members=["nobody"]))
        assert unknown.status_code == 422
        assert "members" in unknown.json()["detail"] and "nobody" in unknown.json()["detail"]
        assert Shift.objects.count() == 1

    def test_update_through_the_api_and_the_outsider_gets_404(self):
        client = self.client_for(self.colleague)
        url = f"/api/v1/checkpoints/shifts/{self.day.pk}"
        moved = client.put(
            url,
            {**self.payload(), "leader": "insp_a", "members": ["insp_b"]},
            content_type="application/json",
        )
        assert moved.status_code == 200
        assert moved.json()["starts_at"].startswith("2020-02-10T")
        self.day.refresh_from_db()
        assert self.day.starts_at == NOW + timedelta(hours=4)
        outsider = self.client_for(self.outsider).put(
            url, self.payload(), content_type="application/json"
        )
        assert outsider.status_code == 404
        assert self.api(self.payload(), user=self.outsider).status_code == 404
        listed = client.get(f"/api/v1/checkpoints/{self.east.pk}/shifts").json()
        assert [s["id"] for s in listed] == [self.day.pk]
