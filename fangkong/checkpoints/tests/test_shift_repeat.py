"""Repeat a shift daily for N days, and copy a checkpoint's week to the next: every shift
through the same rules, all or nothing, after a preview that shows what will be created."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from fangkong.accounts.roles import Role
from fangkong.checkpoints import services
from fangkong.checkpoints.models import Shift
from fangkong.core.models import AuditEntry
from fangkong.test import BAYANHAOTE, BaseTestCase, make_user

from .helpers import opened

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2020, 2, 10, 8, 0, tzinfo=TZ)


@time_machine.travel(NOW, tick=False)
class RepeatTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.a = make_user("insp_a", Role.INSPECTOR, BAYANHAOTE, display_name="阿拉坦")
        cls.b = make_user("insp_b", Role.INSPECTOR, BAYANHAOTE, display_name="巴特尔")
        cls.c = make_user("insp_c", Role.INSPECTOR, BAYANHAOTE, display_name="查干")
        with time_machine.travel(NOW, tick=False):
            cls.east = opened(cls.colleague, cls.officer, name="东口")
            cls.west = opened(cls.colleague, cls.officer, name="西口")
        cls.night = services.shift_create(
            actor=cls.colleague,
            checkpoint=cls.east,
            starts_at=NOW + timedelta(hours=12),
            ends_at=NOW + timedelta(hours=24),
            leader=cls.a,
            members=[cls.b],
        )

    def test_repeat_for_five_days_creates_five_shifts_with_the_same_times_and_people(self):
        plans = services.shift_repeat(actor=self.colleague, shift=self.night, days=5)
        assert len(plans) == 5
        shifts = list(Shift.objects.exclude(pk=self.night.pk).order_by("starts_at"))
        assert len(shifts) == 5
        for n, shift in enumerate(shifts, start=1):
            assert shift.starts_at == NOW + timedelta(days=n, hours=12)
            assert shift.ends_at == NOW + timedelta(days=n, hours=24)
            assert shift.leader == self.a
            assert list(shift.members.all()) == [self.b]
        entry = AuditEntry.objects.get(verb="checkpoint.shift_repeat")
        assert entry.extra["shifts"] == [s.pk for s in shifts]
        assert AuditEntry.objects.filter(verb="checkpoint.shift_create").count() == 6

    def test_the_preview_shows_the_plan_and_creates_nothing(self):
        plans = services.shift_repeat(actor=self.colleague, shift=self.night, days=3, dry_run=True)
        assert [p.starts_at.date() for p in plans] == [
            date(2020, 2, 11),
            date(2020, 2, 12),
            date(2020, 2, 13),
        ]
        assert not any(p.refused for p in plans)
        assert Shift.objects.count() == 1
        assert not AuditEntry.objects.filter(verb="checkpoint.shift_repeat").exists()

    def test_one_double_booking_refuses_the_whole_repeat_and_lists_it(self):
        # 巴特尔 is on the west checkpoint on the third night.
        services.shift_create(
            actor=self.colleague,
            checkpoint=self.west,
            starts_at=NOW + timedelta(days=3, hours=14),
            ends_at=NOW + timedelta(days=3, hours=18),
            leader=self.c,
            members=[self.b],
        )
        with pytest.raises(services.PlanRefused) as exc:
            services.shift_repeat(actor=self.colleague, shift=self.night, days=5)
        refused = [p for p in exc.value.plans if p.refused]
        assert len(refused) == 1
        assert refused[0].starts_at == NOW + timedelta(days=3, hours=12)
        assert refused[0].double_booked
        assert "巴特尔" in refused[0].problems[0] and "西口" in refused[0].problems[0]
        assert Shift.objects.count() == 2  # nothing of the repeat was kept
        assert not AuditEntry.objects.filter(verb="checkpoint.shift_repeat").exists()
        # With a reason, the double booking is confirmed and all five are created.
        services.shift_repeat(
            actor=self.colleague, shift=self.night, days=5, override_reason="西口夜班支援"
        )
        assert Shift.objects.count() == 7
        assert AuditEntry.objects.filter(verb="checkpoint.shift_override").count() == 1

    def test_repeating_twice_is_refused_because_the_copies_already_exist(self):
        services.shift_repeat(actor=self.colleague, shift=self.night, days=2)
        with pytest.raises(services.PlanRefused) as exc:
            services.shift_repeat(
                actor=self.colleague, shift=self.night, days=2, override_reason="再来"
            )
        assert all(p.refused and not p.double_booked for p in exc.value.plans)
        assert Shift.objects.count() == 3

    def test_the_day_count_is_bounded_and_the_outsider_is_refused(self):
        for days in (0, 32):
            with pytest.raises(ValidationError) as exc:
                services.shift_repeat(actor=self.colleague, shift=self.night, days=days)
            assert "days" in exc.value.message_dict
        with pytest.raises(PermissionDenied):
            services.shift_repeat(actor=self.outsider, shift=self.night, days=1)
        assert Shift.objects.count() == 1

    def test_copy_a_week_to_the_next(self):
        day = services.shift_create(
            actor=self.colleague,
            checkpoint=self.east,
            starts_at=NOW + timedelta(days=2),
            ends_at=NOW + timedelta(days=2, hours=12),
            leader=self.c,
        )
        # A shift of the next week's own does not count as the week's.
        services.shift_create(
            actor=self.colleague,
            checkpoint=self.east,
            starts_at=NOW + timedelta(days=7, hours=2),
            ends_at=NOW + timedelta(days=7, hours=4),
            leader=self.c,
        )
        preview = services.roster_copy_week(
            actor=self.colleague, checkpoint=self.east, week_start=date(2020, 2, 10), dry_run=True
        )
        assert [p.source for p in preview] == [self.night, day]
        assert Shift.objects.count() == 3
        services.roster_copy_week(
            actor=self.colleague, checkpoint=self.east, week_start=date(2020, 2, 10)
        )
        copies = Shift.objects.filter(starts_at__gte=NOW + timedelta(days=7, hours=5))
        assert sorted((s.starts_at, s.leader_id) for s in copies) == [
            (NOW + timedelta(days=7, hours=12), self.a.pk),
            (NOW + timedelta(days=9), self.c.pk),
        ]
        assert AuditEntry.objects.filter(verb="checkpoint.roster_copy_week").count() == 1

    def test_copying_an_empty_week_says_so(self):
        with pytest.raises(ValidationError) as exc:
            services.roster_copy_week(
                actor=self.colleague, checkpoint=self.west, week_start=date(2020, 2, 10)
            )
        assert "02-10" in str(exc.value)

    # --- the same through the pages: a preview, then the confirm button

    def test_the_repeat_page_previews_then_creates(self):
        client = self.client_for(self.colleague)
        url = f"/checkpoints/shifts/{self.night.pk}/repeat/"
        assert client.get(url).status_code == 200
        preview = client.post(url, {"days": 5, "preview": "1"})
        assert preview.status_code == 200
        body = preview.content.decode()
        assert body.count('data-testid="plan-row"') == 5
        assert "20:00–次日 08:00" in body
        assert Shift.objects.count() == 1
        done = client.post(url, {"days": 5, "confirm": "1"})
        assert done.status_code == 302
        assert Shift.objects.count() == 6
        assert self.client_for(self.outsider).post(url, {"days": 1}).status_code == 404

    def test_the_copy_page_lists_refusals_and_creates_nothing(self):
        services.shift_repeat(actor=self.colleague, shift=self.night, days=7)
        client = self.client_for(self.colleague)
        url = f"/checkpoints/{self.east.pk}/roster/copy/?start=2020-02-10"
        page = client.get(url).content.decode()
        # The copy of 02-10's night is the repeat already on 02-17; so none of the seven copies
        # is created, and the page says so, with no button to confirm a copy.
        assert page.count('data-testid="plan-refused"') == 1
        assert page.count("未创建（全部或都不）") == 6
        assert 'data-testid="confirm-plan"' not in page
        refused = client.post(url, {"start": "2020-02-10", "confirm": "1"})
        assert refused.status_code == 400
        assert Shift.objects.count() == 8
        assert self.client_for(self.outsider).get(url).status_code == 404

    # --- and through the API
    def test_the_api_previews_repeats_and_refuses_all_or_nothing(self):
        client = self.client_for(self.colleague)
        url = f"/api/v1/checkpoints/shifts/{self.night.pk}/repeat"
        preview = client.post(url, {"days": 5, "dry_run": True}, content_type="application/json")
        assert preview.status_code == 200
        assert preview.json()["created"] is False
        assert len(preview.json()["shifts"]) == 5
        assert Shift.objects.count() == 1
        done = client.post(url, {"days": 5}, content_type="application/json")
        assert done.status_code == 200 and done.json()["created"] is True
        assert Shift.objects.count() == 6
        again = client.post(url, {"days": 6}, content_type="application/json")
        assert again.status_code == 409
        assert sum(s["refused"] for s in again.json()["shifts"]) == 5
        assert Shift.objects.count() == 6
        bad = client.post(url, {"days": 40}, content_type="application/json")
        assert bad.status_code == 422 and bad.json()["detail"].startswith("days:")
        outsider = self.client_for(self.outsider).post(
            url, {"days": 1}, content_type="application/json"
        )
        assert outsider.status_code == 404
        copy = client.post(
            f"/api/v1/checkpoints/{self.west.pk}/roster/copy-week",
            {"week_start": "2020-02-10"},
            content_type="application/json",
        )
        assert copy.status_code == 422  # nothing to copy at the west checkpoint
        assert Shift.objects.count() == 6
