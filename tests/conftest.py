"""Shared test set-up: an isolated data folder and settings for every test session."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest_plugins = ["tests.database_fixtures"]

# A developer's .env must not send the tests to a real server or database.
for _name in ("PREFECT_API_URL", "ZI_DATABASE_URL", "ZI_FRAMEWORKS_DIR", "ZI_FRAMEWORK"):
    os.environ.pop(_name, None)
os.environ["ZI_DATA_DIR"] = tempfile.mkdtemp(prefix="zi-tests-")
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"


@pytest.fixture(autouse=True)
def fresh_settings() -> Iterator[None]:
    """Settings are cached per process; a test that changes ZI_* sees its own values."""
    from config.settings import get_settings

    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ZI_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"
