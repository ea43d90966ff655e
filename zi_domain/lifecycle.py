"""A unit's Zona Integritas lifecycle as a table-driven state machine.

Every legal move is one row of `_TRANSITIONS`: (state, action) → target and guards. A pair that
is not in the table is illegal, so a new stage is a new row, not a new branch. Guards read only
`UnitFacts`, which the service layer gathers; they never look anything up themselves, so the
same facts always give the same answer. A refusal lists every failing guard at once, in
Indonesian, so a user can fix everything in one go.

Regulation: PermenPANRB 90/2021 (Lampiran I Bab II; Lampiran II Bab II to IV) as amended by
5/2024. WBBM only after WBK; a revoked unit "tidak dapat diajukan lagi ... selang 2 tahun setelah
penetapan pencabutan diterbitkan" (Lampiran II Bab III C, p.63-64), though it may go on building;
a proposal already with TPN is dropped ("digugurkan") after a KKN offence in the proposal year
(Lampiran II Bab IV, p.65); proposals are due by 31 May or the date TPN announces (5/2024 Bab II A,
p.6); an instansi may award WBK itself ("WBK mandiri"), equal to TPN's WBK on the way to WBBM
(5/2024 Bab II B, p.7). Designation criteria are weighed, not a gate ("antara lain", Lampiran I
Bab II), and one declaration stands until it is withdrawn: the regulation sets no yearly one.
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
from zi_domain.predicates import PREDICATES, WBBM, WBK, next_predicate

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
    ANNUL = "annul"
    AWARD_MANDIRI = "award_mandiri"


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

# How a refusal names the action: "Unit tidak dapat <verb> dari tahap “<label>”: ...". A refusal
# is read by people (the CLI, the monitoring report, a pending proposal): it names the stage by
# its label, never by its state value, and the action by its verb, never by its command name.
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
        Action.ANNUL: "digugurkan usulannya",
        Action.AWARD_MANDIRI: "diberi predikat WBK mandiri",
    }
)


def stage_words(state: UnitState) -> str:
    """A stage as a sentence names it: its label in quotes (“TPN: evaluasi administrasi”), so
    that a label with a colon does not run into the reasons after it."""
    return f"“{STATE_LABELS[state]}”"


AWARDED_STATES: Mapping[str, UnitState] = MappingProxyType(
    {WBK: UnitState.AWARDED_WBK, WBBM: UnitState.AWARDED_WBBM}
)


@dataclass(frozen=True)
class UnitFacts:
    """What the guards read, gathered by the service layer; the defaults are a unit of which
    nothing is known (undeclared, no TPI score, no Tabel 5 data)."""

    as_of: date
    instansi_declared: bool = False  # a declaration of the instansi's head stands (not withdrawn)
    unit_declared: bool = False  # a declaration of the unit's own head stands
    # the designation criteria the unit lacks (core business, corruption risk, public impact),
    # and whether the instansi's policy refuses a unit that lacks any (the regulation does not)
    criteria_missing: tuple[str, ...] = ()
    criteria_required: bool = False
    sk_number: str | None = None  # the decree the action records (designation, award, revocation)
    # predicates whose floors the latest TPI evaluation of the proposal year meets
    tpi_meets: frozenset[str] = frozenset()
    prerequisites_met: frozenset[str] = frozenset()  # predicates whose Tabel 5 rules hold
    predicate_held: str | None = None
    revoked_on: date | None = None
    predicate_sought: str | None = None  # the predicate of the open proposal
    # (predicate, message) for each Tabel 5 rule that fails, so a refusal can list them
    unmet_prerequisites: tuple[tuple[str, str], ...] = ()
    rejected_this_year: bool = False  # TPN rejected (or dropped) its proposal of as_of's year
    proposal_deadline: date | None = None  # 31 May or the date TPN announced, when known

    def __post_init__(self) -> None:
        named = {self.predicate_held, self.predicate_sought, *self.tpi_meets}
        given = {p for p in named | self.prerequisites_met if p is not None}
        unknown = sorted(p for p in given if p not in PREDICATES)
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
            f"Unit tidak dapat {ACTION_VERBS[action]} dari tahap {stage_words(state)}: "
            f"{'; '.join(reasons)}"
        )

    def __reduce__(
        self,
    ) -> tuple[type[IllegalTransition], tuple[UnitState, Action, tuple[str, ...]]]:
        """Pickles with its parts (a worker process may hand it to another)."""
        return (IllegalTransition, (self.state, self.action, self.reasons))


# The designation criteria (Lampiran I Bab II: "antara lain"), as a refusal or a note names them.
DESIGNATION_CRITERIA: Mapping[str, str] = MappingProxyType(
    {
        "core_service": "penyelenggara fungsi pelayanan / tugas pokok",
        "high_corruption_risk": "risiko korupsi tinggi",
        "wide_public_impact": "dampak luas bagi masyarakat",
    }
)


def missing_criteria(met: Mapping[str, bool]) -> tuple[str, ...]:
    """The criteria (in words) that a unit lacks; weighed at designation, not required."""
    return tuple(words for key, words in DESIGNATION_CRITERIA.items() if not met.get(key))


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


def _declared(facts: UnitFacts, _predicate: str | None) -> str | None:
    if facts.instansi_declared or facts.unit_declared:
        return None
    return "belum ada pencanangan ZI oleh pimpinan instansi atau oleh kepala unit"


def _criteria_policy(facts: UnitFacts, _predicate: str | None) -> str | None:
    if not (facts.criteria_required and facts.criteria_missing):
        return None
    return (
        "kebijakan instansi mensyaratkan semua kriteria penetapan; belum terpenuhi: "
        + ", ".join(facts.criteria_missing)
    )


def _decree_given(facts: UnitFacts, _predicate: str | None) -> str | None:
    if facts.sk_number is not None and facts.sk_number.strip():
        return None
    return "nomor surat keputusan belum diisi"


def _holds_predicate(facts: UnitFacts, _predicate: str | None) -> str | None:
    return None if facts.predicate_held is not None else "unit tidak sedang berpredikat"


def _wbk_only(_facts: UnitFacts, predicate: str | None) -> str | None:
    return None if predicate == WBK else "evaluasi mandiri hanya untuk predikat WBK"


def _not_rejected_this_year(facts: UnitFacts, _predicate: str | None) -> str | None:
    if not facts.rejected_this_year:
        return None
    return (
        f"usulan tahun {facts.as_of.year} telah ditolak atau digugurkan TPN; "
        f"dapat diusulkan lagi pada tahun {facts.as_of.year + 1}"
    )


def _before_deadline(facts: UnitFacts, _predicate: str | None) -> str | None:
    deadline = facts.proposal_deadline
    if deadline is None or facts.as_of <= deadline:
        return None
    return (
        f"batas waktu pengusulan {tanggal(deadline)} telah lewat (bila TPN mengumumkan "
        "tanggal lain, catat dengan zi calendar deadline)"
    )


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

# A unit building ZI: what weekly monitoring scores, and where a WBK unit builds toward WBBM.
_BUILDING = (UnitState.DEVELOPING, UnitState.UNDER_TPI_EVALUATION)

_TRANSITIONS: Mapping[tuple[UnitState, Action], _Rule] = MappingProxyType(
    {
        (UnitState.DECLARED, Action.DESIGNATE): _Rule(
            UnitState.DESIGNATED, (_declared, _criteria_policy)
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
                _not_rejected_this_year,
                _before_deadline,
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
        **{
            (stage, Action.ANNUL): _Rule(UnitState.REJECTED, predicate="carried")
            for stage in _TPN_STAGES
        },
        (UnitState.TPN_PANEL, Action.AWARD): _Rule(
            None, (_proposal_open, _decree_given), predicate="required", held_after="predicate"
        ),
        **{
            (state, Action.AWARD_MANDIRI): _Rule(
                UnitState.AWARDED_WBK,
                (_wbk_only, _not_already_held, _tpi_meets, _revocation_wait_over, _decree_given),
                predicate="required",
                held_after="predicate",
            )
            for state in _BUILDING
        },
        # An award ends in building on (toward WBBM after WBK); a rejection or a revocation
        # too: the unit may be proposed again in a later year, or two years after revocation.
        (UnitState.AWARDED_WBK, Action.RESUME_DEVELOPMENT): _Rule(UnitState.DEVELOPING),
        (UnitState.REJECTED, Action.RESUME_DEVELOPMENT): _Rule(UnitState.DEVELOPING),
        (UnitState.REVOKED, Action.RESUME_DEVELOPMENT): _Rule(
            UnitState.DEVELOPING, (_revocation_recorded,)
        ),
        **{
            (state, Action.REVOKE): _Rule(
                UnitState.REVOKED, (_holds_predicate, _decree_given), held_after="cleared"
            )
            for state in (UnitState.AWARDED_WBK, UnitState.AWARDED_WBBM, *_BUILDING)
        },
    }
)


def allowed_actions(state: UnitState) -> frozenset[Action]:
    """The actions that the table allows from `state` (guards aside)."""
    return frozenset(action for (s, action) in _TRANSITIONS if s == state)


def weighs_facts(state: UnitState, action: Action) -> bool:
    """Whether the rule of `action` from `state` weighs any of a unit's facts (a guard, or a
    predicate to choose). A move that weighs none, as the start of TPI evaluation, is made the
    same whatever the unit's history, which then need not be read."""
    rule = _TRANSITIONS.get((state, action))
    return rule is None or bool(rule.guards) or rule.predicate != "none"


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
    where = ", ".join(stage_words(s) for s in states)
    return f"tindakan ini hanya berlaku pada tahap {where}"


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
