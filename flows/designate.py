"""Penetapan: designates candidate units under one SK, refusing those that fail the criteria.

The criteria (core-business service, high corruption risk, wide public impact) and the guards
(no designation without a declaration) are the domain's; refused units stay as they were.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from prefect import flow

from flows.runtime import day, instansi_id_of, unit_of_work
from services.lifecycle import designate as designate_units


@flow(name="penetapan", log_prints=True, retries=0, validate_parameters=True, persist_result=True)
def designate(
    instansi: str | int,
    candidates: list[str],
    sk_number: str,
    year: int | None = None,
    as_of: date | None = None,
    actor: str = "Pimpinan instansi",
) -> dict[str, Any]:
    on = day(as_of)
    with unit_of_work() as uow:
        outcome = designate_units(
            uow,
            instansi_id=instansi_id_of(uow, instansi),
            year=year or on.year,
            candidates=candidates,
            sk_number=sk_number,
            as_of=on,
            actor=actor,
        )
    for code, reason in outcome.refused.items():
        print(f"Ditolak: {code}: {reason}")
    print(f"Ditetapkan dengan SK {sk_number}: {', '.join(outcome.moved) or '-'}")
    return {"designated": outcome.moved, "refused": outcome.refused}
