"""Benchmark: a national weekly monitoring through a real Prefect server, with 1 and 2 workers.

10 agencies x 2,000 units (the defaults), each agency one TPI period with the synthetic answers
of `bench/monitoring.py`, in one PostgreSQL product database. For each number of workers, on a
fresh copy of that database and a fresh Prefect server backed by its own PostgreSQL database:
the monitoring deployment is registered to a process work pool (as `zi deploy` registers it),
N `zi worker --limit 1` start (each runs one flow run at a time, as a one-core machine would),
and the national run (`flows.national_monitor.monitor_nationally`) is called in this process: it
starts one child run per agency period and waits for them. The proposal deployment is not
registered: the packages a first run's crossings announce are measured by `bench/packages.py`.

Beside it, in the same run, the floor: the same ten `monitor_period` calls, one after the
other, in one process without Prefect (the work itself, with nothing shared out). Each worker's
idle time is the national run's wall time minus the time its flow runs were running (their
`start_time` to `end_time` on the server); which worker ran which run is read from the
workers' own logs. Peak memory is the largest resident set summed over a worker's process group
(the worker and its flow runs), sampled every 0.2 s.

    python bench/national.py [--agencies 10] [--units 2000] [--workers 1 2]
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
from monitoring import FIRST_RUN, FRAMEWORK, PostgresBackend, load, synthetic_period
from sqlalchemy.engine import URL

from config.framework_files import load_framework
from persistence.database import make_engine
from persistence.migrate import upgrade_database
from persistence.unit_of_work import SqlUnitOfWork
from services.monitoring import monitor_period

REPO = Path(__file__).resolve().parents[1]
POOL = "zi-bench"
MIB = 2**20
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
RUN_ID = re.compile(r"submitting flow run '([0-9a-f-]{36})'")
# Two workers may both try a run; the server lets one start it and tells the other to abort.
ABORTED = re.compile(r"Aborted submission of flow run '([0-9a-f-]{36})'")


@dataclass
class WorkerReport:
    name: str
    runs: int = 0
    busy_seconds: float = 0.0
    idle_seconds: float = 0.0
    peak_rss_mib: float = 0.0


@dataclass
class NationalSample:
    workers: int
    seconds: float
    children: int
    by_worker: list[WorkerReport] = field(default_factory=list)


def prepare(backend: PostgresBackend, agencies: int, units: int) -> tuple[URL, list[int]]:
    """The template database: `agencies` instansi of `units` units, each with its period."""
    url = backend.create()
    upgrade_database(url)
    engine = make_engine(url)
    framework = load_framework(FRAMEWORK)
    periods = []
    for number in range(agencies):
        loaded = load(engine, synthetic_period(framework, units, seed=7 + number))
        with engine.begin() as connection:
            connection.execute(
                sa.text("UPDATE instansi SET name = :name, code = :code WHERE id = :id"),
                {
                    "name": f"Instansi Contoh {number + 1:02d}",
                    "code": f"INS{number + 1:02d}",
                    "id": loaded.instansi_id,
                },
            )
        periods.append(loaded.period_id)
        print(f"  instansi {number + 1}/{agencies} loaded", flush=True)
    engine.dispose()
    backend.analyze(url)
    return url, periods


def floor(url: URL, periods: list[int]) -> float:
    """The ten periods monitored one after the other in this process, without Prefect."""
    framework = load_framework(FRAMEWORK)
    engine = make_engine(url)
    with tempfile.TemporaryDirectory() as reports:
        started = time.perf_counter()
        for period_id in periods:
            with SqlUnitOfWork(engine) as uow:
                monitor_period(
                    uow,
                    period_id=period_id,
                    framework=framework,
                    as_of=FIRST_RUN,
                    report_dir=Path(reports),
                )
        seconds = time.perf_counter() - started
    engine.dispose()
    return seconds


def group_rss_mib(pgid: int) -> float:
    """The resident set of every process in the group `pgid`, summed."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) == pgid:  # field 5 of stat, the process group
                total += int((entry / "statm").read_text().split()[1]) * PAGE_SIZE
        except (OSError, IndexError, ValueError):
            continue
    return total / MIB


@contextmanager
def sampling_rss(pgids: list[int], peaks: dict[int, float]) -> Iterator[None]:
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            for pgid in pgids:
                peaks[pgid] = max(peaks.get(pgid, 0.0), group_rss_mib(pgid))
            stop.wait(0.2)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def start_workers(count: int, env: dict[str, str], folder: Path) -> list[subprocess.Popen[bytes]]:
    processes = []
    for number in range(1, count + 1):
        log = (folder / f"worker-{number}.log").open("wb")
        command = [sys.executable, "-m", "zi_cli.main", "worker", "--pool", POOL, "--limit", "1"]
        processes.append(
            subprocess.Popen(
                [*command, "--name", f"pekerja-{number}"],
                cwd=REPO,
                env=env | {"PREFECT_HOME": str(folder / f"worker-{number}")},
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
    return processes


def wait_online(api: str, count: int) -> None:
    deadline = time.monotonic() + 120
    with httpx.Client(base_url=api, timeout=10) as client:
        while time.monotonic() < deadline:
            found = client.post(f"/work_pools/{POOL}/workers/filter", json={}).json()
            if sum(w.get("status") == "ONLINE" for w in found) >= count:
                return
            time.sleep(0.5)
    raise RuntimeError(f"{count} workers did not come online")


def child_runs(api: str, ids: list[str]) -> list[dict[str, Any]]:
    with httpx.Client(base_url=api, timeout=30) as client:
        response = client.post("/flow_runs/filter", json={"flow_runs": {"id": {"any_": ids}}})
        response.raise_for_status()
        runs: list[dict[str, Any]] = response.json()
        return runs


def national(
    url: URL, backend: PostgresBackend, workers: int, agencies: int, folder: Path
) -> NationalSample:
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from flows.deployments import MONITOR_DEPLOYMENT, deployments
    from flows.national_monitor import monitor_nationally
    from zi_cli.serve import local_server, stop_process
    from zi_cli.work_pool import ensure_work_pool, work_pool

    prefect_db = backend.create().set(drivername="postgresql+asyncpg")
    data_dir = folder / "data"
    product_url = url.render_as_string(hide_password=False)
    os.environ.update(
        ZI_DATABASE_URL=product_url,
        ZI_DATA_DIR=str(data_dir),
        ZI_FRAMEWORK=FRAMEWORK,
        ZI_MONITOR_CONCURRENCY=str(agencies),  # not binding: each worker's --limit 1 is
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_SERVER_DATABASE_CONNECTION_URL=prefect_db.render_as_string(hide_password=False),
    )
    from config.settings import get_settings

    get_settings.cache_clear()
    with (
        local_server(folder / "server", port=free_port()) as api,
        temporary_settings({PREFECT_API_URL: api}),
    ):
        settings = get_settings()
        pool = work_pool(settings, POOL)
        ensure_work_pool(POOL)
        [monitoring] = [d for d in deployments(settings, pool) if d.name == MONITOR_DEPLOYMENT]
        monitoring.apply()
        env = dict(os.environ) | {"PREFECT_API_URL": api, "PREFECT_WORKER_QUERY_SECONDS": "1"}
        env.pop("PREFECT_SERVER_DATABASE_CONNECTION_URL")
        processes = start_workers(workers, env, folder)
        peaks: dict[int, float] = {}
        try:
            wait_online(api, workers)
            with sampling_rss([p.pid for p in processes], peaks):
                started = time.perf_counter()
                result = monitor_nationally(as_of=FIRST_RUN, poll_seconds=0.5)
                seconds = time.perf_counter() - started
        finally:
            for process in processes:
                stop_process(process, timeout=20)
        runs = {r["id"]: r for r in child_runs(api, result["runs"])}
    sample = NationalSample(workers, seconds, len(runs))
    for number, process in enumerate(processes, start=1):
        log = (folder / f"worker-{number}.log").read_text(errors="replace")
        aborted = set(ABORTED.findall(log))
        mine = [runs[i] for i in set(RUN_ID.findall(log)) - aborted if i in runs]
        busy = sum(
            (
                datetime.fromisoformat(r["end_time"]) - datetime.fromisoformat(r["start_time"])
            ).total_seconds()
            for r in mine
        )
        sample.by_worker.append(
            WorkerReport(
                name=f"pekerja-{number}",
                runs=len(mine),
                busy_seconds=busy,
                idle_seconds=seconds - busy,
                peak_rss_mib=peaks.get(process.pid, 0.0),
            )
        )
    if sum(w.runs for w in sample.by_worker) != len(runs):
        logs = "\n".join(
            line
            for n in range(1, workers + 1)
            for line in (folder / f"worker-{n}.log").read_text(errors="replace").splitlines()
            if "flow run" in line
        )
        raise RuntimeError(f"a run no worker logged; the workers' lines:\n{logs}")
    return sample


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agencies", type=int, default=10)
    parser.add_argument("--units", type=int, default=2000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    backend = PostgresBackend()
    if (why := backend.answers()) is not None:
        sys.exit(f"PostgreSQL does not answer: {why}")
    try:
        print(f"loading {args.agencies} agencies x {args.units:,} units ...", flush=True)
        template, periods = prepare(backend, args.agencies, args.units)
        floor_seconds = floor(backend.clone(template), periods)
        print(f"floor (one process, no Prefect): {floor_seconds:.1f} s", flush=True)
        samples = []
        for workers in args.workers:
            with tempfile.TemporaryDirectory(prefix="zi-national-") as folder:
                sample = national(
                    backend.clone(template), backend, workers, args.agencies, Path(folder)
                )
            samples.append(sample)
            print(f"{workers} worker(s): {sample.seconds:.1f} s", flush=True)
        report(args, floor_seconds, samples)
    finally:
        backend.drop_all()


def report(args: argparse.Namespace, floor_seconds: float, samples: list[NationalSample]) -> None:
    print()
    print(
        f"agencies: {args.agencies}, units each: {args.units:,}, "
        f"units in all: {args.agencies * args.units:,}; first run of the period ({FIRST_RUN})"
    )
    print(f"{'run':<44}{'seconds':>9}{'x floor':>9}{'speed-up':>10}")
    print(f"{'floor: monitor_period x agencies, no Prefect':<44}{floor_seconds:>9.1f}{1:>9.2f}")
    one = samples[0].seconds
    for sample in samples:
        print(
            f"{f'national run, {sample.workers} worker(s), --limit 1':<44}"
            f"{sample.seconds:>9.1f}{sample.seconds / floor_seconds:>9.2f}"
            f"{one / sample.seconds:>10.2f}"
        )
        for worker in sample.by_worker:
            print(
                f"    {worker.name}: {worker.runs} runs, busy {worker.busy_seconds:.1f} s, "
                f"idle {worker.idle_seconds:.1f} s "
                f"({100 * worker.idle_seconds / sample.seconds:.0f} %), "
                f"peak RSS {worker.peak_rss_mib:.0f} MiB"
            )


if __name__ == "__main__":
    main()
