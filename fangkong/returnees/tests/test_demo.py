from __future__ import annotations

import io
import random
from datetime import date

from fangkong.accounts.demo import populate as populate_users
from fangkong.core.demo import populate as populate_period
from fangkong.core.models import AuditEntry
from fangkong.core.rollups import figures, rebuild
from fangkong.returnees import metrics
from fangkong.returnees.census import census_import
from fangkong.returnees.demo import census_rows, census_workbook, populate
from fangkong.returnees.models import Observation, ReturnTrip, WorkUnit
from fangkong.test import BaseTestCase


class DemoTests(BaseTestCase):
    def test_the_demo_is_deterministic_idempotent_and_its_rollups_match_a_recount(self):
        out = io.StringIO()
        populate_period(rng=random.Random(1), scale=1, out=out)
        populate_users(rng=random.Random(1), scale=1, out=out)
        populate(rng=random.Random("2020:returnees"), scale=1, out=out)
        trips = ReturnTrip.objects.count()
        observations = Observation.objects.count()
        audit = AuditEntry.objects.count()
        assert trips == 300 and observations > 0
        assert WorkUnit.objects.get(name="阿拉善左旗人民医院").trips.exists()
        populate(rng=random.Random("2020:returnees"), scale=1, out=out)
        assert ReturnTrip.objects.count() == trips
        assert Observation.objects.count() == observations
        assert AuditEntry.objects.count() == audit
        names = list(metrics.metric_names())
        from django.utils import timezone

        today = timezone.localdate()
        before = figures(["1529"], names, on=today)
        rebuild(names)
        assert figures(["1529"], names, on=today) == before
        # The demo worker's due-for-release list holds people who can go and people held
        # back for a fever and for a missed day.
        from fangkong.accounts.models import User
        from fangkong.returnees.models import HoldCode, release_holds
        from fangkong.returnees.selectors import due_for_release_list

        worker = User.objects.get(username="grassroots")
        reasons = [
            {h.code for h in release_holds(o, o.checks.all(), today)}
            for o in due_for_release_list(actor=worker)
        ]
        assert set() in reasons
        assert any(HoldCode.FEVER in r for r in reasons)
        assert any(HoldCode.MISSED_CHECK in r for r in reasons)

    def test_the_benchmark_census_has_the_asked_share_of_bad_rows(self):
        rng = random.Random(3)
        rows = census_rows(
            rng, 1000, start=date(2020, 2, 1), villages=["152921110200"], bad_share=0.03
        )
        report = census_import(
            actor=None,
            data=census_workbook(rows),
            filename="b.xlsx",
            skip_bad_rows=True,
            dry_run=True,
        )
        assert report.rows == 1000
        assert 10 <= report.rejected <= 60
