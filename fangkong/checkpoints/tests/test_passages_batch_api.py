import json
import uuid
from datetime import UTC, datetime, timedelta
from unittest import mock

import time_machine

from fangkong.accounts.roles import Role
from fangkong.accounts.services import token_create
from fangkong.checkpoints import metrics, services
from fangkong.checkpoints.models import Passage
from fangkong.core.models import AuditEntry, DailyCount
from fangkong.test import BAYANHAOTE, RIGHT_TOWN, BaseTestCase, make_user

from .helpers import item, opened

NOW = datetime(2020, 2, 10, 2, 0, tzinfo=UTC)


@time_machine.travel(NOW, tick=False)
class PassagesBatchApiTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.inspector = make_user("insp", Role.INSPECTOR, BAYANHAOTE)
        cls.other_inspector = make_user("insp2", Role.INSPECTOR, RIGHT_TOWN)
        with time_machine.travel(NOW - timedelta(hours=3), tick=False):
            cls.checkpoint = opened(cls.colleague, cls.officer)
        _token, cls.raw = token_create(actor=None, user=cls.inspector, name="phone 1")
        _t2, cls.other_raw = token_create(actor=None, user=cls.other_inspector, name="phone 2")

    def post(self, body, *, raw=None, checkpoint_id=None):
        data = body if isinstance(body, bytes | str) else json.dumps(body)
        return self.client.post(
            f"/api/v1/checkpoints/{checkpoint_id or self.checkpoint.pk}/passages:batch",
            data=data,
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {raw or self.raw}",
            HTTP_ACCEPT_LANGUAGE="en",
        )

    def test_a_batch_is_stored_and_a_replay_stores_nothing_new(self):
        items = [item(NOW - timedelta(minutes=i)) for i in range(5)]
        first = self.post({"passages": items})
        assert first.status_code == 200
        assert [r["outcome"] for r in first.json()["results"]] == ["stored"] * 5
        assert [r["client_uuid"] for r in first.json()["results"]] == [
            i["client_uuid"] for i in items
        ]
        again = self.post({"passages": items})
        assert [r["outcome"] for r in again.json()["results"]] == ["duplicate"] * 5
        assert Passage.objects.count() == 5
        p = Passage.objects.get(client_uuid=items[0]["client_uuid"])
        assert (p.inspector, p.division_code, p.id_number) == (
            self.inspector,
            BAYANHAOTE,
            "152921199001010013",
        )
        day = NOW.date()
        count = DailyCount.objects.get(metric=metrics.passage_metric("passed"), day=day)
        assert count.value == 5
        assert AuditEntry.objects.filter(verb="checkpoint.passages_sync").count() == 2

    def test_bad_items_are_rejected_by_name_and_good_ones_stored(self):
        good = item(NOW)
        items = [
            good,
            item(NOW, temperature=52),
            item(NOW, direction="sideways"),
            item(NOW, subject="vehicle", plate=None),
            item(NOW, id_number="152921199001010014"),
            item(NOW, client_uuid="not-a-uuid"),
            item(NOW.replace(tzinfo=None)),
            item(NOW + timedelta(minutes=6)),
            item(NOW - timedelta(hours=4)),
            item(NOW, at="yesterday"),
        ]
        response = self.post({"passages": items})
        assert response.status_code == 200
        results = response.json()["results"]
        assert results[0] == {
            "client_uuid": good["client_uuid"],
            "outcome": "stored",
            "reason": None,
        }
        reasons = [r["reason"] for r in results[1:]]
        assert all(r["outcome"] == "rejected" for r in results[1:])
        assert reasons[0].startswith("temperature:")
        assert reasons[1].startswith("direction:")
        assert reasons[2] == "plate: a vehicle needs its plate"
        assert reasons[3] == "id_number: ID number check digit is wrong"
        assert reasons[4] == "client_uuid: must be a UUID"
        assert reasons[5] == "at: must carry a UTC offset (e.g. +08:00)"
        assert reasons[6] == "at: more than 5 minutes in the future"
        assert reasons[7].startswith("at: before the checkpoint opened")
        assert reasons[8].startswith("at: ")
        assert Passage.objects.count() == 1

    def test_a_fast_pass_without_a_serial_is_stored_and_flagged_not_rejected(self):
        fast = item(NOW, result="fast_passed")
        results = self.post({"passages": [fast]}).json()["results"]
        assert results == [
            {"client_uuid": fast["client_uuid"], "outcome": "stored", "reason": "pass_missing"}
        ]
        assert Passage.objects.get().flag == "pass_missing"

    def test_a_time_just_inside_five_minutes_ahead_is_accepted(self):
        response = self.post({"passages": [item(NOW + timedelta(minutes=4, seconds=59))]})
        assert response.json()["results"][0]["outcome"] == "stored"

    def test_the_same_uuid_twice_in_a_batch_is_stored_once(self):
        a = item(NOW)
        b = dict(a)
        bad = item(NOW, temperature=99)
        bad_again = dict(bad)
        response = self.post({"passages": [a, b, bad, bad_again]})
        outcomes = [(r["outcome"], r["reason"]) for r in response.json()["results"]]
        assert outcomes[0] == ("stored", None)
        assert outcomes[1] == ("duplicate", "client_uuid: same as item 1 of this batch")
        assert outcomes[2][0] == outcomes[3][0] == "rejected"
        assert Passage.objects.count() == 1

    def test_a_batch_of_1001_is_refused_whole(self):
        items = [item(NOW) for _ in range(1001)]
        response = self.post({"passages": items})
        assert response.status_code == 413
        assert "1001" in response.json()["detail"]
        assert Passage.objects.count() == 0

    def test_a_batch_of_1000_is_taken(self):
        response = self.post({"passages": [item(NOW) for _ in range(1000)]})
        assert response.status_code == 200
        assert Passage.objects.count() == 1000

    def test_a_body_that_is_not_json_gets_400(self):
        response = self.post(b"{passages: nope")
        assert response.status_code == 400
        assert response.json() == {"detail": "The body is not valid JSON."}
        response = self.post({"items": []})
        assert response.status_code == 400
        assert "passages" in response.json()["detail"]

    def test_a_10_mb_body_gets_413(self):
        response = self.post(b'{"passages": ["' + b"x" * (10 * 1024 * 1024) + b'"]}')
        assert response.status_code == 413
        assert Passage.objects.count() == 0

    def test_items_that_are_not_objects_are_rejected(self):
        response = self.post({"passages": [1, None, "x"]})
        assert [r["outcome"] for r in response.json()["results"]] == ["rejected"] * 3

    def test_a_closed_checkpoint_gets_409_and_nothing_is_written(self):
        services.checkpoint_close(actor=self.officer, checkpoint=self.checkpoint, reason="done")
        response = self.post({"passages": [item(NOW)]})
        assert response.status_code == 409
        assert "open" in response.json()["detail"]
        assert Passage.objects.count() == 0

    def test_an_unknown_checkpoint_gets_404(self):
        response = self.post({"passages": [item(NOW)]}, checkpoint_id=999999)
        assert response.status_code == 404

    def test_the_outsider_inspector_gets_404_exactly_like_unknown(self):
        response = self.post({"passages": [item(NOW)]}, raw=self.other_raw)
        unknown = self.post({"passages": [item(NOW)]}, raw=self.other_raw, checkpoint_id=999999)
        assert response.status_code == unknown.status_code == 404
        assert response.content == unknown.content
        assert Passage.objects.count() == 0

    def test_a_commander_without_duty_rights_gets_404(self):
        client = self.client_for(self.officer)
        response = client.post(
            f"/api/v1/checkpoints/{self.checkpoint.pk}/passages:batch",
            data=json.dumps({"passages": [item(NOW)]}),
            content_type="application/json",
        )
        assert response.status_code in (403, 404)
        assert Passage.objects.count() == 0

    def test_no_token_gets_401(self):
        response = self.client.post(
            f"/api/v1/checkpoints/{self.checkpoint.pk}/passages:batch",
            data="{}",
            content_type="application/json",
        )
        assert response.status_code == 401

    def test_a_uuid_already_stored_at_another_checkpoint_is_a_duplicate(self):
        other = opened(self.colleague, self.officer, name="西口")
        key = str(uuid.uuid4())
        self.post({"passages": [item(NOW, client_uuid=key)]})
        response = self.post({"passages": [item(NOW, client_uuid=key)]}, checkpoint_id=other.pk)
        assert response.json()["results"][0]["outcome"] == "duplicate"
        assert Passage.objects.get(client_uuid=key).checkpoint == self.checkpoint

    def test_a_retry_of_a_stored_uuid_is_a_duplicate_even_if_it_no_longer_validates(self):
        stored = item(NOW)
        self.post({"passages": [stored]})
        resent = dict(stored, temperature=99, direction="sideways")
        response = self.post({"passages": [resent, dict(resent)]})
        assert [(r["outcome"], r["reason"]) for r in response.json()["results"]] == [
            ("duplicate", None),
            ("duplicate", "client_uuid: same as item 1 of this batch"),
        ]
        assert Passage.objects.get(client_uuid=stored["client_uuid"]).temperature == 36.5

    def test_a_uuid_in_another_spelling_is_the_same_passage(self):
        key = uuid.uuid4()
        self.post({"passages": [item(NOW, client_uuid=str(key))]})
        response = self.post(
            {"passages": [item(NOW, client_uuid=str(key).upper()), item(NOW, client_uuid=key.hex)]}
        )
        results = response.json()["results"]
        assert [r["outcome"] for r in results] == ["duplicate", "duplicate"]
        assert [r["client_uuid"] for r in results] == [str(key).upper(), key.hex]
        assert Passage.objects.count() == 1

    def test_a_temperature_that_is_not_a_finite_number_is_rejected(self):
        body = json.dumps({"passages": [item(NOW, temperature="NAN_HERE")]})
        for token in ("NaN", "Infinity", "-Infinity", '"nan"', '"abc"', "true", "[36.5]"):
            response = self.post(body.replace('"NAN_HERE"', token))
            assert response.status_code == 200, token
            result = response.json()["results"][0]
            assert (result["outcome"], result["reason"]) == (
                "rejected",
                "temperature: must be a number",
            ), token
        assert Passage.objects.count() == 0

    def test_rows_stored_by_another_upload_after_the_check_are_duplicates_counted_once(self):
        # A concurrent upload stores some of these UUIDs between this batch's check for stored
        # UUIDs and its write: the bulk write then fails on the unique key and the batch is
        # written again with ON CONFLICT DO NOTHING.
        items = [item(NOW - timedelta(seconds=i)) for i in range(4)]
        self.post({"passages": items[:2]})
        # The check ran just before the other upload stored the first two.
        with mock.patch.object(services, "_stored_uuids", return_value=set()):
            response = self.post({"passages": items})
        assert [r["outcome"] for r in response.json()["results"]] == [
            "duplicate",
            "duplicate",
            "stored",
            "stored",
        ]
        assert Passage.objects.count() == 4
        count = DailyCount.objects.get(metric=metrics.passage_metric("passed"), day=NOW.date())
        assert count.value == 4
        audit = AuditEntry.objects.filter(verb="checkpoint.passages_sync").latest("pk")
        assert (audit.extra["stored"], audit.extra["duplicate"]) == (2, 2)
