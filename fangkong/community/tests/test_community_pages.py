"""The community overview, photo files and who may open the pages at all."""

from __future__ import annotations

from fangkong.accounts.roles import Role
from fangkong.community.models import Photo
from fangkong.test import BAYANHAOTE, BaseTestCase, make_user

from .helpers import jpeg_with_exif, report, sumu_worker


class OverviewTests(BaseTestCase):
    def test_the_overview_shows_the_rollup_figures_of_the_jurisdiction(self):
        report()
        report()
        page = self.client_for(self.officer).get("/community/")
        assert page.status_code == 200
        assert page.context["reported"]["total"] == 2
        assert page.context["open"]["total"] == 2
        assert len(page.context["open_gatherings"]) == 2
        outsider = self.client_for(self.outsider).get("/community/")
        assert outsider.context["reported"]["total"] == 0
        assert not outsider.context["open_gatherings"]

    def test_the_overview_is_chinese_by_default_and_in_the_menu(self):
        body = self.client_for(sumu_worker()).get("/community/").content.decode()
        assert "社区防控措施" in body
        assert 'href="/community/"' in body

    def test_roles_without_community_permissions_get_not_found(self):
        inspector = self.client_for(make_user("insp", Role.INSPECTOR, BAYANHAOTE))
        for url in [
            "/community/",
            "/community/gatherings/",
            "/community/gatherings/stats/",
            "/community/family-events/",
            "/community/hygiene/",
            "/community/publicity/",
        ]:
            assert inspector.get(url).status_code == 404, url
        assert inspector.get("/api/v1/community/gatherings").status_code == 404

    def test_every_list_page_opens_for_a_worker(self):
        client = self.client_for(sumu_worker())
        for url in [
            "/community/gatherings/",
            "/community/gatherings/new/",
            "/community/family-events/",
            "/community/family-events/new/",
            "/community/hygiene/",
            "/community/hygiene/new/",
            "/community/publicity/",
            "/community/publicity/new/",
        ]:
            assert client.get(url).status_code == 200, url


class PhotoTests(BaseTestCase):
    def test_photos_are_served_only_inside_the_jurisdiction(self):
        report(actor=self.colleague, photos=[jpeg_with_exif()])
        photo = Photo.objects.get()
        officer = self.client_for(self.officer).get(f"/community/photos/{photo.pk}/")
        assert officer.status_code == 200 and officer["Content-Type"] == "image/jpeg"
        assert (
            self.client_for(self.outsider).get(f"/community/photos/{photo.pk}/").status_code == 404
        )
        assert self.client.get(f"/community/photos/{photo.pk}/").status_code == 302


class HomeCardTests(BaseTestCase):
    def test_the_home_card_counts_the_gatherings_waiting_where_the_user_works(self):
        report()
        report()
        worker = sumu_worker()
        cards = self.client_for(worker).get("/", HTTP_ACCEPT_LANGUAGE="en").context["cards"]
        [card] = [c for c in cards if c["url"] == "/community/"]
        assert card["count"] == 2
        outsider_cards = self.client_for(self.outsider).get("/").context["cards"]
        [card] = [c for c in outsider_cards if c["url"] == "/community/"]
        assert card["count"] == 0
