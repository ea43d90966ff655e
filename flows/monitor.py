"""Pemantauan TPI: the weekly run over every active assessment period.

For each period it scores all units in one vectorised pass, keeps a snapshot per unit, finds what
changed, and records each unit that newly meets a predicate with its prerequisites (a crossing).
Then it finishes the proposals still pending in the period, new and from runs before: embedded, it
calls the proposal flow itself (`propose_directly`); with a Prefect server it announces them once
for the period (`zi.period.proposals-pending`), and the event's deployment trigger runs
`flows.propose_pending`, which hands each unit to a worker. Last it writes the HTML report, which
lists any proposal still pending, and publishes the Prefect artifacts: a summary and a table of the
units that changed, crossed or await their proposal, bounded whatever the number of units.
A run that leaves a proposal pending for a failure (not a refusal by the rules) ends Failed,
after its report. All of a period's work is one task, which hands the flow only a small summary.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.events import emit_event

from config.framework_files import load_framework
from config.settings import get_settings
from flows.propose import propose
from flows.propose_pending import PROPOSALS_PENDING
from flows.runtime import day, instansi_id_of, unit_of_work
from reports.monitoring import (
    MonitoringArtifacts,
    PendingProposal,
    monitoring_artifacts,
    pending_lines,
    report_folder,
    write_monitoring_report,
)
from services.monitoring import (
    Crossing,
    collector_paused,
    collector_spares_the_run,
    monitor_period,
)
from services.pending_proposals import (
    ProposalsPending,
    letter_of_period,
    note_pending,
    pending_proposals,
    refused_by_rules,
)
from zi_domain.plain_text import one_line

RESULT_LISTED = 100
"""Crossings and pending proposals a run's result lists; the rest are counted (`*_count`), and
the report lists them all. Prefect walks and stores a flow's result: the first run of 20,000
units returned 3,468 of each, and handing them back took 0.5-0.9 s of the run."""


@dataclass(frozen=True)
class PeriodResult:
    """What one period's run hands back to the flow: small, whatever the number of units."""

    crossings: tuple[Crossing, ...]
    pending: tuple[PendingProposal, ...]  # still waiting for their proposal
    failed: tuple[PendingProposal, ...]  # of those, the ones that failed (not refused by rules)
    report: str  # the HTML report's path


# One task a period: scoring, proposals, report and artifacts inside it, so that nothing the size
# of the run crosses a task boundary. Passed between tasks, the run's report (20,000 rows) was
# walked by Prefect at every call (its inputs' futures resolved, the collection rebuilt): 24-30 s
# a run over the bare `monitor_period`. Not persisted, never cached: a retry recomputes, and
# scoring, proposing and writing are idempotent (snapshots replaced, crossings UNIQUE).
@task(
    name="pemantauan-periode",
    retries=2,
    retry_delay_seconds=10,
    persist_result=False,
    cache_policy=NO_CACHE,
)
def monitor_one_period(
    period_id: int, on: date, framework: str | None, propose_directly: bool
) -> PeriodResult:
    with collector_spares_the_run() as built:
        with unit_of_work() as uow:
            outcome = monitor_period(
                uow,
                period_id=period_id,
                framework=load_framework(framework),
                as_of=on,
                report_dir=None,  # written below, once the proposals are settled
                evidence_max_age_years=get_settings().evidence_max_age_years,
            )
        built()
        still, failing = finish_pending(period_id, on, propose_directly)
        with unit_of_work() as uow:  # the units it shows in full, now the pending are known
            report = outcome.in_full.detail(uow, replace(outcome.report, pending=tuple(still)))
        folder = report_folder(
            get_settings().data_dir / "reports", instansi=report.instansi, period_id=period_id
        )
        with collector_paused():  # the report's objects are many and short-lived, as the run's
            path = str(write_monitoring_report(report, folder))
            publish(monitoring_artifacts(report, path), period_id)
        return PeriodResult(
            crossings=outcome.crossings, pending=tuple(still), failed=tuple(failing), report=path
        )


def publish(artifacts: MonitoringArtifacts, period_id: int) -> None:
    """The bounded artifacts (at most ARTIFACT_ROWS rows), published by the period's task: a
    task of their own cost a second a run in Prefect's handling of the call (0.4 s to publish)."""
    key = f"pemantauan-periode-{period_id}"
    create_table_artifact(
        key=key, table=list(artifacts.table.rows), description=artifacts.description
    )
    create_markdown_artifact(key=f"{key}-ringkasan", markdown=artifacts.markdown)


def finish_pending(
    period_id: int, on: date, propose_directly: bool
) -> tuple[list[PendingProposal], list[PendingProposal]]:
    """Proposes every unit of the period still waiting for its proposal (or, with a server,
    announces them for the trigger). Returns those still waiting, and those of them that failed
    for a reason other than the rules' refusal."""
    with unit_of_work() as uow:
        waiting = pending_proposals(uow, period_ids=[period_id])
    if not propose_directly:
        if waiting:
            announce(period_id, waiting, on)
        return waiting, []
    failed: set[int] = set()
    for pending in waiting:
        try:
            propose(unit_id=pending.unit_id, predicate=pending.predicate, as_of=on)
        except Exception as error:
            with unit_of_work() as uow:
                reason = note_pending(uow, crossing_id=pending.crossing_id, error=error)
            print(one_line(f"Usulan {pending.predicate} {pending.code} tertunda: {reason}"))
            if not refused_by_rules(error):
                failed.add(pending.crossing_id)
    with unit_of_work() as uow:
        letter_of_period(uow, period_id=period_id, as_of=on, data_dir=get_settings().data_dir)
        still = pending_proposals(uow, period_ids=[period_id])
    return still, [p for p in still if p.crossing_id in failed]


def announce(period_id: int, waiting: list[PendingProposal], on: date) -> None:
    """One event for the period's pending proposals, however many: an event a unit cost the
    first run of 20,000 units 3,468 events, 0.6 s to send and as much again slowing the report."""
    emit_event(
        event=PROPOSALS_PENDING,
        resource={
            "prefect.resource.id": f"zi.period.{period_id}",
            "prefect.resource.name": f"periode penilaian {period_id}",
        },
        payload={"period_id": period_id, "as_of": on.isoformat(), "pending": len(waiting)},
    )


@flow(
    name="pemantauan-tpi",
    log_prints=True,
    persist_result=True,
    retries=1,
    retry_delay_seconds=60,
    validate_parameters=True,
)
def monitor(
    as_of: date | None = None,
    instansi: str | int | None = None,
    framework: str | None = None,
    propose_directly: bool = True,
    period: int | None = None,
) -> dict[str, Any]:
    """Every active period on `as_of` (of one instansi), or only `period`: the national run
    (`flows.national_monitor`) gives each child run one instansi and one period."""
    on = day(as_of)
    with unit_of_work() as uow:
        instansi_id = None if instansi is None else instansi_id_of(uow, instansi)
        periods = [
            p.id
            for p in uow.assessments.periods_on(day=on, instansi_id=instansi_id)
            if period is None or p.id == period
        ]
    crossings: list[Crossing] = []
    pending: list[PendingProposal] = []
    failed: list[PendingProposal] = []
    reports: list[str] = []
    for period_id in periods:
        assert period_id is not None
        result = monitor_one_period(period_id, on, framework, propose_directly)
        crossings += result.crossings
        pending += result.pending
        failed += result.failed
        reports.append(result.report)
    print(
        f"Pemantauan {on.isoformat()}: {len(periods)} periode, {len(crossings)} unit baru "
        f"memenuhi batas nilai, {len(pending)} usulan tertunda; "
        f"laporan: {', '.join(reports) or '-'}"
    )
    if failed:
        raise ProposalsPending(failed)
    return {
        "periods": len(periods),
        "crossings": [
            {"unit_id": c.unit_id, "predicate": c.predicate} for c in crossings[:RESULT_LISTED]
        ],
        "crossing_count": len(crossings),
        "pending": pending_lines(pending[:RESULT_LISTED]),
        "pending_count": len(pending),
        "reports": reports,
    }
