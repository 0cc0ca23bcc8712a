"""Follow every link the app shows, as one user, the way a new user clicking around would.

Used by the link crawl (no link leads to a 404 or a 500) and the language scan (no English on a
Chinese page). Same origin, GET only. Each distinct URL is fetched once; each URL pattern (the
route with the names of its query parameters) at most ``per_pattern`` times, so that a list of
a thousand records costs a few requests while every kind of page is still reached.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urldefrag, urljoin, urlsplit

from django.test import Client
from django.urls import Resolver404, resolve

# Not pages a person opens by a link of the app: assets, the language switch (a POST form), the
# framework's admin, and logging out.
SKIP_PREFIXES = ("/static/", "/media/", "/i18n/", "/admin/", "/accounts/logout")


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def links_in(html: str, base: str) -> list[str]:
    """Same-origin paths (with query) of the ``<a href>`` links in ``html``."""
    parser = _Links()
    parser.feed(html)
    found = []
    for href in parser.hrefs:
        if href.startswith(("mailto:", "tel:", "javascript:", "#")):
            continue
        absolute = urldefrag(urljoin("http://testserver" + base, href)).url
        parts = urlsplit(absolute)
        if parts.netloc != "testserver" or parts.scheme not in ("http", "https"):
            continue
        found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def pattern_of(url: str) -> str:
    parts = urlsplit(url)
    try:
        route = resolve(parts.path).route
    except Resolver404:
        route = parts.path
    keys = sorted({k for k, _v in parse_qsl(parts.query, keep_blank_values=True)} - {"page"})
    return route + ("?" + "&".join(keys) if keys else "")


@dataclass
class Visit:
    url: str
    status: int
    content_type: str
    referrer: str
    body: bytes = b""


@dataclass
class Crawl:
    visits: list[Visit] = field(default_factory=list)

    def failures(self, *, statuses: Iterable[int] = ()) -> list[Visit]:
        bad = set(statuses)
        return [v for v in self.visits if v.status >= 500 or v.status in bad]

    def patterns(self) -> set[str]:
        return {pattern_of(v.url) for v in self.visits}


def crawl(
    client: Client,
    start: Iterable[str] = ("/",),
    *,
    per_pattern: int = 2,
    max_pages: int = 400,
    keep_bodies: bool = False,
) -> Crawl:
    result = Crawl()
    queue: deque[tuple[str, str]] = deque((url, "") for url in start)
    seen: set[str] = set()
    per: dict[str, int] = {}
    while queue and len(result.visits) < max_pages:
        url, referrer = queue.popleft()
        if url in seen or url.startswith(SKIP_PREFIXES):
            continue
        seen.add(url)
        pattern = pattern_of(url)
        if per.get(pattern, 0) >= per_pattern:
            continue
        per[pattern] = per.get(pattern, 0) + 1
        response = client.get(url)
        content_type = response.get("Content-Type", "")
        body = b""
        if hasattr(response, "streaming_content"):
            body = b"".join(response.streaming_content)
        else:
            body = response.content
        result.visits.append(
            Visit(url, response.status_code, content_type, referrer, body if keep_bodies else b"")
        )
        if response.status_code in (301, 302, 303, 307, 308):
            target = urlsplit(urljoin("http://testserver" + url, response["Location"]))
            if target.netloc in ("", "testserver"):
                queue.append((target.path + (f"?{target.query}" if target.query else ""), url))
            continue
        if response.status_code == 200 and content_type.startswith("text/html"):
            for link in links_in(body.decode("utf-8", "replace"), url):
                if link not in seen:
                    queue.append((link, url))
    return result
