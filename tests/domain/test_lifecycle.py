"""The unit lifecycle: every legal move, every refusal and its reasons, the 2-year wait.

Regulation places: PermenPANRB 90/2021 Lampiran I Bab II (declaration by the head of the instansi
or of a unit; designation criteria "antara lain"), Lampiran II Bab III C p.63-64 (revocation; two
years from the revocation decree before a new proposal), Lampiran II Bab IV p.65 (a proposal with
TPN dropped after a KKN offence), 5/2024 Bab II A p.6 (31 May or TPN's date) and B p.7 (WBK
mandiri).
"""

from __future__ import annotations

import pickle
from dataclasses import replace
from datetime import date
from itertools import product
from typing import Any

import pytest

from zi_domain.lifecycle import (
    STATE_LABELS,
    Action,
    IllegalTransition,
    Transition,
    UnitFacts,
    UnitState,
    allowed_actions,
    next_transition,
    proposable_again_on,
    weighs_facts,
)

S = UnitState
A = Action

# Written out here, not read from the module, so that a change to the table shows up as a diff.
LEGAL: dict[tuple[UnitState, Action], UnitState | None] = {
    (S.DECLARED, A.DESIGNATE): S.DESIGNATED,
    (S.DESIGNATED, A.START_DEVELOPMENT): S.DEVELOPING,
    (S.DEVELOPING, A.START_TPI_EVALUATION): S.UNDER_TPI_EVALUATION,
    (S.UNDER_TPI_EVALUATION, A.RESUME_DEVELOPMENT): S.DEVELOPING,
    (S.UNDER_TPI_EVALUATION, A.PROPOSE): S.PROPOSED,
    (S.PROPOSED, A.TPN_ADVANCE): S.TPN_ADMINISTRATIVE,
    (S.TPN_ADMINISTRATIVE, A.TPN_ADVANCE): S.TPN_DESK,
    (S.TPN_DESK, A.TPN_ADVANCE): S.TPN_FIELD,
    (S.TPN_FIELD, A.TPN_ADVANCE): S.TPN_PANEL,
    (S.PROPOSED, A.REJECT): S.REJECTED,
    (S.TPN_ADMINISTRATIVE, A.REJECT): S.REJECTED,
    (S.TPN_DESK, A.REJECT): S.REJECTED,
    (S.TPN_FIELD, A.REJECT): S.REJECTED,
    (S.TPN_PANEL, A.REJECT): S.REJECTED,
    (S.TPN_PANEL, A.AWARD): None,  # the predicate decides
    (S.AWARDED_WBK, A.RESUME_DEVELOPMENT): S.DEVELOPING,
    (S.AWARDED_WBK, A.REVOKE): S.REVOKED,
    (S.AWARDED_WBBM, A.REVOKE): S.REVOKED,
    (S.REJECTED, A.RESUME_DEVELOPMENT): S.DEVELOPING,
    (S.REVOKED, A.RESUME_DEVELOPMENT): S.DEVELOPING,
    # 90/2021 Lampiran II Bab IV: "usulan TPI yang telah disampaikan pada TPN akan digugurkan"
    (S.PROPOSED, A.ANNUL): S.REJECTED,
    (S.TPN_ADMINISTRATIVE, A.ANNUL): S.REJECTED,
    (S.TPN_DESK, A.ANNUL): S.REJECTED,
    (S.TPN_FIELD, A.ANNUL): S.REJECTED,
    (S.TPN_PANEL, A.ANNUL): S.REJECTED,
    # 5/2024 Bab II B: WBK awarded by the instansi itself, while the unit builds
    (S.DEVELOPING, A.AWARD_MANDIRI): S.AWARDED_WBK,
    (S.UNDER_TPI_EVALUATION, A.AWARD_MANDIRI): S.AWARDED_WBK,
    # revocation from any awarded or building state (a WBK unit building toward WBBM)
    (S.DEVELOPING, A.REVOKE): S.REVOKED,
    (S.UNDER_TPI_EVALUATION, A.REVOKE): S.REVOKED,
}
ILLEGAL = sorted(set(product(UnitState, Action)) - set(LEGAL))

TODAY = date(2026, 5, 20)
# Facts under which every guard of every legal move passes (WBK proposal, WBK award).
GOOD = UnitFacts(
    as_of=TODAY,
    instansi_declared=True,
    sk_number="SK-12/2025",
    tpi_meets=frozenset({"WBK"}),
    prerequisites_met=frozenset({"WBK"}),
    predicate_held=None,
    revoked_on=date(2023, 1, 10),
    predicate_sought="WBK",
    proposal_deadline=date(2026, 5, 31),
)


def good_for(action: Action) -> UnitFacts:
    """GOOD, holding WBK where the action needs a predicate held (a revocation)."""
    return replace(GOOD, predicate_held="WBK") if action == A.REVOKE else GOOD


def refusal(
    state: UnitState, action: Action, facts: UnitFacts, predicate: str | None = None
) -> IllegalTransition:
    with pytest.raises(IllegalTransition) as caught:
        next_transition(state, action, facts, predicate=predicate)
    return caught.value


def test_the_product_is_covered() -> None:
    assert len(LEGAL) == 29
    assert len(ILLEGAL) == len(UnitState) * len(Action) - 29 == 114


@pytest.mark.parametrize(("state", "action"), ILLEGAL, ids=lambda v: str(v))
def test_every_other_pair_is_illegal(state: UnitState, action: Action) -> None:
    error = refusal(state, action, GOOD)
    message = str(error)
    assert isinstance(error, ValueError)
    assert f"dari tahap “{STATE_LABELS[state]}”" in message
    assert state.value not in message and f"({action.value})" not in message  # words for people
    assert "tindakan ini hanya berlaku pada tahap" in message
    assert (error.state, error.action) == (state, action)


@pytest.mark.parametrize(("state", "action"), sorted(LEGAL), ids=lambda v: str(v))
def test_every_legal_pair_moves_under_good_facts(state: UnitState, action: Action) -> None:
    transition = next_transition(state, action, good_for(action))
    expected = LEGAL[(state, action)] or S.AWARDED_WBK
    assert (transition.from_state, transition.to_state, transition.action) == (
        state,
        expected,
        action,
    )


def test_allowed_actions_follow_the_table() -> None:
    for state in UnitState:
        assert allowed_actions(state) == {a for (s, a) in LEGAL if s == state}
    assert allowed_actions(S.AWARDED_WBBM) == {A.REVOKE}


def test_every_state_has_an_indonesian_label() -> None:
    assert set(STATE_LABELS) == set(UnitState)
    assert STATE_LABELS[S.DECLARED] == "Pencanangan"
    assert STATE_LABELS[S.AWARDED_WBBM] == "Berpredikat WBBM"


def test_values_are_the_snake_case_names() -> None:
    assert [s.value for s in UnitState] == [s.name.lower() for s in UnitState]
    assert [a.value for a in Action] == [a.name.lower() for a in Action]


# --- each guard failing alone --------------------------------------------------------------

REVOKED_LATELY = date(2025, 3, 3)

GUARDS = [
    pytest.param(
        S.DECLARED,
        A.DESIGNATE,
        None,
        {"instansi_declared": False},
        "belum ada pencanangan ZI oleh pimpinan instansi atau oleh kepala unit",
        id="designate-nobody-declared",
    ),
    pytest.param(
        S.DECLARED,
        A.DESIGNATE,
        None,
        {"criteria_missing": ("risiko korupsi tinggi",), "criteria_required": True},
        "kebijakan instansi mensyaratkan semua kriteria penetapan; belum terpenuhi: "
        "risiko korupsi tinggi",
        id="designate-criteria-by-policy",
    ),
    pytest.param(
        S.UNDER_TPI_EVALUATION,
        A.PROPOSE,
        "WBK",
        {"rejected_this_year": True},
        "usulan tahun 2026 telah ditolak atau digugurkan TPN; dapat diusulkan lagi pada tahun 2027",
        id="propose-rejected-this-year",
    ),
    pytest.param(
        S.UNDER_TPI_EVALUATION,
        A.PROPOSE,
        "WBK",
        {"as_of": date(2026, 6, 1)},
        "batas waktu pengusulan 31 Mei 2026 telah lewat (bila TPN mengumumkan tanggal lain, "
        "catat dengan zi calendar deadline)",
        id="propose-after-the-deadline",
    ),
    pytest.param(
        S.TPN_PANEL,
        A.AWARD,
        "WBK",
        {"sk_number": " "},
        "nomor surat keputusan belum diisi",
        id="award-without-decree",
    ),
    pytest.param(
        S.DEVELOPING,
        A.AWARD_MANDIRI,
        "WBBM",
        {"predicate_held": "WBK", "predicate_sought": None, "tpi_meets": frozenset({"WBBM"})},
        "evaluasi mandiri hanya untuk predikat WBK",
        id="mandiri-wbbm",
    ),
    pytest.param(
        S.DEVELOPING,
        A.AWARD_MANDIRI,
        "WBK",
        {"tpi_meets": frozenset()},
        "belum ada evaluasi TPI yang memenuhi batas nilai WBK",
        id="mandiri-without-tpi-evaluation",
    ),
    pytest.param(
        S.UNDER_TPI_EVALUATION,
        A.AWARD_MANDIRI,
        "WBK",
        {"predicate_held": "WBK"},
        "unit telah berpredikat WBK",
        id="mandiri-already-wbk",
    ),
    pytest.param(
        S.DEVELOPING,
        A.AWARD_MANDIRI,
        "WBK",
        {"revoked_on": REVOKED_LATELY},
        "predikat dicabut pada 3 Maret 2025; dapat diusulkan lagi mulai 3 Maret 2027",
        id="mandiri-revoked-lately",
    ),
    pytest.param(
        S.DEVELOPING,
        A.REVOKE,
        None,
        {"predicate_held": None},
        "unit tidak sedang berpredikat",
        id="revoke-without-predicate",
    ),
    pytest.param(
        S.AWARDED_WBBM,
        A.REVOKE,
        None,
        {"predicate_held": "WBBM", "sk_number": None},
        "nomor surat keputusan belum diisi",
        id="revoke-without-decree",
    ),
    pytest.param(
        S.UNDER_TPI_EVALUATION,
        A.PROPOSE,
        "WBK",
        {"tpi_meets": frozenset()},
        "belum ada evaluasi TPI yang memenuhi batas nilai WBK",
        id="propose-no-tpi-evaluation",
    ),
    pytest.param(
        S.UNDER_TPI_EVALUATION,
        A.PROPOSE,
        "WBBM",
        {
            "tpi_meets": frozenset({"WBK", "WBBM"}),
            "prerequisites_met": frozenset({"WBBM"}),
            "predicate_sought": None,
        },
        "WBBM hanya untuk unit yang telah berpredikat WBK",
        id="propose-wbbm-without-wbk",
    ),
    pytest.param(
        S.UNDER_TPI_EVALUATION,
        A.PROPOSE,
        "WBK",
        {"predicate_held": "WBK"},
        "unit telah berpredikat WBK",
        id="propose-wbk-already-wbk",
    ),
    pytest.param(
        S.UNDER_TPI_EVALUATION,
        A.PROPOSE,
        "WBK",
        {"predicate_held": "WBBM"},
        "unit telah berpredikat WBBM",
        id="propose-wbk-already-wbbm",
    ),
    pytest.param(
        S.UNDER_TPI_EVALUATION,
        A.PROPOSE,
        "WBK",
        {"prerequisites_met": frozenset({"WBBM"})},
        "prasyarat pengusulan WBK (Tabel 5) belum terpenuhi",
        id="propose-prerequisites",
    ),
    pytest.param(
        S.UNDER_TPI_EVALUATION,
        A.PROPOSE,
        "WBK",
        {"revoked_on": REVOKED_LATELY},
        "predikat dicabut pada 3 Maret 2025; dapat diusulkan lagi mulai 3 Maret 2027",
        id="propose-revoked-lately",
    ),
    pytest.param(
        S.UNDER_TPI_EVALUATION,
        A.PROPOSE,
        None,
        {"predicate_sought": None},
        "predikat (WBK atau WBBM) belum disebut",
        id="propose-no-predicate",
    ),
    pytest.param(
        S.UNDER_TPI_EVALUATION,
        A.PROPOSE,
        "WBKK",
        {},
        "predikat 'WBKK' tidak dikenal (WBK atau WBBM)",
        id="propose-unknown-predicate",
    ),
    pytest.param(
        S.UNDER_TPI_EVALUATION,
        A.PROPOSE,
        "WBBM",
        {"predicate_held": "WBK", "tpi_meets": frozenset({"WBBM"})},
        "predikat WBBM tidak sesuai dengan usulan yang terbuka (WBK)",
        id="propose-other-than-open-proposal",
    ),
    pytest.param(
        S.TPN_PANEL,
        A.AWARD,
        "WBBM",
        {},
        "predikat WBBM tidak sesuai dengan usulan yang terbuka (WBK)",
        id="award-other-than-sought",
    ),
    pytest.param(
        S.TPN_PANEL,
        A.AWARD,
        "WBK",
        {"predicate_sought": None},
        "tidak ada usulan yang sedang dinilai",
        id="award-no-open-proposal",
    ),
    pytest.param(
        S.TPN_DESK,
        A.TPN_ADVANCE,
        "WBBM",
        {},
        "predikat WBBM tidak sesuai dengan usulan yang terbuka (WBK)",
        id="tpn-advance-other-than-open-proposal",
    ),
    pytest.param(
        S.TPN_FIELD,
        A.REJECT,
        "WBKK",
        {"predicate_sought": None},
        "predikat 'WBKK' tidak dikenal (WBK atau WBBM)",
        id="reject-unknown-predicate",
    ),
    pytest.param(
        S.REVOKED,
        A.RESUME_DEVELOPMENT,
        None,
        {"revoked_on": None},
        "tanggal pencabutan predikat belum dicatat",
        id="resume-revocation-undated",
    ),
    pytest.param(
        S.DESIGNATED,
        A.START_DEVELOPMENT,
        "WBK",
        {},
        "tindakan ini tidak memakai predikat (WBK)",
        id="predicate-given-to-an-action-without-one",
    ),
]


@pytest.mark.parametrize(("state", "action", "predicate", "change", "reason"), GUARDS)
def test_each_guard_failing_alone(
    state: UnitState,
    action: Action,
    predicate: str | None,
    change: dict[str, Any],
    reason: str,
) -> None:
    error = refusal(state, action, replace(GOOD, **change), predicate)
    assert error.reasons == (reason,)
    assert str(error).endswith(f"dari tahap “{STATE_LABELS[state]}”: {reason}")


def test_a_refusal_names_every_reason() -> None:
    facts = UnitFacts(as_of=TODAY, revoked_on=REVOKED_LATELY)
    error = refusal(S.UNDER_TPI_EVALUATION, A.PROPOSE, facts, "WBBM")
    assert error.reasons == (
        "belum ada evaluasi TPI yang memenuhi batas nilai WBBM",
        "WBBM hanya untuk unit yang telah berpredikat WBK",
        "prasyarat pengusulan WBBM (Tabel 5) belum terpenuhi",
        "predikat dicabut pada 3 Maret 2025; dapat diusulkan lagi mulai 3 Maret 2027",
    )
    assert str(error) == (
        "Unit tidak dapat diusulkan dari tahap “Evaluasi TPI”: " + "; ".join(error.reasons)
    )
    designate = refusal(S.DECLARED, A.DESIGNATE, UnitFacts(as_of=TODAY))
    assert len(designate.reasons) == 1


def test_an_illegal_pair_says_where_the_action_applies() -> None:
    message = str(refusal(S.DEVELOPING, A.PROPOSE, GOOD, "WBK"))
    assert message == (
        "Unit tidak dapat diusulkan dari tahap “Pembangunan”: "
        "tindakan ini hanya berlaku pada tahap “Evaluasi TPI”"
    )


def test_the_refusal_survives_pickling() -> None:
    error = refusal(S.DECLARED, A.DESIGNATE, UnitFacts(as_of=TODAY))
    copy = pickle.loads(pickle.dumps(error))
    assert (str(copy), copy.reasons, copy.state) == (str(error), error.reasons, error.state)


def test_facts_refuse_an_unknown_predicate() -> None:
    with pytest.raises(ValueError, match="WBKK"):
        UnitFacts(as_of=TODAY, tpi_meets=frozenset({"WBKK"}))


# --- the happy path ------------------------------------------------------------------------


def test_from_declaration_to_wbk_and_on_to_wbbm() -> None:
    facts = UnitFacts(
        as_of=date(2024, 1, 15),
        instansi_declared=True,
        sk_number="SK-1/2024",
    )
    state = S.DECLARED
    walked: list[tuple[UnitState, str | None]] = []

    def step(action: Action, predicate: str | None = None) -> Transition:
        nonlocal state, facts
        transition = next_transition(state, action, facts, predicate=predicate)
        assert transition.from_state == state
        state = transition.to_state
        facts = replace(facts, predicate_held=transition.predicate_held_after)
        walked.append((state, transition.predicate_held_after))
        return transition

    step(A.DESIGNATE)
    step(A.START_DEVELOPMENT)
    step(A.START_TPI_EVALUATION)
    facts = replace(facts, tpi_meets=frozenset({"WBK"}), prerequisites_met=frozenset({"WBK"}))
    assert step(A.PROPOSE, "WBK").predicate == "WBK"
    facts = replace(facts, predicate_sought="WBK")
    for _ in range(4):
        assert step(A.TPN_ADVANCE).predicate == "WBK"  # the open proposal's
    award = step(A.AWARD)  # the open proposal's predicate
    assert (award.predicate, award.to_state) == ("WBK", S.AWARDED_WBK)
    facts = replace(facts, predicate_sought=None, tpi_meets=frozenset(), as_of=date(2025, 3, 1))
    step(A.RESUME_DEVELOPMENT)
    step(A.START_TPI_EVALUATION)
    facts = replace(
        facts,
        tpi_meets=frozenset({"WBK", "WBBM"}),
        prerequisites_met=frozenset({"WBK", "WBBM"}),
    )
    step(A.PROPOSE, "WBBM")
    facts = replace(facts, predicate_sought="WBBM")
    for _ in range(4):
        step(A.TPN_ADVANCE)
    assert step(A.AWARD, "WBBM").to_state == S.AWARDED_WBBM

    assert walked == [
        (S.DESIGNATED, None),
        (S.DEVELOPING, None),
        (S.UNDER_TPI_EVALUATION, None),
        (S.PROPOSED, None),
        (S.TPN_ADMINISTRATIVE, None),
        (S.TPN_DESK, None),
        (S.TPN_FIELD, None),
        (S.TPN_PANEL, None),
        (S.AWARDED_WBK, "WBK"),
        (S.DEVELOPING, "WBK"),
        (S.UNDER_TPI_EVALUATION, "WBK"),
        (S.PROPOSED, "WBK"),
        (S.TPN_ADMINISTRATIVE, "WBK"),
        (S.TPN_DESK, "WBK"),
        (S.TPN_FIELD, "WBK"),
        (S.TPN_PANEL, "WBK"),
        (S.AWARDED_WBBM, "WBBM"),
    ]


@pytest.mark.parametrize("stage", [S.PROPOSED, S.TPN_DESK, S.TPN_PANEL])
def test_rejection_keeps_the_predicate_held_and_leads_back_to_development(
    stage: UnitState,
) -> None:
    facts = replace(GOOD, predicate_held="WBK", predicate_sought="WBBM")
    rejected = next_transition(stage, A.REJECT, facts)
    assert (rejected.to_state, rejected.predicate_held_after) == (S.REJECTED, "WBK")
    resumed = next_transition(S.REJECTED, A.RESUME_DEVELOPMENT, facts)
    assert (resumed.to_state, resumed.predicate_held_after) == (S.DEVELOPING, "WBK")


@pytest.mark.parametrize(
    ("given", "sought", "carried"),
    [("WBBM", None, "WBBM"), (None, "WBBM", "WBBM"), ("WBBM", "WBBM", "WBBM"), (None, None, None)],
)
def test_a_tpn_move_carries_the_open_proposals_predicate(
    given: str | None, sought: str | None, carried: str | None
) -> None:
    facts = UnitFacts(as_of=TODAY, predicate_held="WBK", predicate_sought=sought)
    for stage, action in [(S.TPN_ADMINISTRATIVE, A.TPN_ADVANCE), (S.TPN_PANEL, A.REJECT)]:
        moved = next_transition(stage, action, facts, predicate=given)
        assert (moved.predicate, moved.predicate_held_after) == (carried, "WBK")


def test_under_tpi_evaluation_can_go_back_to_development() -> None:
    back = next_transition(S.UNDER_TPI_EVALUATION, A.RESUME_DEVELOPMENT, UnitFacts(as_of=TODAY))
    assert back.to_state == S.DEVELOPING


# --- revocation and the 2-year wait -------------------------------------------------------


@pytest.mark.parametrize(("held", "state"), [("WBK", S.AWARDED_WBK), ("WBBM", S.AWARDED_WBBM)])
def test_revocation_clears_the_predicate(held: str, state: UnitState) -> None:
    revoked = next_transition(state, A.REVOKE, replace(GOOD, predicate_held=held))
    assert (revoked.to_state, revoked.predicate_held_after) == (S.REVOKED, None)


@pytest.mark.parametrize(
    ("revoked_on", "day_before", "first_day", "reason"),
    [
        (
            date(2025, 3, 3),
            date(2027, 3, 2),
            date(2027, 3, 3),
            "predikat dicabut pada 3 Maret 2025; dapat diusulkan lagi mulai 3 Maret 2027",
        ),
        (
            date(2024, 2, 29),
            date(2026, 2, 27),
            date(2026, 2, 28),
            "predikat dicabut pada 29 Februari 2024; dapat diusulkan lagi mulai 28 Februari 2026",
        ),
        (
            date(2023, 12, 31),
            date(2025, 12, 30),
            date(2025, 12, 31),
            "predikat dicabut pada 31 Desember 2023; dapat diusulkan lagi mulai 31 Desember 2025",
        ),
    ],
)
def test_two_years_after_revocation(
    revoked_on: date, day_before: date, first_day: date, reason: str
) -> None:
    assert proposable_again_on(revoked_on) == first_day
    early = UnitFacts(as_of=day_before, revoked_on=revoked_on)
    # building may go on at once; only the proposal waits
    resumed = next_transition(S.REVOKED, A.RESUME_DEVELOPMENT, early)
    assert (resumed.to_state, resumed.predicate_held_after) == (S.DEVELOPING, None)

    proposable = replace(
        early,
        tpi_meets=frozenset({"WBK"}),
        prerequisites_met=frozenset({"WBK"}),
    )
    assert refusal(S.UNDER_TPI_EVALUATION, A.PROPOSE, proposable, "WBK").reasons == (reason,)
    proposed = next_transition(
        S.UNDER_TPI_EVALUATION, A.PROPOSE, replace(proposable, as_of=first_day), predicate="WBK"
    )
    assert proposed.to_state == S.PROPOSED


# --- what the regulation weighs but does not require ---------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        {"instansi_declared": False, "unit_declared": True},  # a unit head's own declaration
        {"criteria_missing": ("dampak luas bagi masyarakat",)},  # weighed, policy off
        {"sk_number": None},  # an SK is a convention, not a rule
    ],
    ids=["unit-declaration", "criteria-weighed", "no-sk"],
)
def test_designation_is_not_a_gate(change: dict[str, Any]) -> None:
    # 90/2021 Lampiran I Bab II: units are chosen "antara lain" by the three criteria
    moved = next_transition(S.DECLARED, A.DESIGNATE, replace(GOOD, **change))
    assert moved.to_state == S.DESIGNATED


def test_a_revoked_unit_builds_on_but_waits_two_years_to_be_proposed() -> None:
    # 90/2021 Lampiran II Bab III C: "tidak dapat diajukan lagi ... selang 2 tahun"
    facts = replace(GOOD, revoked_on=REVOKED_LATELY)  # 3 March 2025; today 20 May 2026
    assert next_transition(S.REVOKED, A.RESUME_DEVELOPMENT, facts).to_state == S.DEVELOPING
    assert refusal(S.UNDER_TPI_EVALUATION, A.PROPOSE, facts, "WBK").reasons == (
        "predikat dicabut pada 3 Maret 2025; dapat diusulkan lagi mulai 3 Maret 2027",
    )
    on_the_day = replace(facts, as_of=date(2027, 3, 3), proposal_deadline=date(2027, 5, 31))
    assert next_transition(S.UNDER_TPI_EVALUATION, A.PROPOSE, on_the_day).to_state == S.PROPOSED


def test_the_deadline_day_itself_is_in_time() -> None:
    # 5/2024 Bab II A: "paling lambat pada tanggal 31 Mei"
    on_the_day = replace(GOOD, as_of=date(2026, 5, 31))
    assert next_transition(S.UNDER_TPI_EVALUATION, A.PROPOSE, on_the_day).to_state == S.PROPOSED


def test_revoking_clears_the_predicate_and_mandiri_sets_wbk() -> None:
    revoked = next_transition(S.DEVELOPING, A.REVOKE, replace(GOOD, predicate_held="WBK"))
    assert (revoked.to_state, revoked.predicate_held_after) == (S.REVOKED, None)
    mandiri = next_transition(S.DEVELOPING, A.AWARD_MANDIRI, GOOD, predicate="WBK")
    assert (mandiri.to_state, mandiri.predicate_held_after) == (S.AWARDED_WBK, "WBK")


def test_only_the_unguarded_moves_weigh_no_facts() -> None:
    """The moves a service may make without reading the units' histories: none of their
    outcomes depends on the facts (any facts give the same transition)."""
    unguarded = {(s, a) for s in UnitState for a in allowed_actions(s) if not weighs_facts(s, a)}
    assert (S.DEVELOPING, A.START_TPI_EVALUATION) in unguarded
    assert (S.DESIGNATED, A.START_DEVELOPMENT) in unguarded
    assert (S.DECLARED, A.DESIGNATE) not in unguarded
    assert (S.UNDER_TPI_EVALUATION, A.PROPOSE) not in unguarded
    assert not weighs_facts(S.DEVELOPING, A.START_TPI_EVALUATION)
    assert weighs_facts(S.DEVELOPING, A.PROPOSE)  # not in the table: next_transition says why
    bare, full = (
        UnitFacts(as_of=date(2026, 3, 2)),
        UnitFacts(
            as_of=date(2026, 3, 2),
            instansi_declared=True,
            unit_declared=True,
            tpi_meets=frozenset({"WBK"}),
            prerequisites_met=frozenset({"WBK"}),
        ),
    )
    for state, action in unguarded:
        assert next_transition(state, action, bare) == next_transition(state, action, full)
