"""A real SMS gateway for the tests: an HTTP server on 127.0.0.1 in a thread.

It answers each request by the next scripted behaviour (``ok``, an HTTP status, ``slow`` with
a delay, ``echo`` that repeats the number back), records every request, and, like real SMS
services that take a client message id, delivers a message once per ``Idempotency-Key``: a
repeat of a key it has already delivered is answered with the first message's id.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    body: dict[str, Any]
    headers: dict[str, str]
    answered: int


@dataclass
class Gateway:
    script: deque[tuple[str, float]] = field(default_factory=deque)
    requests: list[Received] = field(default_factory=list)
    delivered: dict[str, str] = field(default_factory=dict)  # key -> message id
    lock: threading.Lock = field(default_factory=threading.Lock)
    arrived: threading.Event = field(default_factory=threading.Event)
    default: tuple[str, float] = ("ok", 0.0)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}/sms"

    def then(self, *steps: str | tuple[str, float]) -> Gateway:
        for step in steps:
            self.script.append(step if isinstance(step, tuple) else (step, 0.0))
        return self

    def start(self) -> Gateway:
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                with gateway.lock:
                    action, delay = gateway.script.popleft() if gateway.script else gateway.default
                key = self.headers.get("Idempotency-Key", "")
                status = 200
                if action == "slow" or delay:
                    gateway.arrived.set()
                    time.sleep(delay)
                if action.isdigit():
                    status = int(action)
                    answer: dict[str, Any] = {"error": f"gateway says {status}"}
                else:
                    with gateway.lock:
                        message_id = gateway.delivered.setdefault(
                            key, f"m{len(gateway.delivered) + 1}"
                        )
                    answer = {"id": message_id, "status": "accepted"}
                    if action == "echo":
                        answer["to"] = body.get("to")
                with gateway.lock:
                    gateway.requests.append(Received(body, dict(self.headers), status))
                data = json.dumps(answer).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass  # the client gave up (a timeout, a killed worker)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
