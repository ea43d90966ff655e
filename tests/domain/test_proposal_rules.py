"""The proposal's pure rules: its state machine, the evidence index (no date window; old
documents flagged by a policy age), safe names, the Tabel 5 checklist against the prerequisite
check."""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from tests.domain.worksheets import lke
from zi_domain.evidence import EvidenceDocument, evidence_index, indicator_of, is_old
from zi_domain.file_names import MAX_LENGTH, safe_file_name
from zi_domain.prerequisites import (
    InstansiStanding,
    UnitStanding,
    check_prerequisites,
    prerequisite_checklist,
)
from zi_domain.proposal import IllegalProposalMove, ProposalState, allowed_moves, check_move

S = ProposalState
LEGAL = {
    (S.DRAFT, S.SUBMITTED),
    (S.DRAFT, S.SUPERSEDED),
    (S.SUBMITTED, S.TPN_ADMINISTRATIVE),
    (S.TPN_ADMINISTRATIVE, S.TPN_DESK),
    (S.TPN_DESK, S.TPN_FIELD),
    (S.TPN_FIELD, S.TPN_PANEL),
    (S.TPN_PANEL, S.AWARDED),
    *(
        (stage, end)
        for stage in (S.SUBMITTED, S.TPN_ADMINISTRATIVE, S.TPN_DESK, S.TPN_FIELD, S.TPN_PANEL)
        # rejected by TPN, or dropped after a KKN offence (90/2021 Lampiran II Bab IV, p.65)
        for end in (S.REJECTED, S.ANNULLED)
    ),
}


@pytest.mark.parametrize(("current", "target"), list(itertools.product(S, S)))
def test_every_proposal_move_is_legal_exactly_when_the_table_says(
    current: ProposalState, target: ProposalState
) -> None:
    if (current, target) in LEGAL:
        check_move(current, target)
        assert target in allowed_moves(current)
    else:
        with pytest.raises(IllegalProposalMove, match=f"berstatus {current.value}"):
            check_move(current, target)


def test_a_finished_proposal_allows_nothing() -> None:
    for done in (S.AWARDED, S.REJECTED, S.SUPERSEDED):
        with pytest.raises(IllegalProposalMove, match="sudah selesai"):
            check_move(done, S.SUBMITTED)


# PermenPANRB 90/2021 sets no date window for data dukung (Lampiran II): no document is left out
# for its year; a policy age only flags the old ones.
THIS_YEAR = EvidenceDocument("A.I.1.i.a", "SK", 2026, "0" * 64, "x")  # the assessment year itself
OLD = EvidenceDocument("A.I.1.i.b", "SK lama", 2023, "1" * 64, "x")  # three years before
RECENT = EvidenceDocument("A.I.1.i.b", "SK baru", 2024, "2" * 64, "x")  # two years before
UNKNOWN = EvidenceDocument("Z.9.9.z.a", "?", 2025, "3" * 64, "x")


def test_every_document_of_an_indicator_counts_whatever_its_year() -> None:
    assert indicator_of("A.II.5.iii.a") == "A.II.5.iii"
    index = evidence_index(lke(), [OLD, UNKNOWN, THIS_YEAR, RECENT], year=2026)
    first = index.indicators[0]
    assert first.code == "A.I.1.i"
    assert [d.title for d in first.documents] == ["SK", "SK lama", "SK baru"]
    assert [d.title for d in index.without_indicator] == ["?"]
    assert index.document_count == 3
    assert len(index.gaps) == len(lke().indicators) - 1
    assert index.max_age_years is None
    assert index.flagged == () and not any(index.is_old(d) for d in first.documents)


def test_a_policy_age_flags_old_documents_and_keeps_them() -> None:
    index = evidence_index(lke(), [OLD, UNKNOWN, THIS_YEAR, RECENT], year=2026, max_age_years=2)
    first = index.indicators[0]
    assert [d.title for d in first.documents] == ["SK", "SK lama", "SK baru"]
    assert index.flagged == (OLD,)
    assert [index.is_old(d) for d in first.documents] == [False, True, False]
    assert len(index.gaps) == len(lke().indicators) - 1  # an old document is no gap
    assert is_old(2023, 2026, 2) and not is_old(2024, 2026, 2) and not is_old(1990, 2026, None)
    assert evidence_index(lke(), [OLD], year=2026, max_age_years=3).flagged == ()
    assert evidence_index(lke(), [RECENT], year=2026, max_age_years=0).flagged == (RECENT,)
    with pytest.raises(ValueError, match="evidence_max_age_years"):
        evidence_index(lke(), [OLD], year=2026, max_age_years=-1)


@pytest.mark.parametrize(
    ("typed", "safe"),
    [
        ("../../etc/passwd", "etc-passwd"),
        ("/abs/Unit", "abs-Unit"),
        ("C:\\Windows\\Unit", "C-Windows-Unit"),
        ("Kantor\x00\x1b[31m", "Kantor-31m"),
        ("CON", "_CON"),
        ("lpt1.txt", "_lpt1.txt"),
        ("Dinas Kependudukan dan Pencatatan Sipil", "Dinas-Kependudukan-dan-Pencatatan-Sipil"),
        ("Pelayanan Pajak Daerah (Samsat) Ñ", "Pelayanan-Pajak-Daerah-Samsat-N"),
        ("...", "tanpa-nama"),
        ("", "tanpa-nama"),
    ],
)
def test_names_from_data_become_one_safe_readable_segment(typed: str, safe: str) -> None:
    assert safe_file_name(typed) == safe


def test_a_long_name_is_cut() -> None:
    assert len(safe_file_name("Unit " * 100)) <= MAX_LENGTH


def test_the_checklist_fails_exactly_what_the_check_fails() -> None:
    instansi = InstansiStanding("kementerian_lembaga", "WTP", "B", "CC", 2)
    unit = UnitStanding(100, 97.5, 100, "B", date(2025, 1, 20), True, True, False)
    on = date(2026, 5, 1)
    items = prerequisite_checklist("WBK", instansi=instansi, unit=unit, as_of=on)
    check = check_prerequisites("WBK", instansi=instansi, unit=unit, as_of=on)
    # Indeks RB CC < B for a ministry, SPIP level 2 < 3, LHKPN 97,5 % < 100 %.
    assert {i.rule for i in items if not i.holds} == {u.rule for u in check.unmet}
    assert {u.rule for u in check.unmet} == {"indeks_rb", "spip_level", "lhkpn"}
    assert len(items) == 11  # every Tabel 5 rule is listed, met or not
    missing = prerequisite_checklist("WBK", instansi=None, unit=unit, as_of=on)
    assert missing[0].rule == "instansi_data_missing" and not missing[0].holds
