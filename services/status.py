"""Where every unit of an instansi stands today: one row per unit for `zi status`.

State, the latest TPI score and the floors it meets, the next deadline (the unit's own open work
items and the instansi's milestones), overdue items, and every reason its next step is refused:
the same guards the stages apply, asked before anyone tries.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from persistence.tables import Instansi
from persistence.unit_of_work import UnitOfWork
from services.lifecycle import units_facts
from zi_domain.lifecycle import NEXT_ACTION, Action, UnitState, next_step_blockers
from zi_domain.predicates import predicates_met


@dataclass(frozen=True)
class NextDeadline:
    title: str
    due_on: date


@dataclass(frozen=True)
class UnitStatus:
    code: str
    name: str
    state: UnitState
    predicate_held: str | None
    total: float | None
    scored_on: date | None
    meets: Mapping[str, bool]
    next_deadline: NextDeadline | None
    overdue: int
    next_action: Action | None
    blockers: tuple[str, ...]


def instansi_status(uow: UnitOfWork, *, instansi: Instansi, as_of: date) -> list[UnitStatus]:
    assert instansi.id is not None
    units = uow.units.list_units(instansi_id=instansi.id)
    ids = [u.id for u in units if u.id is not None]
    facts = units_facts(uow, units=units, year=as_of.year, as_of=as_of)
    latest = uow.snapshots.latest_snapshots(unit_ids=ids, until=as_of)
    overdue = uow.work_plans.overdue_counts(unit_ids=ids, as_of=as_of)
    milestones = [
        NextDeadline(d.title, d.due_on)
        for d in uow.deadlines.deadlines(instansi_id=instansi.id)
        if d.due_on >= as_of and d.unit_id is None
    ]
    rows = []
    for unit, unit_id in zip(units, ids, strict=True):
        state = UnitState(unit.state)
        snapshot = latest.get(unit_id)
        open_items = [
            NextDeadline(i.title, i.due_on)
            for i in uow.work_plans.items(unit_id=unit_id, year=as_of.year)
            if i.completed_on is None and i.due_on >= as_of
        ]
        rows.append(
            UnitStatus(
                code=unit.code,
                name=unit.name,
                state=state,
                predicate_held=unit.predicate.value if unit.predicate else None,
                total=snapshot.total if snapshot else None,
                scored_on=snapshot.as_of if snapshot else None,
                meets=(
                    predicates_met(wbk=snapshot.meets_wbk, wbbm=snapshot.meets_wbbm)
                    if snapshot
                    else {}
                ),
                next_deadline=min(open_items + milestones, key=lambda d: d.due_on, default=None),
                overdue=overdue.get(unit_id, 0),
                next_action=NEXT_ACTION.get(state),
                blockers=next_step_blockers(state, facts[unit_id]),
            )
        )
    return rows
