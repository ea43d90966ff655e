"""Hasil TPN: records the national team's outcome for a unit (stage reached, award, rejection).

An award sets the unit's predicate; after a WBK award the unit returns to development toward
WBBM, and the after-award reporting cycle begins.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from prefect import flow

from flows.runtime import day, unit_of_work
from services.proposals import record_tpn_result


@flow(name="hasil-tpn", log_prints=True, retries=0, validate_parameters=True)
def tpn_result(
    unit_id: int,
    result: str,
    predicate: str = "WBK",
    year: int | None = None,
    as_of: date | None = None,
    note: str | None = None,
    actor: str = "TPN",
) -> dict[str, Any]:
    on = day(as_of)
    with unit_of_work() as uow:
        transition = record_tpn_result(
            uow,
            unit_id=unit_id,
            year=year or on.year,
            predicate=predicate,
            result=result,
            as_of=on,
            actor=actor,
            note=note,
        )
    print(f"Unit {unit_id}: {transition.from_state} → {transition.to_state}")
    return {"from": transition.from_state, "to": transition.to_state}
