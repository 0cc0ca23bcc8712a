from fangkong.checkpoints import services
from fangkong.test import RIGHT_TOWN, BaseTestCase, make_user

from .helpers import opened, requested


class CheckpointApiTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.open_one = opened(cls.colleague, cls.officer, name="东口")
        cls.waiting = requested(cls.colleague, name="西口")
        right_staff = make_user("right_staff", "staff", "152922")
        cls.right = requested(right_staff, code=RIGHT_TOWN, name="右旗口")
        services.checkpoint_approve(actor=cls.outsider, checkpoint=cls.right, reason="ok")
        services.checkpoint_open(actor=right_staff, checkpoint=cls.right, reason="go")

    def test_the_list_filters_by_status_within_my_jurisdiction(self):
        client = self.client_for(self.officer)
        everything = client.get("/api/v1/checkpoints").json()
        assert {c["name"] for c in everything} == {"东口", "西口"}
        open_ones = client.get("/api/v1/checkpoints?status=open").json()
        assert [c["name"] for c in open_ones] == ["东口"]
        assert open_ones[0]["status"] == "open"
        assert open_ones[0]["approval_code"] == "152921"
        league = self.client_for(self.league_commander).get("/api/v1/checkpoints?status=open")
        assert {c["name"] for c in league.json()} == {"东口", "右旗口"}

    def test_one_checkpoint_by_id(self):
        body = self.client_for(self.colleague).get(f"/api/v1/checkpoints/{self.open_one.pk}").json()
        assert body["name"] == "东口"
        assert body["division_code"] == "152921110"
        assert body["opened_at"] is not None

    def test_the_outsider_gets_404_exactly_like_unknown(self):
        client = self.client_for(self.outsider)
        inside = client.get(f"/api/v1/checkpoints/{self.open_one.pk}")
        unknown = client.get("/api/v1/checkpoints/999999")
        assert inside.status_code == unknown.status_code == 404
        assert inside.content == unknown.content
        assert [c["name"] for c in client.get("/api/v1/checkpoints").json()] == ["右旗口"]

    def test_anonymous_callers_get_401(self):
        assert self.client.get("/api/v1/checkpoints").status_code == 401

    def test_the_list_pages_with_limit_and_offset_and_gives_the_total(self):
        for n in range(5):
            requested(self.colleague, name=f"口{n}")
        client = self.client_for(self.officer)
        first = client.get("/api/v1/checkpoints?limit=3")
        assert first.status_code == 200
        assert first["X-Total-Count"] == "7"
        rest = client.get("/api/v1/checkpoints?limit=3&offset=3").json()
        last = client.get("/api/v1/checkpoints?limit=3&offset=6").json()
        names = [c["name"] for c in first.json() + rest + last]
        assert len(names) == len(set(names)) == 7
        assert len(last) == 1
        for bad in ("limit=0", "limit=1001", "offset=-1", "limit=x"):
            response = client.get(f"/api/v1/checkpoints?{bad}")
            assert response.status_code == 422, bad
