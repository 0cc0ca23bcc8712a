from fangkong.accounts.roles import Role
from fangkong.directives.tests.helpers import notice_for
from fangkong.test import LEAGUE, LEFT_BANNER, BaseTestCase, make_user


class PublicNoticeTests(BaseTestCase):
    def test_the_public_list_shows_only_public_notices_and_searches(self):
        public = notice_for(self.officer, LEFT_BANNER, public=True, title="关于加强卡口管理的通知")
        notice_for(self.officer, LEFT_BANNER, public=False, title="内部工作安排")
        client = self.client.__class__()
        body = client.get("/directives/public/").content.decode()
        assert public.title in body and "内部工作安排" not in body
        assert public.title in client.get("/directives/public/?q=卡口").content.decode()
        assert public.title not in client.get("/directives/public/?q=集市").content.decode()

    def test_the_public_page_has_a_qr_code_to_view_on_a_phone(self):
        public = notice_for(self.officer, LEFT_BANNER, public=True)
        response = self.client.get(f"/directives/public/{public.pk}/", HTTP_ACCEPT_LANGUAGE="en")
        body = response.content.decode()
        assert response.status_code == 200
        assert "<svg" in body and "Scan to view on your phone" in body
        assert f"/directives/public/{public.pk}/" in body

    def test_an_internal_notice_has_no_public_page(self):
        internal = notice_for(self.officer, LEFT_BANNER)
        missing = self.client.get("/directives/public/999999/")
        response = self.client.get(f"/directives/public/{internal.pk}/")
        assert response.status_code == 404
        assert missing.status_code == 404
        assert internal.title not in response.content.decode()


class InternalNoticeTests(BaseTestCase):
    def test_a_banner_notice_is_seen_inside_the_banner_and_above_it(self):
        notice = notice_for(self.officer, LEFT_BANNER)
        for user in (self.officer, self.colleague, self.league_commander):
            assert self.client_for(user).get(f"/directives/{notice.pk}/").status_code == 200
            assert notice.title in self.client_for(user).get("/directives/").content.decode()

    def test_an_outsider_sees_neither_the_notice_nor_it_in_the_list(self):
        notice = notice_for(self.officer, LEFT_BANNER)
        client = self.client_for(self.outsider)
        assert client.get(f"/directives/{notice.pk}/").status_code == 404
        assert notice.title not in client.get("/directives/").content.decode()
        assert client.get(f"/api/v1/directives/notices/{notice.pk}").status_code == 404
        assert client.get("/api/v1/directives/notices").json() == []

    def test_a_league_notice_reaches_every_banner(self):
        notice = notice_for(self.league_commander, LEAGUE)
        response = self.client_for(self.outsider).get(f"/api/v1/directives/notices/{notice.pk}")
        assert response.status_code == 200
        assert response.json()["measures"][0]["number"] == "一"

    def test_anonymous_users_are_sent_to_log_in(self):
        notice = notice_for(self.officer, LEFT_BANNER)
        assert self.client.get(f"/directives/{notice.pk}/").status_code == 302
        assert self.client.get("/api/v1/directives/notices").status_code == 401


class NoticeAttachmentTests(BaseTestCase):
    def test_an_internal_notices_attachment_is_not_found_outside(self):
        from django.core.files.uploadedfile import SimpleUploadedFile

        from fangkong.directives import services
        from fangkong.directives.tests.helpers import NOTICE_TEXT
        from fangkong.divisions.models import Division

        notice = services.notice_import(
            actor=self.officer,
            division=Division.objects.get(code=LEFT_BANNER),
            text=NOTICE_TEXT,
            attachments=[SimpleUploadedFile("plan.txt", b"plan")],
        )
        attachment = notice.attachments.get()
        url = f"/directives/attachments/notice/{attachment.pk}/"
        assert self.client_for(self.colleague).get(url).status_code == 200
        assert self.client_for(self.outsider).get(url).status_code == 404
        assert self.client.get(url).status_code == 404
        notice.public = True
        notice.save(update_fields=["public"])
        assert self.client.get(url).status_code == 200
        assert self.client.get("/directives/attachments/other/1/").status_code == 404

    def test_the_task_list_is_not_found_for_a_role_that_does_not_report(self):
        inspector = make_user("inspector", Role.INSPECTOR, LEFT_BANNER)
        assert self.client_for(inspector).get("/directives/tasks/").status_code == 404
