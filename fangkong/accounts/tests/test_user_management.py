from fangkong.accounts.models import Membership, User
from fangkong.core.models import AuditEntry
from fangkong.test import BAYANHAOTE, LEFT_BANNER, PASSWORD, RIGHT_BANNER, BaseTestCase

NEW_USER = {
    "username": "baoyin",
    "display_name": "宝音",
    "phone": "138 1234 5678",
    "role": "grassroots",
    "division": "152921110000",  # 巴彦浩特镇, written as 12 digits
    "password": "grassroots-pass-2020",
}


class UserCreateTests(BaseTestCase):
    def test_a_commander_creates_a_user_inside_their_jurisdiction(self):
        client = self.client_for(self.officer)
        response = client.post("/accounts/users/new/", NEW_USER)
        assert response.status_code == 302
        user = User.objects.get(username="baoyin")
        assert user.phone == "13812345678"
        assert user.must_change_password
        membership = user.memberships.get()
        assert (membership.role, membership.division_code) == ("grassroots", BAYANHAOTE)
        entry = AuditEntry.objects.get(verb="user.create", target_id=str(user.pk))
        assert entry.actor == self.officer
        assert entry.division_code == BAYANHAOTE

    def test_a_division_outside_the_jurisdiction_is_refused_and_nothing_is_stored(self):
        client = self.client_for(self.officer)
        response = client.post(
            "/accounts/users/new/",
            {**NEW_USER, "division": RIGHT_BANNER},
            HTTP_ACCEPT_LANGUAGE="en",
        )
        assert response.status_code == 200
        assert "outside your jurisdiction" in response.content.decode()
        assert not User.objects.filter(username="baoyin").exists()

    def test_bad_input_gets_clear_messages(self):
        client = self.client_for(self.officer)
        response = client.post(
            "/accounts/users/new/",
            {**NEW_USER, "phone": "12345", "division": "999999", "password": "123"},
            HTTP_ACCEPT_LANGUAGE="en",
        )
        body = response.content.decode()
        assert "11-digit mainland mobile number" in body
        assert "No division has the code 999999" in body
        assert not User.objects.filter(username="baoyin").exists()

    def test_a_taken_user_name_is_refused(self):
        client = self.client_for(self.officer)
        response = client.post(
            "/accounts/users/new/", {**NEW_USER, "username": "COLLEAGUE"}, HTTP_ACCEPT_LANGUAGE="en"
        )
        assert "is taken" in response.content.decode()

    def test_staff_cannot_manage_users(self):
        client = self.client_for(self.colleague)
        assert client.get("/accounts/users/").status_code == 404
        assert client.post("/accounts/users/new/", NEW_USER).status_code == 404
        assert not User.objects.filter(username="baoyin").exists()


class UserListAndEditTests(BaseTestCase):
    def test_the_list_shows_only_users_inside_the_jurisdiction(self):
        body = self.client_for(self.officer).get("/accounts/users/").content.decode()
        assert "colleague" in body
        assert "outsider" not in body
        assert "league_commander" not in body
        body = self.client_for(self.league_commander).get("/accounts/users/").content.decode()
        assert "outsider" in body and "colleague" in body

    def test_the_list_filters_by_text_role_and_status(self):
        client = self.client_for(self.league_commander)
        body = client.get("/accounts/users/", {"role": "staff"}).content.decode()
        assert "colleague" in body and "outsider" not in body
        body = client.get("/accounts/users/", {"q": "outs"}).content.decode()
        assert "outsider" in body and "colleague" not in body
        body = client.get("/accounts/users/", {"active": "0"}).content.decode()
        assert "outsider" not in body

    def test_an_outsider_gets_not_found_for_every_user_page(self):
        client = self.client_for(self.outsider)
        pk = self.colleague.pk
        assert client.get(f"/accounts/users/{pk}/").status_code == 404
        assert client.get(f"/accounts/users/{pk}/edit/").status_code == 404
        assert client.post(f"/accounts/users/{pk}/active/", {"active": "0"}).status_code == 404
        assert (
            client.post(f"/accounts/users/{pk}/password/", {"password": "x" * 12}).status_code
            == 404
        )
        missing = client.get("/accounts/users/999999/")
        assert missing.status_code == 404
        self.colleague.refresh_from_db()
        assert self.colleague.is_active

    def test_a_commander_edits_a_users_role_within_the_jurisdiction(self):
        client = self.client_for(self.officer)
        response = client.post(
            f"/accounts/users/{self.colleague.pk}/edit/",
            {"display_name": "同事", "phone": "", "role": "grassroots", "division": BAYANHAOTE},
        )
        assert response.status_code == 302
        membership = Membership.objects.get(user=self.colleague)
        assert (membership.role, membership.division_code) == ("grassroots", BAYANHAOTE)
        assert AuditEntry.objects.filter(
            verb="user.update", target_id=str(self.colleague.pk)
        ).exists()

    def test_a_commander_cannot_move_a_user_out_of_the_jurisdiction(self):
        client = self.client_for(self.officer)
        client.post(
            f"/accounts/users/{self.colleague.pk}/edit/",
            {"display_name": "同事", "role": "staff", "division": RIGHT_BANNER},
        )
        assert Membership.objects.get(user=self.colleague).division_code == LEFT_BANNER

    def test_a_user_partly_outside_the_jurisdiction_can_be_seen_but_not_changed(self):
        from fangkong.divisions.models import Division

        Membership.objects.create(
            user=self.colleague,
            role="staff",
            division=Division.objects.get(code=RIGHT_BANNER),
            division_code=RIGHT_BANNER,
        )
        client = self.client_for(self.officer)
        assert client.get(f"/accounts/users/{self.colleague.pk}/").status_code == 200
        assert client.get(f"/accounts/users/{self.colleague.pk}/edit/").status_code == 404

    def test_disable_and_enable_are_audited_and_end_access(self):
        client = self.client_for(self.officer)
        colleague_client = self.client_for(self.colleague)
        response = client.post(
            f"/accounts/users/{self.colleague.pk}/active/", {"active": "0", "reason": "调离"}
        )
        assert response.status_code == 302
        self.colleague.refresh_from_db()
        assert not self.colleague.is_active
        assert colleague_client.get("/").status_code == 302  # the session no longer works
        entry = AuditEntry.objects.get(verb="user.disable")
        assert entry.extra["reason"] == "调离"
        client.post(f"/accounts/users/{self.colleague.pk}/active/", {"active": "1"})
        self.colleague.refresh_from_db()
        assert self.colleague.is_active

    def test_a_commander_cannot_disable_themselves(self):
        client = self.client_for(self.officer)
        client.post(f"/accounts/users/{self.officer.pk}/active/", {"active": "0"})
        self.officer.refresh_from_db()
        assert self.officer.is_active

    def test_a_password_reset_forces_a_change_at_next_login(self):
        client = self.client_for(self.officer)
        client.post(
            f"/accounts/users/{self.colleague.pk}/password/", {"password": "reset-pass-2020x"}
        )
        self.colleague.refresh_from_db()
        assert self.colleague.check_password("reset-pass-2020x")
        assert self.colleague.must_change_password
        assert not self.colleague.check_password(PASSWORD)


class CreateUserCommandTests(BaseTestCase):
    def test_the_command_creates_a_user_from_any_code_form(self):
        from io import StringIO

        from django.core.management import call_command

        out = StringIO()
        call_command(
            "create_user",
            "--username",
            "cli",
            "--password",
            "cli-password-2020",
            "--role",
            "inspector",
            "--division",
            "152921110000",
            stdout=out,
        )
        user = User.objects.get(username="cli")
        assert user.memberships.get().division_code == "152921110"
        assert "created cli" in out.getvalue()

    def test_the_command_refuses_an_unknown_division(self):
        import pytest
        from django.core.management import CommandError, call_command

        with pytest.raises(CommandError, match="no such division"):
            call_command(
                "create_user",
                "--username",
                "cli",
                "--password",
                "cli-password-2020",
                "--role",
                "inspector",
                "--division",
                "159999",
            )
