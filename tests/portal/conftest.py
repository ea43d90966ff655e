"""The portal's browser tests share these: the registered agency's portal served for real, and
Debian's Chromium."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser
from sqlalchemy.engine import URL

from config.settings import get_settings
from persistence.unit_of_work import SqlUnitOfWork
from portal.app import create_app
from tests.builders import Agency, registered_agency
from tests.portal.browser import chromium, free_port, served


@pytest.fixture
def portal(
    new_uow: Callable[[], SqlUnitOfWork],
    database_url: URL,
    data_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[tuple[str, Agency]]:
    """The registered agency's portal served by uvicorn on a free port, on the test database."""
    agency = registered_agency(new_uow)
    port = free_port()
    monkeypatch.setenv("ZI_DATABASE_URL", database_url.render_as_string(hide_password=False))
    monkeypatch.setenv("ZI_WEB_BASE_URL", f"http://127.0.0.1:{port}")
    get_settings.cache_clear()
    with served(create_app(get_settings()), port) as base:
        yield base, agency


@pytest.fixture
def browser() -> Iterator[Browser]:
    with chromium() as found:
        yield found
