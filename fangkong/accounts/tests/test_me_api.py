from django.test import Client

from fangkong.test import BaseTestCase


class MeApiTests(BaseTestCase):
    def test_me_lists_memberships_and_permission_scopes(self):
        data = self.client_for(self.officer).get("/api/v1/me").json()
        assert data["username"] == "officer"
        assert data["memberships"] == [
            {"role": "commander", "division_code": "152921", "division_name": "阿拉善左旗"}
        ]
        assert data["permissions"]["users.manage"] == ["152921"]
        assert "emergency.manage" not in data["permissions"]

    def test_me_needs_authentication(self):
        assert Client().get("/api/v1/me").status_code == 401

    def test_session_writes_need_the_csrf_token(self):
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.officer)
        # No write endpoint exists yet at this level; the auth class refuses a POST without CSRF.
        from fangkong.accounts.api import SessionAuth

        assert SessionAuth().csrf is True
        assert client.get("/api/v1/me").status_code == 200
