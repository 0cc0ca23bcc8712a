from fangkong.accounts.roles import Role
from fangkong.test import BAYANHAOTE, BaseTestCase, make_user


class NavigationTests(BaseTestCase):
    def test_each_role_sees_its_own_menu(self):
        commander = self.client_for(self.league_commander).get("/", HTTP_ACCEPT_LANGUAGE="en")
        labels = [item["label"] for item in commander.context["nav_items"]]
        assert labels == [
            "Home",
            "Alerts",
            "Dashboard",
            "Notices",
            "SMS bulletins",
            "Measures to carry out",
            "Returnees",
            "Checkpoints",
            "Approvals",
            "Green channel",
            "Community",
            "Vulnerable households",
            "Help requests",
            "Divisions",
            "Users",
            "Emergency periods",
            "Audit trail",
        ]
        inspector = make_user("insp", Role.INSPECTOR, BAYANHAOTE)
        page = self.client_for(inspector).get("/", HTTP_ACCEPT_LANGUAGE="en")
        assert [i["label"] for i in page.context["nav_items"]] == [
            "Home",
            "Alerts",
            "Checkpoints",
            "My shifts",
            "Green channel",
            "Divisions",
        ]
        unit_admin = make_user("unit", Role.UNIT_ADMIN, BAYANHAOTE)
        page = self.client_for(unit_admin).get("/", HTTP_ACCEPT_LANGUAGE="en")
        assert [i["label"] for i in page.context["nav_items"]] == [
            "Home",
            "Alerts",
            "Our returning staff",
            "Divisions",
        ]

    def test_the_home_page_shows_roles_and_is_chinese_by_default(self):
        body = self.client_for(self.officer).get("/").content.decode()
        assert "欢迎" in body
        assert "阿拉善左旗" in body
        assert 'lang="zh-hans"' in body


class HomeCardTests(BaseTestCase):
    def test_home_cards_follow_the_role(self):
        commander = self.client_for(self.league_commander).get("/", HTTP_ACCEPT_LANGUAGE="en")
        titles = [c["title"] for c in commander.context["cards"]]
        assert titles == ["Users", "Emergency periods", "Audit trail", "Community", "Divisions"]
        staff = self.client_for(self.colleague).get("/", HTTP_ACCEPT_LANGUAGE="en")
        assert [c["title"] for c in staff.context["cards"]] == ["Community", "Divisions"]
