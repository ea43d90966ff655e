"""What every flow needs: a unit of work on the configured database, and the default day."""

from __future__ import annotations

from datetime import date

from config.settings import today
from persistence.unit_of_work import default_unit_of_work as unit_of_work

__all__ = ["day", "unit_of_work"]


def day(as_of: date | None) -> date:
    """`as_of`, or today in Asia/Jakarta: flows take the day as a parameter so a year replays."""
    return as_of or today()
