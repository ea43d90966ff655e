"""Pengusulan: opens the proposal to TPN for a unit that newly meets a predicate.

Run by the deployment trigger on `zi.unit.threshold-met` (with a Prefect server), by the
monitoring flow itself (embedded mode), or on demand. The lifecycle's guards decide; a second
run for the same unit and predicate changes nothing. The package is built in a later stage.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from prefect import flow

from flows.runtime import day, unit_of_work
from services.proposals import propose_unit

THRESHOLD_MET = "zi.unit.threshold-met"


@flow(
    name="pengusulan", log_prints=True, retries=1, retry_delay_seconds=30, validate_parameters=True
)
def propose(
    unit_id: int,
    predicate: str = "WBK",
    as_of: date | None = None,
    year: int | None = None,
    actor: str = "Pimpinan instansi",
) -> dict[str, Any]:
    on = day(as_of)
    with unit_of_work() as uow:
        start = propose_unit(
            uow, unit_id=unit_id, predicate=predicate, year=year or on.year, as_of=on, actor=actor
        )
    proposal = start.proposal
    print(
        f"Usulan {predicate} unit {unit_id}: revisi {proposal.revision}, "
        f"{'dibuat' if start.created else 'sudah ada'}"
    )
    return {"proposal_id": proposal.id, "created": start.created, "state": proposal.state}
