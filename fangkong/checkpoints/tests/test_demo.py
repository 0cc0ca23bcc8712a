import random
from io import StringIO

from django.test import TestCase

from fangkong.accounts.demo import populate as populate_users
from fangkong.accounts.models import User
from fangkong.checkpoints.demo import populate
from fangkong.checkpoints.models import Checkpoint, Passage, Shift, Status, UnauthorisedReport
from fangkong.checkpoints.selectors import coverage_gap_list


class DemoTests(TestCase):
    def test_the_demo_has_every_state_gaps_and_passages_and_a_rerun_adds_nothing(self):
        populate_users(rng=random.Random(1), scale=1, out=StringIO())
        populate(rng=random.Random(2), scale=1, out=StringIO())
        assert set(Checkpoint.objects.values_list("status", flat=True)) == set(Status.values)
        counts = (
            Checkpoint.objects.count(),
            Passage.objects.count(),
            Shift.objects.count(),
            UnauthorisedReport.objects.count(),
        )
        assert counts[1] == 800
        gaps = coverage_gap_list(actor=User.objects.get(username="commander"))
        assert any("东关" in item.checkpoint.name for item in gaps)
        # Exactly one person is booked twice (confirmed, with a reason), nobody else.
        bookings = {id(d): d for item in gaps for d in item.double_bookings}
        assert [d.person.username for d in bookings.values()] == ["cp_inspector_5"]
        populate(rng=random.Random(2), scale=1, out=StringIO())
        assert counts == (
            Checkpoint.objects.count(),
            Passage.objects.count(),
            Shift.objects.count(),
            UnauthorisedReport.objects.count(),
        )
