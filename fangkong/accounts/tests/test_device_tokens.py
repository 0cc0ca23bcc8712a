from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from fangkong.accounts.models import DeviceToken, hash_token
from fangkong.accounts.services import token_create, token_revoke
from fangkong.test import BaseTestCase


class DeviceTokenTests(BaseTestCase):
    def test_the_command_prints_the_token_once_and_stores_only_its_hash(self):
        out, err = StringIO(), StringIO()
        call_command("create_token", "colleague", "--name", "卡口手机", stdout=out, stderr=err)
        raw = out.getvalue().strip()
        assert raw.startswith("fk_") and len(raw) > 40
        token = DeviceToken.objects.get(name="卡口手机")
        assert token.token_hash == hash_token(raw)
        assert raw not in {token.token_hash, token.prefix}
        response = Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
        assert response.status_code == 200
        assert response.json()["username"] == "colleague"

    def test_a_revoked_or_unknown_token_is_refused(self):
        token, raw = token_create(actor=None, user=self.colleague, name="phone")
        token_revoke(actor=self.officer, token=token)
        assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
        bogus = Client().get("/api/v1/me", HTTP_AUTHORIZATION="Bearer fk_nonsense")
        assert bogus.status_code == 401
        assert bogus.json()["detail"].startswith("Authentication required")

    def test_revoke_command_by_user(self):
        token_create(actor=None, user=self.colleague, name="a")
        token_create(actor=None, user=self.colleague, name="b")
        call_command("revoke_token", "--user", "colleague", stdout=StringIO())
        assert not DeviceToken.objects.filter(revoked_at__isnull=True).exists()
        with pytest.raises(CommandError):
            call_command("revoke_token", "--user", "colleague")

    def test_disabling_a_user_revokes_their_tokens(self):
        from fangkong.accounts.services import user_set_active

        _token, raw = token_create(actor=None, user=self.colleague, name="phone")
        user_set_active(actor=self.officer, user=self.colleague, active=False)
        assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401

    def test_users_create_and_revoke_their_own_tokens_in_the_browser(self):
        client = self.client_for(self.colleague)
        response = client.post("/accounts/tokens/", {"name": "平板"})
        raw = response.context["raw_token"]
        assert raw.startswith("fk_")
        token = DeviceToken.objects.get(name="平板")
        client.post(f"/accounts/tokens/{token.pk}/revoke/")
        token.refresh_from_db()
        assert token.revoked_at is not None

    def test_an_outsider_cannot_revoke_someone_elses_token(self):
        token, _raw = token_create(actor=None, user=self.colleague, name="phone")
        response = self.client_for(self.outsider).post(f"/accounts/tokens/{token.pk}/revoke/")
        assert response.status_code == 404
        token.refresh_from_db()
        assert token.revoked_at is None
        # The colleague's own commander may.
        self.client_for(self.officer).post(f"/accounts/tokens/{token.pk}/revoke/")
        token.refresh_from_db()
        assert token.revoked_at is not None
