"""Pencanangan: the head of the instansi declares ZI for a year and signs the Pakta Integritas.

Creates the year's milestone calendar (designation, work plan, self-surveys, TPI monitoring
rounds, internal evaluation, proposal deadline) from `config/calendar.yaml`. One declaration
stands until withdrawn (the regulation sets no yearly one): declaring again only adds a new year's
calendar, if it is missing.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from prefect import flow

from config.calendar import milestone_template
from flows.runtime import day, instansi_id_of, unit_of_work
from services.lifecycle import declare as declare_year


@flow(name="pencanangan", log_prints=True, retries=0, validate_parameters=True, persist_result=True)
def declare(
    instansi: str | int,
    year: int | None = None,
    as_of: date | None = None,
    pakta_integritas: str = "Pakta Integritas ditandatangani seluruh pegawai",
    actor: str = "Pimpinan instansi",
) -> dict[str, Any]:
    declared_on = day(as_of)
    with unit_of_work() as uow:
        result = declare_year(
            uow,
            instansi_id=instansi_id_of(uow, instansi),
            year=year or declared_on.year,
            declared_on=declared_on,
            actor=actor,
            pakta_integritas=pakta_integritas,
            template=milestone_template(),
        )
    print(
        f"Pencanangan {year or declared_on.year}: "
        f"{'dicatat' if result.created else 'sudah tercatat sebelumnya'}, "
        f"{result.milestones} tonggak kalender dibuat"
    )
    return {"created": result.created, "milestones": result.milestones}
