"""Declarations that stand until withdrawn, designation that weighs its criteria, the moved
proposal deadline and the TPI's two-yearly report, on SQLite and PostgreSQL.

Regulation: PermenPANRB 90/2021 Lampiran I Bab II (the head of an instansi or of a unit declares;
units are chosen "antara lain" by three criteria), Lampiran II Bab III A (the TPI reports on an
awarded unit at least every two years), 5/2024 Bab II A (31 May or the date TPN announces).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from config.calendar import milestone_template
from persistence.unit_of_work import SqlUnitOfWork
from services.after_award import POST_AWARD_REPORT, record_post_award_report
from services.calendar import move_proposal_deadline
from services.lifecycle import (
    declaration,
    declare,
    declare_unit,
    designate,
    move_many,
    proposal_deadline,
    unit_facts,
    units_facts,
    withdraw_declaration,
)
from tests.builders import Agency
from zi_domain.lifecycle import Action, IllegalTransition
from zi_domain.predicates import Predicate

NewUow = Callable[[], SqlUnitOfWork]


def declared(new_uow: NewUow, agency: Agency, on: date) -> None:
    with new_uow() as uow:
        declare(
            uow,
            instansi_id=agency.instansi_id,
            year=on.year,
            declared_on=on,
            actor="Bupati",
            pakta_integritas="ditandatangani",
            template=milestone_template(),
        )


def test_a_declaration_stands_until_withdrawn(new_uow: NewUow, agency: Agency) -> None:
    declared(new_uow, agency, date(2025, 1, 6))
    with new_uow() as uow:
        # No yearly re-declaration: 2025's still stands in 2027.
        assert declaration(uow, instansi_id=agency.instansi_id, as_of=date(2027, 3, 1))
        assert not declaration(uow, instansi_id=agency.instansi_id, as_of=date(2025, 1, 5))
        again = declare(
            uow,
            instansi_id=agency.instansi_id,
            year=2026,
            declared_on=date(2026, 1, 5),
            actor="Bupati",
            pakta_integritas="-",
            template=milestone_template(),
        )
        # Declaring again records no second declaration, only the new year's calendar.
        assert (again.created, again.milestones) == (False, 8)
        withdrawn = withdraw_declaration(
            uow, instansi_id=agency.instansi_id, on=date(2026, 6, 1), actor="Bupati", reason="x"
        )
        assert withdrawn is not None
        assert declaration(uow, instansi_id=agency.instansi_id, as_of=date(2026, 5, 31))
        assert not declaration(uow, instansi_id=agency.instansi_id, as_of=date(2026, 6, 1))


def test_a_unit_head_declares_and_criteria_are_weighed(new_uow: NewUow, agency: Agency) -> None:
    # No declaration of the instansi; DUKCAPIL's own head declares for it. DUKCAPIL lacks
    # "risiko korupsi tinggi"; RSUD lacks all three and has no declaration of its own.
    with new_uow() as uow:
        unit = uow.units.get_unit(unit_id=agency.units["DUKCAPIL"])
        assert unit is not None
        made = declare_unit(
            uow, unit=unit, declared_on=date(2026, 1, 6), actor="Kepala", pakta_integritas="-"
        )
        assert made.created
    with new_uow() as uow:
        outcome = designate(
            uow,
            instansi_id=agency.instansi_id,
            year=2026,
            candidates=["DUKCAPIL", "RSUD"],
            sk_number=None,
            as_of=date(2026, 1, 20),
            actor="Bupati",
        )
    assert outcome.moved == ["DUKCAPIL"]
    assert outcome.noted == {"DUKCAPIL": "kriteria belum terpenuhi: risiko korupsi tinggi"}
    assert "belum ada pencanangan ZI" in outcome.refused["RSUD"]
    with new_uow() as uow:
        events = uow.units.events(instansi_id=agency.instansi_id, unit_id=agency.units["DUKCAPIL"])
        # The criteria are recorded with the designation, the missing one as False.
        assert events[-1].criteria == {
            "core_service": True,
            "high_corruption_risk": False,
            "wide_public_impact": True,
        }
        # The instansi's own policy may still ask for all three.
        rsud = uow.units.get_unit(unit_id=agency.units["RSUD"])
        assert rsud is not None
        strict = unit_facts(
            uow, unit=rsud, year=2026, as_of=date(2026, 1, 20), criteria_required=True
        )
        assert strict.criteria_required and len(strict.criteria_missing) == 3


def test_the_proposal_deadline_moves_with_its_period(new_uow: NewUow, agency: Agency) -> None:
    declared(new_uow, agency, date(2026, 1, 5))
    with new_uow() as uow:
        assert proposal_deadline(uow, instansi_id=agency.instansi_id, year=2026) == date(
            2026, 5, 31
        )
        period = uow.assessments.get_period(period_id=agency.period_id)
        assert period is not None
        period.ends_on = date(2026, 5, 31)  # the year's period ends on the deadline
        uow.commit()
    with new_uow() as uow:
        moved = move_proposal_deadline(uow, year=2026, due_on=date(2026, 6, 30))
        assert (moved.milestones, moved.periods) == (1, 1)
    with new_uow() as uow:
        assert proposal_deadline(uow, instansi_id=agency.instansi_id, year=2026) == date(
            2026, 6, 30
        )
        period = uow.assessments.get_period(period_id=agency.period_id)
        assert period is not None and period.ends_on == date(2026, 6, 30)
        unit = uow.units.get_unit(unit_id=agency.units["DPMPTSP"])
        assert unit is not None
        facts = unit_facts(uow, unit=unit, year=2026, as_of=date(2026, 6, 15))
        assert facts.proposal_deadline == date(2026, 6, 30)


def test_the_post_award_report_falls_due_every_two_years(
    new_uow: NewUow, agency: Agency, tmp_path: Path
) -> None:
    with new_uow() as uow:
        unit = uow.units.get_unit(unit_id=agency.units["DPMPTSP"])
        assert unit is not None
        unit.predicate = Predicate.WBBM
        uow.commit()
        reported = record_post_award_report(
            uow,
            unit=unit,
            on=date(2027, 11, 2),
            actor="TPI",
            summary="pelayanan terjaga",
            data_dir=tmp_path,
        )
        assert reported.next_due == date(2029, 11, 2)
        # Never scored by the TPI: it cannot be said to still meet WBBM.
        assert not reported.still_meets and reported.pdf.exists()
    with new_uow() as uow:
        due = [
            d.due_on
            for d in uow.deadlines.deadlines(instansi_id=agency.instansi_id)
            if d.kind == POST_AWARD_REPORT
        ]
        assert due == [date(2029, 11, 2)]


def test_a_bulk_move_records_each_units_own_criteria(new_uow: NewUow, agency: Agency) -> None:
    """`move_many` decides the rule once for the units that move alike, yet each designation
    records the unit's own criteria (the three units' differ)."""
    declared(new_uow, agency, date(2026, 1, 6))
    on = date(2026, 1, 20)
    with new_uow() as uow:
        units = uow.units.list_units(instansi_id=agency.instansi_id)
        facts = units_facts(uow, units=units, year=2026, as_of=on)
        moved = move_many(
            uow, units=units, action=Action.DESIGNATE, facts=facts, year=2026, actor="Bupati"
        )
        uow.commit()
        assert [t.to_state for t in moved] == ["designated"] * 3
    with new_uow() as uow:
        names = ("core_service", "high_corruption_risk", "wide_public_impact")
        for code, criteria in {
            "DPMPTSP": (True, True, True),
            "DUKCAPIL": (True, False, True),
            "RSUD": (False, False, False),
        }.items():
            unit = uow.units.get_unit(unit_id=agency.units[code])
            assert unit is not None and unit.state == "designated"
            (event,) = [
                e
                for e in uow.units.events(instansi_id=agency.instansi_id, unit_id=unit.id)
                if e.kind == "designate"
            ]
            assert event.criteria == dict(zip(names, criteria, strict=True))
            assert (event.from_state, event.occurred_at.date()) == ("declared", on)


def test_one_refusal_in_a_bulk_move_writes_nothing(new_uow: NewUow, agency: Agency) -> None:
    declared(new_uow, agency, date(2026, 1, 6))
    on = date(2026, 1, 20)
    with new_uow() as uow:
        units = uow.units.list_units(instansi_id=agency.instansi_id)
        facts = dict(units_facts(uow, units=units, year=2026, as_of=on))
        rsud = agency.units["RSUD"]
        facts[rsud] = replace(facts[rsud], instansi_declared=False)
        with pytest.raises(IllegalTransition, match="pencanangan"):
            move_many(
                uow, units=units, action=Action.DESIGNATE, facts=facts, year=2026, actor="Bupati"
            )
        uow.commit()
    with new_uow() as uow:
        states = {u.code: u.state for u in uow.units.list_units(instansi_id=agency.instansi_id)}
        events = uow.units.events(instansi_id=agency.instansi_id)
    assert states == {"DPMPTSP": "declared", "DUKCAPIL": "declared", "RSUD": "declared"}
    assert not [e for e in events if e.kind == "designate"]
