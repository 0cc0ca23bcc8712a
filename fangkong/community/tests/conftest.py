import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded photos and files go to a throwaway directory."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture(autouse=True)
def _english_messages():
    """Service errors are matched in English (pages pick their language per request)."""
    with translation.override("en"):
        yield
