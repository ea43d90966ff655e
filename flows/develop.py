"""Pembangunan: starts development of the designated units with their work plans.

Each unit gets one work item per LKE indicator and the self-survey tasks, owned in turn by its
team and due by the calendar's milestones; creating the plan again adds nothing.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from prefect import flow

from config.framework_files import load_framework
from flows.runtime import day, instansi_id_of, unit_of_work
from services.lifecycle import develop as develop_units
from zi_domain.plain_text import one_line


@flow(name="pembangunan", log_prints=True, retries=0, validate_parameters=True, persist_result=True)
def develop(
    instansi: str | int,
    year: int | None = None,
    as_of: date | None = None,
    framework: str | None = None,
    actor: str = "Koordinator ZI",
) -> dict[str, Any]:
    on = day(as_of)
    with unit_of_work() as uow:
        outcome = develop_units(
            uow,
            instansi_id=instansi_id_of(uow, instansi),
            year=year or on.year,
            framework=load_framework(framework),
            as_of=on,
            actor=actor,
        )
    print(one_line(f"Pembangunan dimulai: {', '.join(outcome.moved) or '-'}"))
    if outcome.period:
        print(one_line(f"Periode penilaian dibuka: {outcome.period}"))
    return {"developing": outcome.moved, "refused": outcome.refused, "period": outcome.period}
