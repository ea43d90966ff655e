"""What every flow needs: a unit of work on the configured database, and the default day."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

from config.settings import today
from persistence.unit_of_work import UnitOfWork
from persistence.unit_of_work import default_unit_of_work as unit_of_work
from services.lookup import find_instansi

__all__ = [
    "day",
    "embedded_api_starting",
    "instansi_id_of",
    "one_api_client",
    "unit_of_work",
]


def day(as_of: date | None) -> date:
    """`as_of`, or today in Asia/Jakarta: flows take the day as a parameter so a year replays."""
    return as_of or today()


def instansi_id_of(uow: UnitOfWork, instansi: str | int) -> int:
    """Flows and deployments name the instansi by its code (or name, or number)."""
    found = find_instansi(uow, instansi)
    assert found.id is not None
    return found.id


@contextmanager
def one_api_client() -> Iterator[None]:
    """One Prefect API client for every flow called in the block (a replay, a batch): each flow
    run otherwise opens its own, with a TLS context, a version check and a new connection."""
    from prefect.context import SyncClientContext

    with SyncClientContext.get_or_create():
        yield


@contextmanager
def embedded_api_starting() -> Iterator[None]:
    """Without PREFECT_API_URL, the embedded Prefect API started in the background while the
    block does other work (its start takes 10-25 s on two cores), and ready when it ends; the
    first flow would otherwise wait for it. A failed start is raised again by that flow."""
    from prefect.server.api.server import SubprocessASGIServer
    from prefect.settings import PREFECT_API_URL, PREFECT_SERVER_EPHEMERAL_ENABLED

    if PREFECT_API_URL.value() or not PREFECT_SERVER_EPHEMERAL_ENABLED.value():
        yield
        return
    starting = threading.Thread(target=SubprocessASGIServer().start, daemon=True)
    starting.start()
    try:
        yield
    finally:
        starting.join()
