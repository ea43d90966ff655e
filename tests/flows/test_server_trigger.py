"""`zi serve` on a real Prefect server: the period's event triggers the proposal deployments.

Everything Prefect runs in processes of their own: `prefect server start` (through
`local_server`, on a free port with a temporary home) and `zi serve` pointed at it. This test
process only prepares the product database and talks to the server's REST API, so the session's
`prefect_harness` (when other tests have started it) neither serves it nor gets in its way.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from flows.deployments import (
    MONITOR_DEPLOYMENT,
    PROPOSE_DEPLOYMENT,
    PROPOSE_PENDING_DEPLOYMENT,
    deployments,
)
from persistence.database import default_engine
from persistence.tables import Proposal
from tests.domain.worksheets import top_answers
from tests.flows.test_lifecycle_flows import answer, count, kabupaten, unit_state
from zi_cli.serve import ServerStartError, local_server, log_tail, stop_process

__all__ = ["kabupaten"]  # a fixture, shared with the flow tests

REPO = Path(__file__).resolve().parents[2]
TRIGGER_TIMEOUT_SECONDS = 90.0
TERMINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(what: str, check: Callable[[], Any], timeout: float, log: Path) -> Any:
    """Polls `check` until it returns something truthy; fails with the serving log otherwise."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.5)
    pytest.fail(f"no {what} within {timeout:.0f} s; zi serve log:\n{log_tail(log, 40)}")


def zi_process(*arguments: str, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """`zi ARGUMENTS` in a session of its own (its flow runs in its group), output in `log`."""
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "zi_cli.main", *arguments],
            cwd=REPO,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


@pytest.fixture
def prefect_api(tmp_path: Path) -> Iterator[httpx.Client]:
    """A real `prefect server start` on a free port, home and database in tmp_path."""
    with (
        local_server(tmp_path / "server", port=free_port()) as url,
        httpx.Client(base_url=url, timeout=10) as client,
    ):
        yield client


@pytest.fixture
def zi_serve(prefect_api: httpx.Client, data_dir: Path, tmp_path: Path) -> Iterator[Path]:
    """`zi serve` against that server and the test's product database, in a process group of
    its own; yields its log file. The runner looks for runs every second instead of ten."""
    log = tmp_path / "zi-serve.log"
    env = os.environ | {
        "ZI_DATA_DIR": str(data_dir),
        "PREFECT_API_URL": str(prefect_api.base_url).rstrip("/"),
        "PREFECT_HOME": str(tmp_path / "runner"),
        "PREFECT_RUNNER_POLL_FREQUENCY": "1",
    }
    process = zi_process("serve", env=env, log=log)
    try:
        yield log
    finally:
        stop_process(process, timeout=20)
        # Flow runs are the runner's children, in the group this test started.
        if sys.platform != "win32":
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)


def request(api: httpx.Client, method: str, url: str, **options: Any) -> httpx.Response:
    """One API call; a SQLite-backed server answers 503 while another writer holds the
    database (the runner registering its deployments), so that is retried."""
    for _ in range(20):
        response = api.request(method, url, **options)
        if response.status_code != 503:
            return response
        time.sleep(0.5)
    return response


def deployment_ids(api: httpx.Client) -> dict[str, str]:
    response = request(api, "POST", "/deployments/filter", json={})
    response.raise_for_status()
    return {d["name"]: d["id"] for d in response.json()}


def runs_of(api: httpx.Client, deployment_id: str) -> list[dict[str, Any]]:
    response = request(
        api,
        "POST",
        "/flow_runs/filter",
        json={"flow_runs": {"deployment_id": {"any_": [deployment_id]}}},
    )
    response.raise_for_status()
    runs: list[dict[str, Any]] = response.json()
    return runs


def finished(api: httpx.Client, deployment_id: str) -> dict[str, Any] | None:
    done = [r for r in runs_of(api, deployment_id) if r["state_type"] in TERMINAL]
    return done[0] if done else None


def all_served(api: httpx.Client, names: set[str]) -> dict[str, str] | None:
    """Deployment ids by name once the runner has registered every one of `names`."""
    found = deployment_ids(api)
    return found if found.keys() == names else None


def test_threshold_event_triggers_the_proposal(
    kabupaten: dict[str, int], prefect_api: httpx.Client, zi_serve: Path
) -> None:
    from config.settings import get_settings
    from flows.declare import declare
    from flows.designate import designate
    from flows.develop import develop

    ids = kabupaten
    # The stages before monitoring, as plain functions: no Prefect needed in this process.
    declare.fn(instansi=ids["instansi"], year=2026, as_of=date(2026, 1, 5))
    designate.fn(
        instansi=ids["instansi"],
        candidates=["BAIK"],
        sk_number="800/3/2026",
        as_of=date(2026, 1, 20),
    )
    develop.fn(instansi=ids["instansi"], as_of=date(2026, 2, 2))
    answer(ids, "BAIK", top_answers())

    api = prefect_api
    served = {d.name for d in deployments(get_settings())}
    ids_of = wait_for("served deployments", lambda: all_served(api, served), 60, zi_serve)
    monitor, propose = ids_of[MONITOR_DEPLOYMENT], ids_of[PROPOSE_DEPLOYMENT]
    period_proposals = ids_of[PROPOSE_PENDING_DEPLOYMENT]
    automations = wait_for(
        "automation of the trigger",
        lambda: request(api, "POST", "/automations/filter", json={}).json(),
        30,
        zi_serve,
    )
    assert [a["actions"][0]["deployment_id"] for a in automations] == [period_proposals]

    # The weekly monitoring, run now through its deployment: propose_directly is False there.
    created = request(
        api,
        "POST",
        f"/deployments/{monitor}/create_flow_run",
        json={"parameters": {"as_of": "2027-03-01"}},
    )
    assert created.status_code == 201, created.text
    assert created.json()["parameters"]["propose_directly"] is False

    def proposal_runs() -> tuple[dict[str, Any], dict[str, Any]] | None:
        monitored = finished(api, monitor)
        if monitored is not None and monitored["state_type"] != "COMPLETED":
            pytest.fail(f"monitoring run {monitored['state_type']}:\n{log_tail(zi_serve, 40)}")
        period_run, unit_run = finished(api, period_proposals), finished(api, propose)
        return (period_run, unit_run) if period_run and unit_run else None

    period_run, unit_run = wait_for(
        "finished usulan-tpn-periode and usulan-tpn runs",
        proposal_runs,
        TRIGGER_TIMEOUT_SECONDS,
        zi_serve,
    )
    # The monitoring's one event for the period started the period's run, which handed the unit
    # to the proposal deployment.
    assert period_run["state_type"] == "COMPLETED", log_tail(zi_serve, 40)
    assert period_run["created_by"]["type"] == "AUTOMATION"
    with default_engine().connect() as connection:
        crossed = text("select period_id from threshold_crossing")
        period_id = connection.execute(crossed).scalar_one()
    assert period_run["parameters"] == {"period": period_id, "as_of": "2027-03-01"}
    assert unit_run["state_type"] == "COMPLETED", log_tail(zi_serve, 40)
    assert unit_run["parameters"] == {
        "unit_id": ids["BAIK"],
        "predicate": "WBK",
        "as_of": "2027-03-01",
    }
    assert len(runs_of(api, propose)) == 1 and len(runs_of(api, period_proposals)) == 1
    assert unit_state("BAIK") == "proposed"
    assert count(Proposal) == 1
    with default_engine().connect() as connection:
        package = connection.execute(text("select package_path from proposal")).scalar_one()
    assert Path(package).is_file()  # the served run built the unit's package


def test_deployments_schedule_and_trigger(monkeypatch: pytest.MonkeyPatch) -> None:
    from config.settings import get_settings

    monkeypatch.setenv("ZI_MONITOR_CRON", "30 6 * * 2")
    served = {d.name: d for d in deployments(get_settings())}
    assert set(served) == {
        MONITOR_DEPLOYMENT,
        PROPOSE_DEPLOYMENT,
        PROPOSE_PENDING_DEPLOYMENT,
        "pengingat-harian",
        "catat-pencanangan",
        "catat-penetapan",
        "mulai-pembangunan",
        "kirim-usulan",
        "catat-hasil-tpn",
        "penerimaan-lke-15-menit",
    }
    [inbox] = served["penerimaan-lke-15-menit"].schedules
    assert (inbox.schedule.cron, inbox.schedule.timezone) == ("*/15 * * * *", "Asia/Jakarta")
    monitor = served[MONITOR_DEPLOYMENT]
    [schedule] = monitor.schedules
    assert (schedule.schedule.cron, schedule.schedule.timezone) == ("30 6 * * 2", "Asia/Jakarta")
    assert monitor.parameters == {"propose_directly": False}
    assert monitor.triggers == []
    [daily] = served["pengingat-harian"].schedules
    assert (daily.schedule.cron, daily.schedule.timezone) == ("0 8 * * 1-5", "Asia/Jakarta")

    assert served[PROPOSE_DEPLOYMENT].triggers == []
    [trigger] = served[PROPOSE_PENDING_DEPLOYMENT].triggers
    assert trigger.expect == {"zi.period.proposals-pending"}
    assert trigger.match.model_dump() == {"prefect.resource.id": "zi.period.*"}
    assert trigger.parameters == {
        "period": "{{ event.payload.period_id }}",
        "as_of": "{{ event.payload.as_of }}",
    }
    on_demand = ("catat-pencanangan", "catat-penetapan", "mulai-pembangunan", "kirim-usulan")
    for name in (*on_demand, "catat-hasil-tpn"):
        assert served[name].schedules == [] and served[name].triggers == []
        assert served[name].description


def test_a_busy_port_is_a_clear_error(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with (
            pytest.raises(ServerStartError, match=f"port {port} sudah dipakai"),
            local_server(tmp_path, port=port, startup_timeout=60),
        ):
            pass
