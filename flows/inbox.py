"""Penerimaan LKE: every 15 minutes, the files dropped in the inbox are taken in.

Each settled workbook is imported as a new version of its unit's assessment (self-assessment in
the inbox, the TPI's in its `tpi/` subfolder), each respondent file in `survei/` (`tpi/survei/`)
as the unit's (the TPI's) survey, each archive in `bukti/` as the unit's evidence; every file is
filed under `diterima/` or `ditolak/` beside it, and answered to the unit team by e-mail through
the outbox: once per file content.
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
from services.inbox import InboxOutcome, file_away, settled_files, shown_name
from services.inbox_files import file_rules, receive
from services.lke_intake import IntakeScope
from zi_domain.plain_text import one_line


@task(name="terima-berkas")
def take_in_all(as_of: date, framework: str | None, actor: str) -> list[InboxOutcome]:
    settings = get_settings()
    scope = IntakeScope(
        framework=load_framework(framework), kind=AssessmentKind.SELF, as_of=as_of, actor=actor
    )
    rules = file_rules(settings)
    dropped = settled_files(settings.inbox, settle_seconds=settings.inbox_settle_seconds)
    return [receive(unit_of_work, file, scope, rules) for file in dropped]


@flow(
    name="penerimaan-lke", log_prints=True, retries=0, validate_parameters=True, persist_result=True
)
def receive_workbooks(
    as_of: date | None = None,
    framework: str | None = None,
    actor: str = "Kotak masuk LKE",
) -> dict[str, Any]:
    on = day(as_of)
    inbox = get_settings().inbox
    outcomes = take_in_all(on, framework, actor)
    messages = [m for outcome in outcomes for m in outcome.messages]
    report = send(messages)[0] if messages else None
    moved = [file_away(outcome, day=on) for outcome in outcomes]
    for outcome in outcomes:
        print(one_line(outcome.summary))
    accepted = [o for o in outcomes if o.accepted]
    print(
        f"Kotak masuk {inbox}: {len(accepted)} diterima, "
        f"{len(outcomes) - len(accepted)} ditolak; "
        f"{report.summary() if report else 'tidak ada e-mail'}"
    )
    return {
        "accepted": [shown_name(o.path, inbox) for o in accepted],
        "refused": {
            shown_name(o.path, inbox): list(o.problems) for o in outcomes if not o.accepted
        },
        "moved": [str(path) for path in moved],
        "messages": len(messages),
        "sent": len(report.sent) if report else 0,
        "already_sent": len(report.already_sent) if report else 0,
    }
