"""Engines: SQLite configured per connection, and no password in any error about a connection."""

from __future__ import annotations

import traceback
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from persistence.database import DatabaseUnavailable, make_engine, unavailable
from persistence.migrate import upgrade_database

PASSWORD = "Rahasia-9f3b%40x"  # percent-encoded '@' too: the URL decodes it to Rahasia-9f3b@x
DECODED_PASSWORD = "Rahasia-9f3b@x"
REFUSING_URL = f"postgresql+psycopg://zi_app:{PASSWORD}@127.0.0.1:1/zi"


def everything_printed_about(error: BaseException) -> str:
    """What a log line with exc_info would show: message, repr, and the whole traceback chain."""
    return "\n".join([str(error), repr(error), *traceback.format_exception(error)])


def assert_no_password(text_shown: str) -> None:
    assert PASSWORD not in text_shown
    assert DECODED_PASSWORD not in text_shown
    assert "Rahasia" not in text_shown


def test_upgrade_against_a_refusing_server_hides_the_password() -> None:
    with pytest.raises(DatabaseUnavailable) as caught:
        upgrade_database(REFUSING_URL)

    shown = everything_printed_about(caught.value)
    assert_no_password(shown)
    assert "zi_app:***@127.0.0.1:1/zi" in str(caught.value)  # still says where it tried


def test_a_driver_message_that_echoes_the_password_is_redacted() -> None:
    driver_error = Exception(f"invalid dsn: user=zi_app password={DECODED_PASSWORD} port=1")
    error = OperationalError("connect", {}, driver_error)

    message = str(unavailable(error, REFUSING_URL))

    assert_no_password(message)
    assert "password=***" in message


def test_engine_for_a_refusing_server_hides_the_password() -> None:
    engine = make_engine(REFUSING_URL, connect_args={"connect_timeout": 2})

    assert_no_password(repr(engine) + str(engine.url))
    with pytest.raises(Exception) as caught:
        engine.connect()
    assert_no_password(everything_printed_about(caught.value))


def test_unparsable_url_is_not_echoed() -> None:
    with pytest.raises(DatabaseUnavailable) as caught:
        make_engine(f"postgresql+psycopg://zi_app:{PASSWORD}@127.0.0.1:notaport/zi")

    assert_no_password(everything_printed_about(caught.value))


def test_sqlite_gets_its_folder_foreign_keys_wal_and_a_busy_timeout(tmp_path: Path) -> None:
    database = tmp_path / "deep" / "er" / "zi.db"
    engine = make_engine(f"sqlite:///{database}")
    try:
        with engine.connect() as connection:
            pragmas = {
                name: connection.execute(text(f"PRAGMA {name}")).scalar_one()
                for name in ("foreign_keys", "journal_mode", "busy_timeout")
            }
    finally:
        engine.dispose()

    assert database.is_file()
    assert pragmas == {"foreign_keys": 1, "journal_mode": "wal", "busy_timeout": 10_000}
