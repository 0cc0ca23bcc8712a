"""The gathering API: same rules as the pages, JSON errors, 404 outside jurisdiction."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from fangkong.community.models import GatheringReport
from fangkong.test import BAYANHAOTE, RIGHT_TOWN, BaseTestCase

from .helpers import report, sumu_worker


def _payload(**extra):
    data = {
        "kind": "entertainment",
        "place": "KTV",
        "division": BAYANHAOTE,
        "occurs_at": (timezone.now() + timedelta(hours=2)).isoformat(),
        "estimated_people": 25,
    }
    data.update(extra)
    return data


class GatheringApiTests(BaseTestCase):
    def test_a_worker_reports_assigns_and_handles_through_the_api(self):
        client = self.client_for(sumu_worker())
        created = client.post(
            "/api/v1/community/gatherings", _payload(), content_type="application/json"
        )
        assert created.status_code == 201, created.content
        rid = created.json()["id"]
        assigned = client.post(
            f"/api/v1/community/gatherings/{rid}/assign", {}, content_type="application/json"
        )
        assert assigned.json()["status"] == "assigned"
        handled = client.post(
            f"/api/v1/community/gatherings/{rid}/handle",
            {"outcome": "stopped", "notes": "已关停"},
            content_type="application/json",
        )
        assert handled.json()["status"] == "stopped"
        assert handled.json()["minutes_to_handle"] == 0
        stats = client.get("/api/v1/community/gatherings/stats").json()
        assert stats["figures"]["community.gatherings.handled"]["total"] == 1

    def test_bad_input_gets_a_clear_message_and_nothing_is_stored(self):
        client = self.client_for(self.colleague)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        far = client.post(
            "/api/v1/community/gatherings",
            _payload(occurs_at=(timezone.now() + timedelta(days=90)).isoformat()),
            content_type="application/json",
        )
        assert far.status_code == 422
        assert "occurs_at" in far.json()["detail"]
        outside = client.post(
            "/api/v1/community/gatherings",
            _payload(division=RIGHT_TOWN),
            content_type="application/json",
        )
        assert outside.status_code == 422
        assert "outside your jurisdiction" in outside.json()["detail"]
        unknown = client.post(
            "/api/v1/community/gatherings", _payload(division="15"), content_type="application/json"
        )
        assert unknown.status_code == 422
        assert not GatheringReport.objects.exists()

    def test_a_time_without_a_zone_is_read_as_local_time(self):
        client = self.client_for(self.colleague)
        local = timezone.localtime() + timedelta(hours=2)
        naive = local.replace(tzinfo=None, microsecond=0).isoformat()
        created = client.post(
            "/api/v1/community/gatherings",
            _payload(occurs_at=naive),
            content_type="application/json",
        )
        assert created.status_code == 201, created.content
        stored = GatheringReport.objects.get().occurs_at
        assert abs((stored - local).total_seconds()) < 1

    def test_a_transition_from_the_wrong_state_is_a_422(self):
        r = report()
        client = self.client_for(self.colleague)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        response = client.post(
            f"/api/v1/community/gatherings/{r.pk}/handle",
            {"outcome": "stopped", "notes": "x"},
            content_type="application/json",
        )
        assert response.status_code == 422
        assert "assigned" in response.json()["detail"]

    def test_the_outsider_gets_not_found(self):
        r = report()
        client = self.client_for(self.outsider)
        assert client.get(f"/api/v1/community/gatherings/{r.pk}").status_code == 404
        assert client.get("/api/v1/community/gatherings").json() == []
        assert (
            client.post(
                f"/api/v1/community/gatherings/{r.pk}/handle",
                {"outcome": "stopped", "notes": "x"},
                content_type="application/json",
            ).status_code
            == 404
        )

    def test_photos_are_added_through_the_api_images_only_and_up_to_the_limit(self):
        from django.core.files.uploadedfile import SimpleUploadedFile

        from .helpers import jpeg_with_exif

        r = report()
        client = self.client_for(self.colleague)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        url = f"/api/v1/community/gatherings/{r.pk}/photos"
        ok = client.post(url, {"photos": [jpeg_with_exif(), jpeg_with_exif("b.jpg")]})
        assert ok.status_code == 201, ok.content
        assert ok.json()["photos"] == 2
        bad = client.post(url, {"photos": [SimpleUploadedFile("c.jpg", b"%PDF-1.4 nope")]})
        assert bad.status_code == 422 and "not an image" in bad.json()["detail"]
        many = client.post(url, {"photos": [jpeg_with_exif(f"{i}.jpg") for i in range(3)]})
        assert many.status_code == 422 and "At most 4" in many.json()["detail"]
        assert r.photos.count() == 2
        outsider = self.client_for(self.outsider)
        assert outsider.post(url, {"photos": [jpeg_with_exif()]}).status_code == 404

    def test_anonymous_callers_must_authenticate(self):
        assert self.client.get("/api/v1/community/gatherings").status_code == 401
