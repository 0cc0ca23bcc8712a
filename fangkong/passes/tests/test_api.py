from __future__ import annotations

import json
import random
from datetime import timedelta
from typing import Any

import time_machine
from django.test import Client

from fangkong.core.rollups import figures
from fangkong.lib import signing
from fangkong.passes.models import GreenPass, PassCheck, SigningKey
from fangkong.passes.rollups import day
from fangkong.passes.tests.helpers import T0, PassesTestCase
from fangkong.test import LEFT_BANNER

VERIFY = "/api/v1/passes/verify"


def post(client: Client, url: str, body: Any) -> Any:
    return client.post(url, data=json.dumps(body), content_type="application/json")


class TrustListApiTests(PassesTestCase):
    def test_an_inspector_gets_the_trust_list_signed_by_the_root_key(self) -> None:
        green = self.issue()
        with time_machine.travel(T0 + timedelta(hours=1), tick=False):
            green.status = GreenPass.Status.REVOKED  # revoked through the service below
            from fangkong.passes import services

            green.refresh_from_db()
            services.pass_revoke(actor=self.transport, green=green, reason="lost", now=T0)
            response = self.client_for(self.inspector).get("/api/v1/passes/trust-list")
        assert response.status_code == 200
        root = SigningKey.objects.get(is_root=True)
        tl = signing.verify_trust_list(
            response.json(), signing.public_key_from_b64(root.public_key)
        )
        assert set(tl.keys) == set(
            SigningKey.objects.filter(is_root=False).values_list("kid", flat=True)
        )
        assert tl.revoked == {green.serial}
        assert tl.expires_at - tl.issued_at == timedelta(hours=48)

    def test_the_root_key_is_published(self) -> None:
        response = self.client_for(self.inspector).get("/api/v1/passes/root-key")
        assert response.json()["kid"] == SigningKey.objects.get(is_root=True).kid

    def test_someone_without_pass_or_duty_rights_gets_not_found(self) -> None:
        from fangkong.accounts.roles import Role
        from fangkong.test import make_user

        logistics = make_user("logistics", Role.LOGISTICS, LEFT_BANNER)
        assert self.client_for(logistics).get("/api/v1/passes/trust-list").status_code == 404
        body = {"code": "x", "checkpoint": 1}
        assert post(self.client_for(logistics), VERIFY, body).status_code == 404
        assert not PassCheck.objects.exists()

    def test_anonymous_callers_must_authenticate_for_the_list_and_for_logging(self) -> None:
        assert Client().get("/api/v1/passes/trust-list").status_code == 401
        response = post(Client(), VERIFY, {"code": "FK1:x", "checkpoint": 1})
        assert response.status_code == 401
        assert not PassCheck.objects.exists()

    def test_anyone_may_verify_without_logging(self) -> None:
        green = self.issue()
        with time_machine.travel(T0 + timedelta(hours=1), tick=False):
            response = post(Client(), VERIFY, {"code": green.code})
        assert response.json()["reason"] == "valid"
        assert not PassCheck.objects.exists()


class VerifyApiTests(PassesTestCase):
    def verify(self, code: str, **extra: Any) -> dict[str, Any]:
        response = post(self.client_for(self.inspector), VERIFY, {"code": code, **extra})
        assert response.status_code == 200, response.content
        return dict(response.json())

    def test_a_valid_pass_is_valid_with_its_claims(self) -> None:
        green = self.issue()
        with time_machine.travel(T0 + timedelta(hours=1), tick=False):
            got = self.verify(green.code)
        assert got["valid"] is True
        assert got["reason"] == "valid"
        assert got["serial"] == green.serial
        assert got["claims"]["plate"] == "蒙M12345"

    def test_a_revoked_pass_is_refused_at_once(self) -> None:
        from fangkong.passes import services

        green = self.issue()
        with time_machine.travel(T0 + timedelta(hours=1), tick=False):
            assert self.verify(green.code)["valid"]
            services.pass_revoke(
                actor=self.transport, green=green, reason="stolen", now=T0 + timedelta(hours=1)
            )
            assert self.verify(green.code)["reason"] == "revoked"

    def test_expired_and_not_yet_valid(self) -> None:
        green = self.issue(days=1)
        with time_machine.travel(T0 + timedelta(days=2), tick=False):
            assert self.verify(green.code)["reason"] == "expired"
        from fangkong.passes import services

        later = services.pass_issue(
            actor=self.transport,
            division=self.left,
            request=services.PassRequest(
                vehicle=green.vehicle,
                driver=None,
                cargo="daily",
                origin="a",
                destination="b",
                valid_from=T0 + timedelta(days=1),
            ),
            now=T0,
        )
        with time_machine.travel(T0 + timedelta(hours=1), tick=False):
            assert self.verify(later.code)["reason"] == "not_yet_valid"

    def test_bad_input_gets_its_reason_never_valid_never_a_5xx(self) -> None:
        green = self.issue()
        rng = random.Random(3)
        cases = {
            "bad_prefix": ["", "hello", "HC1:" + green.code[4:], green.code[4:]],
            "bad_base45": [
                "FK1:" + "A" * 10_240,
                "FK1:abc",
                green.code[: 4 + len(green.code[4:]) // 3 * 3 - 2],
            ],
            "bad_compression": [
                green.code[: 4 + (len(green.code) // 2) // 3 * 3],
                "FK1:" + "".join(rng.choice("0123456789ABCDEF") for _ in range(300)),
            ],
        }
        with time_machine.travel(T0 + timedelta(hours=1), tick=False):
            for reason, codes in cases.items():
                for code in codes:
                    got = self.verify(code)
                    assert got["reason"] == reason, code[:40]
                    assert got["valid"] is False

    def test_a_pass_from_a_key_not_in_the_trust_list_is_unknown(self) -> None:
        stranger = signing.generate_private_key()
        code = signing.encode_pass(
            private_key=stranger,
            kid=signing.kid_for(stranger.public_key()),
            issuer_code=LEFT_BANNER,
            serial="X-1",
            nbf=T0,
            exp=T0 + timedelta(days=1),
            iat=T0,
            claims=dict.fromkeys(signing.PASS_FIELDS, ""),
        )
        with time_machine.travel(T0 + timedelta(hours=1), tick=False):
            assert self.verify(code)["reason"] == "unknown_kid"

    def test_a_body_that_is_not_json_or_too_long_is_a_clear_4xx(self) -> None:
        client = self.client_for(self.inspector)
        response = client.post(VERIFY, data="not json", content_type="application/json")
        assert response.status_code in (400, 422)
        response = post(client, VERIFY, {"code": "A" * 30_000})
        assert response.status_code == 422

    def test_with_a_checkpoint_the_check_is_logged_and_counted(self) -> None:
        green = self.issue()
        at = T0 + timedelta(hours=1)
        with time_machine.travel(at, tick=False):
            self.verify(green.code, checkpoint=7)
            self.verify("FK1:junk", checkpoint=7)
            self.verify(green.code)  # no checkpoint: not logged
        checks = PassCheck.objects.order_by("verdict")
        assert [(c.checkpoint_id, c.verdict, c.result) for c in checks] == [
            (7, "bad_base45", "turned_back"),
            (7, "valid", "fast_passed"),
        ]
        code = checks[0].division_code
        got = figures([code], ["passes.verified.valid", "passes.verified.bad_base45"], on=day(at))
        assert got["passes.verified.valid"]["today"] == 1
        assert got["passes.verified.bad_base45"]["today"] == 1


class PassesApiTests(PassesTestCase):
    def test_transport_issues_lists_and_revokes_a_pass(self) -> None:
        client = self.client_for(self.transport)
        body = {
            "plate": "蒙M 12345",
            "cargo": "medical",
            "origin": "152921",
            "destination": "银川市",
            "driver_name": "张三",
            "driver_id_number": "152921199001010013",
            "days": 10,
        }
        response = post(client, "/api/v1/passes", body)
        assert response.status_code == 201, response.content
        created = response.json()
        assert created["plate"] == "蒙M12345"
        assert created["driver_id_number"] == "152921********0013"
        assert created["issuer"] == LEFT_BANNER
        listed = client.get("/api/v1/passes").json()
        assert [p["serial"] for p in listed] == [created["serial"]]
        revoked = post(client, f"/api/v1/passes/{created['id']}/revoke", {"reason": "lost"})
        assert revoked.json()["status"] == "revoked"
        again = post(client, f"/api/v1/passes/{created['id']}/revoke", {"reason": "lost"})
        assert again.status_code == 422

    def test_a_bad_plate_or_a_31_day_pass_is_refused_by_name(self) -> None:
        client = self.client_for(self.transport)
        base = {"cargo": "daily", "origin": "a", "destination": "b"}
        response = post(client, "/api/v1/passes", {**base, "plate": "12345"})
        assert response.status_code == 422
        assert "plate" in response.json()["detail"]
        response = post(client, "/api/v1/passes", {**base, "plate": "蒙M12345", "days": 31})
        assert "30" in response.json()["detail"]
        assert not GreenPass.objects.exists()

    def test_an_outsider_sees_nothing_and_cannot_revoke(self) -> None:
        green = self.issue()
        for user in (self.outsider, self.other_transport):
            client = self.client_for(user)
            assert client.get("/api/v1/passes").json() == []
            assert client.get(f"/api/v1/passes/{green.pk}").status_code == 404
            response = post(client, f"/api/v1/passes/{green.pk}/revoke", {"reason": "x"})
            assert response.status_code == 404
        green.refresh_from_db()
        assert green.status == GreenPass.Status.ISSUED

    def test_a_commander_may_list_but_not_issue(self) -> None:
        self.issue()
        client = self.client_for(self.officer)
        assert len(client.get("/api/v1/passes").json()) == 1
        response = post(
            client,
            "/api/v1/passes",
            {"plate": "蒙M12345", "cargo": "daily", "origin": "a", "destination": "b"},
        )
        assert response.status_code == 404

    def test_an_inspector_cannot_issue(self) -> None:
        response = post(
            self.client_for(self.inspector),
            "/api/v1/passes",
            {"plate": "蒙M12345", "cargo": "daily", "origin": "a", "destination": "b"},
        )
        assert response.status_code == 404


class PlateLookupApiTests(PassesTestCase):
    def test_an_inspector_anywhere_finds_the_current_codes_of_a_plate(self) -> None:
        green = self.issue()
        revoked = self.issue("蒙M54321")
        from fangkong.passes import services

        services.pass_revoke(actor=self.transport, green=revoked, reason="x", now=T0)
        from fangkong.accounts.roles import Role
        from fangkong.test import make_user

        far = make_user("far_inspector", Role.INSPECTOR, "152922103")
        client = self.client_for(far)
        with time_machine.travel(T0 + timedelta(hours=1), tick=False):
            got = client.get("/api/v1/passes/by-plate/蒙M 12345").json()
            assert got["codes"] == [green.code]
            assert client.get("/api/v1/passes/by-plate/蒙M54321").json()["codes"] == []
            assert client.get("/api/v1/passes/by-plate/nonsense").json()["codes"] == []
        with time_machine.travel(T0 + timedelta(days=8), tick=False):
            assert (
                self.client_for(far).get("/api/v1/passes/by-plate/蒙M12345").json()["codes"] == []
            )

    def test_someone_without_pass_or_duty_rights_gets_not_found(self) -> None:
        from fangkong.accounts.roles import Role
        from fangkong.test import make_user

        logistics = make_user("logistics", Role.LOGISTICS, LEFT_BANNER)
        response = self.client_for(logistics).get("/api/v1/passes/by-plate/蒙M12345")
        assert response.status_code == 404


class VerifyAtARealCheckpointTests(PassesTestCase):
    """With an open checkpoint the inspector works, a valid pass is a fast passage in its log."""

    def setUp(self) -> None:
        super().setUp()
        from fangkong.checkpoints.tests.helpers import opened

        with time_machine.travel(T0, tick=False):
            self.checkpoint = opened(self.colleague, self.officer)

    def verify(self, code: str, **extra: Any) -> dict[str, Any]:
        response = post(self.client_for(self.inspector), VERIFY, {"code": code, **extra})
        assert response.status_code == 200, response.content
        return dict(response.json())

    def test_a_valid_pass_logs_a_fast_passage_and_an_invalid_one_logs_none(self) -> None:
        from fangkong.checkpoints.models import Passage

        green = self.issue()
        with time_machine.travel(T0 + timedelta(hours=1), tick=False):
            assert self.verify(green.code, checkpoint=self.checkpoint.pk)["valid"] is True
            assert self.verify("FK1:junk", checkpoint=self.checkpoint.pk)["valid"] is False
        passages = list(Passage.objects.filter(checkpoint=self.checkpoint))
        assert [(p.subject, p.result, p.plate, p.pass_serial) for p in passages] == [
            ("vehicle", "fast_passed", "蒙M12345", green.serial)
        ]
        assert sorted(PassCheck.objects.values_list("verdict", flat=True)) == [
            "bad_base45",
            "valid",
        ]

    def test_an_outsider_logs_nothing_at_a_checkpoint_outside_their_jurisdiction(self) -> None:
        from fangkong.accounts.roles import Role
        from fangkong.checkpoints.models import Passage
        from fangkong.test import make_user

        far = make_user("far_inspector", Role.INSPECTOR, "152922")
        green = self.issue()
        with time_machine.travel(T0 + timedelta(hours=1), tick=False):
            response = post(
                self.client_for(far), VERIFY, {"code": green.code, "checkpoint": self.checkpoint.pk}
            )
        assert response.status_code == 200
        assert not Passage.objects.exists()
