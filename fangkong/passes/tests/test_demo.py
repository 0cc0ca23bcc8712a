from __future__ import annotations

import random
from io import StringIO

from fangkong.passes import demo
from fangkong.passes.models import GreenPass, SigningKey, Vehicle
from fangkong.test import BaseTestCase


class DemoTests(BaseTestCase):
    def test_the_demo_fleet_is_made_once(self) -> None:
        demo.populate(rng=random.Random(1), scale=1, out=StringIO())
        counts = (GreenPass.objects.count(), Vehicle.objects.count(), SigningKey.objects.count())
        assert counts[0] == 12
        assert GreenPass.objects.filter(status=GreenPass.Status.REVOKED).count() == 1
        demo.populate(rng=random.Random(1), scale=1, out=StringIO())
        assert (
            GreenPass.objects.count(),
            Vehicle.objects.count(),
            SigningKey.objects.count(),
        ) == counts
