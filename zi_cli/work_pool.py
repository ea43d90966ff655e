"""`zi deploy` and `zi worker`: the flows on a Prefect work pool, run by workers on many machines.

`zi serve` runs everything in one process on one machine. A national deployment instead runs a
Prefect server (on PostgreSQL), registers the deployments once with `zi deploy`, and starts
`zi worker` on as many machines as it needs. Each worker polls the pool and runs each flow run
in a process of its own, from the product installed on its machine; workers need only
`PREFECT_API_URL`, the product's database (`ZI_DATABASE_URL`) and a shared data folder
(`ZI_DATA_DIR`), where the reports and packages go.
"""

from __future__ import annotations

import os
import sys
from contextlib import suppress
from typing import Annotated

import httpx
import typer

from config.settings import Settings, get_settings
from flows.deployments import WorkPool, deployments
from persistence.database import default_engine
from zi_cli.output import fail, print_path, say

WORKER_POLL_SECONDS = 5  # Prefect's default is 10: a fan-out's children wait for a poll each

PoolName = Annotated[
    str | None,
    typer.Option(
        "--pool", metavar="NAMA", help="Work pool Prefect; bawaan: ZI_WORK_POOL (zi-orchestrator)."
    ),
]


def work_pool(settings: Settings, name: str | None = None) -> WorkPool:
    return WorkPool(
        name=name or settings.work_pool,
        monitor_concurrency=settings.monitor_concurrency,
        propose_concurrency=settings.propose_concurrency,
    )


def require_server(command: str) -> str:
    """The Prefect server's API URL; a work pool exists only on a server."""
    from prefect.settings import PREFECT_API_URL

    url = PREFECT_API_URL.value()
    if not url:
        fail(
            f"{command} memerlukan server Prefect: setel PREFECT_API_URL "
            "(mis. http://server-prefect:4200/api); `zi server` menjalankan satu di mesin ini"
        )
    return str(url)


def ensure_work_pool(name: str) -> bool:
    """Creates the process work pool `name` unless it exists; True when created."""
    from prefect import get_client
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.exceptions import ObjectNotFound
    from prefect.workers.process import ProcessWorker

    with get_client(sync_client=True) as client:
        with suppress(ObjectNotFound):
            client.read_work_pool(name)
            return False
        client.create_work_pool(
            WorkPoolCreate(
                name=name,
                type=ProcessWorker.type,
                base_job_template=ProcessWorker.get_default_base_job_template(),
            )
        )
        return True


def register(settings: Settings, pool: WorkPool) -> list[str]:
    """Every deployment registered to `pool`, by its full name (flow/deployment)."""
    registered = []
    for deployment in deployments(settings, pool):
        deployment.apply()
        registered.append(f"{deployment.flow_name}/{deployment.name}")
    return registered


def deploy(pool: PoolName = None) -> None:
    """Daftarkan semua flow sebagai deployment pada work pool di server Prefect.

    Work pool jenis process dibuat bila belum ada. Pemantauan nasional berjalan sesuai
    ZI_MONITOR_CRON dan membagi pekerjaan per instansi dan periode kepada worker (paling banyak
    ZI_MONITOR_CONCURRENCY sekaligus); usulan dibuat oleh worker yang luang (paling banyak
    ZI_PROPOSE_CONCURRENCY sekaligus). Jalankan `zi worker` di setiap mesin pekerja.
    """
    from zi_cli.stages import quiet_prefect

    quiet_prefect()
    url = require_server("zi deploy")
    settings = get_settings()
    default_engine()  # the product's schema migrated once, here, not by workers racing
    chosen = work_pool(settings, pool)
    try:
        created = ensure_work_pool(chosen.name)
        say(f"Work pool '{chosen.name}' {'dibuat' if created else 'sudah ada'} di {url}")
        for name in register(settings, chosen):
            say(f"  deployment {name}")
    except httpx.HTTPError:
        fail(
            f"server Prefect di {url} tidak menjawab: periksa PREFECT_API_URL dan apakah "
            "server Prefect berjalan (`zi server` di mesin ini)"
        )
    say(
        f"Jalankan worker di setiap mesin pekerja: zi worker --pool {chosen.name} "
        "(dengan PREFECT_API_URL, ZI_DATABASE_URL dan ZI_DATA_DIR yang sama)."
    )


def worker_command(pool: str, limit: int | None, name: str | None) -> list[str]:
    command = [sys.executable, "-m", "prefect", "worker", "start", "--pool", pool]
    command += ["--type", "process"]
    if limit is not None:
        command += ["--limit", str(limit)]
    if name:
        command += ["--name", name]
    return command


def worker(
    pool: PoolName = None,
    limit: Annotated[
        int | None,
        typer.Option(
            "--limit", metavar="N", min=1, help="Flow run sekaligus di worker ini (bawaan: tanpa)."
        ),
    ] = None,
    name: Annotated[
        str | None, typer.Option("--name", metavar="NAMA", help="Nama worker di UI Prefect.")
    ] = None,
) -> None:
    """Jalankan worker Prefect untuk work pool sampai dihentikan (Ctrl+C).

    Worker mengambil flow run dari server (PREFECT_API_URL) dan menjalankan masing-masing
    dalam prosesnya sendiri, dengan basis data ZI_DATABASE_URL dan folder data ZI_DATA_DIR
    mesin ini; jalankan sebanyak yang diperlukan, di mesin mana pun yang menjangkau keduanya.
    """
    require_server("zi worker")
    settings = get_settings()
    if settings.database_url_value().startswith("sqlite"):
        say(
            "Peringatan: basis data SQLite hanya terlihat oleh worker di mesin ini; untuk "
            "beberapa mesin setel ZI_DATABASE_URL ke PostgreSQL yang sama."
        )
    print_path("Folder data (laporan dan paket usulan):", settings.data_dir)
    env = dict(os.environ)
    env.setdefault("PREFECT_WORKER_QUERY_SECONDS", str(WORKER_POLL_SECONDS))
    env.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    command = worker_command(pool or settings.work_pool, limit, name)
    sys.stdout.flush()
    # This process becomes the worker: a stop signal (Ctrl+C, `docker stop`, systemd) reaches
    # it directly, and no worker is left behind a parent that was stopped.
    os.execve(command[0], command, env)
