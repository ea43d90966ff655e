"""Pengusulan: proposes a unit that newly meets a predicate to TPN and builds its package.

Run for each pending unit of a period by `flows.propose_pending` (with a Prefect server), by the
monitoring flow itself (embedded mode), or on demand. The lifecycle's guards decide; a second
run for the same unit and predicate keeps the open draft unless `new_revision`. After the unit's
package, the instansi's letter is rebuilt so that it lists every unit proposed that year.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from prefect import flow

from config.framework_files import load_framework
from config.settings import get_settings
from flows.runtime import day, unit_of_work
from services.proposals import propose_unit
from zi_domain.plain_text import one_line


@flow(
    name="pengusulan", log_prints=True, retries=1, retry_delay_seconds=30, validate_parameters=True
)
def propose(
    unit_id: int,
    predicate: str | None = None,
    as_of: date | None = None,
    year: int | None = None,
    actor: str = "Pimpinan instansi",
    framework: str | None = None,
    new_revision: bool = False,
) -> dict[str, Any]:
    on = day(as_of)
    data_dir = get_settings().data_dir
    with unit_of_work() as uow:
        start = propose_unit(
            uow,
            unit_id=unit_id,
            predicate=predicate,
            year=year or on.year,
            as_of=on,
            actor=actor,
            framework=load_framework(framework),
            data_dir=data_dir,
            new_revision=new_revision,
            evidence_max_age_years=get_settings().evidence_max_age_years,
            package_max_bytes=get_settings().package_max_bytes,
        )
        proposal = start.proposal
        unit = uow.units.get_unit(unit_id=unit_id)
        assert unit is not None
    print(
        f"Usulan {proposal.predicate.value} {one_line(unit.name)}: revisi {proposal.revision}, "
        f"{'dibuat' if start.created else 'sudah ada'}; paket {start.package}"
    )
    return {
        "proposal_id": proposal.id,
        "revision": proposal.revision,
        "created": start.created,
        "state": proposal.state,
        "package": str(start.package) if start.package else None,
        "volumes": [str(volume) for volume in start.volumes],
    }
