"""Official text is Chinese: every page a demo user reaches and every PDF it prints, in the
default language, shows no English word that is not a code somebody typed (a user name, a
plate, a spreadsheet column, a pinyin search), an acronym or a file format."""

from __future__ import annotations

from collections import defaultdict
from io import StringIO

import pypdfium2
from django.core.management import call_command
from django.test import Client, TestCase

from fangkong.accounts.demo import DEMO_USERS
from fangkong.accounts.models import User
from fangkong.assistance.models import HelpRequest
from fangkong.checkpoints.models import Passage
from fangkong.core.tests.crawl import crawl, pattern_of
from fangkong.core.tests.language import _WORD, english_words, visible_text
from fangkong.core.tests.test_link_crawl import PUBLIC_START
from fangkong.divisions.models import Division
from fangkong.divisions.services import pinyin_keys
from fangkong.passes import services as passes
from fangkong.passes.models import Vehicle


def _typed() -> frozenset[str]:
    """Codes people type, as the demo holds them."""
    words = set(User.objects.values_list("username", flat=True))
    plates = [*Vehicle.objects.values_list("plate", flat=True)]
    plates += Passage.objects.exclude(plate="").values_list("plate", flat=True)
    for plate in plates:
        words.update(_WORD.findall(plate))
        words.add(plate[1:])  # 蒙MBTKTF: the letters after the province character
    words.update(passes.COLUMNS.values())  # the fleet spreadsheet's column names
    words.update(passes.COLUMNS.keys())
    # Receipt numbers people read out to look a request up.
    words.update(HelpRequest.objects.values_list("receipt_number", flat=True))
    # The pinyin a search box takes (its placeholder gives an example).
    for name, short in Division.objects.values_list("name", "short_name"):
        # Whole, and without the level's last character (巴彦浩特镇: bayanhaote, byht).
        for written in (name, short, name[:-1]):
            words.update(pinyin_keys(written))
    return frozenset(w for w in words if w)


def _pdf_text(data: bytes) -> str:
    doc = pypdfium2.PdfDocument(data)
    return " ".join(page.get_textpage().get_text_range() for page in doc)


class OfficialLanguageTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        call_command("demo", stdout=StringIO())

    def test_pages_and_printed_documents_show_no_english_in_the_default_language(self):
        typed = _typed()
        found: dict[str, set[str]] = defaultdict(set)
        documents = 0
        for username in [name for name, *_rest in DEMO_USERS] + [""]:
            client = Client()
            if username:
                client.force_login(User.objects.get(username=username))
            start = ("/",) if username else PUBLIC_START
            for visit in crawl(client, start, keep_bodies=True).visits:
                if visit.status != 200:
                    continue
                if visit.content_type.startswith("text/html"):
                    text = visible_text(visit.body.decode("utf-8", "replace"))
                elif visit.content_type.startswith("application/pdf"):
                    text = _pdf_text(visit.body)
                    documents += 1
                else:
                    continue
                words = english_words(text, typed=typed)
                if words:
                    found[pattern_of(visit.url)].update(words)
        assert documents > 0, "the crawl printed no document"
        assert not found, "English on Chinese pages:\n" + "\n".join(
            f"/{pattern}: {sorted(words)[:20]}" for pattern, words in sorted(found.items())
        )
