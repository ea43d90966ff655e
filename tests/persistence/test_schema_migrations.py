"""The schema comes from the migrations alone, and they produce exactly SQLModel.metadata."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import URL
from sqlmodel import SQLModel

import persistence
import persistence.tables  # declares the tables on SQLModel.metadata
from config.settings import get_settings
from persistence.database import make_engine
from persistence.migrate import (
    MIGRATION_OPTIONS,
    alembic_config,
    current_revision,
    upgrade_database,
)

HEAD = ScriptDirectory.from_config(alembic_config()).get_current_head()


def schema_differences(url: URL) -> list[Any]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts=MIGRATION_OPTIONS)
            return list(compare_metadata(context, SQLModel.metadata))
    finally:
        engine.dispose()


def table_names(url: URL) -> set[str]:
    engine = make_engine(url)
    try:
        return set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_upgrade_from_empty_database_gives_exactly_the_declared_schema(database_url: URL) -> None:
    assert table_names(database_url) == set()

    upgrade_database(database_url)

    assert table_names(database_url) == set(SQLModel.metadata.tables) | {"alembic_version"}
    assert schema_differences(database_url) == []
    engine = make_engine(database_url)
    with engine.connect() as connection:
        assert current_revision(connection) == HEAD
    engine.dispose()


def test_the_comparison_sees_a_schema_that_drifted(database_url: URL) -> None:
    """Guards the test above: an empty diff must come from equal schemas, not a blind compare."""
    upgrade_database(database_url)
    engine = make_engine(database_url)
    with engine.begin() as connection:
        connection.execute(sa.text("DROP INDEX ix_deadline_due_on"))
    engine.dispose()

    differences = schema_differences(database_url)

    assert [(kind, index.name) for kind, index, *_ in differences] == [
        ("add_index", "ix_deadline_due_on")
    ]


def test_upgrade_twice_is_a_no_op(database_url: URL) -> None:
    upgrade_database(database_url)
    upgrade_database(database_url)

    assert schema_differences(database_url) == []


def test_downgrade_to_base_removes_every_table(database_url: URL) -> None:
    upgrade_database(database_url)
    engine = make_engine(database_url)
    with engine.begin() as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
    engine.dispose()

    assert table_names(database_url) == {"alembic_version"}


def test_upgrade_works_from_any_working_directory(
    database_url: URL, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)

    upgrade_database(database_url)

    assert schema_differences(database_url) == []


def test_default_settings_migrate_the_embedded_sqlite_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Zero configuration: the SQLite file (and its folder) appear under ZI_DATA_DIR."""
    monkeypatch.chdir(tmp_path)  # away from any developer's .env
    monkeypatch.delenv("ZI_DATABASE_URL", raising=False)
    monkeypatch.setenv("ZI_DATA_DIR", str(tmp_path / "not-yet"))
    get_settings.cache_clear()
    try:
        upgrade_database(get_settings().database_url_value())
    finally:
        get_settings.cache_clear()

    assert (tmp_path / "not-yet" / "zi.db").is_file()


def test_product_code_never_creates_tables_outside_migrations() -> None:
    package = Path(persistence.__file__).parent
    offenders = [
        path.relative_to(package)
        for path in package.rglob("*.py")
        if "create_all" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []
