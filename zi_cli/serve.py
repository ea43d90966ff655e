"""`zi serve` and `zi server`: the flows as Prefect deployments, on a real Prefect server.

Embedded mode has no scheduler and no automations: the weekly TPI monitoring on its cron schedule
and the proposal triggered by `zi.unit.threshold-met` need `prefect server start`. `serve_all`
uses the server named by `PREFECT_API_URL`, or starts one for the time it serves (SQLite under
`<data_dir>/prefect`), and serves every deployment from this one process.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from http.client import HTTPException
from pathlib import Path
from typing import TYPE_CHECKING, Any

from config.settings import Settings

if TYPE_CHECKING:
    from prefect import Flow
    from prefect.deployments.runner import RunnerDeployment

HOST = "127.0.0.1"
DEFAULT_PORT = 4200
STARTUP_TIMEOUT_SECONDS = 90.0
STOP_TIMEOUT_SECONDS = 15.0

MONITOR_DEPLOYMENT = "pemantauan-mingguan"
PROPOSE_DEPLOYMENT = "usulan-tpn"
REMINDER_DEPLOYMENT = "pengingat-harian"
DECLARE_DEPLOYMENT = "catat-pencanangan"
DESIGNATE_DEPLOYMENT = "catat-penetapan"
DEVELOP_DEPLOYMENT = "mulai-pembangunan"
INBOX_DEPLOYMENT = "penerimaan-lke-15-menit"
INBOX_CRON = "*/15 * * * *"
TAGS = ["zona-integritas"]


class ServerStartError(RuntimeError):
    """The local Prefect server did not come up; the message says why and where its log is."""


def deployments(settings: Settings) -> list[RunnerDeployment]:
    """Every flow as a deployment: monitoring on its cron, the proposal on its trigger, the rest
    on demand (from the UI, `prefect deployment run`, or the API)."""
    from prefect.events import DeploymentEventTrigger
    from prefect.schedules import Cron

    from flows.declare import declare
    from flows.designate import designate
    from flows.develop import develop
    from flows.inbox import receive_workbooks
    from flows.monitor import monitor
    from flows.propose import THRESHOLD_MET, propose
    from flows.reminders import send_reminders
    from flows.submit import submit
    from flows.tpn_result import tpn_result

    on_demand = "Dijalankan sesuai permintaan (UI Prefect, `prefect deployment run` atau API)."
    on_demand_flows: list[tuple[Flow[..., Any], str, str]] = [
        (declare, DECLARE_DEPLOYMENT, "Pencanangan ZI instansi untuk satu tahun."),
        (designate, DESIGNATE_DEPLOYMENT, "Penetapan unit kerja calon dengan satu SK."),
        (develop, DEVELOP_DEPLOYMENT, "Pembangunan: rencana kerja unit yang ditetapkan."),
        (submit, "kirim-usulan", "Surat usulan yang ditandatangani dikirim ke TPN."),
        (tpn_result, "catat-hasil-tpn", "Hasil TPN satu unit (tahap, anugerah, penolakan)."),
    ]
    trigger = DeploymentEventTrigger(
        name="usulkan-unit-yang-memenuhi-batas-nilai",
        description=(
            f"Setiap peristiwa `{THRESHOLD_MET}` dari pemantauan TPI membuka usulan unit "
            "tersebut ke TPN."
        ),
        expect={THRESHOLD_MET},
        match={"prefect.resource.id": "zi.unit.*"},
        parameters={
            "unit_id": "{{ event.payload.unit_id }}",
            "predicate": "{{ event.payload.predicate }}",
            "as_of": "{{ event.payload.as_of }}",
        },
    )
    return [
        _deployment(
            monitor.to_deployment(
                name=MONITOR_DEPLOYMENT,
                schedules=[Cron(settings.monitor_cron, timezone=settings.timezone)],
                # With a server, the trigger of usulan-tpn opens the proposal, not the monitor.
                parameters={"propose_directly": False},
                description=(
                    "Pemantauan TPI mingguan: menilai semua unit kerja pada periode penilaian "
                    "aktif, menulis laporan, dan mengumumkan unit yang baru memenuhi batas nilai "
                    f"(jadwal `{settings.monitor_cron}`, zona waktu {settings.timezone})."
                ),
                tags=TAGS,
            )
        ),
        _deployment(
            send_reminders.to_deployment(
                name=REMINDER_DEPLOYMENT,
                schedules=[Cron(settings.reminder_cron, timezone=settings.timezone)],
                description=(
                    "Pengingat batas waktu dan ringkasan mingguan lewat e-mail, masing-masing "
                    f"sekali (jadwal `{settings.reminder_cron}`, zona waktu {settings.timezone})."
                ),
                tags=TAGS,
            )
        ),
        _deployment(
            receive_workbooks.to_deployment(
                name=INBOX_DEPLOYMENT,
                schedules=[Cron(INBOX_CRON, timezone=settings.timezone)],
                description=(
                    "Penerimaan LKE: buku kerja yang diletakkan di kotak masuk "
                    f"({settings.inbox}) diimpor, dipindah ke diterima/ atau ditolak/, dan "
                    "tim unit diberi tahu lewat e-mail (tiap 15 menit)."
                ),
                tags=TAGS,
            )
        ),
        _deployment(
            propose.to_deployment(
                name=PROPOSE_DEPLOYMENT,
                triggers=[trigger],
                description=(
                    "Pengusulan ke TPN: unit yang memenuhi batas nilai dan prasyarat menjadi "
                    f"diusulkan; dipicu oleh peristiwa `{THRESHOLD_MET}`."
                ),
                tags=TAGS,
            )
        ),
        *(
            _deployment(flow.to_deployment(name=name, description=f"{what} {on_demand}", tags=TAGS))
            for flow, name, what in on_demand_flows
        ),
    ]


def _deployment(made: object) -> RunnerDeployment:
    """`to_deployment` is sync-compatible (typed as maybe a coroutine); called here from sync
    code it returns the deployment itself."""
    from prefect.deployments.runner import RunnerDeployment

    if not isinstance(made, RunnerDeployment):
        raise TypeError(f"expected a RunnerDeployment, got {type(made).__name__}")
    return made


def prefect_home(data_dir: Path) -> Path:
    """Where the local Prefect server keeps its database: beside the product's data."""
    return data_dir / "prefect"


def server_command(port: int = DEFAULT_PORT) -> list[str]:
    return [
        sys.executable, "-m", "prefect", "server", "start", "--host", HOST, "--port", str(port)
    ]  # fmt: skip


def server_env(data_dir: Path) -> dict[str, str]:
    """The environment of `prefect server start`: its home under the data folder, no analytics."""
    env = dict(os.environ)
    env["PREFECT_HOME"] = str(prefect_home(data_dir))
    env["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    return env


def ui_url(port: int = DEFAULT_PORT) -> str:
    return f"http://{HOST}:{port}"


def api_url(port: int = DEFAULT_PORT) -> str:
    return f"{ui_url(port)}/api"


@contextmanager
def local_server(
    data_dir: Path,
    port: int = DEFAULT_PORT,
    *,
    startup_timeout: float = STARTUP_TIMEOUT_SECONDS,
) -> Iterator[str]:
    """A `prefect server start` for the duration of the block; yields its API URL.

    The output of its latest start is in `<data_dir>/prefect/server.log`. It runs in a session
    of its own, so that Ctrl+C reaches the serving process first (which then pauses its
    schedules on the server) and the server is stopped after it.
    """
    home = prefect_home(data_dir)
    home.mkdir(parents=True, exist_ok=True)
    log_path = home / "server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            server_command(port),
            env=server_env(data_dir),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_until_healthy(process, port, startup_timeout, log_path)
        yield api_url(port)
    finally:
        stop_process(process)


def _wait_until_healthy(
    process: subprocess.Popen[bytes], port: int, timeout: float, log_path: Path
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerStartError(
                f"Server Prefect berhenti sebelum siap (kode keluar {process.returncode}); "
                f"mungkin port {port} sudah dipakai: hentikan server lain itu atau arahkan "
                f"PREFECT_API_URL ke sana. Log: {log_path}\n{log_tail(log_path)}"
            )
        if _healthy(port):
            return
        time.sleep(0.5)
    raise ServerStartError(
        f"Server Prefect tidak siap dalam {timeout:.0f} detik di {ui_url(port)}. "
        f"Log: {log_path}\n{log_tail(log_path)}"
    )


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"{api_url(port)}/health", timeout=2) as response:
            return bool(response.status == 200)
    except (OSError, HTTPException):  # refused, reset, timed out, 5xx, garbled
        return False


def log_tail(path: Path, lines: int = 20) -> str:
    """The last non-blank lines of a log file, or nothing if it cannot be read."""
    try:
        text = path.read_text(errors="replace")
        return "\n".join([line for line in text.splitlines() if line.strip()][-lines:])
    except OSError:
        return ""


def stop_process(process: subprocess.Popen[bytes], timeout: float = STOP_TIMEOUT_SECONDS) -> None:
    """Terminate, then kill if it has not exited after `timeout` seconds."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def serve_all(settings: Settings) -> None:
    """Serve every deployment until interrupted, on `PREFECT_API_URL` or on a local server.

    The local server's URL reaches the flow runs too: the runner passes the current Prefect
    settings to the processes it starts.
    """
    from prefect.settings import PREFECT_API_URL, temporary_settings

    given = PREFECT_API_URL.value()
    if given:
        print(f"Server Prefect: {given}", flush=True)
        _serve(settings)
        return
    print(f"Menyalakan server Prefect lokal di {ui_url()} ...", flush=True)
    with local_server(settings.data_dir) as url, temporary_settings({PREFECT_API_URL: url}):
        print(f"Server Prefect lokal siap; UI: {ui_url()}", flush=True)
        # The folder alone on its line, whole, so that it can be copied.
        print("Basis data dan log server Prefect:", flush=True)
        print(prefect_home(settings.data_dir), flush=True)
        _serve(settings)


def _serve(settings: Settings) -> None:
    from prefect import serve

    serve(*deployments(settings))


def run_server_foreground(data_dir: Path, port: int = DEFAULT_PORT) -> int:
    """`prefect server start` in the foreground; returns its exit status (0 after Ctrl+C).

    Ctrl+C reaches the server too (same process group): this process then waits for its clean
    shutdown, and terminates it only if that takes longer than the stop timeout.
    """
    prefect_home(data_dir).mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(server_command(port), env=server_env(data_dir))
    try:
        return process.wait()
    except KeyboardInterrupt:
        with suppress(subprocess.TimeoutExpired, KeyboardInterrupt):
            process.wait(timeout=STOP_TIMEOUT_SECONDS)
        return 0
    finally:
        stop_process(process)
