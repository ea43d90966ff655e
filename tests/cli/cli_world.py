"""The monitoring tests' ministry made ready for `zi`: units renamed, monitored once, the CLI
pointed at its database. Shared by the CLI tests that run on a stored agency."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.engine import URL
from sqlmodel import Session

from config.settings import get_settings
from persistence.tables import Instansi, UnitKerja
from tests.builders import Agency, registered_agency
from tests.services.test_monitoring_service import FIRST, NewUow, run


def rename_units(
    engine: Engine,
    ids: dict[str, int],
    renamed: dict[str, tuple[str, str]],
    *,
    instansi: str | None = None,
) -> None:
    """Gives units (by their fixture code) a new code and name, and the instansi a new name."""
    with Session(engine) as session:
        for code, (new_code, name) in renamed.items():
            unit = session.get(UnitKerja, ids[code])
            assert unit is not None
            unit.code, unit.name = new_code, name
            session.add(unit)
        if instansi is not None:
            owner = session.get(Instansi, unit.instansi_id)
            assert owner is not None
            owner.name = instansi
            session.add(owner)
        session.commit()


def monitored_for_cli(
    new_uow: NewUow,
    period_id: int,
    data_dir: Path,
    database_url: URL,
    monkeypatch: pytest.MonkeyPatch,
) -> Path:
    """Runs the first monitoring, then points `zi` at the database; returns the data folder."""
    run(new_uow, period_id, FIRST, data_dir / "reports")
    monkeypatch.setenv("ZI_DATABASE_URL", database_url.render_as_string(hide_password=False))
    get_settings.cache_clear()
    return data_dir


def registered_for_cli(
    new_uow: NewUow, database_url: URL, monkeypatch: pytest.MonkeyPatch
) -> Agency:
    """The builders' registered agency (DPMPTSP among its units), `zi` pointed at its
    database."""
    monkeypatch.setenv("ZI_DATABASE_URL", database_url.render_as_string(hide_password=False))
    get_settings.cache_clear()
    return registered_agency(new_uow)
