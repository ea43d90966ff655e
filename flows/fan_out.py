"""Fan-out over a work pool: a parent run starts runs of a deployment and waits for them all.

The national monitoring hands each instansi period to the monitoring deployment, and a period's
proposals hand each unit to the proposal deployment. The workers take the runs as they are
free; the deployment's concurrency limit, held by the Prefect server, caps how many run at once.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any
from uuid import UUID

if TYPE_CHECKING:
    from prefect.client.schemas.objects import FlowRun


def start_run(deployment: str, parameters: dict[str, Any], *, name: str, key: str) -> UUID:
    """A run of `deployment` ("flow/deployment"), started without waiting for it. `key` is its
    idempotency key: a retry of the parent (same key) finds the run instead of doubling it."""
    from prefect.deployments import run_deployment

    started = run_deployment(
        name=deployment, parameters=parameters, flow_run_name=name, idempotency_key=key, timeout=0
    )
    run_id: UUID = getattr(started, "id")  # noqa: B009 (sync call: the run, not a coroutine)
    return run_id


def wait_for_runs(ids: list[UUID], poll_seconds: float) -> dict[UUID, FlowRun]:
    """The runs by id, once every one has reached a final state."""
    if not ids:
        return {}
    from prefect import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    wanted = FlowRunFilter(id=FlowRunFilterId(any_=ids))
    with get_client(sync_client=True) as client:
        while True:
            runs = client.read_flow_runs(flow_run_filter=wanted, limit=len(ids))
            if len(runs) == len(ids) and all(
                r.state is not None and r.state.is_final() for r in runs
            ):
                return {run.id: run for run in runs}
            time.sleep(poll_seconds)


def completed(run: FlowRun) -> bool:
    return run.state is not None and run.state.is_completed()
