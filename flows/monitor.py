"""Pemantauan TPI: the weekly run over every active assessment period.

For each period it scores all units in one vectorised pass, keeps a snapshot per unit, finds
what changed, writes the HTML report, publishes Prefect artifacts, and for each unit that newly
meets a predicate with its prerequisites emits `zi.unit.threshold-met`. With a Prefect server the
event's deployment trigger runs the proposal; embedded (no server to trigger), this flow calls
the proposal flow itself (`propose_directly`).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.events import emit_event

from config.framework_files import load_framework
from config.settings import get_settings
from flows.propose import THRESHOLD_MET, propose
from flows.runtime import day, instansi_id_of, unit_of_work
from reports.monitoring import monitoring_markdown, monitoring_table
from services.monitoring import Crossing, MonitoringOutcome, monitor_period


@task(name="nilai-dan-riwayat", retries=2, retry_delay_seconds=10)
def monitor_one_period(period_id: int, as_of: date, framework: str | None) -> MonitoringOutcome:
    with unit_of_work() as uow:
        return monitor_period(
            uow,
            period_id=period_id,
            framework=load_framework(framework),
            as_of=as_of,
            report_dir=get_settings().data_dir / "reports",
            evidence_max_age_years=get_settings().evidence_max_age_years,
        )


@task(name="terbitkan-artefak")
def publish(outcome: MonitoringOutcome, period_id: int) -> None:
    key = f"pemantauan-periode-{period_id}"
    create_table_artifact(
        key=key,
        table=monitoring_table(outcome.report),
        description=f"Unit kerja per {outcome.report.as_of.isoformat()}",
    )
    create_markdown_artifact(key=f"{key}-ringkasan", markdown=monitoring_markdown(outcome.report))


def announce(crossing: Crossing) -> None:
    emit_event(
        event=THRESHOLD_MET,
        resource={
            "prefect.resource.id": f"zi.unit.{crossing.unit_id}",
            "prefect.resource.name": crossing.name,
        },
        payload={
            "unit_id": crossing.unit_id,
            "predicate": crossing.predicate,
            "score": crossing.total,
            "as_of": crossing.as_of.isoformat(),
        },
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
) -> dict[str, Any]:
    on = day(as_of)
    with unit_of_work() as uow:
        instansi_id = None if instansi is None else instansi_id_of(uow, instansi)
        periods = [p.id for p in uow.assessments.periods_on(day=on, instansi_id=instansi_id)]
    crossings: list[Crossing] = []
    reports: list[str] = []
    for period_id in periods:
        assert period_id is not None
        outcome = monitor_one_period(period_id, on, framework)
        publish(outcome, period_id)
        reports += [str(outcome.report_path)] if outcome.report_path else []
        for crossing in outcome.crossings:
            announce(crossing)
            if propose_directly:
                propose(unit_id=crossing.unit_id, predicate=crossing.predicate, as_of=on)
        crossings += outcome.crossings
    print(
        f"Pemantauan {on.isoformat()}: {len(periods)} periode, {len(crossings)} unit baru "
        f"memenuhi batas nilai; laporan: {', '.join(reports) or '-'}"
    )
    return {
        "periods": len(periods),
        "crossings": [{"unit_id": c.unit_id, "predicate": c.predicate} for c in crossings],
        "reports": reports,
    }
