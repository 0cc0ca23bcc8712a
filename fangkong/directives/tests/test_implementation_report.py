from datetime import date

from django.core.exceptions import ValidationError

from fangkong.accounts.roles import Role
from fangkong.core.models import AuditEntry
from fangkong.directives import services
from fangkong.directives.models import Assignment, ImplementationReport
from fangkong.directives.tests.helpers import assign_all, notice_for
from fangkong.test import LEAGUE, LEFT_BANNER, RIGHT_BANNER, BaseTestCase, make_user

DEADLINE = date(2030, 1, 1)


class ReportTests(BaseTestCase):
    def setUp(self):
        self.notice = notice_for(self.league_commander, LEAGUE)
        assign_all(self.league_commander, self.notice, [LEFT_BANNER, RIGHT_BANNER], DEADLINE)
        self.left = Assignment.objects.filter(division_code=LEFT_BANNER).order_by("id")[0]
        self.right = Assignment.objects.filter(division_code=RIGHT_BANNER).order_by("id")[0]
        self.right_staff = make_user("right_staff", Role.STAFF, RIGHT_BANNER)

    def test_the_assigned_hq_reports_text_figures_and_status(self):
        report = services.implementation_report_submit(
            actor=self.colleague,
            assignment=self.left,
            text="设立卡口12处",
            status="in_progress",
            figures=services.parse_figures("卡口: 12\n值守人员：240"),
        )
        self.left.refresh_from_db()
        assert self.left.status == "in_progress"
        assert report.figures == {"卡口": 12, "值守人员": 240}
        assert AuditEntry.objects.filter(verb="report.submit").count() == 1

    def test_figures_with_a_bad_number_name_the_line(self):
        with self.assertRaisesMessage(ValidationError, "第 2 行"):
            services.parse_figures("卡口: 12\n值守人员: 很多")

    def test_a_report_on_another_banners_task_is_refused_and_nothing_stored(self):
        with self.assertRaises(ValidationError):
            services.implementation_report_submit(
                actor=self.colleague, assignment=self.right, text="x", status="done"
            )
        response = self.client_for(self.colleague).post(
            f"/directives/tasks/{self.right.pk}/", {"status": "done", "text": "x"}
        )
        assert response.status_code == 404
        api = self.client_for(self.colleague).post(
            f"/api/v1/directives/assignments/{self.right.pk}/reports",
            {"text": "x", "status": "done"},
            content_type="application/json",
        )
        assert api.status_code == 404
        assert not ImplementationReport.objects.exists()

    def test_the_report_page_submits_with_an_attachment(self):
        from django.core.files.uploadedfile import SimpleUploadedFile

        client = self.client_for(self.colleague)
        response = client.post(
            f"/directives/tasks/{self.left.pk}/",
            {
                "status": "done",
                "text": "全部完成",
                "figures": "检查点: 3",
                "attachments": SimpleUploadedFile("photo.txt", b"evidence"),
            },
        )
        assert response.status_code == 302
        report = ImplementationReport.objects.get()
        attachment = report.attachments.get()
        download = client.get(f"/directives/attachments/report/{attachment.pk}/")
        assert download.status_code == 200
        outsider = self.client_for(self.outsider).get(
            f"/directives/attachments/report/{attachment.pk}/"
        )
        assert outsider.status_code == 404

    def test_a_bad_figure_on_the_page_is_shown_and_nothing_stored(self):
        response = self.client_for(self.colleague).post(
            f"/directives/tasks/{self.left.pk}/",
            {"status": "done", "text": "完成", "figures": "检查点 三"},
            HTTP_ACCEPT_LANGUAGE="en",
        )
        assert response.status_code == 200
        assert "line 1" in response.content.decode()
        assert not ImplementationReport.objects.exists()

    def test_the_issuing_hq_sends_a_report_back_with_a_comment(self):
        report = services.implementation_report_submit(
            actor=self.colleague, assignment=self.left, text="完成", status="done"
        )
        response = self.client_for(self.league_commander).post(
            f"/directives/reports/{report.pk}/return/", {"comment": "缺少数据"}
        )
        assert response.status_code == 302
        report.refresh_from_db()
        self.left.refresh_from_db()
        assert report.state == "returned" and report.return_comment == "缺少数据"
        assert self.left.status == "in_progress" and self.left.returned
        with self.assertRaisesMessage(ValidationError, "已被退回"):
            services.implementation_report_return(
                actor=self.league_commander, report=report, comment="again"
            )

    def test_the_reporting_banner_cannot_send_its_own_report_back(self):
        report = services.implementation_report_submit(
            actor=self.colleague, assignment=self.left, text="完成", status="done"
        )
        for user in (self.officer, self.outsider):
            response = self.client_for(user).post(
                f"/directives/reports/{report.pk}/return/", {"comment": "no"}
            )
            assert response.status_code == 404
        report.refresh_from_db()
        assert report.state == "submitted"

    def test_the_api_takes_a_report_from_the_assigned_hq(self):
        response = self.client_for(self.colleague).post(
            f"/api/v1/directives/assignments/{self.left.pk}/reports",
            {"text": "进行中", "status": "in_progress", "figures": {"卡口": 4}},
            content_type="application/json",
        )
        assert response.status_code == 201
        assert response.json()["status"] == "in_progress"
        bad = self.client_for(self.colleague).post(
            f"/api/v1/directives/assignments/{self.left.pk}/reports",
            {"text": "x", "status": "finished"},
            content_type="application/json",
        )
        assert bad.status_code == 422 and "finished" in bad.json()["detail"]

    def test_my_task_list_shows_only_my_divisions_assignments(self):
        body = self.client_for(self.colleague).get("/directives/tasks/").content.decode()
        assert f"/directives/tasks/{self.left.pk}/" in body
        assert f"/directives/tasks/{self.right.pk}/" not in body
        assert (
            self.client_for(self.outsider).get(f"/directives/tasks/{self.left.pk}/").status_code
            == 404
        )


class ReturnApiTests(BaseTestCase):
    def test_the_issuing_hq_sends_back_by_api_and_an_outsider_gets_404(self):
        notice = notice_for(self.league_commander, LEAGUE)
        assign_all(self.league_commander, notice, [LEFT_BANNER], DEADLINE)
        assignment = Assignment.objects.order_by("id")[0]
        report = services.implementation_report_submit(
            actor=self.colleague, assignment=assignment, text="完成", status="done"
        )
        url = f"/api/v1/directives/reports/{report.pk}/return"
        outsider = self.client_for(self.outsider).post(
            url, {"comment": "x"}, content_type="application/json"
        )
        assert outsider.status_code == 404
        empty = self.client_for(self.league_commander).post(
            url, {"comment": " "}, content_type="application/json"
        )
        assert empty.status_code == 422
        response = self.client_for(self.league_commander).post(
            url, {"comment": "请补充数据"}, content_type="application/json"
        )
        assert response.status_code == 200 and response.json()["state"] == "returned"
