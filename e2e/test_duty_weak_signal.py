"""A weak signal: the duty page's service worker serves its cached copy when the network hangs.

The browser reaches the live server through a small TCP relay in this test. When the relay is
told to hang, it keeps accepting and reading but never forwards a byte, as a cell tower that
holds the connection without carrying anything does. Without a network timeout in the service
worker the page would wait for that network until the browser gives up.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from fangkong.accounts.roles import Role
from fangkong.checkpoints.models import Checkpoint
from fangkong.checkpoints.tests.helpers import opened
from fangkong.test import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


class Relay:
    """Forwards 127.0.0.1:<port> to the live server, until told to hang."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.hang = threading.Event()
        self.requests_while_hanging = 0
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._sockets: list[socket.socket] = [self._listener]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            self._sockets.append(client)
            if self.hang.is_set():
                threading.Thread(target=self._swallow, args=(client,), daemon=True).start()
                continue
            upstream = socket.create_connection(self.target)
            self._sockets.append(upstream)
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client), daemon=True).start()

    def _swallow(self, sock: socket.socket) -> None:
        self._pump(sock, None)

    def _pump(self, src: socket.socket, dst: socket.socket | None) -> None:
        try:
            while data := src.recv(65536):
                if self.hang.is_set() or dst is None:
                    if data[:4] in (b"GET ", b"POST"):
                        self.requests_while_hanging += 1
                    continue  # read and dropped: the network carries nothing
                dst.sendall(data)
        except OSError:
            return

    def close(self) -> None:
        for sock in self._sockets:
            with contextlib.suppress(OSError):
                sock.close()


@pytest.fixture
def relay(live_server: Any) -> Iterator[Relay]:
    parts = urlsplit(live_server.url)
    relay = Relay((parts.hostname or "localhost", parts.port or 80))
    yield relay
    relay.close()


@pytest.fixture
def checkpoint(db: None) -> Checkpoint:
    staff = make_user("hq_staff", Role.STAFF, "152921")
    commander = make_user("hq_commander", Role.COMMANDER, "152921")
    return opened(staff, commander)


def test_the_duty_page_opens_from_its_cache_when_the_network_hangs(
    page: Any, relay: Relay, checkpoint: Checkpoint
) -> None:
    base = f"http://127.0.0.1:{relay.port}"
    make_user("inspector", Role.INSPECTOR, "152921110")
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "inspector")
    page.fill("#id_password", PASSWORD)
    page.click("[data-testid=login-submit]")
    page.wait_for_url(f"{base}/")
    duty = f"{base}/checkpoints/{checkpoint.pk}/duty/"
    page.goto(duty)
    page.wait_for_selector("#duty[data-ready='1']")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()  # now under the worker's control, so the page itself is cached
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.wait_for_selector("#duty")

    relay.hang.set()
    page.reload(wait_until="domcontentloaded", timeout=12_000)

    assert page.is_visible("#duty")
    assert page.is_visible("[data-testid=verify]")
    assert relay.requests_while_hanging >= 1  # the network was tried first, and hung
