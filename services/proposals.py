"""Proposals to TPN: opening one for a unit that is ready, and recording TPN's results.

The package itself (letter, SPTJM, LKE recap) is a later stage; here the unit moves to
`proposed` under the lifecycle's guards and a draft proposal row records it, once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from persistence.tables import Predicate, Proposal, ProposalCreate, ProposalEventCreate
from persistence.unit_of_work import UnitOfWork
from services.lifecycle import at_noon, move, unit_facts
from zi_domain.lifecycle import Action, Transition

DRAFT = "draft"
OPEN_STATES = frozenset(
    {DRAFT, "submitted", "tpn_administrative", "tpn_desk", "tpn_field", "tpn_panel"}
)
TPN_STAGES = {
    "tpn_administrative": Action.TPN_ADVANCE,
    "tpn_desk": Action.TPN_ADVANCE,
    "tpn_field": Action.TPN_ADVANCE,
    "tpn_panel": Action.TPN_ADVANCE,
    "awarded": Action.AWARD,
    "rejected": Action.REJECT,
}


class UnitNotFound(LookupError):
    pass


@dataclass(frozen=True)
class ProposalStart:
    proposal: Proposal
    created: bool


def propose_unit(
    uow: UnitOfWork, *, unit_id: int, predicate: str, year: int, as_of: date, actor: str
) -> ProposalStart:
    """Moves the unit to `proposed` and opens a draft proposal; a second call changes nothing.

    Refused (IllegalTransition, nothing written) when the unit's TPI score does not meet the
    floors, its prerequisites do not hold, WBBM is sought without WBK, or it was revoked lately.
    """
    unit = uow.units.get_unit(unit_id=unit_id)
    if unit is None:
        raise UnitNotFound(f"unit kerja {unit_id} tidak ada")
    existing = uow.proposals.latest_proposal(
        unit_id=unit_id, year=year, predicate=Predicate(predicate)
    )
    if existing is not None and existing.state in OPEN_STATES:
        return ProposalStart(proposal=existing, created=False)
    facts = unit_facts(uow, unit=unit, year=year, as_of=as_of)
    move(
        uow,
        unit=unit,
        action=Action.PROPOSE,
        facts=facts,
        year=year,
        actor=actor,
        predicate=predicate,
    )
    proposal = uow.proposals.add_proposal(
        proposal=ProposalCreate(
            unit_id=unit_id, year=year, predicate=Predicate(predicate), state=DRAFT
        ),
        actor=actor,
    )
    uow.commit()
    return ProposalStart(proposal=proposal, created=True)


def record_tpn_result(
    uow: UnitOfWork,
    *,
    unit_id: int,
    year: int,
    predicate: str,
    result: str,
    as_of: date,
    actor: str,
    note: str | None = None,
) -> Transition:
    """TPN's outcome for the unit's proposal: a stage reached, an award or a rejection.

    An award sets the unit's predicate (and so opens the way to WBBM after WBK).
    """
    if result not in TPN_STAGES:
        raise ValueError(f"hasil TPN tidak dikenal: {result!r}; pilih {', '.join(TPN_STAGES)}")
    unit = uow.units.get_unit(unit_id=unit_id)
    if unit is None:
        raise UnitNotFound(f"unit kerja {unit_id} tidak ada")
    proposal = uow.proposals.latest_proposal(
        unit_id=unit_id, year=year, predicate=Predicate(predicate)
    )
    facts = unit_facts(uow, unit=unit, year=year, as_of=as_of, predicate_sought=predicate)
    transition = move(
        uow,
        unit=unit,
        action=TPN_STAGES[result],
        facts=facts,
        year=year,
        actor=actor,
        predicate=predicate,
        note=note,
    )
    if proposal is not None and proposal.id is not None:
        uow.proposals.move_proposal(
            event=ProposalEventCreate(
                proposal_id=proposal.id,
                from_state=proposal.state,
                to_state=result,
                actor=actor,
                occurred_at=at_noon(as_of),
            )
        )
    uow.commit()
    return transition
