"""Writing a notice from scratch, editing a notice's fields, and the API to create one."""

import tempfile

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from fangkong.accounts.roles import Role
from fangkong.core.models import AuditEntry
from fangkong.directives import services
from fangkong.directives.models import Notice
from fangkong.directives.tests.helpers import notice_for
from fangkong.test import BAYANHAOTE, LEAGUE, LEFT_BANNER, BaseTestCase, make_user

FIELDS = {
    "issuer": LEFT_BANNER,
    "kind": "notice",
    "title": "阿拉善左旗应对疫情工作指挥部关于做好春耕备耕期间疫情防控的通知",
    "issuer_name": "",
    "doc_number": "左防指发〔2020〕9号",
    "date": "2020-02-20",
    "body": "各苏木镇：为统筹做好疫情防控和春耕备耕工作，现通知如下。",
    "measures": (
        "一、分区分级组织农牧民返岗。低风险地区有序复工。\n\n（二）保障农资供应：开通绿色通道\n"
    ),
}

MEDIA = tempfile.mkdtemp(prefix="fangkong-test-media-")


@override_settings(MEDIA_ROOT=MEDIA)
class NoticeWritePageTests(BaseTestCase):
    url = "/directives/new/"

    def test_the_officer_writes_a_notice_with_measures_and_an_attachment(self):
        client = self.client_for(self.officer)
        page = client.get(self.url)
        assert page.status_code == 200
        assert f'value="{LEFT_BANNER}"' in page.content.decode()
        upload = SimpleUploadedFile("分工表.txt", "分工".encode(), content_type="text/plain")
        response = client.post(self.url, {**FIELDS, "public": "on", "attachments": [upload]})
        notice = Notice.objects.get()
        assert response.status_code == 302 and response["Location"] == f"/directives/{notice.pk}/"
        assert (notice.division_code, notice.doc_number, notice.public) == (
            LEFT_BANNER,
            "左防指发〔2020〕9号",
            True,
        )
        assert notice.issuer_name == "阿拉善左旗"  # left empty: the HQ's name
        measures = list(notice.measures.order_by("position").values_list("number", "title", "text"))
        assert measures == [
            ("一", "分区分级组织农牧民返岗", "低风险地区有序复工。"),
            ("二", "保障农资供应", "开通绿色通道"),
        ]
        assert notice.attachments.get().name == "分工表.txt"
        audit = AuditEntry.objects.get(verb="notice.create")
        assert audit.actor == self.officer and audit.target_id == str(notice.pk)
        assert "撰写通知" in client.get("/directives/").content.decode()

    def test_a_notice_without_measures_is_issued_and_bad_fields_are_named(self):
        client = self.client_for(self.officer)
        response = client.post(self.url, {**FIELDS, "measures": ""})
        assert response.status_code == 302
        assert Notice.objects.get().measures.count() == 0
        bad = client.post(self.url, {**FIELDS, "title": "", "date": "2020-02-31"})
        assert bad.status_code == 200
        assert set(bad.context["form"].errors) == {"title", "date"}
        assert Notice.objects.count() == 1

    def test_an_issuer_outside_the_jurisdiction_is_refused_and_nothing_stored(self):
        response = self.client_for(self.officer).post(self.url, {**FIELDS, "issuer": LEAGUE})
        assert response.status_code == 200
        assert "issuer" in response.context["form"].errors
        assert not Notice.objects.exists()

    def test_a_user_who_cannot_publish_and_an_anonymous_visitor_are_turned_away(self):
        worker = make_user("worker", Role.GRASSROOTS, BAYANHAOTE)
        assert self.client_for(worker).get(self.url).status_code == 404
        assert self.client_for(worker).post(self.url, FIELDS).status_code == 404
        assert self.client.get(self.url).status_code == 302  # to the login page
        assert not Notice.objects.exists()

    def test_an_outsider_cannot_write_for_another_banner(self):
        response = self.client_for(self.outsider).post(self.url, FIELDS)
        assert response.status_code == 200 and "issuer" in response.context["form"].errors
        assert not Notice.objects.exists()


class MeasureLinesTests(BaseTestCase):
    def test_numbers_typed_by_the_writer_are_replaced_in_order(self):
        measures = services.measures_from_lines("3. 宣传发动\n(一)封闭管理：严格值守\n  \n十、其他")
        assert [(m.number, m.title, m.text) for m in measures] == [
            ("一", "宣传发动", ""),
            ("二", "封闭管理", "严格值守"),
            ("三", "其他", ""),
        ]

    def test_a_line_without_a_title_is_named(self):
        with self.assertRaisesMessage(Exception, "2"):
            services.measures_from_lines("一、设卡\n二、。只有内容")


@override_settings(MEDIA_ROOT=MEDIA)
class NoticeEditPageTests(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.notice = notice_for(self.officer, LEFT_BANNER)
        self.url = f"/directives/{self.notice.pk}/edit/"

    def _fields(self, **changes):
        n = self.notice
        data = {
            "kind": n.kind,
            "title": n.title,
            "issuer_name": n.issuer_name,
            "doc_number": n.doc_number,
            "date": n.date.isoformat(),
            "body": n.body,
        }
        data.update(changes)
        return data

    def test_the_issuing_hq_corrects_fields_and_attachments_with_an_audit_entry(self):
        client = self.client_for(self.colleague)
        assert (
            'data-testid="notice-edit"'
            in client.get(f"/directives/{self.notice.pk}/").content.decode()
        )
        page = client.get(self.url)
        assert page.status_code == 200 and self.notice.doc_number in page.content.decode()
        first = SimpleUploadedFile("a.txt", b"a", content_type="text/plain")
        response = client.post(
            self.url,
            self._fields(doc_number="左防指发〔2020〕4号", public="on", attachments=[first]),
        )
        assert response.status_code == 302
        self.notice.refresh_from_db()
        assert self.notice.doc_number == "左防指发〔2020〕4号" and self.notice.public
        assert self.notice.measures.count() == 2  # measures stay
        audit = AuditEntry.objects.get(verb="notice.update")
        assert audit.actor == self.colleague
        assert audit.extra["changed"] == ["doc_number", "public"]
        attachment = self.notice.attachments.get()
        client.post(self.url, self._fields(public="on", remove=[str(attachment.pk)]))
        assert not self.notice.attachments.exists()
        assert AuditEntry.objects.filter(verb="notice.update").count() == 2
        client.post(self.url, self._fields(public="on"))  # nothing changed: no entry
        assert AuditEntry.objects.filter(verb="notice.update").count() == 2

    def test_an_empty_body_is_refused_and_nothing_changes(self):
        response = self.client_for(self.officer).post(self.url, self._fields(body=" "))
        assert response.status_code == 200 and "body" in response.context["form"].errors
        before = self.notice.body
        self.notice.refresh_from_db()
        assert self.notice.body == before
        assert not AuditEntry.objects.filter(verb="notice.update").exists()

    def test_an_outsider_and_a_reader_below_get_not_found(self):
        assert self.client_for(self.outsider).get(self.url).status_code == 404
        assert self.client_for(self.outsider).post(self.url, self._fields()).status_code == 404
        league_notice = notice_for(self.league_commander, LEAGUE)
        # The banner officer reads the league's notice but may not edit it.
        reader = self.client_for(self.officer)
        assert reader.get(f"/directives/{league_notice.pk}/").status_code == 200
        assert reader.get(f"/directives/{league_notice.pk}/edit/").status_code == 404
        assert "notice-edit" not in reader.get(f"/directives/{league_notice.pk}/").content.decode()
        assert self.client_for(self.officer).get("/directives/999999/edit/").status_code == 404
        self.notice.refresh_from_db()
        assert not AuditEntry.objects.filter(verb="notice.update").exists()


class NoticeCreateApiTests(BaseTestCase):
    url = "/api/v1/directives/notices"

    def payload(self, **changes):
        data = {
            "division_code": "152921000000",
            "title": "关于加强返岗人员健康监测的通知",
            "date": "2020-02-21",
            "body": "各苏木镇：现就有关事项通知如下。",
            "doc_number": "左防指发〔2020〕10号",
            "public": True,
            "measures": [{"title": "建立台账", "text": "逐人登记。"}, {"title": "每日测温"}],
        }
        data.update(changes)
        return data

    def test_it_creates_a_notice_and_lists_it(self):
        client = self.client_for(self.officer)
        response = client.post(self.url, self.payload(), content_type="application/json")
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["division_code"] == LEFT_BANNER and body["issuer"] == "阿拉善左旗"
        assert [(m["number"], m["title"]) for m in body["measures"]] == [
            ("一", "建立台账"),
            ("二", "每日测温"),
        ]
        assert body["id"] in [n["id"] for n in client.get(self.url).json()]
        assert AuditEntry.objects.filter(verb="notice.create").count() == 1

    def test_bad_input_is_a_422_naming_the_field_and_nothing_is_stored(self):
        client = self.client_for(self.officer)
        for payload, field in [
            (self.payload(division_code="9999"), "division_code"),
            (self.payload(measures=[{"title": " "}]), "measures[1].title"),
            (self.payload(kind="poster"), "poster"),
        ]:
            response = client.post(self.url, payload, content_type="application/json")
            assert response.status_code == 422, payload
            assert field in response.json()["detail"]
        empty = client.post(self.url, self.payload(body=""), content_type="application/json")
        assert empty.status_code == 422
        assert not Notice.objects.exists()

    def test_an_issuer_outside_the_jurisdiction_is_refused(self):
        response = self.client_for(self.outsider).post(
            self.url, self.payload(), content_type="application/json"
        )
        assert response.status_code == 422
        assert "阿拉善左旗" in response.json()["detail"]
        assert not Notice.objects.exists()

    def test_a_user_who_cannot_publish_gets_not_found(self):
        worker = make_user("worker", Role.INSPECTOR, BAYANHAOTE)
        response = self.client_for(worker).post(
            self.url, self.payload(), content_type="application/json"
        )
        assert response.status_code == 404
        anonymous = self.client.post(self.url, self.payload(), content_type="application/json")
        assert anonymous.status_code == 401
        assert not Notice.objects.exists()


class NoticeUpdateApiTests(BaseTestCase):
    def test_the_issuing_hq_corrects_a_field_and_the_rest_stays(self):
        notice = notice_for(self.officer, LEFT_BANNER)
        url = f"/api/v1/directives/notices/{notice.pk}"
        client = self.client_for(self.colleague)
        response = client.patch(url, {"public": True}, content_type="application/json")
        assert response.status_code == 200, response.content
        assert response.json()["public"] is True
        assert response.json()["title"] == notice.title
        assert AuditEntry.objects.get(verb="notice.update").extra["changed"] == ["public"]
        bad = client.patch(url, {"title": " "}, content_type="application/json")
        assert bad.status_code == 422
        notice.refresh_from_db()
        assert notice.title.strip() and notice.public

    def test_an_outsider_and_a_reader_below_get_not_found(self):
        league_notice = notice_for(self.league_commander, LEAGUE)
        url = f"/api/v1/directives/notices/{league_notice.pk}"
        for user in (self.outsider, self.officer):
            response = self.client_for(user).patch(
                url, {"public": True}, content_type="application/json"
            )
            assert response.status_code == 404
        league_notice.refresh_from_db()
        assert not league_notice.public
        assert not AuditEntry.objects.filter(verb="notice.update").exists()
