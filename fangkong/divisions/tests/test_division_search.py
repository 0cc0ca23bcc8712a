from django.test import Client

from fangkong.divisions.selectors import division_by_code, division_search
from fangkong.test import BaseTestCase


class DivisionSearchTests(BaseTestCase):
    def names(self, q: str) -> list[str]:
        return [d.name for d in division_search(q=q)]

    def test_it_finds_by_chinese_name(self):
        assert "巴彦浩特镇" in self.names("巴彦浩特")

    def test_it_finds_by_full_pinyin_and_by_initials(self):
        assert "巴彦浩特镇" in self.names("bayanhaote")
        assert "巴彦浩特镇" in self.names("byht")
        assert "巴彦浩特镇" in self.names("BYHT")

    def test_it_finds_by_every_written_form_of_a_code(self):
        for code in ("152921110", "152921110000"):
            assert self.names(code)[0] == "巴彦浩特镇"
        assert division_by_code("152900").name == "阿拉善盟"
        assert division_by_code("152900000000").name == "阿拉善盟"
        assert division_by_code("1529").name == "阿拉善盟"
        assert division_by_code("abc") is None

    def test_it_lists_one_parents_children(self):
        children = division_search(parent="152900", limit=0)
        assert {d.code for d in children} == {"152921", "152922", "152923", "152971"}


class DivisionTreePageTests(BaseTestCase):
    def test_the_tree_page_shows_children_and_search_results(self):
        client = self.client_for(self.colleague)
        response = client.get("/divisions/152921/?q=byht")
        assert response.status_code == 200
        body = response.content.decode()
        assert "巴彦浩特镇" in body
        assert "温都尔勒图镇" in body  # a child of 阿拉善左旗

    def test_an_unknown_code_is_not_found(self):
        client = self.client_for(self.colleague)
        assert client.get("/divisions/999999/").status_code == 404

    def test_the_tree_needs_a_login(self):
        response = Client().get("/divisions/")
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]
