"""Run the Alembic migrations from code, from a source tree or an installed package alike.

The Alembic configuration is built here rather than read from an `alembic.ini` in the working
directory, and the URL never goes into it: it travels as an open connection, so it is neither
interpolated by configparser (a `%` in a password) nor written anywhere.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate.api import AutogenContext
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError
from sqlmodel.sql.sqltypes import AutoString

from persistence.database import make_engine, unavailable
from persistence.sqltypes import UtcDateTime

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    """Write plain SQLAlchemy types into revisions, so that old revisions never import app code."""
    if type_ != "type":
        return False
    if isinstance(obj, UtcDateTime):
        return "sa.DateTime(timezone=True)"
    if isinstance(obj, AutoString):
        return f"sa.String(length={obj.length})" if obj.length else "sa.String()"
    return False


MIGRATION_OPTIONS: dict[str, Any] = {
    "render_as_batch": True,  # SQLite cannot ALTER most things; batch mode copies the table.
    "compare_type": True,
    "render_item": render_item,
}
"""The options of `context.configure`, shared by env.py and the schema test."""


def alembic_config() -> Config:
    """An Alembic Config pointing at the migrations inside this package."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    return config


def upgrade_database(url: str | URL, *, revision: str = "head") -> None:
    """Bring the database at `url` to `revision` (the newest by default), in one transaction."""
    engine = make_engine(url)
    try:
        try:
            connection = engine.connect()
        except DBAPIError as error:
            raise unavailable(error, url) from None
        with connection, connection.begin():
            config = alembic_config()
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    finally:
        engine.dispose()


def current_revision(connection: sa.Connection) -> str | None:
    """The revision the database is at, or None if it was never migrated."""
    return MigrationContext.configure(connection).get_current_revision()
