from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.test import override_settings

from fangkong.lib.qr import read_qr
from fangkong.lib.tests.test_dcc_vectors import TESTDATA
from fangkong.passes import selectors, services
from fangkong.passes.models import GreenPass
from fangkong.passes.tests.helpers import T0, PassesTestCase
from fangkong.passes.tests.test_pass_bulk_issue import fleet, xlsx

DCC = TESTDATA  # the EU vectors (FANGKONG_DCC_TESTDATA, else ../shared/data/dcc-testdata)


class PassPagesTests(PassesTestCase):
    def test_the_list_shows_passes_of_my_jurisdiction_only(self) -> None:
        green = self.issue()
        page = self.client_for(self.transport).get("/passes/")
        assert green.serial in page.content.decode()
        other = self.client_for(self.other_transport).get("/passes/")
        assert green.serial not in other.content.decode()

    def test_an_outsider_gets_not_found_for_every_page_of_a_pass(self) -> None:
        green = self.issue()
        client = self.client_for(self.outsider)
        for suffix in ("", "print/", "qr.png", "qr.svg"):
            assert client.get(f"/passes/{green.pk}/{suffix}").status_code == 404
        assert client.post(f"/passes/{green.pk}/revoke/", {"reason": "x"}).status_code == 404

    def test_the_detail_masks_the_drivers_id_number(self) -> None:
        green = self.issue()
        html = self.client_for(self.officer).get(f"/passes/{green.pk}/").content.decode()
        assert "152921********0013" in html
        assert "152921199001010013" not in html

    def test_the_qr_png_and_svg_carry_the_code(self) -> None:
        green = self.issue()
        client = self.client_for(self.transport)
        png = client.get(f"/passes/{green.pk}/qr.png")
        assert png["Content-Type"] == "image/png"
        assert read_qr(png.content) == [green.code]
        svg = client.get(f"/passes/{green.pk}/qr.svg")
        assert svg["Content-Type"] == "image/svg+xml"
        assert svg.content.startswith(b"<?xml")

    def test_the_a5_print_view_has_the_qr_plate_cargo_validity_and_issuer(self) -> None:
        green = self.issue()
        html = self.client_for(self.transport).get(f"/passes/{green.pk}/print/").content.decode()
        assert "size: A5" in html
        assert "<svg" in html
        for text in ("蒙M12345", "生活必需品", "阿拉善左旗", green.serial):
            assert text in html

    def test_the_print_names_the_driver_and_the_route_and_has_a_seal_area(self) -> None:
        green = self.issue()  # from 152921 (阿拉善左旗) to 银川市
        town = services.pass_create_full(
            actor=self.transport,
            division=self.left,
            plate="蒙M22222",
            cargo="medical",
            origin="银川市",
            destination="152921102",
            now=T0,
        )
        client = self.client_for(self.transport)
        html = client.get(f"/passes/{green.pk}/print/").content.decode()
        route = html.split('data-testid="route">', 1)[1].split("</dd>", 1)[0]
        assert route == "阿拉善左旗 → 银川市"
        assert "张三 152921********0013" in html
        assert "盖章处" in html
        assert 'data-testid="seal"' in html
        assert ">152921<" not in html and "152921 →" not in html
        html = client.get(f"/passes/{town.pk}/print/").content.decode()
        route = html.split('data-testid="route">', 1)[1].split("</dd>", 1)[0]
        assert route == "银川市 → 温都尔勒图镇"
        assert "152921102" not in html

    def test_the_list_and_the_detail_show_route_names_not_codes(self) -> None:
        green = self.issue()
        client = self.client_for(self.transport)
        for url in ("/passes/", f"/passes/{green.pk}/"):
            html = client.get(url).content.decode()
            assert "阿拉善左旗 → 银川市" in html
            assert "152921 →" not in html

    def test_an_unknown_code_or_a_place_outside_stays_as_written(self) -> None:
        assert selectors.place_names(["999999", "银川市", "152921"]) == {
            "999999": "999999",
            "银川市": "银川市",
            "152921": "阿拉善左旗",
        }

    def test_issuing_through_the_form(self) -> None:
        response = self.client_for(self.transport).post(
            "/passes/new/",
            {
                "issuer": "152921",
                "plate": "蒙M12345",
                "cargo": "emergency",
                "origin": "152921",
                "destination": "兰州",
                "days": 7,
            },
        )
        green = GreenPass.objects.get()
        assert response.status_code == 302
        assert response["Location"] == f"/passes/{green.pk}/"

    def test_the_form_shows_a_bad_plate(self) -> None:
        response = self.client_for(self.transport).post(
            "/passes/new/",
            {"issuer": "152921", "plate": "X", "cargo": "daily", "origin": "a",
             "destination": "b", "days": 7},
        )  # fmt: skip
        assert response.status_code == 200
        assert "errorbox" in response.content.decode()
        assert not GreenPass.objects.exists()

    def test_revoking_through_the_page_asks_for_confirmation_first(self) -> None:
        green = self.issue()
        client = self.client_for(self.transport)
        with time_machine.travel(T0 + timedelta(hours=1), tick=False):
            asked = client.post(f"/passes/{green.pk}/revoke/", {"reason": "车辆更换"})
            html = asked.content.decode()
            assert 'data-testid="revoke-confirm"' in html
            for text in ("蒙M12345", "张三", "车辆更换"):
                assert text in html
            green.refresh_from_db()
            assert green.status == GreenPass.Status.ISSUED
            client.post(f"/passes/{green.pk}/revoke/", {"reason": "车辆更换", "step": "confirm"})
        green.refresh_from_db()
        assert green.status == GreenPass.Status.REVOKED
        assert green.revoked_reason == "车辆更换"

    def test_confirming_without_a_reason_revokes_nothing(self) -> None:
        green = self.issue()
        client = self.client_for(self.transport)
        with time_machine.travel(T0 + timedelta(hours=1), tick=False):
            response = client.post(
                f"/passes/{green.pk}/revoke/", {"reason": "  ", "step": "confirm"}, follow=True
            )
        assert "请填写吊销通行证的原因" in response.content.decode()
        green.refresh_from_db()
        assert green.status == GreenPass.Status.ISSUED

    def test_bulk_upload_shows_row_errors_and_issues_nothing(self) -> None:
        rows = fleet(3)
        rows[2][0] = "bad"
        upload = xlsx(rows)
        from django.core.files.uploadedfile import SimpleUploadedFile

        client = self.client_for(self.transport)
        response = client.post(
            "/passes/bulk/",
            {"issuer": "152921", "file": SimpleUploadedFile("fleet.xlsx", upload)},
        )
        assert "第 4 行" in response.content.decode()
        assert not GreenPass.objects.exists()
        response = client.post(
            "/passes/bulk/",
            {"issuer": "152921", "file": SimpleUploadedFile("fleet.xlsx", xlsx(fleet(3)))},
        )
        assert response.status_code == 302
        assert GreenPass.objects.count() == 3

    def test_a_commander_cannot_open_the_issue_pages(self) -> None:
        client = self.client_for(self.officer)
        assert client.get("/passes/new/").status_code == 404
        assert client.get("/passes/bulk/").status_code == 404

    def test_the_duty_page_embeds_the_root_key_and_serves_its_service_worker(self) -> None:
        html = self.client_for(self.inspector).get("/passes/duty/").content.decode()
        assert 'data-root-key="' in html
        assert "passes/verifier.js" in html
        sw = self.client_for(self.inspector).get("/passes/duty/sw.js")
        assert sw["Content-Type"] == "application/javascript"
        assert b"caches" in sw.content


@pytest.mark.skipif(not DCC.is_dir(), reason="EU DCC test vectors not found")
class EuCertificateVerifyTests(PassesTestCase):
    def test_an_hc1_code_is_verified_against_the_configured_signer_certificates(self) -> None:
        vector = json.loads((DCC / "DE" / "2DCode" / "raw" / "1.json").read_text())
        cert = x509.load_der_x509_certificate(base64.b64decode(vector["TESTCTX"]["CERTIFICATE"]))
        bundle = Path(self._tmp()) / "dcc.pem"
        bundle.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        clock = datetime.fromisoformat(vector["TESTCTX"]["VALIDATIONCLOCK"])
        client = self.client_for(self.inspector)
        body = json.dumps({"code": vector["PREFIX"]})
        with time_machine.travel(clock, tick=False):
            without = client.post("/api/v1/passes/verify", body, content_type="application/json")
            with override_settings(FANGKONG_DCC_TRUST_FILE=str(bundle)):
                got = client.post("/api/v1/passes/verify", body, content_type="application/json")
                later = clock + timedelta(days=400)
                with time_machine.travel(later, tick=False):
                    old = self.client_for(self.inspector).post(
                        "/api/v1/passes/verify", body, content_type="application/json"
                    )
        assert without.json()["reason"] == "bad_prefix", without.content
        assert got.json()["valid"] is True
        assert got.json()["kind"] == "hc1"
        assert got.json()["claims"]["ver"]
        assert old.json()["reason"] == "expirationcheck"
        assert T0  # personas and keys are set up; HC1 needs none of them

    def _tmp(self) -> str:
        from django.conf import settings

        path = Path(settings.FANGKONG_KEY_DIR)
        path.mkdir(parents=True, exist_ok=True)
        return str(path)
