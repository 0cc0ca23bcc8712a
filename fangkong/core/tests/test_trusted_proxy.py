"""The client's address behind a reverse proxy (the public pages' submission limits)."""

from __future__ import annotations

from django.test import Client, TestCase, override_settings

from fangkong.core.middleware import _networks, client_address

VILLAGE = "152921110200"  # 南田村: its self-registration page allows 10 submissions a client
PROXIES = _networks(["127.0.0.1", "10.0.0.0/8"])


def test_the_client_is_the_right_most_untrusted_hop_and_only_behind_a_trusted_proxy():
    assert client_address("127.0.0.1", "203.0.113.7", PROXIES) == "203.0.113.7"
    # Whatever the client wrote first is ignored; the proxies' own hops are skipped.
    assert client_address("10.1.2.3", "1.1.1.1, 203.0.113.7, 10.0.0.5", PROXIES) == "203.0.113.7"
    assert client_address("127.0.0.1", "2001:db8::1", PROXIES) == "2001:db8::1"
    # A direct request cannot choose its address by sending the header.
    assert client_address("198.51.100.2", "203.0.113.7", PROXIES) == "198.51.100.2"
    # No header, only proxies, or a malformed hop: the peer's own address.
    assert client_address("127.0.0.1", "", PROXIES) == "127.0.0.1"
    assert client_address("127.0.0.1", "10.0.0.9", PROXIES) == "127.0.0.1"
    assert client_address("127.0.0.1", "203.0.113.7, not-an-ip", PROXIES) == "127.0.0.1"
    # Nothing configured: nothing changes.
    assert client_address("127.0.0.1", "203.0.113.7", []) == "127.0.0.1"
    # A server listening on [::] sees IPv4 peers in IPv6 form.
    assert client_address("::ffff:127.0.0.1", "::ffff:203.0.113.7", PROXIES) == "203.0.113.7"


class BehindAProxyTests(TestCase):
    def post(self, forwarded_for: str, remote: str = "127.0.0.1") -> int:
        return (
            Client(REMOTE_ADDR=remote)
            .post(f"/returnees/r/{VILLAGE}/", {"name": "x"}, HTTP_X_FORWARDED_FOR=forwarded_for)
            .status_code
        )

    @override_settings(FANGKONG_TRUSTED_PROXIES=["127.0.0.1"])
    def test_each_member_of_the_public_has_their_own_limit(self):
        for _ in range(10):
            assert self.post("203.0.113.7") != 429
        assert self.post("203.0.113.7") == 429
        assert self.post("203.0.113.8") != 429
        # A client that is not the proxy is limited by its own address, whatever it claims.
        for _ in range(10):
            self.post("203.0.113.99", remote="198.51.100.2")
        assert self.post("203.0.113.100", remote="198.51.100.2") == 429

    @override_settings(FANGKONG_TRUSTED_PROXIES=["127.0.0.1"])
    def test_an_ipv6_client_cannot_escape_the_limit_by_changing_address_in_its_network(self):
        for n in range(10):
            assert self.post(f"2001:db8:5:6::{n + 1:x}") != 429
        assert self.post("2001:db8:5:6::ffff") == 429
        assert self.post("2001:db8:5:7::1") != 429

    def test_without_trusted_proxies_everyone_behind_the_proxy_shares_one_limit(self):
        for _ in range(10):
            self.post("203.0.113.7")
        assert self.post("203.0.113.8") == 429
