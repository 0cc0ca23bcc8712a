from datetime import UTC, datetime, timedelta
from typing import Any

import time_machine
from django.utils import timezone

from fangkong.accounts.roles import Role
from fangkong.checkpoints import services
from fangkong.checkpoints.models import Checkpoint, Passage, Status
from fangkong.core.models import AuditEntry
from fangkong.test import BAYANHAOTE, LEFT_BANNER, BaseTestCase, make_user

from .helpers import opened, requested

NOW = datetime(2020, 2, 10, 4, 0, tzinfo=UTC)


@time_machine.travel(NOW, tick=False)
class CheckpointPageTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.inspector = make_user("insp", Role.INSPECTOR, BAYANHAOTE)
        with time_machine.travel(NOW - timedelta(hours=2), tick=False):
            cls.checkpoint = opened(cls.colleague, cls.officer)
        services.passage_log(
            actor=cls.inspector,
            checkpoint=cls.checkpoint,
            at=NOW - timedelta(minutes=5),
            direction="in",
            subject="person",
            person_name="张三",
            id_number="152921199001010013",
            temperature=36.6,
            result="referred",
        )

    def test_the_request_form_creates_a_requested_checkpoint(self):
        response = self.client_for(self.colleague).post(
            "/checkpoints/new/",
            {
                "name": "南口",
                "division": "152921110000",
                "kind": "township_road",
                "location": "S218",
                "latitude": "38.83",
                "longitude": "105.67",
                "department": "镇政府",
                "reason": "24h entrance check",
                "planned_hours": "24h",
                "min_staff": 3,
            },
        )
        assert response.status_code == 302
        created = Checkpoint.objects.get(name="南口")
        assert (created.status, created.approval_code, created.min_staff) == (
            Status.REQUESTED,
            LEFT_BANNER,
            3,
        )
        outside = self.client_for(self.colleague).post(
            "/checkpoints/new/", {"name": "x", "division": "152922", "kind": "highway"}
        )
        assert outside.status_code == 200
        assert self.client_for(self.inspector).get("/checkpoints/new/").status_code == 404

    def test_the_list_shows_status_colours_and_map_points(self):
        Checkpoint.objects.filter(pk=self.checkpoint.pk).update(latitude=38.8, longitude=105.7)
        page = self.client_for(self.officer).get("/checkpoints/")
        body = page.content.decode()
        assert 'class="tag st-open"' in body
        assert page.context["points"][0]["value"] == [105.7, 38.8]
        assert list(self.client_for(self.outsider).get("/checkpoints/").context["page"]) == []

    def test_the_detail_page_masks_id_numbers_unless_the_role_may_see_them(self):
        masked = self.client_for(self.colleague).get(f"/checkpoints/{self.checkpoint.pk}/")
        body = masked.content.decode()
        assert "152921********0013" in body and "152921199001010013" not in body
        assert masked.context["hours"][11] == 1  # 11:55 local time
        full = self.client_for(self.officer).get(f"/checkpoints/{self.checkpoint.pk}/")
        assert "152921199001010013" in full.content.decode()
        assert AuditEntry.objects.filter(
            verb="checkpoint.passages_view_unmasked", actor=self.officer
        ).exists()

    def test_the_outsider_gets_404_on_every_page_of_a_checkpoint(self):
        client = self.client_for(self.outsider)
        pk = self.checkpoint.pk
        for url in (f"/checkpoints/{pk}/", f"/checkpoints/{pk}/roster/"):
            assert client.get(url).status_code == 404
        assert client.post(f"/checkpoints/{pk}/status/suspend/", {"reason": "x"}).status_code == 404
        assert client.post(f"/checkpoints/{pk}/passages/", {}).status_code == 404

    def test_the_approvals_inbox_holds_only_my_level_and_approves_with_a_reason(self):
        waiting = requested(self.colleague, name="西口")
        highway = requested(self.colleague, name="G7", kind="highway", code=LEFT_BANNER)
        inbox = self.client_for(self.officer).get("/checkpoints/approvals/")
        assert list(inbox.context["requests"]) == [waiting]
        league = self.client_for(self.league_commander).get("/checkpoints/approvals/")
        assert list(league.context["requests"]) == [highway]
        assert self.client_for(self.colleague).get("/checkpoints/approvals/").status_code == 404
        client = self.client_for(self.officer)
        client.post(f"/checkpoints/{waiting.pk}/status/approve/", {"reason": ""})
        waiting.refresh_from_db()
        assert waiting.status == Status.REQUESTED
        client.post(f"/checkpoints/{waiting.pk}/status/approve/", {"reason": "needed"})
        waiting.refresh_from_db()
        assert waiting.status == Status.APPROVED
        client.post(f"/checkpoints/{highway.pk}/status/approve/", {"reason": "mine?"})
        highway.refresh_from_db()
        assert highway.status == Status.REQUESTED

    def test_the_duty_form_logs_a_passage(self):
        client = self.client_for(self.inspector)
        response = client.post(
            f"/checkpoints/{self.checkpoint.pk}/passages/",
            {
                "at": "2020-02-10T11:58",
                "direction": "out",
                "subject": "vehicle",
                "plate": "蒙M12345",
                "result": "passed",
            },
        )
        assert response.status_code == 302
        assert Passage.objects.filter(plate="蒙M12345", inspector=self.inspector).count() == 1
        bad = client.post(
            f"/checkpoints/{self.checkpoint.pk}/passages/",
            {
                "at": "2020-02-10T11:58",
                "direction": "out",
                "subject": "vehicle",
                "result": "passed",
            },
            follow=True,
        )
        assert "plate" in bad.content.decode()
        assert Passage.objects.count() == 2  # the earlier one and the new one, not the bad one


class PassageLogServiceTests(BaseTestCase):
    def test_passage_log_is_idempotent_by_client_uuid(self):
        import uuid

        inspector = make_user("insp", Role.INSPECTOR, BAYANHAOTE)
        checkpoint = opened(self.colleague, self.officer)
        key = uuid.uuid4()
        kwargs: dict[str, Any] = dict(
            actor=inspector,
            checkpoint=checkpoint,
            at=timezone.now(),
            direction="in",
            subject="vehicle",
            plate="蒙M12345",
            result="fast_passed",
            pass_serial="P-2020-000001",
            client_uuid=key,
        )
        first = services.passage_log(**kwargs)
        second = services.passage_log(**kwargs)
        assert first.pk == second.pk
        assert Passage.objects.count() == 1
