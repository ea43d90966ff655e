"""Alembic environment: the target schema is SQLModel.metadata as declared in persistence.tables.

`persistence.migrate.upgrade_database` hands over an open connection in
`config.attributes["connection"]`; the `alembic` command line (for writing revisions, see README)
connects to the database of the product settings (`ZI_DATABASE_URL`, or the embedded SQLite file).
"""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context
from sqlalchemy import Connection
from sqlmodel import SQLModel

import persistence.tables  # noqa: F401  (declares the tables on SQLModel.metadata)
from config.settings import get_settings
from persistence.database import make_engine
from persistence.migrate import MIGRATION_OPTIONS


def run_with(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=SQLModel.metadata, **MIGRATION_OPTIONS)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        run_with(connection)
        return
    engine = make_engine(get_settings().database_url_value())
    try:
        with engine.begin() as own_connection:
            run_with(own_connection)
    finally:
        engine.dispose()


def run_offline() -> None:
    """`alembic upgrade --sql`: print the DDL for the configured database's dialect."""
    context.configure(
        url=get_settings().database_url_value(),
        target_metadata=SQLModel.metadata,
        literal_binds=True,
        **MIGRATION_OPTIONS,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.config.config_file_name is not None:
    # Only for the `alembic` command line: the product keeps its own logging configuration.
    fileConfig(context.config.config_file_name, disable_existing_loggers=False)

if context.is_offline_mode():
    run_offline()
else:
    run_online()
