from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from fangkong.accounts.roles import Role
from fangkong.checkpoints import selectors, services
from fangkong.checkpoints.models import Shift
from fangkong.test import BAYANHAOTE, RIGHT_TOWN, BaseTestCase, make_user

from .helpers import opened

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2020, 2, 10, 8, 0, tzinfo=TZ)


@time_machine.travel(NOW, tick=False)
class RosterTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.a = make_user("insp_a", Role.INSPECTOR, BAYANHAOTE, display_name="阿")
        cls.b = make_user("insp_b", Role.INSPECTOR, BAYANHAOTE, display_name="巴")
        cls.c = make_user("insp_c", Role.GRASSROOTS, BAYANHAOTE, display_name="查")
        cls.stranger = make_user("insp_r", Role.INSPECTOR, RIGHT_TOWN)
        with time_machine.travel(NOW, tick=False):
            cls.checkpoint = opened(cls.colleague, cls.officer)

    def shift(self, start, hours, leader, *members):
        return services.shift_create(
            actor=self.colleague,
            checkpoint=self.checkpoint,
            starts_at=start,
            ends_at=start + timedelta(hours=hours),
            leader=leader,
            members=list(members),
        )

    def test_a_shift_takes_people_from_the_checkpoints_banner_only(self):
        with pytest.raises(ValidationError) as exc:
            self.shift(NOW, 8, self.a, self.stranger)
        assert "insp_r" in str(exc.value)
        with pytest.raises(ValidationError):
            self.shift(NOW, 25, self.a, self.b)
        with pytest.raises(ValidationError):
            self.shift(NOW, 0, self.a, self.b)
        with pytest.raises(PermissionDenied):
            services.shift_create(
                actor=self.outsider,
                checkpoint=self.checkpoint,
                starts_at=NOW,
                ends_at=NOW + timedelta(hours=1),
                leader=self.a,
            )
        assert Shift.objects.count() == 0

    def test_gaps_are_listed_for_the_next_seven_days_and_red_on_the_week_view(self):
        start = NOW
        for day in range(7):
            base = start + timedelta(days=day)
            self.shift(base, 12, self.a, self.b)
            if day != 2:
                self.shift(base + timedelta(hours=12), 12, self.c, self.b)
            else:
                self.shift(base + timedelta(hours=12), 12, self.c)  # one person: not enough
        items = selectors.coverage_gap_list(actor=self.officer)
        assert len(items) == 1
        (gap,) = items[0].gaps
        assert (gap.starts_at, gap.ends_at) == (
            datetime(2020, 2, 12, 20, 0, tzinfo=TZ),
            datetime(2020, 2, 13, 8, 0, tzinfo=TZ),
        )
        page = self.client_for(self.officer).get("/checkpoints/gaps/")
        assert page.status_code == 200
        assert "02-12 20:00" in page.content.decode()
        week = self.client_for(self.colleague).get(
            f"/checkpoints/{self.checkpoint.pk}/roster/?start=2020-02-10"
        )
        body = week.content.decode()
        assert (
            body.count('data-testid="gap"') == 3
        )  # 02-10 before 08:00, 02-12 night, 02-13 morning
        assert "20:00–24:00" in body
        assert "00:00–08:00" in body  # a gap ending where a stored shift starts
        assert "00:00–24:00" not in body

    def test_the_week_view_adds_a_shift_and_the_outsider_gets_404(self):
        client = self.client_for(self.colleague)
        url = f"/checkpoints/{self.checkpoint.pk}/roster/"
        response = client.post(
            url,
            {
                "starts_at": "2020-02-10T08:00",
                "ends_at": "2020-02-10T20:00",
                "leader": self.a.pk,
                "members": [self.b.pk],
            },
        )
        assert response.status_code == 302
        shift = Shift.objects.get()
        assert shift.starts_at == NOW
        assert list(shift.members.all()) == [self.b]
        assert self.client_for(self.outsider).get(url).status_code == 404

    def test_my_shifts_and_the_handover_note(self):
        shift = self.shift(NOW, 12, self.a, self.b)
        page = self.client_for(self.b).get("/checkpoints/my-shifts/")
        assert page.status_code == 200
        assert len(page.context["shifts"]) == 1
        response = self.client_for(self.b).post(
            f"/checkpoints/shifts/{shift.pk}/handover/", {"note": "路障已加固"}
        )
        assert response.status_code == 302
        shift.refresh_from_db()
        assert (shift.handover_note, shift.handover_by) == ("路障已加固", self.b)
        outsider = self.client_for(self.stranger).post(
            f"/checkpoints/shifts/{shift.pk}/handover/", {"note": "x"}
        )
        assert outsider.status_code == 404
        assert self.client_for(self.c).get("/checkpoints/my-shifts/").context["shifts"].count() == 0

    def test_the_roster_keepers_change_the_minimum_and_the_gaps_follow(self):
        self.shift(NOW, 12, self.a, self.b)
        url = f"/checkpoints/{self.checkpoint.pk}/roster/?start=2020-02-10"
        client = self.client_for(self.colleague)
        before = client.get(url).content.decode().count('data-testid="gap"')
        assert client.post(url, {"min_staff": 3}).status_code == 302
        self.checkpoint.refresh_from_db()
        assert self.checkpoint.min_staff == 3
        after = client.get(url).content.decode()
        # 02-10 had two gaps around the 08:00-20:00 shift; now the whole day is one gap.
        assert before == 8
        assert after.count('data-testid="gap"') == 7
        assert after.count("00:00–24:00") == 7
        gaps = selectors.coverage_gap_list(actor=self.officer)[0].gaps
        assert gaps[0].starts_at == NOW  # the 2-person shift no longer covers
        assert self.client_for(self.outsider).post(url, {"min_staff": 1}).status_code == 404
        with pytest.raises(ValidationError):
            services.checkpoint_set_min_staff(
                actor=self.colleague, checkpoint=self.checkpoint, min_staff=0
            )
