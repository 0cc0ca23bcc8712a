"""Nobody meets a 404 or a 500 by following the app's own links: every demo user, every page
reachable from their home, every link on it (same origin, GET)."""

from io import StringIO

from django.core.management import call_command
from django.test import Client, SimpleTestCase, TestCase, override_settings

from fangkong.accounts.demo import DEMO_USERS
from fangkong.accounts.models import User
from fangkong.core.tests.crawl import crawl

PUBLIC_START = ("/accounts/login/", "/directives/public/")


class LinkCrawlTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        call_command("demo", stdout=StringIO())

    def _broken(
        self, who: str, client: Client, start: tuple[str, ...]
    ) -> tuple[list[str], set[str]]:
        result = crawl(client, start)
        broken = [
            f"{who}: {v.status} {v.url} (linked from {v.referrer or 'the start'})"
            for v in result.failures(statuses=(403, 404))
        ]
        assert len(result.visits) > 1, f"{who} reached no page beyond the start"
        return broken, result.patterns()

    def test_every_demo_user_follows_every_link_without_a_404_or_500(self):
        patterns: set[str] = set()
        broken: list[str] = []
        for username, *_rest in DEMO_USERS:
            client = Client()
            client.force_login(User.objects.get(username=username))
            found, reached = self._broken(username, client, ("/",))
            broken += found
            patterns |= reached
        assert not broken, "broken links:\n" + "\n".join(broken)
        # The crawl reaches the pages of every app, not only the home page.
        for prefix in (
            "directives/",
            "returnees/",
            "checkpoints/",
            "passes/",
            "community/",
            "assistance/",
            "hq/",
            "divisions/",
            "accounts/",
        ):
            assert any(p.startswith(prefix) for p in patterns), f"no page under /{prefix}"

    def test_a_visitor_without_login_follows_the_public_links_without_a_404_or_500(self):
        broken, _patterns = self._broken("an anonymous visitor", Client(), PUBLIC_START)
        assert not broken, "broken links:\n" + "\n".join(broken)


@override_settings(ROOT_URLCONF="fangkong.core.tests.error_urls")
class CrawlerTests(SimpleTestCase):
    def test_the_crawler_reports_a_missing_page_and_a_failing_one_and_stays_on_the_site(self):
        result = crawl(Client(raise_request_exception=False), ("/test-errors/links/",))
        assert {(v.status, v.url) for v in result.visits} == {
            (200, "/test-errors/links/"),
            (404, "/no/such/page/"),
            (500, "/test-errors/boom/"),
        }
        failed = {v.url: v.referrer for v in result.failures(statuses=(404,))}
        assert failed == {
            "/no/such/page/": "/test-errors/links/",
            "/test-errors/boom/": "/test-errors/links/",
        }
