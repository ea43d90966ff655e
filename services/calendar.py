"""The stored ZI calendar: moving the proposal deadline when TPN announces another date.

PermenPANRB 5/2024 Bab II A (p.6): proposals are due "paling lambat pada tanggal 31 Mei atau
sesuai dengan waktu yang ditetapkan oleh TPN". The deadline is stored per instansi and year when
it declares; reminders, the proposal check and the year's assessment period read those rows, so
moving them moves everything that follows from the date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from persistence.unit_of_work import UnitOfWork
from services.lifecycle import PROPOSAL_DEADLINE


@dataclass(frozen=True)
class DeadlineMoved:
    milestones: int
    periods: int  # assessment periods that ended on the old deadline, now ending on the new one


def move_proposal_deadline(
    uow: UnitOfWork, *, year: int, due_on: date, instansi_id: int | None = None
) -> DeadlineMoved:
    """Moves the year's proposal deadline of one instansi (or of all) to `due_on`, with each
    assessment period of that year that ended on the old date. Committed."""
    moved = uow.deadlines.move_deadlines(
        kind=PROPOSAL_DEADLINE, year=year, due_on=due_on, instansi_id=instansi_id
    )
    periods = 0
    for deadline, old in moved:
        for period in uow.assessments.periods(instansi_id=deadline.instansi_id):
            if period.year == year and period.ends_on == old:
                period.ends_on = max(due_on, period.starts_on)
                periods += 1
    uow.commit()
    return DeadlineMoved(milestones=len(moved), periods=periods)
