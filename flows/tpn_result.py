"""Hasil TPN: records the national team's outcome for a unit (stage reached, award, rejection).

An award (with the Minister's decree) sets the unit's predicate; after a WBK award the unit
builds on toward WBBM from the decree's date, and the TPI's two-yearly report falls due. A
rejected unit goes back to development.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from prefect import flow

from flows.runtime import day, unit_of_work
from services.lifecycle import Decree
from services.proposals import TpnScore, record_tpn_result


@flow(name="hasil-tpn", log_prints=True, retries=0, validate_parameters=True)
def tpn_result(
    unit_id: int,
    result: str,
    predicate: str = "WBK",
    year: int | None = None,
    as_of: date | None = None,
    note: str | None = None,
    actor: str = "TPN",
    decree: str | None = None,
    decree_date: date | None = None,
    valid_until: date | None = None,
    score: float | None = None,
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
            decree=(
                Decree(number=decree, dated=decree_date, valid_until=valid_until)
                if decree is not None and decree_date is not None
                else None
            ),
            score=TpnScore(total=score) if score is not None else None,
        )
    print(f"Unit {unit_id}: {transition.from_state} → {transition.to_state}")
    return {"from": transition.from_state, "to": transition.to_state}
