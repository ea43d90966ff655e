"""Engines for the embedded SQLite file and for PostgreSQL; their errors never show a password."""

from __future__ import annotations

import errno
import threading
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

SQLITE_BUSY_TIMEOUT_MS = 10_000
"""How long a SQLite writer waits for another one (a CLI beside a running flow) before failing."""


class DatabaseUnavailable(RuntimeError):
    """The database could not be reached or the URL is unusable; the message (Indonesian, for the
    operator who fixes ZI_DATABASE_URL) is safe to log: the password is never in it."""


def safe_url(url: str | URL) -> str:
    """The URL as it may appear in a log or an error: password masked, or nothing if unparsable."""
    parsed = _parse(url)
    return (
        "<unparsable database URL>"
        if parsed is None
        else parsed.render_as_string(hide_password=True)
    )


def redact(message: str, url: str | URL) -> str:
    """Remove the URL's password from a driver message (some drivers echo the connection string)."""
    parsed = _parse(url)
    if parsed is None or not parsed.password:
        return message
    return message.replace(str(parsed.password), "***")


def unavailable(error: DBAPIError, url: str | URL) -> DatabaseUnavailable:
    """A loggable error for a failed connection: the masked URL and the driver's first line."""
    lines = str(error.orig if error.orig is not None else error).strip().splitlines()
    reason = lines[0] if lines else type(error).__name__
    return DatabaseUnavailable(
        f"tidak dapat terhubung ke basis data {safe_url(url)}: {redact(reason, url)}; periksa "
        "ZI_DATABASE_URL dan apakah server basis data berjalan"
    )


def make_engine(url: str | URL, **engine_options: Any) -> Engine:
    """An engine for `url`; the SQLite file's folder is created, and each connection configured.

    Creating the engine does not connect; `DatabaseUnavailable` is raised only for a URL that
    cannot be used at all (unparsable, an unknown dialect or a driver that is not installed, a
    SQLite folder that cannot be created), without echoing its password.
    """
    parsed = _parse(url)
    if parsed is None:
        raise DatabaseUnavailable(
            "URL basis data (ZI_DATABASE_URL) tidak dapat dibaca; tidak ditampilkan karena "
            "mungkin memuat kata sandi"
        )
    sqlite = parsed.get_backend_name() == "sqlite"
    if not sqlite:
        engine_options.setdefault("pool_pre_ping", True)
    elif _is_sqlite_file(parsed.database):
        folder = Path(str(parsed.database)).parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise DatabaseUnavailable(
                f"folder basis data SQLite {folder} tidak dapat dibuat: {_folder_problem(error)}"
            ) from None
    try:
        engine = create_engine(parsed, **engine_options)
    except (NoSuchModuleError, ImportError, ArgumentError) as error:
        # Raised before any connection: an unknown dialect (foo://), a driver that is not
        # installed (mysql:// wants MySQLdb) or options the dialect refuses.
        raise DatabaseUnavailable(
            f"URL basis data {safe_url(parsed)} tidak dapat dipakai: jenis basis data atau "
            f"driver {parsed.drivername!r} tidak dikenal atau tidak terpasang "
            f"({_first_line(error)}); gunakan sqlite:///BERKAS atau postgresql+psycopg://PENGGUNA@HOST/NAMA"
        ) from None
    if sqlite:
        event.listen(engine, "connect", _configure_sqlite_connection)
    return engine


def _folder_problem(error: OSError) -> str:
    words = {
        errno.ENOENT: "folder di atasnya tidak ada",
        errno.EACCES: "tidak ada izin",
        errno.EPERM: "tidak ada izin",
        errno.EROFS: "sistem berkas hanya-baca",
        errno.ENOSPC: "ruang disk habis",
        errno.ENOTDIR: "bagian jalurnya bukan folder",
    }
    return words.get(error.errno or 0, f"galat sistem {error.errno}")


def _first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


def _parse(url: str | URL) -> URL | None:
    """The parsed URL, or None: parse errors are swallowed because some repeat the URL itself."""
    try:
        return make_url(url)
    except (ArgumentError, ValueError):
        return None


def _is_sqlite_file(database: str | None) -> bool:
    """A plain file path, not the in-memory database nor a `file:` URI."""
    return bool(database) and database != ":memory:" and not str(database).startswith("file:")


def _configure_sqlite_connection(dbapi_connection: Any, _connection_record: Any) -> None:
    """SQLite leaves foreign keys off by default; WAL lets readers run beside the one writer."""
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    finally:
        cursor.close()


_engines: dict[str, Engine] = {}
_engines_lock = threading.Lock()


def default_engine() -> Engine:
    """The engine of the configured database (one per URL per process), migrated to head.

    Flows, the CLI and the portal use it; the schema is brought up to date the first time, so
    that a fresh data folder just works. The first calls of many threads at once (the portal's
    first requests) migrate once: Alembic is not safe to run from two threads.
    """
    from config.settings import get_settings
    from persistence.migrate import upgrade_database

    url = get_settings().database_url_value()
    with _engines_lock:
        if url not in _engines:
            upgrade_database(url)
            _engines[url] = make_engine(url)
        return _engines[url]
