"""Faults in the middle of the weekly monitoring run, on SQLite and PostgreSQL: the process killed
at each step, database connections terminated, a data folder that refuses writes. After recovery
(a rerun) every ready unit is proposed exactly once, no package exists without its row, and each
failure was reported in words, not a traceback."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import URL, Engine, select, text

from persistence.database import default_engine
from persistence.tables import (
    AssessmentPeriodCreate,
    Proposal,
    ThresholdCrossing,
)
from persistence.unit_of_work import SqlUnitOfWork
from services.proposals import PACKAGES_FOLDER
from tests.builders import candidate_instansi, record_tpi_answers
from tests.domain.worksheets import top_answers

pytestmark = pytest.mark.usefixtures("prefect_harness")

REPO = Path(__file__).resolve().parents[2]
DAY = date(2027, 3, 1)
READY = ("SIAP1", "SIAP2", "SIAP3", "SIAP4")
SHORT = "KURANG"  # IPKP 3,19: short of WBK's pelayanan prima floor, never proposed


@pytest.fixture
def instansi(
    database_url: URL, engine: Engine, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> dict[str, int]:
    """Four units building for a year that meet every WBK floor and prerequisite, and one that
    does not; the product's database at `database_url` (emptied and migrated by `engine`)."""
    monkeypatch.setenv("ZI_DATABASE_URL", database_url.render_as_string(hide_password=False))
    with SqlUnitOfWork(default_engine()) as uow:
        ids = candidate_instansi(
            uow,
            name="Kota Uji Gangguan",
            standing_years=(DAY.year - 1, DAY.year),
            units=dict.fromkeys((*READY, SHORT), True),
            unit_year=DAY.year,
        )
        period = uow.assessments.add_period(
            period=AssessmentPeriodCreate(
                instansi_id=ids["instansi"],
                year=DAY.year,
                name=f"Penilaian TPI {DAY.year}",
                starts_on=date(DAY.year, 1, 1),
                ends_on=date(DAY.year, 5, 31),
            )
        )
        assert period.id is not None
        ids["period"] = period.id
        uow.commit()
    _build_for_a_year(ids)
    for code in (*READY, SHORT):
        answers = top_answers() | ({"B.II.a": "3,19"} if code == SHORT else {})
        _answer(ids, code, answers)
    return ids


def _build_for_a_year(ids: dict[str, int]) -> None:
    """Declared, designated and building since February of the year before (Tabel 5's year)."""
    from flows.declare import declare
    from flows.designate import designate
    from flows.develop import develop

    year = DAY.year - 1
    declare(instansi=ids["instansi"], year=year, as_of=date(year, 1, 5))
    designate(
        instansi=ids["instansi"],
        candidates=[*READY, SHORT],
        sk_number=f"800/1/{year}",
        as_of=date(year, 1, 20),
    )
    develop(instansi=ids["instansi"], as_of=date(year, 2, 2))


def _answer(ids: dict[str, int], code: str, answers: dict[str, str]) -> None:
    with SqlUnitOfWork(default_engine()) as uow:
        record_tpi_answers(uow, unit_id=ids[code], period_id=ids["period"], answers=answers)


def monitor_once(**parameters: Any) -> dict[str, Any]:
    from flows.monitor import monitor

    result: dict[str, Any] = monitor.with_options(retries=0)(as_of=DAY, **parameters)
    return result


def proposals_by_unit() -> dict[int, int]:
    with default_engine().connect() as connection:
        rows = connection.execute(select(Proposal.unit_id)).scalars().all()  # type: ignore[call-overload]
    counted: dict[int, int] = {}
    for unit_id in rows:
        counted[unit_id] = counted.get(unit_id, 0) + 1
    return counted


def pending_count() -> int:
    query = text("SELECT count(*) FROM threshold_crossing WHERE proposal_id IS NULL")
    with default_engine().connect() as connection:
        return int(connection.execute(query).scalar_one())


def assert_recovered(ids: dict[str, int], data_dir: Path) -> None:
    """Every ready unit proposed exactly once, the short one never; no crossing pending; each
    package on disk recorded by its row, each row's package on disk; the letter lists all four."""
    assert proposals_by_unit() == {ids[code]: 1 for code in READY}
    assert pending_count() == 0
    with default_engine().connect() as connection:
        crossings = connection.execute(select(ThresholdCrossing.unit_id)).scalars().all()  # type: ignore[call-overload]
        recorded = {
            Path(p)
            for p in connection.execute(select(Proposal.package_path)).scalars()  # type: ignore[call-overload]
        }
    assert sorted(crossings) == sorted(ids[code] for code in READY)
    packages = data_dir / PACKAGES_FOLDER
    unit_zips = {
        path for path in packages.rglob("*.zip") if not path.name.startswith("surat-pengajuan-")
    }
    assert unit_zips == recorded, "a package on disk without its row, or a row without its file"
    assert all(path.exists() for path in recorded)
    assert not [p for p in packages.rglob(".*") if p.name.startswith(".")], "staging left behind"
    manifests = sorted(packages.rglob("surat-pengajuan-r*/manifest.json"))
    latest = max(
        manifests, key=lambda path: int(path.parent.name.removeprefix("surat-pengajuan-r"))
    )
    listed = json.loads(latest.read_text())["unit_diusulkan"]
    assert sorted(u["kode"] for u in listed) == sorted(READY), "the letter lists every proposal"


def crash_at(point: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    from prefect.settings import PREFECT_API_URL

    env = os.environ | {
        "ZI_DATA_DIR": str(data_dir),
        "PREFECT_API_URL": str(PREFECT_API_URL.value()),
    }
    return subprocess.run(
        [sys.executable, "-m", "tests.flows.crash_at", point, DAY.isoformat()],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.parametrize(
    "point",
    ["after-crossings", "after-package-1", "before-letter-2", "before-letter-4", "during-report"],
)
def test_a_run_killed_at_any_step_is_finished_by_the_rerun(
    point: str, instansi: dict[str, int], data_dir: Path
) -> None:
    killed = crash_at(point, data_dir)
    assert killed.returncode == -9, killed.stderr[-3000:]
    made_before = sum(proposals_by_unit().values())
    assert (
        made_before
        == {
            "after-crossings": 0,
            "after-package-1": 1,
            "before-letter-2": 2,
            "before-letter-4": 4,
            "during-report": 4,
        }[point]
    )

    rerun = monitor_once()

    assert rerun["crossings"] == [], "the crossings were the killed run's; none is new"
    assert rerun["pending"] == []
    assert_recovered(instansi, data_dir)
    assert Path(rerun["reports"][0]).exists()
    # A third run finds nothing to do.
    monitor_once()
    assert proposals_by_unit() == {instansi[code]: 1 for code in READY}


def test_a_data_folder_that_refuses_writes_leaves_the_proposals_pending_and_said(
    instansi: dict[str, int], data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full disk while the packages are written (ENOSPC at the write call): the run records
    the crossings, makes no half package, lists the units as pending in its report, and fails
    with a message that names the problem; the rerun, with space again, proposes them all."""
    real_write = Path.write_bytes

    def full_disk(path: Path, data: Any) -> int:
        if PACKAGES_FOLDER in path.parts:
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        return real_write(path, data)

    monkeypatch.setattr(Path, "write_bytes", full_disk)
    from services.pending_proposals import ProposalsPending

    with pytest.raises(ProposalsPending) as stopped:
        monitor_once()
    assert "4 usulan belum dapat dibuat" in str(stopped.value)
    assert "zi monitor" in str(stopped.value)
    assert proposals_by_unit() == {} and pending_count() == 4
    report = sorted((data_dir / "reports").rglob("pemantauan-*.html"))[-1].read_text()
    assert "Usulan tertunda" in report
    assert report.count("ruang penyimpanan folder data penuh") == 4
    assert not [p for p in (data_dir / PACKAGES_FOLDER).rglob("*") if p.is_file()]

    monkeypatch.setattr(Path, "write_bytes", real_write)
    rerun = monitor_once()
    assert rerun["pending"] == []
    assert_recovered(instansi, data_dir)


def test_terminated_database_connections_during_the_proposals_are_survived(
    database_url: URL, instansi: dict[str, int], data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL only: every connection of the product terminated (pg_terminate_backend) as
    the first two proposals are built. The run fails in words, the rerun finishes."""
    if database_url.get_backend_name() != "postgresql":
        pytest.skip("pg_terminate_backend is PostgreSQL's")
    import services.proposals as proposals

    admin = default_engine().url.set(database="postgres")
    from sqlalchemy import create_engine

    killer = create_engine(admin, isolation_level="AUTOCOMMIT")
    real = proposals.unit_dossier
    calls = [0]

    def dossier_then_drop(*args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        built = real(*args, **kwargs)
        if calls[0] <= 2:
            terminate(killer, database_url.database or "test")
        return built

    monkeypatch.setattr(proposals, "unit_dossier", dossier_then_drop)
    import flows.monitor
    from flows.propose import propose

    # The proposal flow's own retry (after 30 s) would hide the failure this test is about.
    monkeypatch.setattr(flows.monitor, "propose", propose.with_options(retries=0))
    from services.pending_proposals import ProposalsPending

    try:
        with pytest.raises(ProposalsPending) as stopped:
            monitor_once()
    finally:
        killer.dispose()
    assert "usulan belum dapat dibuat" in str(stopped.value)
    assert pending_count() >= 1
    monkeypatch.setattr(proposals, "unit_dossier", real)
    monitor_once()
    assert_recovered(instansi, data_dir)


def terminate(engine: Any, database: str) -> None:
    with engine.connect() as connection:
        connection.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = :db AND pid <> pg_backend_pid()"
            ),
            {"db": database},
        )
