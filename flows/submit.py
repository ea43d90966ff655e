"""Pengiriman usulan: the instansi's signed letter goes to TPN with every draft of the year.

Run by the TPI coordinator once leadership has signed (`zi submit`), before TPN's deadline. The
letter is rebuilt first, so what is sent lists exactly the proposals that are marked submitted.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from prefect import flow

from config.settings import get_settings
from flows.runtime import day, instansi_id_of, unit_of_work
from services.proposals import submit_proposals


@flow(name="pengiriman-usulan", log_prints=True, retries=0, validate_parameters=True)
def submit(
    instansi: str | int,
    year: int | None = None,
    as_of: date | None = None,
    actor: str = "Koordinator ZI",
) -> dict[str, Any]:
    on = day(as_of)
    with unit_of_work() as uow:
        submission = submit_proposals(
            uow,
            instansi_id=instansi_id_of(uow, instansi),
            year=year or on.year,
            as_of=on,
            actor=actor,
            data_dir=get_settings().data_dir,
        )
    print(f"{len(submission.sent)} usulan dikirim ke TPN; surat {submission.letter}")
    return {
        "submitted": [p.id for p in submission.sent],
        "letter": str(submission.letter) if submission.letter else None,
    }
