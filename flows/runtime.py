"""What every flow needs: a unit of work on the configured database, and the default day."""

from __future__ import annotations

from datetime import date

from config.settings import today
from persistence.unit_of_work import UnitOfWork
from persistence.unit_of_work import default_unit_of_work as unit_of_work
from services.lookup import find_instansi

__all__ = ["day", "instansi_id_of", "unit_of_work"]


def day(as_of: date | None) -> date:
    """`as_of`, or today in Asia/Jakarta: flows take the day as a parameter so a year replays."""
    return as_of or today()


def instansi_id_of(uow: UnitOfWork, instansi: str | int) -> int:
    """Flows and deployments name the instansi by its code (or name, or number)."""
    found = find_instansi(uow, instansi)
    assert found.id is not None
    return found.id
