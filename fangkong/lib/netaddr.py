"""Client addresses for rate limits."""

from __future__ import annotations

import ipaddress

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_ip(text: str) -> IPAddress | None:
    """An address, with IPv4 written in IPv6 form (``::ffff:127.0.0.1``) as IPv4; None when
    the text is not one."""
    try:
        ip = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def limit_key(address: str) -> str:
    """What a per-client limit counts: an IPv4 address, or the /64 network of an IPv6 one
    (one subscriber holds a whole /64 and could otherwise take a new address per attempt)."""
    ip = parse_ip(address)
    if ip is None:
        return address.strip()
    if isinstance(ip, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network((int(ip) >> 64 << 64, 64)))
    return str(ip)
