"""Penerimaan LKE: every 15 minutes, the workbooks dropped in the inbox are taken in.

Each settled file is imported as a new version of its unit's assessment (self-assessment in the
inbox, the TPI's in its `tpi/` subfolder), filed under `diterima/` or `ditolak/`, and answered
to the unit team by e-mail through the outbox: once per file content.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from prefect import flow, task

from config.framework_files import load_framework
from config.settings import get_settings
from flows.reminders import send
from flows.runtime import day, unit_of_work
from persistence.tables import AssessmentKind
from services.inbox import InboxOutcome, file_away, settled_files, take_in
from services.lke_intake import IntakeScope
from zi_domain.plain_text import one_line


@task(name="terima-berkas")
def take_in_all(as_of: date, framework: str | None, actor: str) -> list[InboxOutcome]:
    settings = get_settings()
    scope = IntakeScope(
        framework=load_framework(framework), kind=AssessmentKind.SELF, as_of=as_of, actor=actor
    )
    dropped = settled_files(settings.inbox, settle_seconds=settings.inbox_settle_seconds)
    return [take_in(unit_of_work, file, scope) for file in dropped]


@flow(
    name="penerimaan-lke", log_prints=True, retries=0, validate_parameters=True, persist_result=True
)
def receive_workbooks(
    as_of: date | None = None,
    framework: str | None = None,
    actor: str = "Kotak masuk LKE",
) -> dict[str, Any]:
    on = day(as_of)
    outcomes = take_in_all(on, framework, actor)
    messages = [m for outcome in outcomes for m in outcome.messages]
    report = send(messages)[0] if messages else None
    moved = [file_away(outcome, day=on) for outcome in outcomes]
    for outcome in outcomes:
        print(one_line(outcome.summary))
    accepted = [o for o in outcomes if o.accepted]
    print(
        f"Kotak masuk {get_settings().inbox}: {len(accepted)} diterima, "
        f"{len(outcomes) - len(accepted)} ditolak; "
        f"{report.summary() if report else 'tidak ada e-mail'}"
    )
    return {
        "accepted": [o.path.name for o in accepted],
        "refused": {o.path.name: list(o.problems) for o in outcomes if not o.accepted},
        "moved": [str(path) for path in moved],
        "messages": len(messages),
        "sent": len(report.sent) if report else 0,
        "already_sent": len(report.already_sent) if report else 0,
    }
