import pytest
from django.db import transaction

from fangkong.core.audit import AuditOutsideTransaction, record_audit
from fangkong.core.models import AuditEntry
from fangkong.divisions.models import Division
from fangkong.test import BaseTestCase


class RecordAuditTests(BaseTestCase):
    def test_an_entry_records_actor_verb_target_and_its_division(self):
        village = Division.objects.get(code="152921102201")
        with transaction.atomic():
            entry = record_audit(
                self.officer, "thing.do", village, note="x", when=village.created_at
            )
        assert entry.actor_username == "officer"
        assert entry.target_type == "divisions.division"
        assert entry.target_id == str(village.pk)
        assert entry.division_code == "152921102201"
        assert entry.extra["note"] == "x"
        assert isinstance(entry.extra["when"], str)

    def test_the_system_acts_without_a_user(self):
        with transaction.atomic():
            entry = record_audit(None, "system.do", None, division_code="1529")
        assert entry.actor is None and entry.actor_username == "system"

    def test_an_entry_rolls_back_with_its_transaction(self):
        before = AuditEntry.objects.count()
        with pytest.raises(RuntimeError), transaction.atomic():
            record_audit(self.officer, "thing.fail", None, division_code="152921")
            raise RuntimeError("the service failed")
        assert AuditEntry.objects.count() == before


@pytest.mark.django_db(transaction=True)
def test_record_audit_refuses_to_run_outside_a_transaction():
    with pytest.raises(AuditOutsideTransaction):
        record_audit(None, "loose.write", None)
