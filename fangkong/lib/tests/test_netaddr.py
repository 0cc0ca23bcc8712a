from __future__ import annotations

from fangkong.lib.netaddr import limit_key, parse_ip


def test_ipv4_in_ipv6_form_is_ipv4():
    assert str(parse_ip("::ffff:127.0.0.1")) == "127.0.0.1"
    assert str(parse_ip(" 2001:db8::1 ")) == "2001:db8::1"
    assert parse_ip("203.0.113.7:5555") is None
    assert parse_ip("") is None


def test_an_ipv6_client_is_limited_by_its_64_network():
    assert limit_key("2001:db8:1:2::1") == limit_key("2001:db8:1:2:ffff::9") == "2001:db8:1:2::/64"
    assert limit_key("2001:db8:1:3::1") != limit_key("2001:db8:1:2::1")
    assert limit_key("203.0.113.7") == "203.0.113.7"
    assert limit_key("::ffff:203.0.113.7") == "203.0.113.7"
    assert limit_key("unknown") == "unknown"
