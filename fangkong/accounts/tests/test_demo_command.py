from io import StringIO

from django.core.management import call_command

from fangkong.accounts.demo import DEMO_PASSWORD, DEMO_USERS
from fangkong.accounts.models import User
from fangkong.accounts.roles import Role
from fangkong.core.models import AuditEntry, EmergencyPeriod
from fangkong.test import BaseTestCase


class DemoCommandTests(BaseTestCase):
    def test_demo_creates_one_user_per_role_and_a_second_run_duplicates_nothing(self):
        out = StringIO()
        call_command("demo", stdout=out)
        demo_names = [name for name, *_ in DEMO_USERS]
        users = User.objects.filter(username__in=demo_names)
        assert users.count() == len(DEMO_USERS)
        roles = {m.role for u in users for m in u.memberships.all()}
        assert roles == {r.value for r in Role}
        assert users.get(username="commander").check_password(DEMO_PASSWORD)
        assert "commander" in out.getvalue() and DEMO_PASSWORD in out.getvalue()
        before = (User.objects.count(), EmergencyPeriod.objects.count(), AuditEntry.objects.count())
        call_command("demo", stdout=StringIO())
        after = (User.objects.count(), EmergencyPeriod.objects.count(), AuditEntry.objects.count())
        assert before == after
