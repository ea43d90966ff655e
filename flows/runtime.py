"""What every flow needs: a unit of work on the configured database, and the default day."""

from __future__ import annotations

from datetime import date

from config.settings import today
from persistence.database import default_engine
from persistence.unit_of_work import SqlUnitOfWork


def unit_of_work() -> SqlUnitOfWork:
    return SqlUnitOfWork(default_engine())


def day(as_of: date | None) -> date:
    """`as_of`, or today in Asia/Jakarta: flows take the day as a parameter so a year replays."""
    return as_of or today()
