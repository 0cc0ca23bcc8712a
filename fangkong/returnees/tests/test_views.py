from __future__ import annotations

import io
import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import time_machine
from django.test import Client
from python_calamine import CalamineWorkbook

from fangkong.accounts.roles import Role
from fangkong.core.models import AuditEntry
from fangkong.lib.qr import read_qr
from fangkong.returnees.models import KeyGroup, ObservationStatus, Person, RegisteredVia, ReturnTrip
from fangkong.returnees.services import (
    observation_start,
    returnee_register,
)
from fangkong.returnees.tests.helpers import (
    ID_3,
    OTHER_VILLAGE,
    RIGHT_VILLAGE,
    STANDARD_ID,
    VILLAGE,
    trip_data,
)
from fangkong.returnees.tests.test_census_import import GOOD, workbook
from fangkong.test import BAYANHAOTE, BaseTestCase, division, make_user

TZ = ZoneInfo("Asia/Shanghai")


@time_machine.travel(datetime(2020, 2, 5, 10, tzinfo=TZ), tick=False)
class StaffPageTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.worker = make_user("worker", Role.GRASSROOTS, BAYANHAOTE)

    def test_the_list_filters_searches_and_masks_for_staff(self):
        returnee_register(actor=self.worker, data=trip_data(id_number=STANDARD_ID))
        returnee_register(
            actor=self.worker,
            data=trip_data(
                id_number=ID_3, name="李四", mobile="13900001111", key_group=KeyGroup.STUDENT
            ),
        )
        page = (
            self.client_for(self.colleague)
            .get("/returnees/", {"key_group": "student"})
            .content.decode()
        )
        assert "李四" in page and "张三" not in page
        assert "152922********0029" in page and ID_3 not in page
        page = self.client_for(self.worker).get("/returnees/", {"q": "lisi"}).content.decode()
        assert "李四" in page and ID_3 in page  # grassroots see personal data

    def test_near_duplicates_are_flagged_and_merged_with_their_trips(self):
        a = returnee_register(actor=self.worker, data=trip_data(id_number=STANDARD_ID))
        b = returnee_register(
            actor=self.worker,
            data=trip_data(
                id_number=ID_3, departure_date=datetime(2020, 1, 10).date(), arrival_date=None
            ),
        )
        client = self.client_for(self.worker)
        assert client.get("/returnees/").content.decode().count('data-testid="twin-flag"') == 2
        response = client.post(f"/returnees/people/{a.person_id}/merge/{b.person_id}/")
        assert response.status_code == 302
        assert not Person.objects.filter(pk=b.person_id).exists()
        assert ReturnTrip.objects.filter(person_id=a.person_id).count() == 2
        assert AuditEntry.objects.filter(verb="person.merge").exists()

    def test_viewing_a_trip_or_an_observation_unmasked_is_audited_and_masked_is_not(self):
        trip = returnee_register(actor=self.worker, data=trip_data())
        obs = observation_start(actor=self.worker, trip=trip)
        worker = self.client_for(self.worker)
        assert trip.person.id_number in worker.get(f"/returnees/trips/{trip.pk}/").content.decode()
        assert "13812345678" in worker.get(f"/returnees/observations/{obs.pk}/").content.decode()
        assert (
            AuditEntry.objects.filter(verb="person.view_unmasked", actor=self.worker).count() == 2
        )
        page = self.client_for(self.colleague).get(f"/returnees/trips/{trip.pk}/").content.decode()
        assert trip.person.id_number not in page and "152921********0013" in page
        assert not AuditEntry.objects.filter(
            verb="person.view_unmasked", actor=self.colleague
        ).exists()

    def test_viewing_a_person_unmasked_is_audited(self):
        trip = returnee_register(actor=self.worker, data=trip_data())
        page = (
            self.client_for(self.officer)
            .get(f"/returnees/people/{trip.person_id}/")
            .content.decode()
        )
        assert trip.person.id_number in page
        assert AuditEntry.objects.filter(verb="person.view_unmasked", actor=self.officer).exists()

    def test_the_person_page_names_the_community_of_the_latest_trip(self):
        first = returnee_register(actor=self.worker, data=trip_data())
        later = trip_data(departure_date=date(2020, 2, 1), division_code=OTHER_VILLAGE)
        returnee_register(actor=self.worker, data=later)
        person = Person.objects.get(pk=first.person_id)
        assert person.division_code == OTHER_VILLAGE
        client = self.client_for(self.worker)

        def home() -> str:
            page = client.get(f"/returnees/people/{person.pk}/").content.decode()
            found = re.search(r'<dd data-testid="home">([^<]*)</dd>', page)
            assert found, page
            return found.group(1)

        assert home().startswith("东关村")
        # A community that no trip of the person names any more (trips edited since).
        ReturnTrip.objects.filter(person=person).update(
            division_code=VILLAGE, division_id=division(VILLAGE).pk
        )
        assert home().startswith("东关村")

    def test_a_worker_confirms_arrival_and_records_a_check_from_the_pages(self):
        trip = returnee_register(
            actor=self.worker, data=trip_data(key_group=KeyGroup.INBOUND, origin_country="日本")
        )
        client = self.client_for(self.worker)
        assert "张三" in client.get("/returnees/queue/").content.decode()
        response = client.post(
            f"/returnees/trips/{trip.pk}/arrive/",
            {"observe": "auto", "kind": "home", "place": "家中"},
        )
        assert response.status_code == 302
        obs = ReturnTrip.objects.get(pk=trip.pk).observation
        response = client.post(
            f"/returnees/observations/{obs.pk}/",
            {"action": "check", "check-temperature": "36.7", "check-contact": "phone"},
        )
        assert response.status_code == 302
        assert obs.checks.get().temperature == 36.7 or str(obs.checks.get().temperature) == "36.7"
        response = client.post(
            f"/returnees/observations/{obs.pk}/", {"action": "end", "end-status": "released"}
        )
        assert response.status_code == 200  # too early: the form shows the error
        obs.refresh_from_db()
        assert obs.status == ObservationStatus.ACTIVE

    def test_staff_register_a_returnee_from_the_form(self):
        response = self.client_for(self.worker).post(
            "/returnees/new/",
            {
                "id_number": STANDARD_ID,
                "name": "张三",
                "mobile": "13812345678",
                "key_group": "migrant",
                "transport": "coach",
                "departure_date": "2020-02-03",
                "division_code": VILLAGE,
            },
        )
        assert response.status_code == 302
        assert ReturnTrip.objects.get().registered_via == RegisteredVia.STAFF

    def test_the_export_masks_for_staff_neutralises_formulas_and_is_audited(self):
        returnee_register(actor=self.worker, data=trip_data(name="=HYPERLINK(1)"))
        response = self.client_for(self.colleague).get("/returnees/", {"format": "xlsx"})
        rows = (
            CalamineWorkbook.from_filelike(io.BytesIO(response.content))
            .get_sheet_by_index(0)
            .to_python()
        )
        assert rows[1][0] == "'=HYPERLINK(1)"
        assert rows[1][1] == "152921********0013"
        assert AuditEntry.objects.filter(verb="returnee.export", actor=self.colleague).exists()

    def test_the_census_upload_page_reports_rows_and_offers_the_report(self):
        client = self.client_for(self.worker)
        bad = list(GOOD[1])
        bad[2] = "123"
        data = io.BytesIO(workbook([GOOD[0], bad]))
        data.name = "c.xlsx"
        page = client.post("/returnees/import/", {"file": data}).content.decode()
        assert "手机号" in page and not ReturnTrip.objects.exists()
        report = client.get("/returnees/import/report.xlsx")
        assert report.status_code == 200 and report.content.startswith(b"PK")
        assert client.get("/returnees/import/template.xlsx").content.startswith(b"PK")

    def test_the_outsider_sees_not_found_everywhere_inside_another_banner(self):
        trip = returnee_register(actor=self.worker, data=trip_data())
        obs = observation_start(actor=self.worker, trip=trip)
        outsider = self.client_for(self.outsider)
        for url in (
            f"/returnees/trips/{trip.pk}/",
            f"/returnees/people/{trip.person_id}/",
            f"/returnees/observations/{obs.pk}/",
            f"/returnees/posters/{VILLAGE}.png",
        ):
            assert outsider.get(url).status_code == 404, url
        assert (
            outsider.post(
                f"/returnees/trips/{trip.pk}/arrive/", {"observe": "auto", "kind": "home"}
            ).status_code
            == 404
        )
        assert "张三" not in outsider.get("/returnees/").content.decode()
        far = self.client_for(make_user("far", Role.GRASSROOTS, "152922103"))
        far.post("/returnees/observations/release/", {"ids": [obs.pk]})
        obs.refresh_from_db()
        assert obs.status == ObservationStatus.ACTIVE
        assert (
            self.client_for(self.outsider)
            .get(f"/returnees/posters/{RIGHT_VILLAGE}.pdf")
            .status_code
            == 200
        )

    def test_the_unit_admin_page_needs_the_unit_role(self):
        assert self.client_for(self.officer).get("/returnees/unit/").status_code == 404


class PublicPageTests(BaseTestCase):
    def test_self_registration_returns_a_receipt_and_a_second_submission_updates_it(self):
        client = Client(enforce_csrf_checks=True)
        page = client.get(f"/returnees/r/{VILLAGE}/")
        assert page.status_code == 200
        token = page.cookies["csrftoken"].value
        body = {
            "csrfmiddlewaretoken": token,
            "id_number": STANDARD_ID,
            "name": "张三",
            "mobile": "13812345678",
            "key_group": "student",
            "transport": "train",
            "departure_date": "2020-02-03",
            "division_code": RIGHT_VILLAGE,
        }
        response = client.post(f"/returnees/r/{VILLAGE}/", body)
        trip = ReturnTrip.objects.get()
        assert trip.receipt in response.content.decode()
        assert trip.division_code == VILLAGE  # the poster decides, not the form
        client.post(f"/returnees/r/{VILLAGE}/", {**body, "transport_number": "Z22"})
        assert ReturnTrip.objects.get().transport_number == "Z22"
        assert (
            Client(enforce_csrf_checks=True).post(f"/returnees/r/{VILLAGE}/", body).status_code
            == 403
        )

    def test_the_page_never_reveals_whether_an_id_number_is_known(self):
        client = Client()
        body = {
            "id_number": STANDARD_ID,
            "name": "张三",
            "mobile": "13812345678",
            "key_group": "student",
            "transport": "train",
            "departure_date": "2020-02-03",
        }
        first = client.post(f"/returnees/r/{VILLAGE}/", body).content.decode()
        second = client.post(
            f"/returnees/r/{VILLAGE}/", {**body, "name": "王五", "departure_date": "2020-02-01"}
        ).content.decode()
        for page in (first, second):
            assert "张三" not in page.replace('value="张三"', "")
        assert Person.objects.get().name == "张三"

    def test_a_known_and_an_unknown_id_number_get_the_same_page(self):
        import re

        returnee_register(actor=None, data=trip_data(), registered_via=RegisteredVia.SELF)

        def submit(id_number: str) -> str:
            client = Client()
            body = {
                "id_number": id_number,
                "name": "王五",
                "mobile": "13900000000",
                "key_group": "student",
                "transport": "train",
                "departure_date": "2020-02-03",
            }
            response = client.post(f"/returnees/r/{VILLAGE}/", body)
            assert response.status_code == 200
            text = response.content.decode()
            text = re.sub(r"R[2-9A-HJ-NP-Z]{9}", "RECEIPT", text)
            text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)
            return re.sub(r'"X-CSRFToken": "[^"]+"', "", text)

        known = submit(trip_data().id_number)
        unknown = submit(STANDARD_ID)
        assert "RECEIPT" in known
        assert known == unknown
        assert Person.objects.get(id_number=trip_data().id_number).name == "张三"

    def test_submissions_are_rate_limited(self):
        client = Client()
        for _ in range(10):
            client.post(f"/returnees/r/{VILLAGE}/", {"name": "x"})
        assert client.post(f"/returnees/r/{VILLAGE}/", {"name": "x"}).status_code == 429

    def test_a_town_or_unknown_code_has_no_page(self):
        assert Client().get(f"/returnees/r/{BAYANHAOTE}/").status_code == 404
        assert Client().get("/returnees/r/152921999999/").status_code == 404

    def test_staff_print_a_png_and_a_pdf_poster_for_their_community(self):
        client = self.client_for(self.colleague)
        png = client.get(f"/returnees/posters/{VILLAGE}.png")
        assert png["Content-Type"] == "image/png" and png.content.startswith(b"\x89PNG")
        assert read_qr(png.content) == [f"http://testserver/returnees/r/{VILLAGE}/"]
        pdf = client.get(f"/returnees/posters/{VILLAGE}.pdf")
        assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
        title = f"{division(VILLAGE).short_name} 返程人员自主登记".encode("utf-16-be")
        assert title in pdf.content  # the document's title names the community
        # The page is the poster's image: its QR code opens the same page.
        start = pdf.content.index(b"stream", pdf.content.index(b"/DCTDecode")) + len(b"stream")
        image = pdf.content[start : pdf.content.index(b"endstream", start)].strip(b"\r\n")
        assert read_qr(image) == [f"http://testserver/returnees/r/{VILLAGE}/"]

    def test_the_poster_draws_the_communitys_name(self):
        from PIL import ImageChops

        from fangkong.returnees import posters

        url = f"http://testserver/returnees/r/{VILLAGE}/"
        ours = posters.poster_image(url=url, community="南田村", parents="阿拉善左旗")
        other = posters.poster_image(url=url, community="东关村", parents="阿拉善左旗")
        box = ImageChops.difference(ours, other).getbbox()
        assert box is not None and 220 <= box[1] < 380  # below the red band: the name line
        name_band = ours.crop((0, 260, posters.WIDTH, 380)).convert("L")
        darkest, _lightest = name_band.getextrema()
        assert isinstance(darkest, int) and darkest < 80  # dark ink on white
        header = ImageChops.difference(
            ours.crop((0, 0, posters.WIDTH, 220)), other.crop((0, 0, posters.WIDTH, 220))
        )
        assert header.getbbox() is None
        assert (
            self.client_for(self.outsider).get(f"/returnees/posters/{VILLAGE}.pdf").status_code
            == 404
        )
