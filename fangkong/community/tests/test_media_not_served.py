"""Uploaded files are served only by their app's view: never from MEDIA_URL, not even in the
debug mode that ``make run`` uses, and only to a user who may see the record."""

from __future__ import annotations

import importlib

from django.test import override_settings
from django.urls import clear_url_caches

from fangkong import urls
from fangkong.community.models import Photo
from fangkong.community.services import gatherings
from fangkong.test import BaseTestCase

from .helpers import jpeg_with_exif, report, sumu_worker


class MediaNotServedTests(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        worker = sumu_worker()
        self.worker = worker
        gatherings.gathering_add_photos(
            actor=worker, report=report(actor=worker), photos=[jpeg_with_exif()]
        )
        self.photo = Photo.objects.get()
        self.media_url = self.photo.image.url
        assert self.media_url.startswith("/media/")
        with self.photo.image.open("rb") as handle:
            self.photo_bytes = handle.read()

    def _debug_urls(self) -> None:
        importlib.reload(urls)
        clear_url_caches()

    def tearDown(self) -> None:
        importlib.reload(urls)
        clear_url_caches()
        super().tearDown()

    def test_the_debug_server_serves_no_upload_from_media_url_to_anyone(self):
        with override_settings(DEBUG=True):
            self._debug_urls()
            anonymous = self.client.get(self.media_url)
            assert anonymous.status_code == 404
            signed_in = self.client_for(self.worker).get(self.media_url)
            assert signed_in.status_code == 404
            assert not signed_in.streaming and self.photo_bytes not in signed_in.content

    def test_the_photo_view_asks_for_a_login_and_the_jurisdiction(self):
        with override_settings(DEBUG=True):
            self._debug_urls()
            url = f"/community/photos/{self.photo.pk}/"
            anonymous = self.client.get(url)
            assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
            assert self.client_for(self.outsider).get(url).status_code == 404
            allowed = self.client_for(self.worker).get(url)
            assert allowed.status_code == 200
            assert b"".join(allowed.streaming_content) == self.photo_bytes
