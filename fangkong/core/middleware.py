"""The client's address behind a reverse proxy.

The public pages limit submissions per client address (``REMOTE_ADDR``). Behind nginx every
request comes from the proxy, so without this all of the public would share one limit. When the
direct peer is one of ``FANGKONG_TRUSTED_PROXIES``, the client is the right-most address of
``X-Forwarded-For`` that is not itself a trusted proxy (addresses further left are whatever the
client chose to send). A request from anywhere else keeps its own address, so nobody can choose
their address by sending the header directly. List only the proxies' own addresses: a client
inside a trusted network could choose the address it is counted under. The proxy must append
the peer's address to the header (nginx: ``proxy_set_header X-Forwarded-For
$proxy_add_x_forwarded_for;``), not pass the client's header on unchanged.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from fangkong.lib.netaddr import parse_ip

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _networks(values: list[str]) -> list[Network]:
    return [ipaddress.ip_network(v.strip(), strict=False) for v in values if v.strip()]


def _trusted(address: str, networks: list[Network]) -> bool:
    ip = parse_ip(address)
    return ip is not None and any(ip in network for network in networks)


def client_address(remote: str, forwarded: str, networks: list[Network]) -> str:
    """The client's address, given the peer's and the X-Forwarded-For header."""
    if not networks or not _trusted(remote, networks):
        return remote
    for hop in reversed([h.strip() for h in forwarded.split(",") if h.strip()]):
        if not _trusted(hop, networks):
            ip = parse_ip(hop)
            # A malformed hop: keep the proxy's address, never a made-up one.
            return str(ip) if ip is not None else remote
    return remote


class TrustedProxyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.networks = _networks(getattr(settings, "FANGKONG_TRUSTED_PROXIES", []))

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self.networks:
            request.META["REMOTE_ADDR"] = client_address(
                request.META.get("REMOTE_ADDR", ""),
                request.META.get("HTTP_X_FORWARDED_FOR", ""),
                self.networks,
            )
        return self.get_response(request)
