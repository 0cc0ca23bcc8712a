"""Reporting gatherings: staff form, public QR form (anonymous, rate-limited), photos."""

from __future__ import annotations

import io
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone
from PIL import Image

from fangkong.community.models import GatheringReport, Photo
from fangkong.core.models import AuditEntry, DailyCount
from fangkong.test import BAYANHAOTE, LEFT_BANNER, RIGHT_TOWN, BaseTestCase

from .helpers import BAYANHAOTE_GACHA, jpeg_with_exif, png, sumu_worker

PUBLIC_REPORTS_PER_HOUR = 5  # FANGKONG_PUBLIC_RATE_LIMIT in the tests below


def _when(**delta):
    return (timezone.localtime() + timedelta(**delta)).strftime("%Y-%m-%dT%H:%M")


def _public_post(client, code=BAYANHAOTE, meta=None, **extra):
    data = {
        "division": BAYANHAOTE_GACHA,
        "kind": "wedding",
        "place": "南田村张家",
        "occurs_at": _when(hours=2),
        "estimated_people": "60",
    }
    data.update(extra)
    return client.post(f"/community/report/?d={code}", data, **(meta or {}))


class PublicReportTests(BaseTestCase):
    def test_a_member_of_the_public_reports_anonymously_without_logging_in(self):
        page = self.client.get(f"/community/report/?d={BAYANHAOTE}")
        assert page.status_code == 200
        assert "南田村" in page.content.decode()
        response = _public_post(self.client)
        assert response.status_code == 302
        report = GatheringReport.objects.get()
        assert report.source == "public"
        assert report.reporter is None and report.reporter_name == ""
        assert report.division_code == BAYANHAOTE_GACHA
        assert report.status == "reported"
        today = timezone.localdate()
        counts = dict(DailyCount.objects.filter(day=today).values_list("metric", "value"))
        assert counts["community.gatherings.reported"] == 1
        assert counts["community.gatherings.open"] == 1

    def test_photos_are_stored_without_their_exif(self):
        with self.captureOnCommitCallbacks(execute=True):
            response = _public_post(self.client, photos=[jpeg_with_exif(), png()])
        assert response.status_code == 302
        photos = list(Photo.objects.order_by("pk"))
        assert [p.content_type for p in photos] == ["image/jpeg", "image/png"]
        with photos[0].image.open("rb") as f:
            stored = Image.open(io.BytesIO(f.read()))
            assert dict(stored.getexif()) == {}
            assert stored.size == (64, 48)

    def test_a_file_that_is_not_an_image_is_refused_and_nothing_is_stored(self):
        fake = SimpleUploadedFile("photo.jpg", b"#!/bin/sh\necho hi\n" * 10, "image/jpeg")
        response = _public_post(self.client, photos=[fake])
        assert response.status_code == 200
        assert "photo 1 is not an image" in response.content.decode() or "不是图片" in (
            response.content.decode()
        )
        assert not GatheringReport.objects.exists()
        assert not Photo.objects.exists()

    def test_an_image_with_a_wrong_extension_is_refused(self):
        renamed = png(name="place.jpg")
        response = _public_post(self.client, photos=[renamed], HTTP_ACCEPT_LANGUAGE="en")
        assert not GatheringReport.objects.exists()
        assert response.status_code == 200

    def test_a_20_mb_upload_is_refused_with_a_clear_message(self):
        big = SimpleUploadedFile(
            "big.jpg", b"\xff\xd8\xff" + b"0" * (20 * 1024 * 1024), "image/jpeg"
        )
        self.client.cookies.load({"django_language": "en"})
        response = _public_post(self.client, photos=[big])
        assert "too large" in response.content.decode()
        assert not GatheringReport.objects.exists()

    def test_a_date_far_in_the_future_is_refused(self):
        self.client.cookies.load({"django_language": "en"})
        response = _public_post(self.client, occurs_at=_when(days=400))
        assert "within 30 days" in response.content.decode()
        assert not GatheringReport.objects.exists()

    def test_script_in_text_fields_is_shown_escaped(self):
        _public_post(self.client, place="<script>alert(1)</script>", description="<b>x</b>")
        report = GatheringReport.objects.get()
        body = self.client_for(self.officer).get(f"/community/gatherings/{report.pk}/").content
        assert b"<script>alert(1)</script>" not in body
        assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in body

    def test_a_division_outside_the_qr_area_is_refused(self):
        response = _public_post(self.client, division=RIGHT_TOWN)
        assert response.status_code == 400
        assert not GatheringReport.objects.exists()

    @override_settings(FANGKONG_PUBLIC_RATE_LIMIT="5/1h")
    def test_public_reports_are_rate_limited_per_device(self):
        for _ in range(PUBLIC_REPORTS_PER_HOUR):
            assert _public_post(self.client).status_code == 302
        response = _public_post(self.client)
        assert response.status_code == 429
        assert GatheringReport.objects.count() == PUBLIC_REPORTS_PER_HOUR
        other = self.client_class(REMOTE_ADDR="10.9.9.9")
        assert _public_post(other).status_code == 302

    @override_settings(FANGKONG_PUBLIC_RATE_LIMIT="5/1h")
    def test_behind_a_trusted_proxy_each_device_has_its_own_limit(self):
        with override_settings(FANGKONG_TRUSTED_PROXIES=["10.0.0.1"]):
            proxy = self.client_class(REMOTE_ADDR="10.0.0.1")
            device = {"HTTP_X_FORWARDED_FOR": "6.6.6.6, 203.0.113.9"}
            for _ in range(PUBLIC_REPORTS_PER_HOUR):
                assert _public_post(proxy, meta=device).status_code == 302
            assert _public_post(proxy, meta=device).status_code == 429
            other = {"HTTP_X_FORWARDED_FOR": "203.0.113.10"}
            assert _public_post(proxy, meta=other).status_code == 302
        # Not configured: the header is ignored, and all devices share the proxy's limit.
        shared = self.client_class(REMOTE_ADDR="10.0.0.2")
        for n in range(PUBLIC_REPORTS_PER_HOUR):
            forwarded = {"HTTP_X_FORWARDED_FOR": f"198.51.100.{n}"}
            assert _public_post(shared, meta=forwarded).status_code == 302
        assert _public_post(shared, meta=other).status_code == 429

    def test_an_unknown_qr_division_is_not_found(self):
        assert self.client.get("/community/report/?d=999999").status_code == 404


class StaffReportTests(BaseTestCase):
    def test_a_worker_reports_a_gathering_in_their_sumu(self):
        worker = sumu_worker()
        client = self.client_for(worker)
        response = client.post(
            "/community/gatherings/new/",
            {
                "division": BAYANHAOTE,
                "kind": "funeral",
                "place": "东关村",
                "occurs_at": _when(hours=1),
                "estimated_people": "30",
                "photos": [jpeg_with_exif()],
            },
        )
        assert response.status_code == 302
        report = GatheringReport.objects.get()
        assert report.source == "staff" and report.reporter == worker
        assert report.photos.count() == 1
        assert AuditEntry.objects.filter(verb="gathering.report").count() == 1

    def test_a_division_outside_the_actors_jurisdiction_is_refused(self):
        client = self.client_for(self.colleague)
        client.cookies.load({"django_language": "en"})
        response = client.post(
            "/community/gatherings/new/",
            {
                "division": RIGHT_TOWN,
                "kind": "market",
                "place": "集市",
                "occurs_at": _when(hours=1),
                "estimated_people": "300",
            },
        )
        assert "outside your jurisdiction" in response.content.decode()
        assert not GatheringReport.objects.exists()

    def test_a_commander_without_the_handle_permission_cannot_report_as_staff(self):
        assert self.client_for(self.officer).get("/community/gatherings/new/").status_code == 404

    def test_the_outsider_does_not_see_reports_of_another_banner(self):
        from .helpers import report

        left = report(actor=self.colleague, code=LEFT_BANNER)
        outsider = self.client_for(self.outsider)
        assert outsider.get(f"/community/gatherings/{left.pk}/").status_code == 404
        assert left.place not in outsider.get("/community/gatherings/").content.decode()
        assert (
            self.client_for(self.officer).get(f"/community/gatherings/{left.pk}/").status_code
            == 200
        )

    def test_the_qr_page_shows_a_code_for_the_public_form(self):
        body = self.client_for(self.officer).get(f"/community/gatherings/qr/?d={BAYANHAOTE}")
        assert body.status_code == 200
        assert b"<svg" in body.content
        assert f"/community/report/?d={BAYANHAOTE}".encode() in body.content
        outsider = self.client_for(self.outsider)
        assert outsider.get(f"/community/gatherings/qr/?d={BAYANHAOTE}").status_code == 404


class GatheringExportTests(BaseTestCase):
    def test_the_export_lists_the_jurisdiction_masks_phones_neutralises_formulas_and_is_audited(
        self,
    ):
        import io

        from python_calamine import CalamineWorkbook

        from fangkong.community.services import gatherings
        from fangkong.test import division

        gatherings.gathering_report(
            actor=self.colleague,
            division=division(BAYANHAOTE_GACHA),
            reporter_name="张三",
            reporter_phone="13812345678",
            kind="wedding",
            place='=HYPERLINK("http://x")',
            occurs_at=timezone.now(),
            estimated_people=40,
        )
        staff = self.client_for(self.colleague)
        response = staff.get("/community/gatherings/export/", HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200
        rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0)
        data = rows.to_python()
        assert data[0][0] == "Reported" and len(data) == 2
        assert data[1][4] == '=HYPERLINK("http://x")'  # stored as text, not a formula
        assert data[1][9] == "138****5678"  # staff have no personal_data.view
        assert AuditEntry.objects.filter(
            verb="community.gatherings.export", actor=self.colleague
        ).exists()
        outsider_rows = (
            CalamineWorkbook.from_filelike(
                io.BytesIO(
                    self.client_for(self.outsider).get("/community/gatherings/export/").content
                )
            )
            .get_sheet_by_index(0)
            .to_python()
        )
        assert len(outsider_rows) == 1  # the header only: nothing outside the jurisdiction
