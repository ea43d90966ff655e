"""Pemantauan nasional: the weekly TPI monitoring of every instansi, shared by the workers.

A national deployment holds hundreds of instansi. This parent run starts one run of the
monitoring deployment per instansi and active period (`flows.fan_out`), and the work pool's
workers take them as they are free; the deployment's concurrency limit caps how many run at
once. Then it waits for all of them and fails if any did not complete, naming them.

Rerunning is safe: the monitoring of a period on a day it already ran stores no second snapshot
and records no second crossing, and a retry of this run finds its children by their idempotency
keys instead of starting them again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any
from uuid import UUID

from prefect import flow
from prefect.artifacts import create_markdown_artifact
from prefect.runtime import flow_run

from flows.deployments import MONITOR_DEPLOYMENT
from flows.fan_out import completed, start_run, wait_for_runs
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
    return start_run(
        f"{MONITOR_FLOW}/{MONITOR_DEPLOYMENT}",
        {
            "as_of": on.isoformat(),
            "instansi": share.instansi_id,
            "period": share.period_id,
            "framework": framework,
            "propose_directly": False,
        },
        name=f"pemantauan-{share.instansi}-periode-{share.period_id}-{on.isoformat()}",
        key=f"{flow_run.id}:{share.period_id}",
    )


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


@flow(name="pemantauan-nasional", log_prints=True, validate_parameters=True)
def monitor_nationally(
    as_of: date | None = None, framework: str | None = None, poll_seconds: float = 5.0
) -> dict[str, Any]:
    on = day(as_of)
    shares = periods_to_monitor(on)
    ids = [start_child(share, on, framework) for share in shares]
    print(f"Pemantauan nasional {on.isoformat()}: {len(ids)} periode instansi diserahkan ke worker")
    runs = wait_for_runs(ids, poll_seconds)
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
