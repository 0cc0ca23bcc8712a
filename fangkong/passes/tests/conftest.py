from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _key_dir(tmp_path: Path, settings: object) -> None:
    """Each test gets its own private-key directory."""
    settings.FANGKONG_KEY_DIR = tmp_path / "keys"
