from django.test import Client

from fangkong.accounts.services import token_create
from fangkong.test import BaseTestCase


class DivisionsApiTests(BaseTestCase):
    def test_q_finds_bayanhaote_with_its_code(self):
        response = self.client_for(self.outsider).get("/api/v1/divisions", {"q": "巴彦浩特"})
        assert response.status_code == 200
        rows = response.json()
        assert rows[0]["name"] == "巴彦浩特镇"
        assert rows[0]["code"] == "152921110"
        assert rows[0]["full_code"] == "152921110000"
        assert rows[0]["level"] == "township"
        assert rows[0]["parent"] == "152921"

    def test_parent_accepts_every_written_form(self):
        client = self.client_for(self.colleague)
        for parent in ("1529", "152900", "152900000000"):
            rows = client.get("/api/v1/divisions", {"parent": parent}).json()
            assert sorted(r["code"] for r in rows) == ["152921", "152922", "152923", "152971"]

    def test_a_bad_parent_or_limit_is_a_clear_422(self):
        client = self.client_for(self.colleague)
        response = client.get("/api/v1/divisions", {"parent": "15x"})
        assert response.status_code == 422
        assert "parent" in response.json()["detail"]
        assert client.get("/api/v1/divisions", {"limit": 0}).status_code == 422

    def test_one_division_by_any_code_form(self):
        client = self.client_for(self.colleague)
        assert client.get("/api/v1/divisions/152900").json()["name"] == "阿拉善盟"
        assert client.get("/api/v1/divisions/999999").status_code == 404

    def test_it_needs_authentication_but_a_device_token_will_do(self):
        assert Client().get("/api/v1/divisions").status_code == 401
        _token, raw = token_create(actor=None, user=self.colleague, name="phone")
        response = Client().get("/api/v1/divisions?q=byht", HTTP_AUTHORIZATION=f"Bearer {raw}")
        assert response.status_code == 200
        assert response.json()[0]["code"] == "152921110"
