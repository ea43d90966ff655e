"""Pemantauan nasional: the weekly TPI monitoring of every instansi, shared by the workers.

A national deployment holds hundreds of instansi. This parent run starts one run of the
monitoring deployment per instansi and active period (`run_deployment`, linked as its
subflows), and the work pool's workers take them as they are free; the deployment's concurrency
limit, held by the Prefect server, caps how many run at once. Then it waits for all of them and
fails if any did not complete, naming them.

Rerunning is safe: the monitoring of a period on a day it already ran stores no second snapshot
and records no second crossing, and a retry of this run finds its children by their idempotency
keys instead of starting them again.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any
from uuid import UUID

from prefect import flow
from prefect.artifacts import create_markdown_artifact
from prefect.runtime import flow_run

from flows.deployments import MONITOR_DEPLOYMENT
from flows.runtime import day, unit_of_work

if TYPE_CHECKING:
    from prefect.client.schemas.objects import FlowRun

MONITOR_FLOW = "pemantauan-tpi"


@dataclass(frozen=True)
class InstansiPeriod:
    """One child run's share of the national run."""

    instansi_id: int
    instansi: str
    period_id: int


class NationalRunIncomplete(RuntimeError):
    """Some instansi periods were not monitored; the message names them and their state."""


def periods_to_monitor(on: date) -> list[InstansiPeriod]:
    with unit_of_work() as uow:
        names = {a.id: a.code or a.name for a in uow.instansi.all_instansi()}
        return [
            InstansiPeriod(p.instansi_id, names.get(p.instansi_id, str(p.instansi_id)), p.id)
            for p in uow.assessments.periods_on(day=on)
            if p.id is not None
        ]


def start_child(share: InstansiPeriod, on: date, framework: str | None) -> UUID:
    """The monitoring run of one instansi period, started without waiting for it."""
    from prefect.deployments import run_deployment

    started = run_deployment(
        name=f"{MONITOR_FLOW}/{MONITOR_DEPLOYMENT}",
        parameters={
            "as_of": on.isoformat(),
            "instansi": share.instansi_id,
            "period": share.period_id,
            "framework": framework,
            "propose_directly": False,
        },
        flow_run_name=f"pemantauan-{share.instansi}-periode-{share.period_id}-{on.isoformat()}",
        # A retry of this run (same id) finds the children it started instead of doubling them.
        idempotency_key=f"{flow_run.id}:{share.period_id}",
        timeout=0,
    )
    run_id: UUID = getattr(started, "id")  # noqa: B009 (sync call: the run, not a coroutine)
    return run_id


def wait_for_children(ids: list[UUID], poll_seconds: float) -> list[FlowRun]:
    """The child runs once every one has reached a final state."""
    from prefect import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    wanted = FlowRunFilter(id=FlowRunFilterId(any_=ids))
    with get_client(sync_client=True) as client:
        while True:
            runs = client.read_flow_runs(flow_run_filter=wanted, limit=len(ids))
            if len(runs) == len(ids) and all(
                r.state is not None and r.state.is_final() for r in runs
            ):
                return runs
            time.sleep(poll_seconds)


def summary(shares: list[InstansiPeriod], runs: dict[UUID, FlowRun], ids: list[UUID]) -> str:
    lines = [
        "| Instansi | Periode | Status | Durasi (detik) |",
        "|---|---|---|---|",
    ]
    for share, run_id in zip(shares, ids, strict=True):
        run = runs[run_id]
        seconds = run.total_run_time.total_seconds()
        lines.append(f"| {share.instansi} | {share.period_id} | {run.state_name} | {seconds:.1f} |")
    return "\n".join(lines)


def completed(run: FlowRun) -> bool:
    return run.state is not None and run.state.is_completed()


@flow(name="pemantauan-nasional", log_prints=True, validate_parameters=True)
def monitor_nationally(
    as_of: date | None = None, framework: str | None = None, poll_seconds: float = 5.0
) -> dict[str, Any]:
    on = day(as_of)
    shares = periods_to_monitor(on)
    ids = [start_child(share, on, framework) for share in shares]
    print(f"Pemantauan nasional {on.isoformat()}: {len(ids)} periode instansi diserahkan ke worker")
    runs = {run.id: run for run in wait_for_children(ids, poll_seconds)} if ids else {}
    create_markdown_artifact(
        key="pemantauan-nasional", markdown=summary(shares, runs, ids), description=on.isoformat()
    )
    unfinished = [
        f"{share.instansi} periode {share.period_id} ({runs[run_id].state_name})"
        for share, run_id in zip(shares, ids, strict=True)
        if not completed(runs[run_id])
    ]
    if unfinished:
        raise NationalRunIncomplete(
            f"Pemantauan nasional {on.isoformat()}: {len(unfinished)} dari {len(ids)} periode "
            f"instansi tidak selesai: {', '.join(unfinished)}"
        )
    return {"as_of": on.isoformat(), "periods": len(ids), "runs": [str(i) for i in ids]}
