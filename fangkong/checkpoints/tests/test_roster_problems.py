"""A shift across midnight shows once, on the day it starts; gaps (within planned hours) and
double bookings are listed per checkpoint and per banner, each linking to what to fix."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import time_machine

from fangkong.accounts.roles import Role
from fangkong.checkpoints import selectors, services
from fangkong.checkpoints.coverage import Gap, daily_hours, open_windows
from fangkong.checkpoints.models import Checkpoint
from fangkong.test import BAYANHAOTE, BaseTestCase, make_user

from .helpers import opened

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2020, 2, 10, 8, 0, tzinfo=TZ)


def test_planned_hours_are_read_as_daily_windows():
    assert daily_hours("24h") is None
    assert daily_hours("全天") is None
    assert daily_hours("06:00-22:00") == (time(6), time(22))
    assert daily_hours(" 6:30 至 20：00 ") == (time(6, 30), time(20))
    assert daily_hours("22:00-06:00") == (time(22), time(6))
    assert daily_hours("08:00-24:00") == (time(8), time(0))
    assert daily_hours("25:00-06:00") is None
    start = datetime(2020, 2, 10, 0, 0, tzinfo=TZ)
    assert open_windows("22:00-06:00", start=start, end=start + timedelta(days=1)) == [
        (start, start + timedelta(hours=6)),
        (start + timedelta(hours=22), start + timedelta(days=1)),
    ]


@time_machine.travel(NOW, tick=False)
class RosterProblemTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.a = make_user("insp_a", Role.INSPECTOR, BAYANHAOTE, display_name="阿拉坦")
        cls.b = make_user("insp_b", Role.INSPECTOR, BAYANHAOTE, display_name="巴特尔")
        cls.c = make_user("insp_c", Role.INSPECTOR, BAYANHAOTE, display_name="查干")
        with time_machine.travel(NOW, tick=False):
            cls.east = opened(cls.colleague, cls.officer, name="东口")
            cls.west = opened(cls.colleague, cls.officer, name="西口")

    def shift(self, checkpoint, start, hours, leader, *members, reason=""):
        return services.shift_create(
            actor=self.colleague,
            checkpoint=checkpoint,
            starts_at=start,
            ends_at=start + timedelta(hours=hours),
            leader=leader,
            members=list(members),
            override_reason=reason,
        )

    def week(self, checkpoint, start):
        url = f"/checkpoints/{checkpoint.pk}/roster/?start={start}"
        return self.client_for(self.colleague).get(url).content.decode()

    def test_a_night_shift_shows_once_on_the_day_it_starts_with_its_end_next_morning(self):
        self.shift(self.east, NOW + timedelta(hours=12), 12, self.a, self.b)
        body = self.week(self.east, "2020-02-10")
        assert body.count('data-testid="shift"') == 1
        assert "20:00–次日 08:00" in body
        # Its morning still counts as covered: no gap from 00:00 to 08:00 on 02-11.
        day = selectors.roster_week(self.east, start_day=NOW.date())[1]
        assert day.shifts == []
        assert day.gaps == [Gap(NOW + timedelta(days=1), NOW + timedelta(days=1, hours=16))]
        # A week starting the next day shows it only as running on from the day before.
        next_day = self.week(self.east, "2020-02-11")
        assert next_day.count('data-testid="shift"') == 0
        assert next_day.count('data-testid="continued"') == 1
        assert "02-10 20:00" in next_day

    def test_gaps_count_only_the_planned_hours(self):
        Checkpoint.objects.filter(pk=self.west.pk).update(planned_hours="06:00-22:00")
        self.shift(self.west, NOW - timedelta(hours=2), 16, self.a, self.b)  # 06:00-22:00
        west = next(
            c for c in selectors.coverage_gap_list(actor=self.officer) if c.checkpoint == self.west
        )
        # Today is covered; the next six days are open 06:00-22:00 with nobody, and the
        # seventh day's first two open hours fall inside the 7 days from now (08:00).
        assert len(west.gaps) == 7
        assert west.gaps[0] == Gap(NOW + timedelta(hours=22), NOW + timedelta(hours=38))
        assert west.gaps[-1] == Gap(NOW + timedelta(days=7, hours=-2), NOW + timedelta(days=7))
        assert west.gap_minutes == 6 * 16 * 60 + 120

    def test_double_bookings_are_listed_per_checkpoint_and_per_banner(self):
        first = self.shift(self.east, NOW, 12, self.a, self.b)
        second = self.shift(self.west, NOW + timedelta(hours=6), 8, self.c, self.b, reason="支援")
        banners = selectors.roster_problems(actor=self.officer)
        assert [b.code for b in banners] == ["152921"]
        (banner,) = banners
        assert banner.double_booking_count == 1
        by_name = {c.checkpoint.name: c for c in banner.checkpoints}
        for name in ("东口", "西口"):
            (booking,) = by_name[name].double_bookings
            assert (booking.person, booking.first, booking.second) == (self.b, first, second)
        page = self.client_for(self.officer).get("/checkpoints/gaps/").content.decode()
        assert page.count('data-testid="banner-roster"') == 1
        assert "阿拉善左旗" in page
        assert page.count('data-testid="double-booking"') == 2
        # The commander may not edit shifts: the bookings are named, not links to a 404.
        assert f"/checkpoints/shifts/{first.pk}/edit/" not in page
        assert (
            self.client_for(self.officer).get(f"/checkpoints/shifts/{first.pk}/edit/").status_code
            == 404
        )
        office = self.client_for(self.colleague).get("/checkpoints/gaps/").content.decode()
        assert f"/checkpoints/shifts/{first.pk}/edit/" in office
        assert f"/checkpoints/shifts/{second.pk}/edit/" in office
        assert 'data-testid="gap-link"' in page
        # The week view marks the shift and names the other one.
        week = self.week(self.east, "2020-02-10")
        assert week.count('data-testid="shift-clash"') == 1
        assert "巴特尔" in week and "西口" in week
        # The outsider's banner has none of it.
        other = self.client_for(self.outsider).get("/checkpoints/gaps/").content.decode()
        assert 'data-testid="all-covered"' in other
        assert "巴特尔" not in other
