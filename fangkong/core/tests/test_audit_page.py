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


class CodedValuesInWordsTests(BaseTestCase):
    """Codes an app stores in a detail (a hold reason, an alert kind) read as words."""

    def test_a_cleared_release_and_an_acknowledged_alert_show_no_codes(self):
        with transaction.atomic():
            record_audit(
                self.officer,
                "observation.release_cleared",
                None,
                division_code="152921",
                cleared_by="旗疾控中心 李医生",
                reason="复查正常",
                overridden=[
                    {"code": "missed_check", "day": "2026-11-15", "temperature": None},
                    {"code": "fever", "day": "2026-11-16", "checked_at": "2026-11-16T08:00"},
                ],
            )
            record_audit(
                self.officer,
                "alert.acknowledge",
                None,
                division_code="152921",
                kind="fever_recorded",
            )
        page = self.client_for(self.officer).get("/hq/audit/").content.decode()
        assert "missed_check" not in page
        assert "fever_recorded" not in page
        assert "checked_at" not in page
        assert "缺少当日监测" in page  # the hold reason
        assert "发热读数" in page
        assert "发现发热" in page  # the alert kind
        assert "监测时间" in page

    def test_people_and_divisions_in_details_show_by_name(self):
        from fangkong.accounts.models import User

        User.objects.filter(pk=self.colleague.pk).update(display_name="巴特尔")
        with transaction.atomic():
            record_audit(
                self.officer,
                "checkpoint.shift_create",
                None,
                division_code="152921",
                people=[self.colleague.username],
            )
            record_audit(
                self.officer,
                "measure.split",
                None,
                division_code="152921",
                divisions=["152921", "152923"],
            )
        page = self.client_for(self.league_commander).get("/hq/audit/").content.decode()
        assert "巴特尔" in page
        assert "阿拉善左旗、额济纳旗" in page
        assert "152921、152923" not in page
