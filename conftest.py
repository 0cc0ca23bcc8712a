"""Session-wide test set-up: the real divisions in every test database."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent
DIVISIONS_CSV = ROOT / "data" / "alxa_divisions.csv"
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    from fangkong.divisions.models import Division
    from fangkong.divisions.services import divisions_load_file

    with django_db_blocker.unblock():
        if not Division.objects.exists():
            divisions_load_file(path=DIVISIONS_CSV)


@pytest.fixture(autouse=True)
def _default_language():  # type: ignore[no-untyped-def]
    """Every test starts in the default language (zh-hans).

    A request with ``Accept-Language: en`` leaves English active on the thread afterwards
    (LocaleMiddleware does not switch back), which would otherwise leak into the next test
    that the same worker runs.
    """
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()
