from django.test import override_settings

from fangkong.checkpoints import metrics
from fangkong.checkpoints.models import ReportStatus, UnauthorisedReport
from fangkong.core.models import DailyCount
from fangkong.test import BAYANHAOTE, BaseTestCase

from .helpers import opened

FORM = {
    "division": BAYANHAOTE,
    "location": "S312 km 40",
    "description": "Two cars block the road",
    "reporter_name": "",
    "reporter_phone": "",
}


class UnauthorisedReportTests(BaseTestCase):
    @override_settings(FANGKONG_PUBLIC_RATE_LIMIT="3/1h")
    def test_the_public_reports_without_logging_in_and_is_rate_limited(self):
        for _ in range(3):
            response = self.client.post("/checkpoints/report/", FORM)
            assert response.status_code == 200
            assert "report-thanks" in response.content.decode()
        blocked = self.client.post("/checkpoints/report/", FORM)
        assert blocked.status_code == 429
        assert UnauthorisedReport.objects.count() == 3
        report = UnauthorisedReport.objects.first()
        assert report.reported_by is None and report.division_code == BAYANHAOTE
        assert DailyCount.objects.get(metric=metrics.UNAUTHORISED_REPORTED).value == 3

    def test_a_logged_in_report_names_the_reporter_and_bad_input_names_the_field(self):
        client = self.client_for(self.colleague)
        assert client.post("/checkpoints/report/", FORM).status_code == 200
        assert UnauthorisedReport.objects.get().reported_by == self.colleague
        bad = client.post("/checkpoints/report/", {**FORM, "division": "99", "location": ""})
        assert bad.status_code == 200
        assert set(bad.context["form"].errors) == {"division", "location"}

    def test_the_hq_resolves_a_report_and_the_outsider_cannot_see_it(self):
        self.client.post("/checkpoints/report/", FORM)
        report = UnauthorisedReport.objects.get()
        listing = self.client_for(self.officer).get("/checkpoints/reports/")
        assert list(listing.context["page"]) == [report]
        assert (
            list(self.client_for(self.outsider).get("/checkpoints/reports/").context["page"]) == []
        )
        url = f"/checkpoints/reports/{report.pk}/resolve/"
        assert self.client_for(self.outsider).get(url).status_code == 404
        assert self.client_for(self.colleague).get(url).status_code == 404
        response = self.client_for(self.officer).post(
            url, {"outcome": "removed", "note": "Village committee removed it"}
        )
        assert response.status_code == 302
        report.refresh_from_db()
        assert (report.status, report.resolved_by) == (ReportStatus.REMOVED, self.officer)
        again = self.client_for(self.officer).post(url, {"outcome": "false_report", "note": "x"})
        assert "该举报已处理" in again.content.decode()

    def test_legitimising_needs_an_approved_checkpoint(self):
        self.client.post("/checkpoints/report/", FORM)
        report = UnauthorisedReport.objects.get()
        url = f"/checkpoints/reports/{report.pk}/resolve/"
        client = self.client_for(self.officer)
        missing = client.post(url, {"outcome": "legitimised", "note": "approved now"})
        assert "checkpoint" in missing.context["form"].errors
        checkpoint = opened(self.colleague, self.officer)
        client.post(
            url, {"outcome": "legitimised", "note": "approved", "checkpoint": checkpoint.pk}
        )
        report.refresh_from_db()
        assert (report.status, report.checkpoint) == (ReportStatus.LEGITIMISED, checkpoint)
