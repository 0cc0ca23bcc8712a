"""One click from a passage registers its person as a returnee (issue 4, item 4)."""

from datetime import UTC, datetime, timedelta

import time_machine

from fangkong.accounts.roles import Role
from fangkong.checkpoints import services
from fangkong.returnees.models import RegisteredVia, ReturnTrip, Transport
from fangkong.test import BAYANHAOTE, BaseTestCase, make_user

from .helpers import VALID_ID, opened

NOW = datetime(2020, 2, 10, 4, 0, tzinfo=UTC)
VILLAGE = "152921110200"  # 南田村, in 巴彦浩特镇


@time_machine.travel(NOW, tick=False)
class PassageReturneeTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.inspector = make_user("insp", Role.INSPECTOR, BAYANHAOTE)
        with time_machine.travel(NOW - timedelta(hours=2), tick=False):
            cls.checkpoint = opened(cls.colleague, cls.officer)
        log = dict(actor=cls.inspector, checkpoint=cls.checkpoint, direction="in", result="passed")
        cls.person = services.passage_log(
            **log,
            at=NOW - timedelta(minutes=5),
            subject="person",
            person_name="张三",
            id_number=VALID_ID,
            plate="蒙M12345",
        )
        cls.nameless = services.passage_log(
            **log, at=NOW - timedelta(minutes=4), subject="person", person_name="李四"
        )
        cls.url = f"/checkpoints/{cls.checkpoint.pk}/passages/{cls.person.pk}/returnee/"

    def post(self, user, url=None, **overrides):
        data = {
            "name": "张三",
            "mobile": "13800138000",
            "key_group": "migrant",
            "departure_date": "2020-02-10",
            "division_code": VILLAGE,
            "transport": "car",
            "transport_number": "蒙M12345",
        }
        data.update(overrides)
        return self.client_for(user).post(url or self.url, data)

    def test_the_checkpoint_page_offers_the_button_only_for_a_passage_with_an_id_number(self):
        response = self.client_for(self.inspector).get(f"/checkpoints/{self.checkpoint.pk}/")
        assert response.content.decode().count('data-testid="register-returnee"') == 1
        assert self.url in response.content.decode()

    def test_the_form_is_prefilled_from_the_passage(self):
        response = self.client_for(self.inspector).get(self.url)
        assert response.status_code == 200
        form = response.context["form"]
        assert form["name"].value() == "张三"
        assert form["division_code"].value() == BAYANHAOTE
        assert form["transport"].value() == Transport.CAR
        assert form["transport_number"].value() == "蒙M12345"

    def test_registering_creates_a_checkpoint_trip_and_the_page_then_links_to_it(self):
        response = self.post(self.inspector)
        assert response.status_code == 302
        trip = ReturnTrip.objects.get(person__id_number=VALID_ID)
        assert (trip.registered_via, trip.division_code, trip.transport, trip.key_group) == (
            RegisteredVia.CHECKPOINT,
            VILLAGE,
            Transport.CAR,
            "migrant",
        )
        page = self.client_for(self.inspector).get(f"/checkpoints/{self.checkpoint.pk}/")
        html = page.content.decode()
        assert f"/returnees/trips/{trip.pk}/" in html
        assert 'data-testid="register-returnee"' not in html

    def test_a_destination_that_is_not_a_village_is_refused_with_nothing_written(self):
        response = self.post(self.inspector, division_code=BAYANHAOTE)
        assert response.status_code == 400
        assert response.context["form"].has_error("division_code")
        assert not ReturnTrip.objects.exists()

    def test_a_passage_without_an_id_number_cannot_be_registered(self):
        url = f"/checkpoints/{self.checkpoint.pk}/passages/{self.nameless.pk}/returnee/"
        client = self.client_for(self.inspector)
        response = client.post(url, {"name": "李四", "departure_date": "2020-02-10"}, follow=True)
        assert response.redirect_chain[-1][0] == f"/checkpoints/{self.checkpoint.pk}/"
        assert "没有身份证号" in response.content.decode()  # the page speaks Chinese
        assert not ReturnTrip.objects.exists()

    def test_a_commander_without_returnee_registration_sees_no_button_and_gets_404(self):
        page = self.client_for(self.officer).get(f"/checkpoints/{self.checkpoint.pk}/")
        assert page.status_code == 200
        assert 'data-testid="register-returnee"' not in page.content.decode()
        assert self.client_for(self.officer).get(self.url).status_code == 404

    def test_an_outsider_gets_404_and_nothing_is_written(self):
        assert self.client_for(self.outsider).get(self.url).status_code == 404
        assert self.post(self.outsider).status_code == 404
        assert not ReturnTrip.objects.exists()

    def test_a_passage_of_another_checkpoint_is_not_found(self):
        url = f"/checkpoints/{self.checkpoint.pk + 999}/passages/{self.person.pk}/returnee/"
        assert self.client_for(self.inspector).get(url).status_code == 404
