from datetime import timedelta

import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from fangkong.accounts.models import User
from fangkong.core.models import AuditEntry
from fangkong.test import PASSWORD, BaseTestCase


class LoginTests(BaseTestCase):
    def post_login(self, client: Client, username: str, password: str):
        return client.post("/accounts/login/", {"username": username, "password": password})

    def test_a_user_logs_in_and_out(self):
        client = Client()
        response = self.post_login(client, "colleague", PASSWORD)
        assert response.status_code == 302
        assert client.get("/").status_code == 200
        client.post("/accounts/logout/")
        assert client.get("/").status_code == 302

    def test_passwords_are_hashed_with_argon2(self):
        assert User.objects.get(username="colleague").password.startswith("argon2")

    def test_a_wrong_password_says_so_and_warns_of_the_lockout(self):
        response = self.post_login(Client(HTTP_ACCEPT_LANGUAGE="en"), "colleague", "wrong-one")
        assert response.status_code == 200
        body = response.content.decode()
        assert "user name or password is wrong" in body
        assert "locked for 15 minutes" in body

    def test_repeated_failures_lock_the_account_with_a_clear_message(self):
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        for _ in range(settings.FANGKONG_LOGIN_MAX_FAILURES):
            self.post_login(client, "colleague", "wrong-one")
        user = User.objects.get(username="colleague")
        assert user.is_locked()
        assert AuditEntry.objects.filter(verb="user.lock", target_id=str(user.pk)).exists()
        # Even the right password is refused while locked, and the page says why.
        response = self.post_login(client, "colleague", PASSWORD)
        assert response.status_code == 200
        assert "locked after too many failed logins" in response.content.decode()
        assert "Try again in 15 minutes" in response.content.decode()

    def test_the_lock_expires(self):
        client = Client()
        for _ in range(settings.FANGKONG_LOGIN_MAX_FAILURES):
            self.post_login(client, "colleague", "wrong-one")
        with time_machine.travel(timezone.now() + timedelta(minutes=16)):
            response = self.post_login(Client(), "colleague", PASSWORD)
            assert response.status_code == 302
        user = User.objects.get(username="colleague")
        assert user.failed_logins == 0

    def test_a_success_resets_the_failure_count(self):
        client = Client()
        for _ in range(settings.FANGKONG_LOGIN_MAX_FAILURES - 1):
            self.post_login(client, "colleague", "wrong-one")
        assert self.post_login(client, "colleague", PASSWORD).status_code == 302
        assert User.objects.get(username="colleague").failed_logins == 0

    def test_a_disabled_user_cannot_log_in(self):
        User.objects.filter(username="colleague").update(is_active=False)
        assert self.post_login(Client(), "colleague", PASSWORD).status_code == 200

    def test_sessions_expire_after_inactivity(self):
        client = Client()
        self.post_login(client, "colleague", PASSWORD)
        with time_machine.travel(
            timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE + 60)
        ):
            response = client.get("/")
            assert response.status_code == 302
            assert "/accounts/login/" in response["Location"]

    def _expiry(self, client):
        return Session.objects.get(session_key=client.session.session_key).expire_date

    def test_a_request_within_the_refresh_interval_writes_no_session(self):
        client = Client()
        self.post_login(client, "colleague", PASSWORD)
        client.get("/")
        before = self._expiry(client)
        with time_machine.travel(timezone.now() + timedelta(seconds=60)):
            assert client.get("/").status_code == 200
        assert self._expiry(client) == before

    def test_a_request_after_the_refresh_interval_slides_the_expiry(self):
        client = Client()
        self.post_login(client, "colleague", PASSWORD)
        client.get("/")
        before = self._expiry(client)
        later = timezone.now() + timedelta(seconds=settings.FANGKONG_SESSION_REFRESH_SECONDS + 5)
        with time_machine.travel(later):
            assert client.get("/").status_code == 200
        assert self._expiry(client) > before

    def test_a_user_active_all_day_stays_signed_in(self):
        client = Client()
        self.post_login(client, "colleague", PASSWORD)
        start = timezone.now()
        step = timedelta(hours=2)
        for i in range(1, 1 + (settings.SESSION_COOKIE_AGE * 2) // int(step.total_seconds())):
            with time_machine.travel(start + i * step):
                assert client.get("/").status_code == 200, f"signed out after {i * step}"


class PasswordChangeTests(BaseTestCase):
    def test_a_user_changes_their_password(self):
        client = self.client_for(self.colleague)
        response = client.post(
            "/accounts/password/",
            {
                "old_password": PASSWORD,
                "new_password": "a-new-long-password-7",
                "new_password_again": "a-new-long-password-7",
            },
        )
        assert response.status_code == 302
        self.colleague.refresh_from_db()
        assert self.colleague.check_password("a-new-long-password-7")
        assert AuditEntry.objects.filter(verb="user.change_password").exists()
        assert client.get("/").status_code == 200  # still logged in

    def test_a_wrong_current_password_or_weak_new_one_is_refused(self):
        client = self.client_for(self.colleague)
        response = client.post(
            "/accounts/password/",
            {
                "old_password": "nope",
                "new_password": "x-long-pass-99",
                "new_password_again": "x-long-pass-99",
            },
            HTTP_ACCEPT_LANGUAGE="en",
        )
        assert "The current password is wrong." in response.content.decode()
        response = client.post(
            "/accounts/password/",
            {"old_password": PASSWORD, "new_password": "12345", "new_password_again": "12345"},
            HTTP_ACCEPT_LANGUAGE="en",
        )
        assert response.status_code == 200
        self.colleague.refresh_from_db()
        assert self.colleague.check_password(PASSWORD)

    def test_a_user_who_must_change_the_password_is_sent_to_the_change_page(self):
        self.colleague.must_change_password = True
        self.colleague.save(update_fields=["must_change_password"])
        client = self.client_for(self.colleague)
        response = client.get("/divisions/")
        assert response.status_code == 302
        assert response["Location"] == "/accounts/password/"
