"""`zi serve` and `zi server`: the flows as Prefect deployments, on a real Prefect server.

Embedded mode has no scheduler and no automations: the weekly TPI monitoring on its cron schedule
and the proposals triggered by `zi.period.proposals-pending` need `prefect server start`.
`serve_all` uses the server named by `PREFECT_API_URL`, or starts one for the time it serves (SQLite
under `<data_dir>/prefect`), and serves every deployment from this one process.
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

from config.settings import Settings
from flows.deployments import deployments

HOST = "127.0.0.1"
DEFAULT_PORT = 4200
STARTUP_TIMEOUT_SECONDS = 90.0
STOP_TIMEOUT_SECONDS = 15.0


class ServerStartError(RuntimeError):
    """The local Prefect server did not come up; the message says why and where its log is."""


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
    # A fan-out's run refused a slot by its deployment's concurrency limit is retried after this
    # (Prefect's default, 30 s, leaves workers idle between a national run's children).
    env.setdefault("PREFECT_SERVER_DEPLOYMENTS_CONCURRENCY_SLOT_WAIT_SECONDS", "5")
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
