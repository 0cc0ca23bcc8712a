import io
import json
import re
import zipfile
from datetime import date
from html import unescape
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from fangkong.core.models import AuditEntry
from fangkong.directives import services
from fangkong.directives.models import Measure, Notice
from fangkong.directives.parsing import NoticeImportError
from fangkong.directives.tests.helpers import NOTICE_TEXT
from fangkong.divisions.models import Division
from fangkong.test import LEAGUE, LEFT_BANNER, BaseTestCase

FOUNDING = Path(settings.BASE_DIR) / "data/notices/alxa-league-2020-02-return-to-work.txt"


def _docx(paragraphs: list[str]) -> bytes:
    ns = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    body = "".join(f"<w:p><w:r><w:t>{p}</w:t></w:r></w:p>" for p in paragraphs)
    xml = f'<?xml version="1.0"?><w:document xmlns:w="{ns}"><w:body>{body}</w:body></w:document>'
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", xml)
    return buffer.getvalue()


class ImportServiceTests(BaseTestCase):
    def test_the_founding_notice_becomes_one_notice_with_five_measures(self):
        text = FOUNDING.read_text(encoding="utf-8")
        notice = services.notice_import(
            actor=self.league_commander,
            division=Division.objects.get(code=LEAGUE),
            text=text,
            date=date(2020, 2, 3),
        )
        titles = list(notice.measures.order_by("position").values_list("title", flat=True))
        assert len(titles) == 5
        assert titles[0] == "做好节后返程返岗疫情防控工作"
        assert titles[-1] == "多措并举保障困难群众基本生活"
        assert notice.source == "阿拉善盟政务服务局"
        assert any("国发明电〔2020〕1号" in c for c in notice.cites)
        assert any("内防指发〔2020〕12号" in c for c in notice.cites)
        assert notice.body.count("做好节后返程返岗疫情防控工作。2月1日") == 1
        assert "政府网站标识码" not in notice.body and "主办单位" not in notice.body
        assert AuditEntry.objects.filter(verb="notice.create", target_id=str(notice.pk)).exists()

    def test_text_without_measures_is_imported_with_zero_measures(self):
        notice = services.notice_import(
            actor=self.officer,
            division=Division.objects.get(code=LEFT_BANNER),
            text="关于春节期间暂停集市的通告\n即日起暂停全旗集市，恢复时间另行通知。",
        )
        assert notice.measures.count() == 0
        assert notice.title

    def test_an_hq_cannot_issue_for_a_division_outside_its_jurisdiction(self):
        with self.assertRaises(ValidationError):
            services.notice_import(
                actor=self.outsider,
                division=Division.objects.get(code=LEFT_BANNER),
                text=NOTICE_TEXT,
            )
        assert not Notice.objects.exists()

    def test_an_empty_text_is_refused_and_nothing_is_stored(self):
        with self.assertRaises((NoticeImportError, ValidationError)):
            services.notice_import(
                actor=self.officer, division=Division.objects.get(code=LEFT_BANNER), text="   "
            )
        assert not Notice.objects.exists() and not Measure.objects.exists()


class ImportCommandTests(BaseTestCase):
    def test_import_notice_json_prints_the_specified_keys(self):
        out = io.StringIO()
        call_command("import_notice", str(FOUNDING), "--json", stdout=out)
        data = json.loads(out.getvalue())
        assert list(data) == [
            "title",
            "issuer",
            "date",
            "doc_number",
            "source",
            "cites",
            "measures",
            "body",
        ]
        assert [m["number"] for m in data["measures"]] == ["一", "二", "三", "四", "五"]
        assert set(data["measures"][0]) == {"number", "title", "text"}
        assert data["source"] == "阿拉善盟政务服务局"
        assert "是否“确认”跳转到登录页" not in data["body"]


class ImportPageTests(BaseTestCase):
    url = "/directives/import/"

    def test_paste_then_confirm_issues_the_notice_with_the_corrections(self):
        client = self.client_for(self.officer)
        preview = client.post(self.url, {"step": "preview", "text": NOTICE_TEXT})
        assert preview.status_code == 200
        assert "设立检查点" in preview.content.decode()
        assert not Notice.objects.exists()  # nothing stored before the confirmation
        response = client.post(
            self.url,
            {
                "step": "confirm",
                "issuer": LEFT_BANNER,
                "kind": "notice",
                "title": "关于加强卡口管理的通知（修订）",
                "issuer_name": "阿拉善左旗指挥部",
                "doc_number": "左防指发〔2020〕3号",
                "date": "2020-02-05",
                "public": "on",
                "text": NOTICE_TEXT,
                "attachments": SimpleUploadedFile("roster.txt", b"duty roster"),
            },
        )
        notice = Notice.objects.get()
        assert response.status_code == 302
        assert notice.title == "关于加强卡口管理的通知（修订）"
        assert notice.public and notice.division_code == LEFT_BANNER
        assert notice.measures.count() == 2
        assert notice.attachments.get().name == "roster.txt"

    def test_a_docx_upload_is_read(self):
        data = _docx(NOTICE_TEXT.splitlines())
        response = self.client_for(self.officer).post(
            self.url, {"step": "preview", "upload": SimpleUploadedFile("n.docx", data)}
        )
        assert "做好登记" in response.content.decode()

    def test_a_docx_that_is_not_a_zip_gets_a_clear_message(self):
        response = self.client_for(self.officer).post(
            self.url,
            {"step": "preview", "upload": SimpleUploadedFile("n.docx", b"not a zip")},
            HTTP_ACCEPT_LANGUAGE="en",
        )
        assert response.status_code == 200
        assert "The file is not a Word (.docx) document" in response.content.decode()
        assert not Notice.objects.exists()

    def test_a_30_mb_paste_gets_a_clear_message_and_nothing_is_stored(self):
        response = self.client_for(self.officer).post(
            self.url, {"step": "preview", "text": "字" * (10 * 1024 * 1024)}
        )
        assert response.status_code == 400
        assert "过大" in response.content.decode()
        assert not Notice.objects.exists()

    def test_the_confirm_step_refuses_an_issuer_outside_the_jurisdiction(self):
        response = self.client_for(self.officer).post(
            self.url,
            {
                "step": "confirm",
                "issuer": LEAGUE,
                "kind": "notice",
                "title": "x",
                "date": "2020-02-05",
                "text": NOTICE_TEXT,
            },
        )
        assert response.status_code == 200
        assert not Notice.objects.exists()

    def test_a_user_who_cannot_publish_gets_not_found(self):
        from fangkong.accounts.roles import Role
        from fangkong.test import BAYANHAOTE, make_user

        worker = make_user("worker", Role.GRASSROOTS, BAYANHAOTE)
        assert self.client_for(worker).get(self.url).status_code == 404
        assert self.client_for(worker).post(self.url, {"text": NOTICE_TEXT}).status_code == 404

    def test_an_outsider_cannot_issue_for_another_banner(self):
        self.client_for(self.outsider).post(
            self.url,
            {
                "step": "confirm",
                "issuer": LEFT_BANNER,
                "kind": "notice",
                "title": "x",
                "date": "2020-02-05",
                "text": NOTICE_TEXT,
            },
        )
        assert not Notice.objects.exists()


class ParseApiTests(BaseTestCase):
    url = "/api/v1/directives/import/parse"

    def test_it_returns_what_the_importer_finds_without_storing(self):
        response = self.client_for(self.officer).post(
            self.url, {"text": NOTICE_TEXT}, content_type="application/json"
        )
        assert response.status_code == 200
        assert [m["number"] for m in response.json()["measures"]] == ["一", "二"]
        assert not Notice.objects.exists()

    def test_empty_text_is_a_422_with_a_message(self):
        response = self.client_for(self.officer).post(
            self.url, {"text": ""}, content_type="application/json"
        )
        assert response.status_code == 422
        assert response.json()["detail"].startswith("text:")

    def test_an_outsider_without_the_permission_gets_404(self):
        from fangkong.accounts.roles import Role
        from fangkong.test import BAYANHAOTE, make_user

        worker = make_user("worker", Role.INSPECTOR, BAYANHAOTE)
        response = self.client_for(worker).post(
            self.url, {"text": NOTICE_TEXT}, content_type="application/json"
        )
        assert response.status_code == 404


class ConfirmFormTests(BaseTestCase):
    def test_the_date_found_is_prefilled_in_iso_form_for_the_date_picker(self):
        response = self.client_for(self.officer).post(
            "/directives/import/", {"step": "preview", "text": NOTICE_TEXT}
        )
        assert 'value="2020-02-05"' in response.content.decode()


WEB = Path(settings.BASE_DIR) / "data/notices/web"


def _field_value(html: str, name: str) -> str | None:
    """The value a confirm-page input or textarea shows (None when it has none)."""
    textarea = re.search(rf'<textarea name="{name}"[^>]*>\n?(.*?)</textarea>', html, re.S)
    if textarea:
        return unescape(textarea.group(1))
    tag = re.search(rf'<input [^>]*name="{name}"[^>]*>', html)
    assert tag, name
    value = re.search(r'value="([^"]*)"', tag.group())
    return unescape(value.group(1)) if value else None


class ImportFromOtherSitesTests(BaseTestCase):
    url = "/directives/import/"

    def test_a_news_repost_is_shown_for_checking_then_issued_with_the_corrected_text(self):
        page = (WEB / "03-henan-china-alxa-left-lockdown.txt").read_text("utf-8")
        client = self.client_for(self.officer)
        preview = client.post(self.url, {"step": "preview", "text": page})
        html = preview.content.decode()
        assert _field_value(html, "issuer_name") == "阿拉善左旗新冠肺炎防控工作指挥部"
        assert _field_value(html, "date") == "2021-10-20"
        body = _field_value(html, "body")
        assert body is not None and body.startswith("10月20日，内蒙古阿拉善左旗")
        assert "责任编辑" not in body and "为您推荐" not in body
        assert "文本中没有找到文号或编号" in html  # the page gives no number: said so
        assert not Notice.objects.exists()
        corrected = body.replace("\n附巴彦浩特镇区核酸采样点地址。", "")
        response = client.post(
            self.url,
            {
                "step": "confirm",
                "issuer": LEFT_BANNER,
                "kind": "notice",
                "title": "阿拉善左旗新冠肺炎防控工作指挥部公告",
                "issuer_name": "阿拉善左旗新冠肺炎防控工作指挥部",
                "doc_number": "第18号",
                "date": "2021-10-20",
                "body": corrected,
                "text": page,
            },
        )
        assert response.status_code == 302
        notice = Notice.objects.get()
        assert notice.body == corrected
        assert "核酸采样点地址" not in notice.body
        assert notice.doc_number == "第18号"
        assert notice.date == date(2021, 10, 20)
        assert [m.number for m in notice.measures.order_by("position")] == ["一", "二", "三"]

    def test_a_page_that_gives_no_year_leaves_the_date_to_the_person(self):
        page = (WEB / "12-163-ejina-1018.txt").read_text("utf-8")
        client = self.client_for(self.officer)
        html = client.post(self.url, {"step": "preview", "text": page}).content.decode()
        assert _field_value(html, "issuer_name") == "额济纳旗新冠肺炎防控工作指挥部"
        assert _field_value(html, "date") is None  # not today's date made up
        assert "文本中没有找到日期" in html
        response = client.post(
            self.url,
            {
                "step": "confirm",
                "issuer": LEFT_BANNER,
                "kind": "notice",
                "title": "额济纳旗新冠肺炎防控工作指挥部公告",
                "date": "",
                "text": page,
            },
        )
        assert response.status_code == 200
        assert "此项为必填项" in response.content.decode()
        assert not Notice.objects.exists()

    def test_a_page_of_only_site_furniture_gets_a_clear_error(self):
        page = (
            "首页 新闻 国内 聚焦 财经 教育\n您的位置：首页>新闻\n为您推荐\n"
            "Copyright @2008-2018 经贸网 版权所有 豫ICP备18004326号-5\n"
            "分享到：微信 微博 QQ空间\nhttp://www.example.com/a.html"
        )
        response = self.client_for(self.officer).post(self.url, {"step": "preview", "text": page})
        html = response.content.decode()
        assert response.status_code == 200
        assert "粘贴的内容中没有找到通知正文" in html
        assert 'data-testid="confirm-form"' not in html
        assert not Notice.objects.exists()

    def test_the_measures_shown_are_read_again_from_the_corrected_text(self):
        page = (WEB / "12-163-ejina-1018.txt").read_text("utf-8")
        client = self.client_for(self.officer)
        html = client.post(self.url, {"step": "preview", "text": page}).content.decode()
        body = _field_value(html, "body")
        assert body is not None and "识别出 3 项措施" in html
        corrected = body.split("\n三、")[0]  # the person drops the third measure
        fields = {
            "step": "confirm",
            "issuer": LEFT_BANNER,
            "kind": "notice",
            "title": "额济纳旗新冠肺炎防控工作指挥部公告",
            "date": "",
            "body": corrected,
            "text": page,
        }
        recheck = client.post(self.url, {**fields, "recheck": "1"}).content.decode()
        assert "识别出 2 项措施" in recheck
        assert "此项为必填项" not in recheck  # re-reading is not issuing: no errors yet
        assert _field_value(recheck, "body") == corrected
        assert not Notice.objects.exists()
        client.post(self.url, {**fields, "date": "2021-10-18"})
        notice = Notice.objects.get()
        assert notice.measures.count() == 2
