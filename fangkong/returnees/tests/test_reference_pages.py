from __future__ import annotations

from fangkong.accounts.roles import Role
from fangkong.returnees.models import RiskArea, Transport, WorkUnit
from fangkong.returnees.services import returnee_register
from fangkong.returnees.tests.helpers import STANDARD_ID, trip_data
from fangkong.test import BAYANHAOTE, BaseTestCase, make_user


class ReferencePageTests(BaseTestCase):
    def test_an_hq_keeps_the_risk_area_list_and_a_worker_only_reads_it(self):
        client = self.client_for(self.officer)
        assert (
            client.post(
                "/returnees/risk-areas/", {"province": "湖北省", "city": "武汉市"}
            ).status_code
            == 302
        )
        area = RiskArea.objects.get()
        assert area.division_code == "152921"
        worker = make_user("worker", Role.GRASSROOTS, BAYANHAOTE)
        assert "湖北省" in self.client_for(worker).get("/returnees/risk-areas/").content.decode()
        assert (
            self.client_for(worker).post("/returnees/risk-areas/", {"province": "x"}).status_code
            == 404
        )
        assert (
            self.client_for(self.outsider)
            .post("/returnees/risk-areas/", {"deactivate": area.pk})
            .status_code
            == 404
        )
        area.refresh_from_db()
        assert area.active
        client.post("/returnees/risk-areas/", {"deactivate": area.pk})
        area.refresh_from_db()
        assert not area.active

    def test_staff_add_a_work_unit_with_a_valid_credit_code(self):
        client = self.client_for(self.colleague)
        response = client.post(
            "/returnees/units/",
            {
                "name": "某公司",
                "uscc": "91110000600037341L",
                "kind": "enterprise",
                "division_code": "152921",
            },
        )
        assert response.status_code == 302
        assert WorkUnit.objects.get().uscc == "91110000600037341L"
        page = client.post(
            "/returnees/units/",
            {
                "name": "另一公司",
                "uscc": "91110000600037341X",
                "kind": "enterprise",
                "division_code": "152921",
            },
        )
        assert page.status_code == 200 and WorkUnit.objects.count() == 1
        assert (
            "某公司" not in self.client_for(self.outsider).get("/returnees/units/").content.decode()
        )

    def test_the_list_finds_a_person_by_plate_and_by_phone(self):
        worker = make_user("worker", Role.GRASSROOTS, BAYANHAOTE)
        returnee_register(
            actor=worker,
            data=trip_data(
                id_number=STANDARD_ID, transport=Transport.CAR, transport_number="蒙M12345"
            ),
        )
        client = self.client_for(worker)
        assert "张三" in client.get("/returnees/", {"q": "蒙m12345"}).content.decode()
        assert "张三" in client.get("/returnees/", {"q": "13812345678"}).content.decode()
        assert "张三" not in client.get("/returnees/", {"q": "13812345670"}).content.decode()
        assert (
            "张三"
            not in self.client_for(self.outsider)
            .get("/returnees/", {"q": "蒙M12345"})
            .content.decode()
        )
