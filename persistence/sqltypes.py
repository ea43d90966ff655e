"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect


def utc_now() -> datetime:
    """The one clock of the persistence layer, so that every stored instant is aware UTC."""
    return datetime.now(UTC)


class UtcDateTime(sa.TypeDecorator[datetime]):
    """An aware datetime stored as UTC; SQLite has no time zones, so it would return naive values.

    Naive datetimes are refused on the way in: guessing their zone (Asia/Jakarta? UTC?) is how
    deadlines end up seven hours off.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value.isoformat()} refused: give it a time zone")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def enum_column(enum_class: type[enum.StrEnum], *, name: str) -> sa.Enum:
    """A VARCHAR with a CHECK, not a native PostgreSQL ENUM: adding a value stays a plain migration.

    The stored strings are the members' values ("kementerian_lembaga"), not their Python names;
    one length for all leaves room for longer values without widening the column.
    """

    def values(members: Any) -> list[str]:
        return [member.value for member in members]

    return sa.Enum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=values,
        validate_strings=True,
    )
