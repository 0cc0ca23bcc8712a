import random
from io import StringIO

from fangkong.accounts.demo import populate as populate_users
from fangkong.directives.demo import populate
from fangkong.directives.models import Assignment, ImplementationReport, Notice
from fangkong.test import BaseTestCase


class DemoTests(BaseTestCase):
    def test_the_founding_notice_is_the_first_directive_and_a_second_run_adds_nothing(self):
        populate_users(rng=random.Random(1), scale=1, out=StringIO())
        populate(rng=random.Random(2), scale=1, out=StringIO())
        notice = Notice.objects.order_by("id").first()
        assert notice.division_code == "1529" and notice.public
        assert notice.measures.count() == 5
        assert notice.source == "阿拉善盟政务服务局"
        counts = (Notice.objects.count(), Assignment.objects.count())
        reports = ImplementationReport.objects.count()
        assert counts == (1, 20)
        out = StringIO()
        populate(rng=random.Random(2), scale=1, out=out)
        assert (Notice.objects.count(), Assignment.objects.count()) == counts
        assert ImplementationReport.objects.count() == reports
        assert "already there" in out.getvalue()
