"""The lifecycle stages as use cases: declare, designate, develop, move a unit, record TPN results.

Every unit transition goes through `zi_domain.lifecycle.next_transition` (the rules) and
`move_unit` (a compare-and-set in the database, recorded with who and when); an illegal one is
refused with the domain's message and changes nothing. `units_facts` and `move_many` do the
same for thousands of units (a monitoring run) in a fixed number of statements.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from persistence.repositories import SnapshotSummary, UnitStep
from persistence.tables import (
    DeadlineCreate,
    LifecycleEvent,
    LifecycleEventCreate,
    Predicate,
    UnitKerja,
    WorkItemCreate,
)
from persistence.unit_of_work import UnitOfWork
from services.assessments import open_period
from services.standing import Standings, checks, read_standings
from zi_domain.calendar import MilestoneTemplate, milestones_for
from zi_domain.framework import Framework
from zi_domain.lifecycle import (
    Action,
    IllegalTransition,
    Transition,
    UnitFacts,
    UnitState,
    next_transition,
)

DECLARATION = "declaration"
SURVEY_ITEMS = (
    ("survei:ipak", "Survei mandiri persepsi anti korupsi (IPAK)"),
    ("survei:ipkp", "Survei mandiri persepsi kualitas pelayanan (IPKP)"),
)


class InstansiNotFound(LookupError):
    pass


@dataclass(frozen=True)
class Declaration:
    event: LifecycleEvent
    milestones: int
    created: bool


@dataclass
class StageOutcome:
    """What a stage did for each unit: moved, or refused with the reason (Indonesian)."""

    moved: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)
    period: str | None = None  # the assessment period the stage opened, if it opened one


def at_noon(day: date) -> datetime:
    """Events of a replayed or scheduled day are stamped at its noon (UTC), for ordering."""
    return datetime.combine(day, time(12), tzinfo=UTC)


def declaration(uow: UnitOfWork, *, instansi_id: int, year: int) -> LifecycleEvent | None:
    return next(
        (
            e
            for e in uow.units.instansi_events(instansi_id=instansi_id)
            if e.kind == DECLARATION and e.year == year
        ),
        None,
    )


def declare(
    uow: UnitOfWork,
    *,
    instansi_id: int,
    year: int,
    declared_on: date,
    actor: str,
    pakta_integritas: str,
    template: tuple[MilestoneTemplate, ...],
) -> Declaration:
    """Records the head's declaration and Pakta Integritas, and the year's milestone calendar.

    Declaring the same year again changes nothing and says so.
    """
    if uow.instansi.get_instansi(instansi_id=instansi_id) is None:
        raise InstansiNotFound(f"instansi {instansi_id} tidak ada")
    existing = declaration(uow, instansi_id=instansi_id, year=year)
    if existing is not None:
        return Declaration(event=existing, milestones=0, created=False)
    event = uow.units.record_event(
        event=LifecycleEventCreate(
            instansi_id=instansi_id,
            year=year,
            kind=DECLARATION,
            to_state=UnitState.DECLARED,
            actor=actor,
            occurred_at=at_noon(declared_on),
            note=pakta_integritas,
        )
    )
    milestones = milestones_for(year, template)
    for milestone in milestones:
        uow.deadlines.add_deadline(
            deadline=DeadlineCreate(
                instansi_id=instansi_id,
                kind=milestone.kind,
                title=milestone.title,
                due_on=milestone.due_on,
            )
        )
    uow.commit()
    return Declaration(event=event, milestones=len(milestones), created=True)


def unit_facts(
    uow: UnitOfWork,
    *,
    unit: UnitKerja,
    year: int,
    as_of: date,
    sk_number: str | None = None,
    predicate_sought: str | None = None,
) -> UnitFacts:
    """Everything the lifecycle guards need to know about the unit, read from the database."""
    assert unit.id is not None
    facts = units_facts(
        uow,
        units=[unit],
        year=year,
        as_of=as_of,
        sk_number=sk_number,
        predicate_sought=predicate_sought,
    )
    return facts[unit.id]


def units_facts(
    uow: UnitOfWork,
    *,
    units: Sequence[UnitKerja],
    year: int,
    as_of: date,
    sk_number: str | None = None,
    predicate_sought: str | None = None,
) -> dict[int, UnitFacts]:
    """`unit_facts` of many units of one instansi, by unit id, in a fixed number of queries."""
    if not units:
        return {}
    instansi_ids = {unit.instansi_id for unit in units}
    if len(instansi_ids) != 1:
        raise ValueError("units_facts reads the units of one instansi at a time")
    (instansi_id,) = instansi_ids
    unit_ids = [_id(unit) for unit in units]
    steps = uow.units.steps(instansi_id=instansi_id, unit_ids=unit_ids)
    latest = uow.snapshots.latest_snapshots(unit_ids=unit_ids, until=as_of)
    declared = declaration(uow, instansi_id=instansi_id, year=year) is not None
    standings = read_standings(
        uow, instansi_id=instansi_id, unit_ids=unit_ids, year=year, steps=steps
    )
    return {
        unit_id: _facts(
            unit,
            as_of=as_of,
            declared=declared,
            steps=steps[unit_id],
            latest=latest.get(unit_id),
            standings=standings,
            sk_number=sk_number,
            predicate_sought=predicate_sought,
        )
        for unit_id, unit in zip(unit_ids, units, strict=True)
    }


def _facts(
    unit: UnitKerja,
    *,
    as_of: date,
    declared: bool,
    steps: Sequence[UnitStep],
    latest: SnapshotSummary | None,
    standings: Standings,
    sk_number: str | None,
    predicate_sought: str | None,
) -> UnitFacts:
    revoked = [e.occurred_at.date() for e in steps if e.to_state == UnitState.REVOKED]
    meets = frozenset(
        name
        for name, met in (
            ("WBK", latest and latest.meets_wbk),
            ("WBBM", latest and latest.meets_wbbm),
        )
        if met
    )
    tabel_5 = checks(standings, unit=unit, as_of=as_of)
    return UnitFacts(
        as_of=as_of,
        instansi_declared=declared,
        meets_criteria=unit.core_service and unit.high_corruption_risk and unit.wide_public_impact,
        sk_number=sk_number,
        tpi_meets=meets,
        prerequisites_met=frozenset(p for p, check in tabel_5.items() if check.met),
        unmet_prerequisites=tuple(
            (p, unmet.message) for p, check in tabel_5.items() for unmet in check.unmet
        ),
        predicate_held=unit.predicate.value if unit.predicate else None,
        revoked_on=revoked[-1] if revoked else None,
        predicate_sought=predicate_sought,
    )


def _id(unit: UnitKerja) -> int:
    assert unit.id is not None
    return unit.id


def move(
    uow: UnitOfWork,
    *,
    unit: UnitKerja,
    action: Action,
    facts: UnitFacts,
    year: int,
    actor: str,
    predicate: str | None = None,
    note: str | None = None,
) -> Transition:
    """Applies one lifecycle action to the unit (not committed): the rule, then the record."""
    transition, event = _transition(unit, action, facts, year, actor, predicate, note)
    uow.units.move_unit(event=event)
    _apply(unit, transition, facts)
    return transition


def move_many(
    uow: UnitOfWork,
    *,
    units: Sequence[UnitKerja],
    action: Action,
    facts: Mapping[int, UnitFacts],
    year: int,
    actor: str,
) -> list[Transition]:
    """`move` of each unit (facts by unit id) with one write for all; not committed.

    Every rule is applied before anything is written: one refusal (IllegalTransition) writes
    nothing.
    """
    chosen = [(unit, facts[_id(unit)]) for unit in units]
    moves = [
        (unit, known, *_transition(unit, action, known, year, actor, None, None))
        for unit, known in chosen
    ]
    uow.units.move_units(events=[event for *_, event in moves])
    for unit, known, transition, _ in moves:
        _apply(unit, transition, known)
    return [transition for _, _, transition, _ in moves]


def _transition(
    unit: UnitKerja,
    action: Action,
    facts: UnitFacts,
    year: int,
    actor: str,
    predicate: str | None,
    note: str | None,
) -> tuple[Transition, LifecycleEventCreate]:
    """The rule's answer for the unit, and the event that records it."""
    transition = next_transition(UnitState(unit.state), action, facts, predicate=predicate)
    event = LifecycleEventCreate(
        instansi_id=unit.instansi_id,
        unit_id=_id(unit),
        year=year,
        kind=str(action),
        from_state=transition.from_state,
        to_state=transition.to_state,
        sk_number=facts.sk_number if action == Action.DESIGNATE else None,
        criteria=_criteria(unit) if action == Action.DESIGNATE else {},
        actor=actor,
        occurred_at=at_noon(facts.as_of),
        note=note,
    )
    return transition, event


def _apply(unit: UnitKerja, transition: Transition, facts: UnitFacts) -> None:
    """The loaded row follows the move (its predicate is written with the next flush)."""
    if transition.predicate_held_after != facts.predicate_held:
        held = transition.predicate_held_after
        unit.predicate = Predicate(held) if held else None
    unit.state = transition.to_state


def _criteria(unit: UnitKerja) -> dict[str, object]:
    return {
        "core_service": unit.core_service,
        "high_corruption_risk": unit.high_corruption_risk,
        "wide_public_impact": unit.wide_public_impact,
    }


def designate(
    uow: UnitOfWork,
    *,
    instansi_id: int,
    year: int,
    candidates: Sequence[str],
    sk_number: str,
    as_of: date,
    actor: str,
) -> StageOutcome:
    """Designates the candidate units (by code) that pass, under one SK; refuses the rest.

    One SK designates its units together: the passing ones are committed as one.
    """
    outcome = StageOutcome()
    for code in candidates:
        unit = uow.units.get_unit_by_code(instansi_id=instansi_id, code=code)
        if unit is None:
            outcome.refused[code] = f"unit kerja dengan kode '{code}' tidak ada"
            continue
        facts = unit_facts(uow, unit=unit, year=year, as_of=as_of, sk_number=sk_number)
        _try(
            outcome,
            code,
            lambda u=unit, f=facts: move(
                uow, unit=u, action=Action.DESIGNATE, facts=f, year=year, actor=actor
            ),
        )
    uow.commit()
    return outcome


def develop(
    uow: UnitOfWork,
    *,
    instansi_id: int,
    year: int,
    framework: Framework,
    as_of: date,
    actor: str,
) -> StageOutcome:
    """Starts development of every designated unit: its work plan of one item per LKE
    indicator plus the self-surveys, owners taken in turn from the unit team."""
    due = {
        d.kind: d.due_on
        for d in uow.deadlines.deadlines(instansi_id=instansi_id)
        if d.due_on.year == year
    }
    outcome = StageOutcome()
    for unit in uow.units.list_units(instansi_id=instansi_id, state=UnitState.DESIGNATED):
        assert unit.id is not None
        facts = unit_facts(uow, unit=unit, year=year, as_of=as_of)
        if _try(
            outcome,
            unit.code,
            lambda u=unit, f=facts: move(
                uow, unit=u, action=Action.START_DEVELOPMENT, facts=f, year=year, actor=actor
            ),
        ):
            uow.work_plans.add_items(
                items=work_plan(
                    uow, unit=unit, year=year, framework=framework, due=due, as_of=as_of
                )
            )
    if outcome.moved:
        outcome.period = _year_period(uow, instansi_id=instansi_id, year=year, due=due, as_of=as_of)
    uow.commit()
    return outcome


def _year_period(
    uow: UnitOfWork, *, instansi_id: int, year: int, due: dict[str, date], as_of: date
) -> str | None:
    """The year's assessment period, opened from the start of development to the proposal
    deadline of the calendar, unless the instansi has one for the year already."""
    if any(p.year == year for p in uow.assessments.periods(instansi_id=instansi_id)):
        return None
    opened = open_period(
        uow,
        instansi_id=instansi_id,
        year=year,
        name=f"Penilaian TPI {year}",
        starts_on=as_of,
        ends_on=max(due.get("proposal", date(year, 12, 31)), as_of),
    )
    return opened.period.name


def work_plan(
    uow: UnitOfWork,
    *,
    unit: UnitKerja,
    year: int,
    framework: Framework,
    due: dict[str, date],
    as_of: date,
) -> list[WorkItemCreate]:
    assert unit.id is not None
    owners = [m.id for m in uow.units.team(instansi_id=unit.instansi_id, unit_id=unit.id)]
    indicator_due = due.get("internal_evaluation", as_of)
    survey_due = due.get("self_survey", indicator_due)
    tasks = [(i.code, f"{i.code} {i.name}", indicator_due) for i in framework.indicators]
    tasks += [(code, title, survey_due) for code, title in SURVEY_ITEMS]
    return [
        WorkItemCreate(
            unit_id=unit.id,
            year=year,
            code=code,
            title=title,
            due_on=due_on,
            owner_member_id=owners[n % len(owners)] if owners else None,
        )
        for n, (code, title, due_on) in enumerate(tasks)
    ]


def _try(outcome: StageOutcome, code: str, step: object) -> bool:
    """Runs one unit's step, noting it as moved or refused; a refusal changes nothing."""
    assert callable(step)
    try:
        step()
    except IllegalTransition as refusal:
        outcome.refused[code] = str(refusal)
        return False
    outcome.moved.append(code)
    return True
