"""The lifecycle stages from the shell, by codes: declare, designate, develop, monitor, remind.

Each command runs the stage's Prefect flow: embedded by default (a temporary Prefect API in this
process, nothing to set up), or with `--server` the deployment that `zi serve` registered on the
configured Prefect server, waiting for its result. Either way the flow is the same code, so what
a person runs by hand is what the schedule runs.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import os
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from typing import Any

from flows import deployments
from services.lookup import NotFoundInData, find_instansi
from zi_cli.output import fail


@dataclass(frozen=True)
class Stage:
    """A flow (module and function) and the name of its deployment under `zi serve`."""

    module: str
    function: str
    deployment: str


DECLARE = Stage("flows.declare", "declare", deployments.DECLARE_DEPLOYMENT)
DESIGNATE = Stage("flows.designate", "designate", deployments.DESIGNATE_DEPLOYMENT)
DEVELOP = Stage("flows.develop", "develop", deployments.DEVELOP_DEPLOYMENT)
MONITOR = Stage("flows.monitor", "monitor", deployments.MONITOR_DEPLOYMENT)
REMIND = Stage("flows.reminders", "send_reminders", deployments.REMINDER_DEPLOYMENT)
INBOX = Stage("flows.inbox", "receive_workbooks", deployments.INBOX_DEPLOYMENT)


class StageFailed(RuntimeError):
    """The flow run did not complete; the message has its state and why."""


def known_instansi(key: str) -> str:
    """The instansi's code (or name) as the flow takes it; exit 2 when it does not exist."""
    from persistence.unit_of_work import default_unit_of_work

    with default_unit_of_work() as uow:
        try:
            found = find_instansi(uow, key)
        except NotFoundInData as error:
            fail(f"--instansi: {error}")
    return found.code or found.name


def run_stage(stage: Stage, parameters: dict[str, Any], *, server: bool) -> dict[str, Any]:
    """The flow's result, run here or as its deployment on the Prefect server."""
    quiet_prefect()
    if server:
        return _run_deployment(stage, parameters)
    import importlib

    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    # Run by hand, a failed flow is not retried after a delay: the person reads why and reruns.
    flow = getattr(importlib.import_module(stage.module), stage.function).with_options(retries=0)
    # A command run by hand is short: no heartbeat thread to join (about 1 s a flow).
    try:
        with temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
            result: dict[str, Any] = flow(**parameters)
    finally:
        prefect_console_to_process_stderr()
    return result


def prefect_console_to_process_stderr() -> None:
    """Prefect's console log handlers keep the `sys.stderr` of the moment they were made; when
    the command runs inside another program (a test's CLI runner), that stream is closed after
    the command. They are pointed at the process's own stderr once the flow has run."""
    from prefect.logging.handlers import PrefectConsoleHandler

    loggers = [logging.getLogger(), *map(logging.getLogger, list(logging.root.manager.loggerDict))]
    for handler in {h for lg in loggers for h in lg.handlers}:
        stderr = sys.__stderr__
        if isinstance(handler, PrefectConsoleHandler) and stderr and handler.stream is not stderr:
            # Not `setStream`: it flushes the old stream first, which may be closed already.
            with handler.lock or contextlib.nullcontext():
                handler.stream = stderr
            handler.console.file = stderr


def quiet_prefect() -> None:
    """Prefect's own log lines would bury the command's answer; warnings and errors still show."""
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    # The embedded API's first start migrates its database (about 25 s on 2 cores, more when
    # they are busy); Prefect's own limit, 20 s, failed a demo on a loaded machine.
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")


@contextlib.contextmanager
def prefect_api_started_meanwhile() -> Iterator[None]:
    """Starts the temporary Prefect API while the block does work of its own, and waits for it
    at the end. With no PREFECT_API_URL the first flow call starts it and waits: 7-8 s on 2
    cores, 15-17 s when its database is new, nearly all of it in the API's own process, so a
    caller with work to do first (the demo's seeding) spends that wait working."""
    from prefect.settings import PREFECT_API_URL

    if PREFECT_API_URL.value():
        yield
        return
    # Waited for on leaving, whatever the block did: two starts at once would not wait for each
    # other's server. The thread sees this context's Prefect settings, as the flows will.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="zi-prefect-api") as pool:
        started = pool.submit(contextvars.copy_context().run, _hello_prefect_api)
        yield
        started.result()  # its error, if the API did not start


def _hello_prefect_api() -> None:
    from prefect import get_client

    with get_client(sync_client=True) as client:  # starts the temporary API if none runs
        client.hello()


def _run_deployment(stage: Stage, parameters: dict[str, Any]) -> dict[str, Any]:
    import importlib

    from prefect.client.schemas.objects import FlowRun
    from prefect.deployments import run_deployment

    flow = getattr(importlib.import_module(stage.module), stage.function)
    if not os.environ.get("PREFECT_API_URL"):
        fail(
            "--server memerlukan PREFECT_API_URL (alamat server Prefect tempat `zi serve` berjalan)"
        )
    run = run_deployment(
        name=f"{flow.name}/{stage.deployment}",
        parameters={k: _json(v) for k, v in parameters.items()},
        timeout=None,
    )
    if not isinstance(run, FlowRun):  # called from sync code it is the run, not a coroutine
        raise TypeError(f"expected a FlowRun, got {type(run).__name__}")
    state = run.state
    if state is None or not state.is_completed():
        reason = state.message if state is not None else "tanpa status"
        raise StageFailed(f"{flow.name}: run {run.name} {getattr(state, 'name', '?')}: {reason}")
    result = state.result()
    if not isinstance(result, dict):
        raise StageFailed(f"{flow.name}: hasil run {run.name} tidak terbaca ({result!r})")
    return result


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value
