"""`zi deploy` and two `zi worker`s on a Prefect server backed by PostgreSQL: the national
weekly monitoring of three agencies, shared by the workers.

Everything runs as it would in production, each in a process of its own: `prefect server start`
on a fresh PostgreSQL database, `zi deploy` registering the deployments to a process work pool,
and two `zi worker`s running the flow runs. The product's own database is PostgreSQL too, as
several machines would share it. This test process prepares the agencies, starts the national
run through the REST API and reads the outcome from the database and the data folder.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import subprocess
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import URL

from persistence.database import default_engine
from persistence.migrate import upgrade_database
from persistence.tables import AssessmentPeriodCreate, Proposal, ScoreSnapshot, ThresholdCrossing
from persistence.unit_of_work import SqlUnitOfWork
from tests.builders import candidate_instansi, record_tpi_answers
from tests.database_fixtures import _admin_engine, _admin_url, _empty_postgres
from tests.domain.worksheets import top_answers
from tests.flows.test_server_trigger import (
    REPO,
    free_port,
    request,
    runs_of,
    wait_for,
    zi_process,
)
from zi_cli.serve import local_server, stop_process

pytestmark = pytest.mark.postgres

AGENCIES = ("Kabupaten Alfa", "Kota Beta", "Provinsi Gama")
MONDAY = date(2027, 3, 1)
POOL = "zi-uji"
RUN_TIMEOUT_SECONDS = 240.0
TERMINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}


def test_the_pool_deployments_fan_out_the_weekly_monitoring(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """On a work pool the national run has the weekly cron and the monitoring none; both
    fan-outs are capped; every entrypoint is a module path a worker imports from its own
    installed product."""
    import importlib

    from config.settings import get_settings
    from flows.deployments import WorkPool, deployments

    monkeypatch.setenv("ZI_MONITOR_CRON", "30 6 * * 2")
    served = {d.name for d in deployments(get_settings())}
    pooled = {d.name: d for d in deployments(get_settings(), WorkPool("kolam", 3, 5))}
    assert set(pooled) == served | {"pemantauan-nasional-mingguan"}
    national, monitoring = pooled["pemantauan-nasional-mingguan"], pooled["pemantauan-mingguan"]
    assert [s.schedule.cron for s in national.schedules] == ["30 6 * * 2"]
    assert monitoring.schedules == [] and monitoring.concurrency_limit == 3
    assert monitoring.parameters == {"propose_directly": False}
    assert pooled["usulan-tpn"].concurrency_limit == 5 and pooled["usulan-tpn"].triggers == []
    assert len(pooled["usulan-tpn-periode"].triggers) == 1
    for deployment in pooled.values():
        assert deployment.work_pool_name == "kolam"
        assert deployment.entrypoint is not None
        module, _, name = deployment.entrypoint.rpartition(".")
        assert getattr(importlib.import_module(module), name).name == deployment.flow_name


def test_the_compose_file_runs_zi_commands_with_known_settings() -> None:
    """Every `zi` command the compose file runs exists, and every ZI_ variable it or the example
    environment sets is a setting the product reads (a typo would be silently ignored)."""
    import yaml

    from config.settings import Settings
    from zi_cli.main import app

    folder = REPO / "deploy"
    compose = yaml.safe_load((folder / "compose.yaml").read_text())
    commands = {
        c.name or (c.callback.__name__ if c.callback else "") for c in app.registered_commands
    }
    known = {(field.alias or f"ZI_{name}").upper() for name, field in Settings.model_fields.items()}
    run = [s["command"] for s in compose["services"].values() if s.get("command", [""])[0] == "zi"]
    assert sorted(c[1] for c in run) == ["deploy", "web", "worker"]
    assert {c[1] for c in run} <= commands
    example = [
        line.split("=", 1)[0]
        for line in (folder / "env.example").read_text().splitlines()
        if line and not line.startswith("#")
    ]
    set_here = [
        name
        for service in compose["services"].values()
        for name in service.get("environment", {})
        if name.startswith("ZI_") and name != "ZI_POSTGRES_PASSWORD"
    ]
    assert set(example + set_here) - {"ZI_POSTGRES_PASSWORD"} <= known


@pytest.fixture
def product_database(postgres_database: URL, monkeypatch: pytest.MonkeyPatch) -> URL:
    """The product's database, shared by this process, `zi deploy` and the workers."""
    _empty_postgres(postgres_database)
    upgrade_database(postgres_database)
    monkeypatch.setenv("ZI_DATABASE_URL", postgres_database.render_as_string(hide_password=False))
    return postgres_database


@pytest.fixture
def prefect_on_postgres(
    postgres_database: URL, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """`prefect server start` on a free port, its database a fresh PostgreSQL database."""
    name = f"zi_prefect_{secrets.token_hex(6)}"
    admin = _admin_engine()
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    server_url = _admin_url().set(drivername="postgresql+asyncpg", database=name)
    monkeypatch.setenv(
        "PREFECT_SERVER_DATABASE_CONNECTION_URL", server_url.render_as_string(hide_password=False)
    )
    try:
        with local_server(tmp_path / "server", port=free_port()) as url:
            yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def agencies() -> list[dict[str, int]]:
    """Three agencies, each with two developing units in a 2027 TPI period; in each, BAIK
    answers at the top of every question and SEDANG's IPKP 3,19 keeps it short of WBK."""
    from flows.declare import declare
    from flows.designate import designate
    from flows.develop import develop

    made = []
    for name in AGENCIES:
        with SqlUnitOfWork(default_engine()) as uow:
            ids = candidate_instansi(
                uow,
                name=name,
                standing_years=(2026, 2027),
                units={"BAIK": True, "SEDANG": True},
                unit_year=2027,
            )
            period = uow.assessments.add_period(
                period=AssessmentPeriodCreate(
                    instansi_id=ids["instansi"],
                    year=2027,
                    name=f"Penilaian TPI 2027 {name}",
                    starts_on=date(2027, 1, 1),
                    ends_on=date(2027, 5, 31),
                )
            )
            assert period.id is not None
            ids["period"] = period.id
            uow.commit()
        declare.fn(instansi=ids["instansi"], year=2026, as_of=date(2026, 1, 5))
        designate.fn(
            instansi=ids["instansi"],
            candidates=["BAIK", "SEDANG"],
            sk_number=f"800/{len(made) + 1}/2026",
            as_of=date(2026, 1, 20),
        )
        develop.fn(instansi=ids["instansi"], as_of=date(2026, 2, 2))
        with SqlUnitOfWork(default_engine()) as uow:
            for code, answers in (
                ("BAIK", top_answers()),
                ("SEDANG", top_answers() | {"B.II.a": "3,19"}),
            ):
                record_tpi_answers(uow, unit_id=ids[code], period_id=ids["period"], answers=answers)
            uow.commit()
        made.append(ids)
    return made


@pytest.fixture
def workers(
    prefect_on_postgres: str, product_database: URL, data_dir: Path, tmp_path: Path
) -> Iterator[tuple[dict[str, str], list[Path]]]:
    """`zi deploy`, then two `zi worker`s polling every second; yields the environment and the
    workers' logs."""
    env = os.environ | {
        "PREFECT_API_URL": prefect_on_postgres,
        "ZI_DATA_DIR": str(data_dir),
        "ZI_MONITOR_CONCURRENCY": "2",
        "PREFECT_WORKER_QUERY_SECONDS": "1",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    }
    env.pop("PREFECT_SERVER_DATABASE_CONNECTION_URL", None)
    deployed = zi_process("deploy", "--pool", POOL, env=env, log=tmp_path / "deploy.log")
    assert deployed.wait(timeout=120) == 0, (tmp_path / "deploy.log").read_text()
    started: list[subprocess.Popen[bytes]] = []
    logs = [tmp_path / f"worker-{n}.log" for n in (1, 2)]
    try:
        for n, log in enumerate(logs, start=1):
            worker_env = env | {"PREFECT_HOME": str(tmp_path / f"worker-{n}")}
            started.append(
                zi_process("worker", "--pool", POOL, "--name", f"uji-{n}", env=worker_env, log=log)
            )
        yield env, logs
    finally:
        for process in started:
            stop_process(process, timeout=20)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)  # the flow runs are in its group


def counts() -> dict[str, dict[int, int]]:
    """Snapshots, crossings and proposals per instansi."""
    from persistence.tables import UnitKerja

    found: dict[str, dict[int, int]] = {}
    with default_engine().connect() as connection:
        for label, table, unit_column in (
            ("snapshots", ScoreSnapshot, ScoreSnapshot.unit_id),
            ("crossings", ThresholdCrossing, ThresholdCrossing.unit_id),
            ("proposals", Proposal, Proposal.unit_id),
        ):
            rows = connection.execute(
                select(UnitKerja.instansi_id, func.count())
                .select_from(table)
                .join(UnitKerja, UnitKerja.id == unit_column)
                .group_by(UnitKerja.instansi_id)
            )
            found[label] = {int(instansi): int(n) for instansi, n in rows}
    return found


def national_run(api: httpx.Client, deployment_id: str, log: Path) -> dict[str, Any]:
    created = request(
        api,
        "POST",
        f"/deployments/{deployment_id}/create_flow_run",
        json={"parameters": {"as_of": MONDAY.isoformat(), "poll_seconds": 1}},
    )
    assert created.status_code == 201, created.text
    run_id = created.json()["id"]

    def done() -> dict[str, Any] | None:
        run: dict[str, Any] = request(api, "GET", f"/flow_runs/{run_id}").json()
        return run if run["state_type"] in TERMINAL else None

    run = wait_for("national run", done, RUN_TIMEOUT_SECONDS, log)
    assert run["state_type"] == "COMPLETED", f"{run['state']}\n{log.read_text()[-4000:]}"
    return run


def overlapping(runs: list[dict[str, Any]]) -> int:
    """The most runs that were running at the same moment."""
    moments: list[tuple[datetime, int]] = []
    for run in runs:
        moments.append((datetime.fromisoformat(run["start_time"]), 1))
        moments.append((datetime.fromisoformat(run["end_time"]), -1))
    running = most = 0
    for _, step in sorted(moments):
        running += step
        most = max(most, running)
    return most


def test_two_workers_share_the_national_monitoring(
    workers: tuple[dict[str, str], list[Path]], data_dir: Path
) -> None:
    env, logs = workers
    ids = agencies()
    with httpx.Client(base_url=env["PREFECT_API_URL"], timeout=10) as api:
        deployments = {
            f"{d['name']}": d["id"]
            for d in request(api, "POST", "/deployments/filter", json={}).json()
        }
        assert {
            "pemantauan-nasional-mingguan",
            "pemantauan-mingguan",
            "usulan-tpn-periode",
            "usulan-tpn",
        } <= set(deployments)
        pool = request(api, "GET", f"/work_pools/{POOL}").json()
        assert pool["type"] == "process"

        national_run(api, deployments["pemantauan-nasional-mingguan"], logs[0])
        children = runs_of(api, deployments["pemantauan-mingguan"])
        # One child per instansi period, each completed, never more than the limit at once.
        assert sorted(
            (c["parameters"]["instansi"], c["parameters"]["period"]) for c in children
        ) == (sorted((a["instansi"], a["period"]) for a in ids))
        assert {c["state_type"] for c in children} == {"COMPLETED"}
        assert overlapping(children) <= 2
        # Both workers polled the pool and ran flow runs from it.
        pool_workers = request(api, "POST", f"/work_pools/{POOL}/workers/filter", json={}).json()
        assert {w["name"] for w in pool_workers} >= {"uji-1", "uji-2"}

        # Each agency: a snapshot per unit, one crossing (BAIK's WBK), one report.
        after_first = counts()
        for agency in ids:
            assert after_first["snapshots"][agency["instansi"]] == 2
            assert after_first["crossings"][agency["instansi"]] == 1
        reports = sorted((data_dir / "reports").rglob("pemantauan-*.html"))
        named = sorted(next(a for a in AGENCIES if a in report.read_text()) for report in reports)
        assert named == sorted(AGENCIES)  # one report per agency, each naming it
        for report in reports:
            assert sum(a in report.read_text() for a in AGENCIES) == 1

        # Each agency period's event started its period's proposals, one run per ready unit
        # (BAIK), built by the workers.
        def proposals_done() -> list[dict[str, Any]] | None:
            runs = [
                run
                for name in ("usulan-tpn-periode", "usulan-tpn")
                for run in runs_of(api, deployments[name])
            ]
            finished = [r for r in runs if r["state_type"] in TERMINAL]
            return runs if len(finished) == 2 * len(AGENCIES) else None

        proposed = wait_for("usulan-tpn runs", proposals_done, RUN_TIMEOUT_SECONDS, logs[1])
        assert {r["state_type"] for r in proposed} == {"COMPLETED"}
        assert sorted(
            r["parameters"]["period"] for r in runs_of(api, deployments["usulan-tpn-periode"])
        ) == sorted(a["period"] for a in ids)

        # The same Monday again: nothing doubles, whichever worker runs which child.
        national_run(api, deployments["pemantauan-nasional-mingguan"], logs[0])
        assert len(runs_of(api, deployments["pemantauan-mingguan"])) == 2 * len(AGENCIES)
        again = counts()
        assert again["snapshots"] == after_first["snapshots"]
        assert again["crossings"] == after_first["crossings"]
        assert again["proposals"] == {a["instansi"]: 1 for a in ids}
        assert sorted((data_dir / "reports").rglob("pemantauan-*.html")) == reports
