from __future__ import annotations

import random
from io import StringIO

from fangkong.accounts import demo as account_demo
from fangkong.assistance import demo
from fangkong.assistance.models import Delivery, HelpRequest, Household
from fangkong.assistance.tests.factories import EnglishTestCase


class DemoTests(EnglishTestCase):
    def test_the_demo_data_loads_once(self):
        account_demo.populate(rng=random.Random(1), scale=1, out=StringIO())
        demo.populate(rng=random.Random(2), scale=1, out=StringIO())
        counts = (Household.objects.count(), HelpRequest.objects.count(), Delivery.objects.count())
        assert counts[0] >= 60 and counts[1] == 8 and counts[2] > 0
        demo.populate(rng=random.Random(2), scale=1, out=StringIO())
        assert counts == (
            Household.objects.count(),
            HelpRequest.objects.count(),
            Delivery.objects.count(),
        )
        commander = account_demo.User.objects.get(username="commander")
        for url in ["/assistance/", "/assistance/sweeps/", "/assistance/applications/",
                    "/assistance/reviews/", "/assistance/help/", "/assistance/stock/",
                    "/assistance/deliveries/"]:  # fmt: skip
            assert self.client_for(commander).get(url).status_code == 200, url
