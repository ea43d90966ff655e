"""The lifecycle stages as use cases: declare, designate, develop, move a unit, record TPN results.

Every unit transition goes through `zi_domain.lifecycle.next_transition` (the rules) and
`move_unit` (a compare-and-set in the database, recorded with who and when); an illegal one is
refused with the domain's message and changes nothing. `units_facts` and `move_many` do the
same for thousands of units (a monitoring run) in a fixed number of statements.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time

from persistence.repositories import SnapshotSummary, UnitStep
from persistence.tables import (
    Deadline,
    DeadlineCreate,
    LifecycleEvent,
    LifecycleEventCreate,
    UnitKerja,
    WorkItemCreate,
)
from persistence.unit_of_work import UnitOfWork
from services.assessments import open_period
from services.standing import Standings, checks, read_standings
from zi_domain.calendar import MilestoneTemplate, milestones_for
from zi_domain.framework import Framework
from zi_domain.indonesian import tanggal
from zi_domain.lifecycle import (
    Action,
    IllegalTransition,
    Transition,
    UnitFacts,
    UnitState,
    missing_criteria,
    next_transition,
    weighs_facts,
)
from zi_domain.predicates import Predicate, predicates_met

DECLARATION = "declaration"
WITHDRAWAL = "declaration_withdrawn"
PROPOSAL_DEADLINE = "proposal"  # the calendar's milestone kind of the proposal deadline
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
    noted: dict[str, str] = field(default_factory=dict)  # moved, with something to know
    period: str | None = None  # the assessment period the stage opened, if it opened one


@dataclass(frozen=True)
class Decree:
    """A decree an action records: an award's (the Minister's, or the instansi's for WBK
    mandiri), a revocation's. Its date, not the day it is typed in, starts what it starts."""

    number: str
    dated: date
    valid_until: date | None = None


def at_noon(day: date) -> datetime:
    """Events of a replayed or scheduled day are stamped at its noon (UTC), for ordering."""
    return datetime.combine(day, time(12), tzinfo=UTC)


def declaration(
    uow: UnitOfWork, *, instansi_id: int, as_of: date, unit_id: int | None = None
) -> LifecycleEvent | None:
    """The declaration of the instansi's head (or of a unit's head) that stands on `as_of`:
    one declaration stands until it is withdrawn (the regulation sets no yearly one)."""
    events = (
        uow.units.instansi_events(instansi_id=instansi_id)
        if unit_id is None
        else uow.units.events(instansi_id=instansi_id, unit_id=unit_id)
    )
    latest = None
    for event in events:
        if event.kind in (DECLARATION, WITHDRAWAL) and event.occurred_at.date() <= as_of:
            latest = event
    return latest if latest is not None and latest.kind == DECLARATION else None


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
    """Records the head's declaration and Pakta Integritas, unless one stands, and the year's
    milestone calendar, unless the year has it: declaring again changes nothing and says so."""
    if uow.instansi.get_instansi(instansi_id=instansi_id) is None:
        raise InstansiNotFound(f"instansi {instansi_id} tidak ada")
    existing = declaration(uow, instansi_id=instansi_id, as_of=declared_on)
    event = existing or uow.units.record_event(
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
    milestones = year_calendar(uow, instansi_id=instansi_id, year=year, template=template)
    uow.commit()
    return Declaration(event=event, milestones=milestones, created=existing is None)


def year_calendar(
    uow: UnitOfWork, *, instansi_id: int, year: int, template: tuple[MilestoneTemplate, ...]
) -> int:
    """Stores the year's milestones unless the instansi has some in that year; how many."""
    if any(d.due_on.year == year and d.unit_id is None for d in _deadlines(uow, instansi_id)):
        return 0
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
    return len(milestones)


def _deadlines(uow: UnitOfWork, instansi_id: int) -> list[Deadline]:
    return uow.deadlines.deadlines(instansi_id=instansi_id)


def withdraw_declaration(
    uow: UnitOfWork, *, instansi_id: int, on: date, actor: str, reason: str
) -> LifecycleEvent | None:
    """Withdraws the instansi's standing declaration (None: none stands); designated units
    keep their state, but no unit is designated until the head declares again."""
    if declaration(uow, instansi_id=instansi_id, as_of=on) is None:
        return None
    event = uow.units.record_event(
        event=LifecycleEventCreate(
            instansi_id=instansi_id,
            year=on.year,
            kind=WITHDRAWAL,
            to_state=UnitState.DECLARED,
            actor=actor,
            occurred_at=at_noon(on),
            note=reason,
        )
    )
    uow.commit()
    return event


def declare_unit(
    uow: UnitOfWork, *, unit: UnitKerja, declared_on: date, actor: str, pakta_integritas: str
) -> Declaration:
    """A unit's head declares for the unit (Lampiran I Bab II: "pimpinan instansi pemerintah
    atau unit kerja"); the unit may then be designated without the instansi's declaration."""
    existing = declaration(uow, instansi_id=unit.instansi_id, as_of=declared_on, unit_id=_id(unit))
    event = existing or uow.units.record_event(
        event=LifecycleEventCreate(
            instansi_id=unit.instansi_id,
            unit_id=_id(unit),
            year=declared_on.year,
            kind=DECLARATION,
            to_state=unit.state,
            actor=actor,
            occurred_at=at_noon(declared_on),
            note=pakta_integritas,
        )
    )
    uow.commit()
    return Declaration(event=event, milestones=0, created=existing is None)


def unit_facts(
    uow: UnitOfWork,
    *,
    unit: UnitKerja,
    year: int,
    as_of: date,
    sk_number: str | None = None,
    predicate_sought: str | None = None,
    criteria_required: bool = False,
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
        criteria_required=criteria_required,
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
    criteria_required: bool = False,
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
    standings = read_standings(
        uow, instansi_id=instansi_id, unit_ids=unit_ids, year=year, steps=steps
    )
    shared = UnitFacts(
        as_of=as_of,
        instansi_declared=declaration(uow, instansi_id=instansi_id, as_of=as_of) is not None,
        criteria_required=criteria_required,
        sk_number=sk_number,
        predicate_sought=predicate_sought,
        proposal_deadline=proposal_deadline(uow, instansi_id=instansi_id, year=year),
    )
    return {
        unit_id: _facts(
            unit,
            shared,
            year=year,
            steps=steps[unit_id],
            latest=latest.get(unit_id),
            standings=standings,
        )
        for unit_id, unit in zip(unit_ids, units, strict=True)
    }


def facts_for_move(
    uow: UnitOfWork,
    *,
    units: Sequence[UnitKerja],
    state: UnitState,
    action: Action,
    year: int,
    as_of: date,
) -> dict[int, UnitFacts]:
    """The facts that `action` from `state` weighs, by unit id: `units_facts` when its rule
    weighs any, else only the day (20,000 units' histories, standings and snapshots were read
    for the first monitoring run's start of TPI evaluation, which weighs none)."""
    if weighs_facts(state, action):
        return units_facts(uow, units=units, year=year, as_of=as_of)
    day_only = UnitFacts(as_of=as_of)
    return dict.fromkeys(map(_id, units), day_only)


def proposal_deadline(uow: UnitOfWork, *, instansi_id: int, year: int) -> date | None:
    """The instansi's proposal deadline of `year` as stored (31 May, or TPN's announced date)."""
    return next(
        (
            d.due_on
            for d in _deadlines(uow, instansi_id)
            if d.kind == PROPOSAL_DEADLINE and d.due_on.year == year and d.unit_id is None
        ),
        None,
    )


def _facts(
    unit: UnitKerja,
    shared: UnitFacts,
    *,
    year: int,
    steps: Sequence[UnitStep],
    latest: SnapshotSummary | None,
    standings: Standings,
) -> UnitFacts:
    """The unit's own facts on top of those it shares with its instansi (`shared`)."""
    revoked = [e.effective_on for e in steps if e.to_state == UnitState.REVOKED]
    # Only the TPI evaluation of the proposal year counts (5/2024, Gambar 6).
    this_year = latest if latest is not None and latest.as_of.year == year else None
    tabel_5 = checks(standings, unit=unit, as_of=shared.as_of)
    own_declaration = [e.kind for e in steps if e.kind in (DECLARATION, WITHDRAWAL)]
    return replace(
        shared,
        unit_declared=bool(own_declaration) and own_declaration[-1] == DECLARATION,
        criteria_missing=missing_criteria(_criteria(unit)),
        tpi_meets=snapshot_meets(this_year),
        prerequisites_met=frozenset(p for p, check in tabel_5.items() if check.met),
        unmet_prerequisites=tuple(
            (p, unmet.message) for p, check in tabel_5.items() for unmet in check.unmet
        ),
        predicate_held=unit.predicate.value if unit.predicate else None,
        revoked_on=revoked[-1] if revoked else None,
        rejected_this_year=any(e.to_state == UnitState.REJECTED and e.year == year for e in steps),
    )


def snapshot_meets(snapshot: SnapshotSummary | None) -> frozenset[str]:
    """The predicates whose floors a stored TPI score meets."""
    if snapshot is None:
        return frozenset()
    met = predicates_met(wbk=snapshot.meets_wbk, wbbm=snapshot.meets_wbbm)
    return frozenset(name for name, meets in met.items() if meets)


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
    decree: Decree | None = None,
) -> Transition:
    """Applies one lifecycle action to the unit (not committed): the rule, then the record."""
    if decree is not None:
        if decree.dated > facts.as_of:
            raise ValueError(
                f"tanggal surat keputusan {tanggal(decree.dated)} jatuh setelah "
                f"{tanggal(facts.as_of)}"
            )
        facts = replace(facts, sk_number=decree.number)
    transition, event = _transition(unit, action, facts, year, actor, predicate, note)
    if decree is not None:  # the move takes effect on the decree's date
        event.decree_date, event.valid_until = decree.dated, decree.valid_until
        event.occurred_at = at_noon(decree.dated)
    uow.units.move_unit(event=event)
    _apply(unit, transition, facts)
    return transition


def build_on(
    uow: UnitOfWork, *, unit: UnitKerja, year: int, on: date, actor: str, note: str
) -> Transition:
    """After an award, a rejection or a revocation the unit goes on building (not committed):
    toward WBBM after WBK, or toward a later proposal. The move is dated `on` (the decree's
    date), from which Tabel 5's year of building toward WBBM counts."""
    facts = UnitFacts(as_of=on, revoked_on=on if unit.state == UnitState.REVOKED else None)
    return move(
        uow,
        unit=unit,
        action=Action.RESUME_DEVELOPMENT,
        facts=replace(facts, predicate_held=unit.predicate.value if unit.predicate else None),
        year=year,
        actor=actor,
        note=note,
    )


def move_many(
    uow: UnitOfWork,
    *,
    units: Sequence[UnitKerja],
    action: Action,
    facts: Mapping[int, UnitFacts],
    year: int,
    actor: str,
    predicate: str | None = None,
) -> list[Transition]:
    """`move` of each unit (facts by unit id); not committed. The units that move alike (the
    same instansi, state and facts, and for a designation the same criteria) get the rule's
    answer once and one write: a monitoring run's 20,000 units in TPI evaluation are one.

    Every rule is applied before anything is written: one refusal (IllegalTransition) writes
    nothing.
    """
    alike: dict[tuple[object, ...], list[UnitKerja]] = {}
    for unit in units:
        recorded = tuple(_recorded_criteria(unit, action).items())
        key = (unit.instansi_id, unit.state, facts[_id(unit)], recorded)
        alike.setdefault(key, []).append(unit)
    moves = []
    for group in alike.values():
        known = facts[_id(group[0])]
        moves.append(
            (group, known, *_transition(group[0], action, known, year, actor, predicate, None))
        )
    for group, _, _, event in moves:
        uow.units.move_units(
            unit_ids=[_id(unit) for unit in group], event=event.model_copy(update={"unit_id": None})
        )
    taken: dict[int, Transition] = {}
    for group, known, transition, _ in moves:
        for unit in group:
            _apply(unit, transition, known)
            taken[_id(unit)] = transition
    return [taken[_id(unit)] for unit in units]


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
        sk_number=facts.sk_number if action in _DECREED else None,
        criteria=_recorded_criteria(unit, action),
        actor=actor,
        occurred_at=at_noon(facts.as_of),
        note=note,
    )
    return transition, event


# The actions whose event records a decree (an SK) when one is given.
_DECREED = frozenset({Action.DESIGNATE, Action.AWARD, Action.AWARD_MANDIRI, Action.REVOKE})


def _apply(unit: UnitKerja, transition: Transition, facts: UnitFacts) -> None:
    """The loaded row follows the move (its predicate is written with the next flush). Its
    state is already the new one when the repository's UPDATE refreshed it: set again, each of
    20,000 rows would be flushed as changed."""
    if transition.predicate_held_after != facts.predicate_held:
        held = transition.predicate_held_after
        unit.predicate = Predicate(held) if held else None
    if unit.state != transition.to_state:
        unit.state = transition.to_state


def _recorded_criteria(unit: UnitKerja, action: Action) -> dict[str, bool]:
    """The criteria an action's event records: a designation's, the unit's; others, none."""
    return _criteria(unit) if action == Action.DESIGNATE else {}


def _criteria(unit: UnitKerja) -> dict[str, bool]:
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
    sk_number: str | None,
    as_of: date,
    actor: str,
    criteria_required: bool = False,
) -> StageOutcome:
    """Designates the candidate units (by code) that pass, under one SK when there is one (a
    convention, not a rule of the regulation); refuses the rest.

    The criteria are weighed, not a gate: a unit lacking some is designated with them noted,
    unless the instansi's policy (`criteria_required`) says otherwise. The passing units are
    committed as one.
    """
    outcome = StageOutcome()
    for code in candidates:
        unit = uow.units.get_unit_by_code(instansi_id=instansi_id, code=code)
        if unit is None:
            outcome.refused[code] = f"unit kerja dengan kode '{code}' tidak ada"
            continue
        facts = unit_facts(
            uow,
            unit=unit,
            year=year,
            as_of=as_of,
            sk_number=sk_number,
            criteria_required=criteria_required,
        )
        moved = _try(
            outcome,
            code,
            lambda u=unit, f=facts: move(
                uow, unit=u, action=Action.DESIGNATE, facts=f, year=year, actor=actor
            ),
        )
        if moved and facts.criteria_missing:
            outcome.noted[code] = "kriteria belum terpenuhi: " + ", ".join(facts.criteria_missing)
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
