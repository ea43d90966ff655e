"""`zi demo` and `zi db upgrade` end to end on the embedded SQLite default."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect
from typer.testing import CliRunner

from zi_cli.main import app
from zi_domain.indonesian import angka, tanggal

runner = CliRunner()


def test_db_upgrade_creates_the_embedded_database(data_dir: Path) -> None:
    result = runner.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert (data_dir / "zi.db").exists()
    assert (
        "alembic_version"
        in inspect(create_engine(f"sqlite:///{data_dir / 'zi.db'}")).get_table_names()
    )


def test_db_upgrade_on_an_unreachable_server_hides_the_password(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ZI_DATABASE_URL", "postgresql+psycopg://zi:s3cret-pw@127.0.0.1:1/zi")
    result = runner.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 2
    assert "s3cret-pw" not in result.output
    assert "127.0.0.1:1" in result.stderr


def test_indonesian_numbers_and_dates() -> None:
    from datetime import date

    assert angka(74.99999999999999) == "75,00"
    assert angka(1234.5) == "1.234,50"
    assert tanggal(date(2027, 5, 31), with_weekday=True) == "Senin, 31 Mei 2027"
    assert tanggal(date(2026, 12, 9)) == "9 Desember 2026"
