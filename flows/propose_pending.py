"""Pengusulan periode: the proposals a monitoring run left pending, one proposal run per unit.

With a Prefect server, monitoring does not propose: it announces `zi.period.proposals-pending`
once for each instansi period that has ready units without a proposal (their crossings are rows,
the proposal outbox). The event's trigger runs this flow, which starts one run of the proposal
deployment per pending unit (`flows.fan_out`): the workers build the packages side by side, the
deployment's concurrency limit capping them. Then the instansi's letter is brought up to date,
and the run fails naming the units still pending (refused by the lifecycle, or failed).

Rerunning is safe: proposing keeps an open draft, so a second run makes no second proposal, and
a retry of this run finds the proposal runs it started by their idempotency keys.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from prefect import flow
from prefect.runtime import flow_run

from config.settings import get_settings
from flows.deployments import PROPOSE_DEPLOYMENT
from flows.fan_out import start_run, wait_for_runs
from flows.runtime import day, unit_of_work
from reports.monitoring import PendingProposal
from services.pending_proposals import ProposalsPending, letter_of_period, pending_proposals

PROPOSALS_PENDING = "zi.period.proposals-pending"
PROPOSE_FLOW = "pengusulan"


def start_proposal(pending: PendingProposal, on: date) -> UUID:
    """The proposal run of one pending unit, started without waiting for it."""
    return start_run(
        f"{PROPOSE_FLOW}/{PROPOSE_DEPLOYMENT}",
        {"unit_id": pending.unit_id, "predicate": pending.predicate, "as_of": on.isoformat()},
        name=f"usulan-{pending.code}-{pending.predicate}-{on.isoformat()}",
        key=f"{flow_run.id}:{pending.crossing_id}",
    )


@flow(name="pengusulan-periode", log_prints=True, validate_parameters=True)
def propose_pending(
    period: int, as_of: date | None = None, poll_seconds: float = 2.0
) -> dict[str, Any]:
    on = day(as_of)
    with unit_of_work() as uow:
        waiting = pending_proposals(uow, period_ids=[period])
    ids = [start_proposal(pending, on) for pending in waiting]
    print(f"Usulan periode {period} ({on.isoformat()}): {len(ids)} unit diserahkan ke worker")
    wait_for_runs(ids, poll_seconds)
    with unit_of_work() as uow:
        letter_of_period(uow, period_id=period, as_of=on, data_dir=get_settings().data_dir)
        still = pending_proposals(uow, period_ids=[period])
    if still:
        raise ProposalsPending(still)
    return {"period": period, "proposals": len(ids), "runs": [str(i) for i in ids]}
