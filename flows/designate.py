"""Penetapan: designates candidate units under one SK, refusing those that fail the criteria.

The criteria (core-business service, high corruption risk, wide public impact) and the guards
(no designation without a declaration) are the domain's; refused units stay as they were.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from prefect import flow

from config.settings import get_settings
from flows.runtime import day, instansi_id_of, unit_of_work
from services.lifecycle import designate as designate_units
from zi_domain.plain_text import one_line


@flow(name="penetapan", log_prints=True, retries=0, validate_parameters=True, persist_result=True)
def designate(
    instansi: str | int,
    candidates: list[str],
    sk_number: str | None = None,
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
            criteria_required=get_settings().designation_requires_all_criteria,
        )
    for code, reason in outcome.refused.items():
        print(one_line(f"Ditolak: {code}: {reason}"))
    for code, note in outcome.noted.items():
        print(one_line(f"Ditetapkan, {code}: {note}"))
    under = f" dengan SK {sk_number}" if sk_number else ""
    print(one_line(f"Ditetapkan{under}: {', '.join(outcome.moved) or '-'}"))
    return {"designated": outcome.moved, "refused": outcome.refused, "noted": outcome.noted}
