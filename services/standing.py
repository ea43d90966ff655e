"""A unit's standing against the proposal prerequisites (Tabel 5), read from the database.

`read_standings` reads what Tabel 5 needs for any number of units of one instansi in a fixed
number of queries (a monitoring run checks thousands of units); the checks themselves are the
domain's `check_prerequisites`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from persistence.repositories import UnitStep
from persistence.tables import UnitKerja, UnitPrerequisite
from persistence.unit_of_work import UnitOfWork
from zi_domain.lifecycle import Action, UnitState
from zi_domain.predicates import PREDICATES, WBK
from zi_domain.prerequisites import (
    InstansiStanding,
    PrerequisiteCheck,
    UnitStanding,
    check_prerequisites,
)

# The check is pure and its inputs are frozen: units of one instansi share most of them (one
# designation date, standings at 100 %), so a run of thousands of units checks few distinct ones.
_check_prerequisites = lru_cache(maxsize=4096)(check_prerequisites)


@dataclass(frozen=True)
class Standings:
    """What Tabel 5 reads about an instansi and some of its units in one year."""

    instansi: InstansiStanding | None  # None: the instansi's data for the year is missing
    units: Mapping[int, UnitPrerequisite]  # by unit id; a unit without data is absent
    steps: Mapping[int, Sequence[UnitStep]]  # each unit's lifecycle events, oldest first


def read_standings(
    uow: UnitOfWork,
    *,
    instansi_id: int,
    unit_ids: Sequence[int],
    year: int,
    steps: Mapping[int, Sequence[UnitStep]] | None = None,
) -> Standings:
    """The standings of the instansi and of `unit_ids` (its units) in `year`; `steps` when the
    caller has read the units' events already."""
    instansi = uow.instansi.get_instansi(instansi_id=instansi_id)
    stored = uow.instansi.get_prerequisites(instansi_id=instansi_id, year=year)
    return Standings(
        instansi=(
            InstansiStanding(
                kind=instansi.kind.value,
                bpk_opinion=stored.bpk_opinion.value,
                sakip_grade=stored.sakip_grade,
                indeks_rb=stored.indeks_rb,
                spip_level=stored.spip_level,
            )
            if stored is not None and instansi is not None
            else None
        ),
        units=uow.units.prerequisites_of(unit_ids=unit_ids, year=year),
        steps=(
            steps
            if steps is not None
            else uow.units.steps(instansi_id=instansi_id, unit_ids=unit_ids)
        ),
    )


def check_standing(
    standings: Standings, *, unit: UnitKerja, predicate: str, as_of: date
) -> PrerequisiteCheck:
    """Tabel 5 for the unit and its instansi; missing data counts as unmet."""
    return _check_prerequisites(
        predicate,
        instansi=standings.instansi,
        unit=unit_standing(standings, unit=unit, predicate=predicate),
        as_of=as_of,
    )


def unit_standing(standings: Standings, *, unit: UnitKerja, predicate: str) -> UnitStanding | None:
    """What Tabel 5 reads about the unit toward `predicate`; None when its data is missing."""
    assert unit.id is not None
    own = standings.units.get(unit.id)
    return (
        UnitStanding(
            follow_up_findings_percent=own.follow_up_findings_percent,
            lhkpn_percent=own.lhkpn_percent,
            lhkasn_percent=own.lhkasn_percent,
            internal_sakip_grade=own.internal_sakip_grade,
            building_since=building_since(standings.steps.get(unit.id, ()), predicate=predicate),
            core_service=unit.core_service,
            significant_public_impact=unit.wide_public_impact,
            priority_regional_service=unit.priority_regional_service,
        )
        if own is not None
        else None
    )


def building_since(steps: Sequence[UnitStep], *, predicate: str) -> date | None:
    """When building toward the predicate began: designation for WBK; for WBBM, the latest
    return to development after a WBK award (TPN's or mandiri), on the award decree's date."""
    if predicate == WBK:
        starts = [e.effective_on for e in steps if e.kind == Action.DESIGNATE]
        return starts[0] if starts else None
    starts = [
        e.effective_on
        for e in steps
        if e.from_state == UnitState.AWARDED_WBK and e.to_state == UnitState.DEVELOPING
    ]
    return starts[-1] if starts else None


def checks(standings: Standings, *, unit: UnitKerja, as_of: date) -> dict[str, PrerequisiteCheck]:
    """Tabel 5 for the unit toward each predicate."""
    return {p: check_standing(standings, unit=unit, predicate=p, as_of=as_of) for p in PREDICATES}
