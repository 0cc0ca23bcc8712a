"""Publicity and bulletins: publish to divisions, each gacha confirms 已传达, coverage."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from fangkong.accounts.roles import Role
from fangkong.community import selectors
from fangkong.community.models import Conveyance, Material
from fangkong.community.services import publicity
from fangkong.core.rollups import figures, rebuild
from fangkong.divisions.models import Division
from fangkong.test import BAYANHAOTE, LEFT_BANNER, RIGHT_TOWN, BaseTestCase, division, make_user

from .helpers import BAYANHAOTE_GACHA, png, sumu_worker

PUBLICITY = ["community.publicity.targets", "community.publicity.conveyed"]


def _publish(actor, targets=(BAYANHAOTE,), **extra):
    fields: dict[str, Any] = {
        "title": "致广大农牧民的一封信",
        "kind": "text",
        "body": "不聚集、不串门、勤洗手、戴口罩。",
        "division": division(LEFT_BANNER),
        "targets": [division(code) for code in targets],
    }
    fields.update(extra)
    return publicity.material_publish(actor=actor, **fields)


class PublicityServiceTests(BaseTestCase):
    def test_coverage_counts_gachas_and_names_those_not_reached(self):
        material = _publish(self.colleague)
        gachas = list(Division.objects.filter(code__startswith=BAYANHAOTE, level="village"))
        assert material.target_count == len(gachas) > 1
        worker = sumu_worker()
        publicity.conveyance_confirm(
            actor=worker, material=material, gacha=division(BAYANHAOTE_GACHA), method="loudspeaker"
        )
        [row] = selectors.material_coverage(actor=self.officer, material=material)
        assert row.reached == 1 and row.gachas == len(gachas)
        assert BAYANHAOTE_GACHA not in [g.code for g in row.missing]
        assert len(row.missing) == len(gachas) - 1
        got = figures([LEFT_BANNER], PUBLICITY, on=timezone.localdate(material.created_at))
        assert got["community.publicity.targets"]["total"] == len(gachas)
        assert got["community.publicity.conveyed"]["total"] == 1
        rebuild(PUBLICITY)
        assert figures([LEFT_BANNER], PUBLICITY, on=timezone.localdate(material.created_at)) == got

    def test_a_gacha_confirms_once_and_only_where_the_material_went(self):
        material = _publish(self.colleague)
        worker = sumu_worker()
        publicity.conveyance_confirm(
            actor=worker, material=material, gacha=division(BAYANHAOTE_GACHA), method="wechat"
        )
        with pytest.raises(ValidationError, match="already confirmed"):
            publicity.conveyance_confirm(
                actor=worker, material=material, gacha=division(BAYANHAOTE_GACHA), method="door"
            )
        other_gacha = Division.objects.filter(code__startswith="152921102", level="village")[0]
        with pytest.raises(ValidationError):
            publicity.conveyance_confirm(
                actor=self.colleague, material=material, gacha=other_gacha, method="door"
            )
        assert Conveyance.objects.count() == 1

    def test_files_must_be_what_they_say_and_targets_inside_the_jurisdiction(self):
        fake_pdf = SimpleUploadedFile("notice.pdf", b"<html>not a pdf</html>")
        with pytest.raises(ValidationError) as exc:
            _publish(self.colleague, kind="pdf", upload=fake_pdf)
        assert "file" in exc.value.message_dict
        with pytest.raises(ValidationError) as exc:
            _publish(self.colleague, kind="audio", upload=SimpleUploadedFile("a.mp3", b"hello"))
        assert "file" in exc.value.message_dict
        with pytest.raises(ValidationError) as exc:
            _publish(self.colleague, kind="image", upload=png(name="poster.pdf"))
        assert "file" in exc.value.message_dict
        with pytest.raises(ValidationError) as exc:
            _publish(self.colleague, targets=(RIGHT_TOWN,))
        assert "targets" in exc.value.message_dict
        assert not Material.objects.exists()
        pdf = SimpleUploadedFile("notice.pdf", b"%PDF-1.4\n%%EOF\n")
        assert _publish(self.colleague, kind="pdf", upload=pdf).content_type == "application/pdf"
        mp3 = SimpleUploadedFile("broadcast.mp3", b"ID3\x03\x00" + b"\x00" * 100)
        assert _publish(self.colleague, kind="audio", upload=mp3).content_type == "audio/mpeg"


class PublicityPageTests(BaseTestCase):
    def test_a_gacha_worker_sees_a_banner_wide_material_and_confirms_it(self):
        material = _publish(self.colleague, targets=(LEFT_BANNER,))
        gacha_worker = make_user("gacha_worker", Role.GRASSROOTS, BAYANHAOTE_GACHA)
        client = self.client_for(gacha_worker)
        assert material.title in client.get("/community/publicity/").content.decode()
        page = client.get(f"/community/publicity/{material.pk}/")
        assert b'data-testid="convey"' in page.content
        response = client.post(
            f"/community/publicity/{material.pk}/",
            {"gacha": BAYANHAOTE_GACHA, "method": "door", "notes": "入户12家"},
        )
        assert response.status_code == 302
        conveyance = Conveyance.objects.get()
        assert (
            conveyance.division_code == BAYANHAOTE_GACHA and conveyance.confirmed_by == gacha_worker
        )

    def test_publishing_an_image_on_the_page(self):
        client = self.client_for(self.colleague)
        response = client.post(
            "/community/publicity/new/",
            {
                "title": "防疫海报",
                "kind": "image",
                "division": LEFT_BANNER,
                "targets": f"{BAYANHAOTE}, 152921102",
                "file": png(),
            },
        )
        assert response.status_code == 302
        material = Material.objects.get()
        assert material.targets.count() == 2
        file = client.get(f"/community/publicity/{material.pk}/file/")
        assert file.status_code == 200 and file["Content-Type"] == "image/png"

    def test_the_outsider_gets_not_found(self):
        material = _publish(self.colleague)
        outsider = self.client_for(self.outsider)
        assert outsider.get(f"/community/publicity/{material.pk}/").status_code == 404
        assert outsider.get(f"/community/publicity/{material.pk}/file/").status_code == 404
        assert (
            outsider.get(f"/api/v1/community/materials/{material.pk}/coverage").status_code == 404
        )
        assert (
            outsider.post(
                f"/api/v1/community/materials/{material.pk}/conveyances",
                {"gacha": BAYANHAOTE_GACHA, "method": "door"},
                content_type="application/json",
            ).status_code
            == 404
        )

    def test_the_api_uploads_audio_for_loudspeakers_and_refuses_a_disguised_file(self):
        client = self.client_for(self.colleague)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        fields = {
            "title": "广播稿",
            "kind": "audio",
            "division": LEFT_BANNER,
            "targets": BAYANHAOTE,
        }
        bad = client.post(
            "/api/v1/community/materials/upload",
            {**fields, "file": SimpleUploadedFile("talk.mp3", b"MZ\x90\x00 not audio")},
        )
        assert bad.status_code == 422 and "not an audio file" in bad.json()["detail"]
        assert not Material.objects.exists()
        mp3 = SimpleUploadedFile("talk.mp3", b"ID3\x03\x00" + b"\x00" * 64)
        ok = client.post("/api/v1/community/materials/upload", {**fields, "file": mp3})
        assert ok.status_code == 201, ok.content
        assert ok.json()["kind"] == "audio" and ok.json()["has_file"]
        outsider = self.client_for(self.outsider)
        mp3.seek(0)
        refused = outsider.post("/api/v1/community/materials/upload", {**fields, "file": mp3})
        assert refused.status_code == 404
        right_staff = self.client_for(make_user("right_staff", Role.STAFF, "152922"))
        mp3.seek(0)
        outside = right_staff.post("/api/v1/community/materials/upload", {**fields, "file": mp3})
        assert outside.status_code == 422
        assert Material.objects.count() == 1

    def test_the_api_publishes_and_reports_coverage(self):
        client = self.client_for(self.colleague)
        created = client.post(
            "/api/v1/community/materials",
            {
                "title": "通告",
                "body": "<script>x</script>",
                "division": LEFT_BANNER,
                "targets": [BAYANHAOTE],
            },
            content_type="application/json",
        )
        assert created.status_code == 201
        mid = created.json()["id"]
        worker = self.client_for(sumu_worker())
        conveyed = worker.post(
            f"/api/v1/community/materials/{mid}/conveyances",
            {"gacha": BAYANHAOTE_GACHA, "method": "loudspeaker"},
            content_type="application/json",
        )
        assert conveyed.status_code == 201
        [listed] = client.get("/api/v1/community/materials").json()
        assert listed["id"] == mid and listed["conveyed"] == 1
        assert self.client_for(self.outsider).get("/api/v1/community/materials").json() == []
        [row] = client.get(f"/api/v1/community/materials/{mid}/coverage").json()
        assert row["reached"] == 1 and BAYANHAOTE_GACHA not in row["not_reached"]
        page = client.get(f"/community/publicity/{mid}/").content
        assert b"&lt;script&gt;" in page
