"""A proposal to TPN as a small state machine: a draft that leadership signs, then submitted,
then TPN's stages (administrative, desk, field, panel), then awarded or rejected.

A new package for the same unit, year and predicate is a new revision; the draft it replaces is
`superseded`, kept with its files. Once a proposal is submitted its package is what TPN holds:
it is not rebuilt.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType


class ProposalState(StrEnum):
    DRAFT = "draft"
    SUPERSEDED = "superseded"
    SUBMITTED = "submitted"
    TPN_ADMINISTRATIVE = "tpn_administrative"
    TPN_DESK = "tpn_desk"
    TPN_FIELD = "tpn_field"
    TPN_PANEL = "tpn_panel"
    AWARDED = "awarded"
    REJECTED = "rejected"
    ANNULLED = "annulled"  # dropped after a KKN offence in the proposal year (Lampiran II Bab IV)


PROPOSAL_STATE_LABELS: Mapping[ProposalState, str] = MappingProxyType(
    {
        ProposalState.DRAFT: "Draf (menunggu tanda tangan pimpinan)",
        ProposalState.SUPERSEDED: "Digantikan revisi baru",
        ProposalState.SUBMITTED: "Dikirim ke TPN",
        ProposalState.TPN_ADMINISTRATIVE: "TPN: evaluasi administrasi",
        ProposalState.TPN_DESK: "TPN: desk evaluasi",
        ProposalState.TPN_FIELD: "TPN: evaluasi lapangan",
        ProposalState.TPN_PANEL: "TPN: clearance dan panel",
        ProposalState.AWARDED: "Ditetapkan (predikat diberikan)",
        ProposalState.REJECTED: "Tidak ditetapkan",
        ProposalState.ANNULLED: "Digugurkan (pelanggaran hukum terkait KKN pada tahun pengajuan)",
    }
)

TPN_STAGES = (
    ProposalState.TPN_ADMINISTRATIVE,
    ProposalState.TPN_DESK,
    ProposalState.TPN_FIELD,
    ProposalState.TPN_PANEL,
)
# Where TPN can reject: at any of its stages, or at once on receipt.
_REJECTABLE = (ProposalState.SUBMITTED, *TPN_STAGES)

_MOVES: Mapping[ProposalState, frozenset[ProposalState]] = MappingProxyType(
    {
        ProposalState.DRAFT: frozenset({ProposalState.SUBMITTED, ProposalState.SUPERSEDED}),
        ProposalState.SUBMITTED: frozenset({ProposalState.TPN_ADMINISTRATIVE}),
        ProposalState.TPN_ADMINISTRATIVE: frozenset({ProposalState.TPN_DESK}),
        ProposalState.TPN_DESK: frozenset({ProposalState.TPN_FIELD}),
        ProposalState.TPN_FIELD: frozenset({ProposalState.TPN_PANEL}),
        ProposalState.TPN_PANEL: frozenset({ProposalState.AWARDED}),
    }
)

OPEN_STATES = frozenset({ProposalState.DRAFT, ProposalState.SUBMITTED, *TPN_STAGES})
"""States of a proposal that is still under way (one per unit, year and predicate at most)."""

TPN_RESULTS = (*TPN_STAGES, ProposalState.AWARDED, ProposalState.REJECTED)
"""What `zi tpn-result` may record: a stage reached, an award or a rejection."""


class IllegalProposalMove(ValueError):
    """A move the proposal's state does not allow; the message (Indonesian) says which."""


def allowed_moves(state: ProposalState) -> frozenset[ProposalState]:
    moves = _MOVES.get(state, frozenset())
    ended = {ProposalState.REJECTED, ProposalState.ANNULLED}
    return moves | ended if state in _REJECTABLE else moves


def check_move(current: ProposalState, target: ProposalState) -> None:
    """Refuses a move the table does not allow, naming both states and what is allowed."""
    allowed = allowed_moves(current)
    if target in allowed:
        return
    options = ", ".join(sorted(allowed)) or "tidak ada (usulan sudah selesai)"
    raise IllegalProposalMove(
        f"usulan berstatus {current} ({PROPOSAL_STATE_LABELS[current]}) tidak dapat menjadi "
        f"{target}; yang dapat: {options}"
    )
