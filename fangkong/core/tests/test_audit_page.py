from datetime import timedelta

import time_machine
from django.db import transaction
from django.test import Client
from django.utils import timezone

from fangkong.core.audit import record_audit
from fangkong.core.models import AuditEntry
from fangkong.test import BaseTestCase


class AuditPageTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        with transaction.atomic():
            record_audit(cls.colleague, "returnee.register", None, division_code="152921110201")
            record_audit(cls.outsider, "checkpoint.approve", None, division_code="152922103")
            record_audit(cls.league_commander, "emergency_period.create", None, division_code="")

    def verbs(self, client: Client, **params: str) -> set[str]:
        response = client.get("/hq/audit/", params)
        assert response.status_code == 200
        return {e.verb for e in response.context["page"]}

    def test_a_banner_commander_sees_only_their_jurisdiction(self):
        verbs = self.verbs(self.client_for(self.officer))
        assert "returnee.register" in verbs
        assert "checkpoint.approve" not in verbs
        assert "emergency_period.create" not in verbs

    def test_the_league_commander_sees_everything(self):
        verbs = self.verbs(self.client_for(self.league_commander))
        assert {"returnee.register", "checkpoint.approve", "emergency_period.create"} <= verbs

    def test_filters_by_actor_verb_object_and_date(self):
        client = self.client_for(self.league_commander)
        assert self.verbs(client, username="colleague") == {"returnee.register"}
        assert self.verbs(client, verb="checkpoint") == {"checkpoint.approve"}
        entry = AuditEntry.objects.filter(verb="user.create").first()
        assert entry is not None
        result = self.verbs(client, target=f"user:{entry.target_id}")
        assert result == {"user.create"}
        tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
        assert self.verbs(client, date_from=tomorrow) == set()
        assert "returnee.register" in self.verbs(client, date_to=tomorrow)

    def test_staff_and_outsiders_without_the_permission_get_not_found(self):
        assert self.client_for(self.colleague).get("/hq/audit/").status_code == 404
        assert Client().get("/hq/audit/").status_code == 302

    def test_the_csv_export_is_itself_audited(self):
        client = self.client_for(self.officer)
        with time_machine.travel(timezone.now()):
            response = client.get("/hq/audit/", {"format": "csv"})
            body = b"".join(response.streaming_content).decode("utf-8-sig")
        assert "returnee.register" in body
        assert "checkpoint.approve" not in body
        assert AuditEntry.objects.filter(verb="audit.export", actor=self.officer).exists()
