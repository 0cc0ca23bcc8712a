"""Banners report 落实情况: the banner HQ's commander and office receive, report with evidence,
see what was sent back and why, on the page and through the API."""

from datetime import date

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from fangkong.accounts.roles import Role
from fangkong.directives import services
from fangkong.directives.models import Assignment, ImplementationReport, ReportAttachment
from fangkong.directives.tests.helpers import assign_all, notice_for
from fangkong.test import BAYANHAOTE, LEAGUE, LEFT_BANNER, RIGHT_BANNER, BaseTestCase, make_user

DEADLINE = date(2030, 1, 1)
LIST = "/api/v1/directives/assignments"


class BannerReportTests(BaseTestCase):
    def setUp(self):
        self.notice = notice_for(self.league_commander, LEAGUE)
        assign_all(self.league_commander, self.notice, [LEFT_BANNER, RIGHT_BANNER], DEADLINE)
        self.left = list(Assignment.objects.filter(division_code=LEFT_BANNER).order_by("id"))
        self.right = list(Assignment.objects.filter(division_code=RIGHT_BANNER).order_by("id"))

    def _report(self, user, assignment, **data):
        return self.client_for(user).post(
            f"/api/v1/directives/assignments/{assignment.pk}/reports",
            {"text": "已部署", "status": "in_progress", **data},
            content_type="application/json",
        )

    def test_the_banner_commander_and_office_receive_their_banners_measures_only(self):
        for user in (self.officer, self.colleague):
            response = self.client_for(user).get(LIST)
            assert response.status_code == 200
            ids = [a["id"] for a in response.json()]
            assert sorted(ids) == sorted(a.pk for a in self.left)
            assert response["X-Total-Count"] == str(len(self.left))
            first = response.json()[0]
            assert first["notice_title"] == self.notice.title
            assert first["measure_number"] == "一" and first["division_code"] == LEFT_BANNER
            assert first["latest_report"] is None
        # The league that assigned the measures has nothing of its own to carry out.
        assert self.client_for(self.league_commander).get(LIST).json() == []

    def test_the_banner_commander_reports_by_api_and_the_report_is_stored(self):
        response = self._report(self.officer, self.left[0], status="done", figures={"卡口": 12})
        assert response.status_code == 201
        report = ImplementationReport.objects.get()
        assert report.author == self.officer and report.figures == {"卡口": 12}
        assert report.division_code == LEFT_BANNER and report.status == "done"
        self.left[0].refresh_from_db()
        assert self.left[0].status == "done"
        listed = self.client_for(self.colleague).get(LIST).json()
        mine = next(a for a in listed if a["id"] == self.left[0].pk)
        assert mine["status"] == "done" and mine["latest_report"]["text"] == "已部署"

    def test_the_league_that_assigned_the_measure_cannot_report_for_the_banner(self):
        assert self._report(self.league_commander, self.left[0]).status_code == 404
        with self.assertRaises(ValidationError):
            services.implementation_report_submit(
                actor=self.league_commander, assignment=self.left[0], text="x", status="done"
            )
        page = self.client_for(self.league_commander).get(f"/directives/tasks/{self.left[0].pk}/")
        assert page.status_code == 200
        assert 'data-testid="report-form"' not in page.content.decode()
        assert 'data-testid="return-form"' not in page.content.decode()
        assert not ImplementationReport.objects.exists()

    def test_another_banner_cannot_report_or_read(self):
        assert self._report(self.outsider, self.left[0]).status_code == 404
        detail = self.client_for(self.outsider).get(f"{LIST}/{self.left[0].pk}")
        assert detail.status_code == 404
        assert not ImplementationReport.objects.exists()

    def test_evidence_is_attached_by_api_and_served_only_to_those_allowed(self):
        report_id = self._report(self.colleague, self.left[0]).json()["id"]
        url = f"/api/v1/directives/reports/{report_id}/attachments"
        photo = SimpleUploadedFile("卡口照片.jpg", b"\xff\xd8jpeg-bytes", content_type="image/jpeg")
        response = self.client_for(self.colleague).post(url, {"files": [photo]})
        assert response.status_code == 201, response.content
        evidence = response.json()["evidence"]
        assert [e["name"] for e in evidence] == ["卡口照片.jpg"]
        stored = ReportAttachment.objects.get()
        assert stored.report_id == report_id and stored.file.read() == b"\xff\xd8jpeg-bytes"
        download = evidence[0]["url"]
        for allowed in (self.colleague, self.officer, self.league_commander):
            got = self.client_for(allowed).get(download)
            assert got.status_code == 200
            assert b"".join(got.streaming_content) == b"\xff\xd8jpeg-bytes"
        assert self.client_for(self.outsider).get(download).status_code == 404
        assert Client().get(download).status_code == 404
        # Only the reporting banner adds evidence; another banner meets "not found".
        other = SimpleUploadedFile("x.jpg", b"x")
        assert self.client_for(self.outsider).post(url, {"files": [other]}).status_code == 404
        assert ReportAttachment.objects.count() == 1

    def test_evidence_over_the_limits_is_refused_whole_with_the_reason(self):
        report_id = self._report(self.colleague, self.left[0]).json()["id"]
        url = f"/api/v1/directives/reports/{report_id}/attachments"
        client = self.client_for(self.colleague)
        eleven = [SimpleUploadedFile(f"p{i}.jpg", b"x") for i in range(11)]
        response = client.post(url, {"files": eleven}, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 422 and "At most 10" in response.json()["detail"]
        program = SimpleUploadedFile("setup.exe", b"MZ")
        response = client.post(url, {"files": [program]}, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 422 and "setup.exe" in response.json()["detail"]
        big = SimpleUploadedFile("scan.pdf", b"%" * (20 * 1024 * 1024 + 1))
        response = client.post(url, {"files": [big]}, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 422 and "20 MB" in response.json()["detail"]
        assert not ReportAttachment.objects.exists()

    def test_a_returned_report_shows_its_reason_to_the_banner_and_takes_no_more_evidence(self):
        report_id = self._report(self.colleague, self.left[0], status="done").json()["id"]
        report = ImplementationReport.objects.get(pk=report_id)
        services.implementation_report_return(
            actor=self.league_commander, report=report, comment="请补充卡口数量"
        )
        listed = self.client_for(self.officer).get(LIST, {"returned": "true"}).json()
        assert [a["id"] for a in listed] == [self.left[0].pk]
        assert listed[0]["returned"] and listed[0]["status"] == "in_progress"
        assert listed[0]["latest_report"]["state"] == "returned"
        assert listed[0]["latest_report"]["return_comment"] == "请补充卡口数量"
        detail = self.client_for(self.officer).get(f"{LIST}/{self.left[0].pk}").json()
        assert [r["return_comment"] for r in detail["reports"]] == ["请补充卡口数量"]
        listing = self.client_for(self.officer).get("/directives/tasks/").content.decode()
        assert "请补充卡口数量" in listing
        task = self.client_for(self.officer).get(f"/directives/tasks/{self.left[0].pk}/")
        body = task.content.decode()
        assert 'data-testid="returned-box"' in body and "请补充卡口数量" in body
        assert '<details class="report-form" open' in body  # the form is open again
        assert "您的报告已被退回" in body
        # The league HQ that sent it back is told it waits for the banner, not asked to report.
        issuer = self.client_for(self.league_commander).get(f"/directives/tasks/{self.left[0].pk}/")
        seen = issuer.content.decode()
        assert "报告已退回，等待重新上报" in seen and "请补充卡口数量" in seen
        assert "您的报告已被退回" not in seen
        late = SimpleUploadedFile("late.jpg", b"x")
        response = self.client_for(self.colleague).post(
            f"/api/v1/directives/reports/{report_id}/attachments", {"files": [late]}
        )
        assert response.status_code == 422
        assert not ReportAttachment.objects.exists()

    def test_the_list_rejects_an_unknown_status_and_filters_a_known_one(self):
        client = self.client_for(self.colleague)
        assert client.get(LIST, {"status": "finished"}).status_code == 422
        self._report(self.colleague, self.left[1], status="done")
        done = client.get(LIST, {"status": "done"}).json()
        assert [a["id"] for a in done] == [self.left[1].pk]
        inspector = make_user("insp", Role.INSPECTOR, BAYANHAOTE)
        assert self.client_for(inspector).get(LIST).status_code in (403, 404)

    def test_the_page_report_folds_away_once_done_and_the_page_says_so(self):
        client = self.client_for(self.officer)
        url = f"/directives/tasks/{self.left[0].pk}/"
        before = client.get(url).content.decode()
        assert '<details class="report-form" open' in before
        response = client.post(
            url,
            {
                "status": "done",
                "text": "全旗设立卡口12处",
                "figures": "卡口: 12",
                "attachments": [SimpleUploadedFile("照片.png", b"png")],
            },
        )
        assert response.status_code == 302
        report = ImplementationReport.objects.get()
        assert report.author == self.officer and report.attachments.get().name == "照片.png"
        after = client.get(url).content.decode()
        assert 'data-testid="report-done"' in after
        assert '<details class="report-form" open' not in after
        assert "全旗设立卡口12处" in after and "照片.png" in after


class MatrixLinkTests(BaseTestCase):
    def setUp(self):
        self.notice = notice_for(self.league_commander, LEAGUE)
        assign_all(self.league_commander, self.notice, [LEFT_BANNER, RIGHT_BANNER], DEADLINE)

    def _cells(self, user):
        body = self.client_for(user).get(f"/directives/{self.notice.pk}/").content.decode()
        links = {a.pk for a in Assignment.objects.all() if f"/directives/tasks/{a.pk}/" in body}
        return body, links

    def test_a_cell_the_user_may_not_open_is_not_a_link(self):
        _body, issuer_links = self._cells(self.league_commander)
        assert issuer_links == set(Assignment.objects.values_list("pk", flat=True))
        body, banner_links = self._cells(self.officer)
        left = set(
            Assignment.objects.filter(division_code=LEFT_BANNER).values_list("pk", flat=True)
        )
        assert banner_links == left
        assert 'data-testid="cell-一-152922"' in body  # shown, as text
        worker = make_user("worker", Role.GRASSROOTS, BAYANHAOTE)
        body, worker_links = self._cells(worker)
        assert worker_links == set()
        for a in Assignment.objects.all():
            status = self.client_for(worker).get(f"/directives/tasks/{a.pk}/").status_code
            assert status == 404
