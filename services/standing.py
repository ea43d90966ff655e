"""A unit's standing against the proposal prerequisites (Tabel 5), read from the database."""

from __future__ import annotations

from datetime import date

from persistence.tables import UnitKerja
from persistence.unit_of_work import UnitOfWork
from zi_domain.lifecycle import UnitState
from zi_domain.prerequisites import (
    InstansiStanding,
    PrerequisiteCheck,
    UnitStanding,
    check_prerequisites,
)

PREDICATES = ("WBK", "WBBM")


def check_unit(
    uow: UnitOfWork, *, unit: UnitKerja, predicate: str, year: int, as_of: date
) -> PrerequisiteCheck:
    """Tabel 5 for the unit and its instansi in `year`; missing data counts as unmet."""
    assert unit.id is not None
    instansi = uow.instansi.get_instansi(instansi_id=unit.instansi_id)
    stored = uow.instansi.get_prerequisites(instansi_id=unit.instansi_id, year=year)
    instansi_standing = (
        InstansiStanding(
            kind=instansi.kind.value,
            bpk_opinion=stored.bpk_opinion.value,
            sakip_grade=stored.sakip_grade,
            indeks_rb=stored.indeks_rb,
            spip_level=stored.spip_level,
        )
        if stored is not None and instansi is not None
        else None
    )
    own = uow.units.get_prerequisites(unit_id=unit.id, year=year)
    unit_standing = (
        UnitStanding(
            follow_up_findings_percent=own.follow_up_findings_percent,
            lhkpn_percent=own.lhkpn_percent,
            lhkasn_percent=own.lhkasn_percent,
            internal_sakip_grade=own.internal_sakip_grade,
            building_since=building_since(uow, unit=unit, predicate=predicate),
            core_service=unit.core_service,
            significant_public_impact=unit.wide_public_impact,
            priority_regional_service=unit.priority_regional_service,
        )
        if own is not None
        else None
    )
    return check_prerequisites(
        predicate, instansi=instansi_standing, unit=unit_standing, as_of=as_of
    )


def building_since(uow: UnitOfWork, *, unit: UnitKerja, predicate: str) -> date | None:
    """When building toward the predicate began: designation for WBK; for WBBM, the return to
    development after the WBK award."""
    assert unit.id is not None
    events = uow.units.events(instansi_id=unit.instansi_id, unit_id=unit.id)
    if predicate == "WBK":
        starts = [e for e in events if e.to_state == UnitState.DESIGNATED]
    else:
        starts = [
            e
            for e in events
            if e.from_state == UnitState.AWARDED_WBK and e.to_state == UnitState.DEVELOPING
        ]
    return starts[0].occurred_at.date() if starts else None


def prerequisites_met(
    uow: UnitOfWork, *, unit: UnitKerja, year: int, as_of: date
) -> frozenset[str]:
    return frozenset(
        p for p in PREDICATES if check_unit(uow, unit=unit, predicate=p, year=year, as_of=as_of).met
    )
