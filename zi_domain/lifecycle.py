"""A unit's Zona Integritas lifecycle as a table-driven state machine.

Every legal move is one row of `_TRANSITIONS`: (state, action) → target and guards. A pair that
is not in the table is illegal, so a new stage is a new row, not a new branch. Guards read only
`UnitFacts`, which the service layer gathers; they never look anything up themselves, so the
same facts always give the same answer. A refusal lists every failing guard at once, in
Indonesian, so a user can fix everything in one go.

Regulation: PermenPANRB 90/2021 (Lampiran I Bab II; Lampiran II Bab II to IV) as amended by
5/2024. WBBM only after WBK; a revoked unit "tidak dapat diajukan lagi ... selang 2 tahun setelah
penetapan pencabutan diterbitkan" (Lampiran II Bab IV C).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from itertools import pairwise
from types import MappingProxyType
from typing import Literal

from zi_domain.indonesian import tanggal

WBK = "WBK"
WBBM = "WBBM"
PREDICATES = (WBK, WBBM)
REVOCATION_WAIT_YEARS = 2


class UnitState(StrEnum):
    DECLARED = "declared"
    DESIGNATED = "designated"
    DEVELOPING = "developing"
    UNDER_TPI_EVALUATION = "under_tpi_evaluation"
    PROPOSED = "proposed"
    TPN_ADMINISTRATIVE = "tpn_administrative"
    TPN_DESK = "tpn_desk"
    TPN_FIELD = "tpn_field"
    TPN_PANEL = "tpn_panel"
    AWARDED_WBK = "awarded_wbk"
    AWARDED_WBBM = "awarded_wbbm"
    REJECTED = "rejected"
    REVOKED = "revoked"


class Action(StrEnum):
    DESIGNATE = "designate"
    START_DEVELOPMENT = "start_development"
    START_TPI_EVALUATION = "start_tpi_evaluation"
    PROPOSE = "propose"
    TPN_ADVANCE = "tpn_advance"
    AWARD = "award"
    REJECT = "reject"
    REVOKE = "revoke"
    RESUME_DEVELOPMENT = "resume_development"


STATE_LABELS: Mapping[UnitState, str] = MappingProxyType(
    {
        UnitState.DECLARED: "Pencanangan",
        UnitState.DESIGNATED: "Penetapan",
        UnitState.DEVELOPING: "Pembangunan",
        UnitState.UNDER_TPI_EVALUATION: "Evaluasi TPI",
        UnitState.PROPOSED: "Diusulkan ke TPN",
        UnitState.TPN_ADMINISTRATIVE: "TPN: evaluasi administrasi",
        UnitState.TPN_DESK: "TPN: desk evaluasi",
        UnitState.TPN_FIELD: "TPN: evaluasi lapangan",
        UnitState.TPN_PANEL: "TPN: clearance dan panel",
        UnitState.AWARDED_WBK: "Berpredikat WBK",
        UnitState.AWARDED_WBBM: "Berpredikat WBBM",
        UnitState.REJECTED: "Ditolak",
        UnitState.REVOKED: "Dicabut",
    }
)

# How a refusal names the action: "Unit tidak dapat <verb> (<action>) dari tahap ...".
ACTION_VERBS: Mapping[Action, str] = MappingProxyType(
    {
        Action.DESIGNATE: "ditetapkan",
        Action.START_DEVELOPMENT: "memulai pembangunan",
        Action.START_TPI_EVALUATION: "dievaluasi TPI",
        Action.PROPOSE: "diusulkan",
        Action.TPN_ADVANCE: "dilanjutkan ke tahap TPN berikutnya",
        Action.AWARD: "diberi predikat",
        Action.REJECT: "ditolak",
        Action.REVOKE: "dicabut predikatnya",
        Action.RESUME_DEVELOPMENT: "kembali ke pembangunan",
    }
)

AWARDED_STATES: Mapping[str, UnitState] = MappingProxyType(
    {WBK: UnitState.AWARDED_WBK, WBBM: UnitState.AWARDED_WBBM}
)


@dataclass(frozen=True)
class UnitFacts:
    """What the guards read, gathered by the service layer; the defaults fail every guard."""

    as_of: date
    instansi_declared: bool = False  # the instansi's head has declared ZI for the year
    meets_criteria: bool = False  # core business, high corruption risk, wide public impact
    sk_number: str | None = None  # the designation decree
    tpi_meets: frozenset[str] = frozenset()  # predicates whose floors the latest TPI score meets
    prerequisites_met: frozenset[str] = frozenset()  # predicates whose Tabel 5 rules hold
    predicate_held: str | None = None
    revoked_on: date | None = None
    predicate_sought: str | None = None  # the predicate of the open proposal
    # (predicate, message) for each Tabel 5 rule that fails, so a refusal can list them
    unmet_prerequisites: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        named = {self.predicate_held, self.predicate_sought, *self.tpi_meets}
        unknown = sorted(p for p in named | self.prerequisites_met if p not in (None, *PREDICATES))
        if unknown:
            raise ValueError(f"predikat tidak dikenal: {', '.join(unknown)} (WBK atau WBBM)")


@dataclass(frozen=True)
class Transition:
    from_state: UnitState
    to_state: UnitState
    action: Action
    predicate: str | None  # proposed, awarded, or of the open proposal a TPN move acts on
    predicate_held_after: str | None


class IllegalTransition(ValueError):
    """A refused action; the message (Indonesian) names the state, the action and every reason."""

    def __init__(self, state: UnitState, action: Action, reasons: tuple[str, ...]) -> None:
        self.state = state
        self.action = action
        self.reasons = reasons
        super().__init__(
            f"Unit tidak dapat {ACTION_VERBS[action]} ({action.value}) dari tahap "
            f"'{state.value}' ({STATE_LABELS[state]}): {'; '.join(reasons)}"
        )

    def __reduce__(
        self,
    ) -> tuple[type[IllegalTransition], tuple[UnitState, Action, tuple[str, ...]]]:
        """Pickles with its parts (a worker process may hand it to another)."""
        return (IllegalTransition, (self.state, self.action, self.reasons))


def years_after(day: date, years: int) -> date:
    """The same calendar day `years` later; 29 February falls on 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def proposable_again_on(revoked_on: date) -> date:
    """The first day a revoked unit may be proposed again (and resume building)."""
    return years_after(revoked_on, REVOCATION_WAIT_YEARS)


# A guard returns the reason it refuses, or None. The predicate is that of propose/award,
# already checked to be WBK or WBBM; None for the other actions.
Guard = Callable[[UnitFacts, str | None], str | None]


def _instansi_declared(facts: UnitFacts, _predicate: str | None) -> str | None:
    if facts.instansi_declared:
        return None
    return f"pimpinan instansi belum mencanangkan ZI tahun {facts.as_of.year}"


def _meets_criteria(facts: UnitFacts, _predicate: str | None) -> str | None:
    if facts.meets_criteria:
        return None
    return (
        "unit belum memenuhi kriteria penetapan (layanan inti, risiko korupsi tinggi "
        "dan dampak luas bagi masyarakat)"
    )


def _sk_number(facts: UnitFacts, _predicate: str | None) -> str | None:
    if facts.sk_number is not None and facts.sk_number.strip():
        return None
    return "nomor SK penetapan belum diisi"


def _tpi_meets(facts: UnitFacts, predicate: str | None) -> str | None:
    if predicate in facts.tpi_meets:
        return None
    return f"belum ada evaluasi TPI yang memenuhi batas nilai {predicate}"


def _wbbm_after_wbk(facts: UnitFacts, predicate: str | None) -> str | None:
    if predicate == WBBM and facts.predicate_held is None:
        return "WBBM hanya untuk unit yang telah berpredikat WBK"
    return None


def _not_already_held(facts: UnitFacts, predicate: str | None) -> str | None:
    held = facts.predicate_held
    if held == WBBM or (held == WBK and predicate == WBK):
        return f"unit telah berpredikat {held}"
    return None


def _prerequisites_met(facts: UnitFacts, predicate: str | None) -> str | None:
    if predicate in facts.prerequisites_met:
        return None
    listed = [message for p, message in facts.unmet_prerequisites if p == predicate]
    return f"prasyarat pengusulan {predicate} (Tabel 5) belum terpenuhi" + (
        f": {'; '.join(listed)}" if listed else ""
    )


def _revocation_wait_over(facts: UnitFacts, _predicate: str | None) -> str | None:
    if facts.revoked_on is None:
        return None
    again = proposable_again_on(facts.revoked_on)
    if facts.as_of >= again:
        return None
    return (
        f"predikat dicabut pada {tanggal(facts.revoked_on)}; "
        f"dapat diusulkan lagi mulai {tanggal(again)}"
    )


def _revocation_recorded(facts: UnitFacts, _predicate: str | None) -> str | None:
    return None if facts.revoked_on is not None else "tanggal pencabutan predikat belum dicatat"


def _proposal_open(facts: UnitFacts, _predicate: str | None) -> str | None:
    return None if facts.predicate_sought is not None else "tidak ada usulan yang sedang dinilai"


HeldAfter = Literal["unchanged", "predicate", "cleared"]
# required: propose and award act on a predicate; carried: a TPN stage move of the open
# proposal, whose predicate it reports when known; none: the action has no predicate.
PredicateUse = Literal["required", "carried", "none"]


@dataclass(frozen=True)
class _Rule:
    """One legal move; `to_state` None means the predicate decides it (award)."""

    to_state: UnitState | None
    guards: tuple[Guard, ...] = ()
    predicate: PredicateUse = "none"
    held_after: HeldAfter = "unchanged"


_TPN_STAGES = (
    UnitState.PROPOSED,
    UnitState.TPN_ADMINISTRATIVE,
    UnitState.TPN_DESK,
    UnitState.TPN_FIELD,
    UnitState.TPN_PANEL,
)

_TRANSITIONS: Mapping[tuple[UnitState, Action], _Rule] = MappingProxyType(
    {
        (UnitState.DECLARED, Action.DESIGNATE): _Rule(
            UnitState.DESIGNATED, (_instansi_declared, _meets_criteria, _sk_number)
        ),
        (UnitState.DESIGNATED, Action.START_DEVELOPMENT): _Rule(UnitState.DEVELOPING),
        (UnitState.DEVELOPING, Action.START_TPI_EVALUATION): _Rule(UnitState.UNDER_TPI_EVALUATION),
        (UnitState.UNDER_TPI_EVALUATION, Action.RESUME_DEVELOPMENT): _Rule(UnitState.DEVELOPING),
        (UnitState.UNDER_TPI_EVALUATION, Action.PROPOSE): _Rule(
            UnitState.PROPOSED,
            (
                _tpi_meets,
                _wbbm_after_wbk,
                _not_already_held,
                _prerequisites_met,
                _revocation_wait_over,
            ),
            predicate="required",
        ),
        **{
            (stage, Action.TPN_ADVANCE): _Rule(following, predicate="carried")
            for stage, following in pairwise(_TPN_STAGES)
        },
        **{
            (stage, Action.REJECT): _Rule(UnitState.REJECTED, predicate="carried")
            for stage in _TPN_STAGES
        },
        (UnitState.TPN_PANEL, Action.AWARD): _Rule(
            None, (_proposal_open,), predicate="required", held_after="predicate"
        ),
        (UnitState.AWARDED_WBK, Action.RESUME_DEVELOPMENT): _Rule(UnitState.DEVELOPING),
        (UnitState.AWARDED_WBK, Action.REVOKE): _Rule(UnitState.REVOKED, held_after="cleared"),
        (UnitState.AWARDED_WBBM, Action.REVOKE): _Rule(UnitState.REVOKED, held_after="cleared"),
        (UnitState.REJECTED, Action.RESUME_DEVELOPMENT): _Rule(UnitState.DEVELOPING),
        (UnitState.REVOKED, Action.RESUME_DEVELOPMENT): _Rule(
            UnitState.DEVELOPING, (_revocation_recorded, _revocation_wait_over)
        ),
    }
)


def allowed_actions(state: UnitState) -> frozenset[Action]:
    """The actions that the table allows from `state` (guards aside)."""
    return frozenset(action for (s, action) in _TRANSITIONS if s == state)


def next_transition(
    state: UnitState, action: Action, facts: UnitFacts, *, predicate: str | None = None
) -> Transition:
    """The move `action` makes from `state`, or IllegalTransition with every reason it cannot.

    The predicate is `predicate`, or the open proposal's (`facts.predicate_sought`) when
    omitted; when both are given they must agree. Propose and award need one; a TPN stage move
    (tpn_advance, reject) reports it when known; the other actions take none.
    """
    rule = _TRANSITIONS.get((state, action))
    if rule is None:
        raise IllegalTransition(state, action, (_where_allowed(action),))
    chosen, problem = _choose_predicate(rule, facts, predicate)
    reasons = (
        (problem,)
        if problem is not None
        else tuple(r for guard in rule.guards if (r := guard(facts, chosen)) is not None)
    )
    if reasons:
        raise IllegalTransition(state, action, reasons)
    if rule.to_state is not None:
        to_state = rule.to_state
    else:
        assert chosen is not None  # award takes a predicate, checked above
        to_state = AWARDED_STATES[chosen]
    held_after = {
        "unchanged": facts.predicate_held,
        "predicate": chosen,
        "cleared": None,
    }[rule.held_after]
    return Transition(
        from_state=state,
        to_state=to_state,
        action=action,
        predicate=chosen,
        predicate_held_after=held_after,
    )


def _choose_predicate(
    rule: _Rule, facts: UnitFacts, given: str | None
) -> tuple[str | None, str | None]:
    """(the action's predicate, the reason it cannot be used or None)."""
    if rule.predicate == "none":
        problem = None if given is None else f"tindakan ini tidak memakai predikat ({given})"
        return None, problem
    sought = facts.predicate_sought
    chosen = given if given is not None else sought
    if chosen is None:
        missing = "predikat (WBK atau WBBM) belum disebut"
        return None, missing if rule.predicate == "required" else None
    if chosen not in PREDICATES:
        return None, f"predikat '{chosen}' tidak dikenal (WBK atau WBBM)"
    if sought is not None and chosen != sought:
        return None, f"predikat {chosen} tidak sesuai dengan usulan yang terbuka ({sought})"
    return chosen, None


def _where_allowed(action: Action) -> str:
    states = [s for s in UnitState if (s, action) in _TRANSITIONS]
    where = ", ".join(f"'{s.value}' ({STATE_LABELS[s]})" for s in states)
    return f"tindakan ini hanya berlaku pada tahap {where}"


def next_predicate(held: str | None) -> str:
    """The predicate a unit builds toward: WBK first; WBBM only for a unit that holds WBK."""
    return WBBM if held == WBK else WBK


# What a unit waits for in each state: the action that moves it on, as `zi status` shows it.
NEXT_ACTION: Mapping[UnitState, Action] = MappingProxyType(
    {
        UnitState.DECLARED: Action.DESIGNATE,
        UnitState.DESIGNATED: Action.START_DEVELOPMENT,
        UnitState.DEVELOPING: Action.START_TPI_EVALUATION,
        UnitState.UNDER_TPI_EVALUATION: Action.PROPOSE,
        **{stage: Action.TPN_ADVANCE for stage in _TPN_STAGES},
        UnitState.AWARDED_WBK: Action.RESUME_DEVELOPMENT,
        UnitState.REJECTED: Action.RESUME_DEVELOPMENT,
        UnitState.REVOKED: Action.RESUME_DEVELOPMENT,
    }
)


def next_step_blockers(state: UnitState, facts: UnitFacts) -> tuple[str, ...]:
    """Every reason the unit's next step (NEXT_ACTION) is refused today; empty when it may go."""
    action = NEXT_ACTION.get(state)
    if action is None:
        return ()
    predicate = next_predicate(facts.predicate_held) if action == Action.PROPOSE else None
    try:
        next_transition(state, action, facts, predicate=predicate)
    except IllegalTransition as refusal:
        return refusal.reasons
    return ()
