"""SMS gateways: where the outbox hands a message. Chosen by ``FANGKONG_SMS_BACKEND``.

- ``console`` (default): writes the message to the log (the phone number masked) and counts it
  as sent. For development, and for an HQ that has no SMS service yet.
- ``http``: POSTs to the HQ's own SMS service. ``FANGKONG_SMS_URL`` is the endpoint;
  ``FANGKONG_SMS_CREDENTIALS_FILE`` a file whose first line is ``user:password`` (HTTP basic)
  or a token (``Authorization: Bearer``), so no secret sits in the environment;
  ``FANGKONG_SMS_TEMPLATE`` the JSON body with ``{phone}``, ``{text}`` and ``{id}`` (the
  message's idempotency key; the same key on every retry of one message) placeholders;
  ``FANGKONG_SMS_TIMEOUT`` seconds to wait for an answer.

Every answer is classified: 2xx sent; 408, 429 and 5xx, a timeout or a refused connection are
worth a retry; any other 4xx is a permanent failure (a bad number, a rejected text).
"""

from __future__ import annotations

import json
import logging
import re
import urllib.error
import urllib.request
from base64 import b64encode
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from django.conf import settings

from fangkong.lib.masking import mask_phone

logger = logging.getLogger("fangkong.alerts.sms")
ANSWER_MAX = 500


class GatewayConfigError(RuntimeError):
    """The SMS gateway is configured wrongly (says what is wrong, and where)."""


@dataclass(frozen=True)
class Answer:
    outcome: str  # "sent" | "retry" | "failed"
    status: int | None  # the HTTP status, when there was one
    text: str  # the gateway's answer (masked, cut), or what went wrong
    message_id: str = ""


def scrub(text: str, phone: str) -> str:
    """The text with the phone number (and any 11-digit mobile number) masked, cut short."""
    if phone:
        text = text.replace(phone, mask_phone(phone))
    text = re.sub(r"(?<!\d)(1\d{2})\d{4}(\d{4})(?!\d)", r"\1****\2", text)
    return text[:ANSWER_MAX]


class Gateway(Protocol):
    def send(self, *, phone: str, text: str, key: str) -> Answer: ...


class ConsoleGateway:
    def send(self, *, phone: str, text: str, key: str) -> Answer:
        logger.info("SMS %s to %s: %s", key, mask_phone(phone), text)
        return Answer("sent", None, "", key)


def _json_escape(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)[1:-1]


class HttpGateway:
    def __init__(
        self, *, url: str, template: str, credentials_file: str = "", timeout: float = 10.0
    ) -> None:
        if not url.startswith(("http://", "https://")):
            raise GatewayConfigError(f"FANGKONG_SMS_URL must be an http(s) URL, not {url!r}")
        for placeholder in ("{phone}", "{text}"):
            if placeholder not in template:
                raise GatewayConfigError(f"FANGKONG_SMS_TEMPLATE must contain {placeholder}")
        self.url = url
        self.template = template
        self.timeout = timeout
        self.authorization = ""
        if credentials_file:
            path = Path(credentials_file)
            try:
                secret = path.read_text(encoding="utf-8").splitlines()[0].strip()
            except (OSError, IndexError) as exc:
                raise GatewayConfigError(
                    f"FANGKONG_SMS_CREDENTIALS_FILE {path}: cannot read a first line ({exc})"
                ) from None
            if ":" in secret:
                self.authorization = "Basic " + b64encode(secret.encode()).decode()
            else:
                self.authorization = "Bearer " + secret

    def body(self, *, phone: str, text: str, key: str) -> bytes:
        filled = (
            self.template.replace("{phone}", _json_escape(phone))
            .replace("{text}", _json_escape(text))
            .replace("{id}", _json_escape(key))
        )
        return filled.encode("utf-8")

    def send(self, *, phone: str, text: str, key: str) -> Answer:
        request = urllib.request.Request(  # noqa: S310 - the URL is checked to be http(s)
            self.url,
            data=self.body(phone=phone, text=text, key=key),
            method="POST",
            headers={"Content-Type": "application/json", "Idempotency-Key": key},
        )
        if self.authorization:
            request.add_header("Authorization", self.authorization)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                raw = response.read(4096).decode("utf-8", "replace")
                status = response.status
        except urllib.error.HTTPError as exc:
            raw = exc.read(4096).decode("utf-8", "replace") if exc.fp else ""
            retry = exc.code in (408, 429) or exc.code >= 500
            return Answer("retry" if retry else "failed", exc.code, scrub(raw or exc.reason, phone))
        except TimeoutError:
            return Answer("retry", None, f"no answer within {self.timeout:g} s")
        except (urllib.error.URLError, ConnectionError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            return Answer("retry", None, scrub(f"connection failed: {reason}", phone))
        message_id = ""
        try:
            parsed = json.loads(raw)
            if isinstance(parsed, dict):
                message_id = str(parsed.get("id") or parsed.get("message_id") or "")[:80]
        except ValueError:
            pass
        return Answer("sent", status, scrub(raw, phone), message_id)


def gateway() -> Gateway:
    name = settings.FANGKONG_SMS_BACKEND
    if name == "console":
        return ConsoleGateway()
    if name == "http":
        return HttpGateway(
            url=settings.FANGKONG_SMS_URL,
            template=settings.FANGKONG_SMS_TEMPLATE,
            credentials_file=settings.FANGKONG_SMS_CREDENTIALS_FILE,
            timeout=settings.FANGKONG_SMS_TIMEOUT,
        )
    raise GatewayConfigError(f"FANGKONG_SMS_BACKEND must be console or http, not {name!r}")
