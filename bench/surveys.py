"""Benchmark: one survey import of 20,000 respondents (`services.surveys.import_survey`), beside
reading the same file bare with the csv module.

The import reads the CSV, checks every row and the sample, computes the index, stores the
survey and its 20,000 respondents (one bulk INSERT), records the index as a new version of the
unit's TPI assessment and commits once. Each measurement runs in a fresh process (so that
`ru_maxrss` is its own peak) on a freshly migrated database: SQLite (a temporary file) and
PostgreSQL (a temporary database on 127.0.0.1:5432, user postgres; skipped when it does not
answer). Figures are the fastest of `--repeat` runs.

    python bench/surveys.py [--respondents 20000] [--repeat 3] [--backend sqlite|postgresql|both]
"""

from __future__ import annotations

import argparse
import csv
import multiprocessing
import os
import resource
import secrets
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import OperationalError

from config.framework_files import load_framework
from config.survey_methods import load_survey_method
from persistence.database import make_engine
from persistence.migrate import upgrade_database
from persistence.tables import (
    AssessmentPeriodCreate,
    InstansiCreate,
    InstansiKind,
    SurveyKind,
    SurveySource,
    UnitKerjaCreate,
)
from persistence.unit_of_work import SqlUnitOfWork
from services.surveys import SurveyRequest, import_survey

POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
TYPES = ("perizinan", "pengaduan", "informasi")


def write_file(path: Path, respondents: int) -> None:
    codes = [item.code for item in load_survey_method().instrument("ipkp").items]
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["responden", "unit", "jenis_layanan", "tanggal_layanan", *codes])
        for n in range(respondents):
            answers = [str(1 + (n * 7 + k * 3) % 4) for k in range(len(codes))]
            served = date(2026, 1 + n % 5, 1 + n % 28).isoformat()
            writer.writerow([f"R{n:06d}", "UPT", TYPES[n % len(TYPES)], served, *answers])


def prepare(url: URL) -> None:
    upgrade_database(url)
    engine = make_engine(url)
    with SqlUnitOfWork(engine) as uow:
        instansi = uow.instansi.add_instansi(
            instansi=InstansiCreate(name="Bench", code="BENCH", kind=InstansiKind.PEMERINTAH_DAERAH)
        )
        assert instansi.id is not None
        uow.units.add_unit(
            unit=UnitKerjaCreate(
                instansi_id=instansi.id,
                code="UPT",
                name="UPT",
                state="developing",
                service_types=list(TYPES),
            )
        )
        uow.assessments.add_period(
            period=AssessmentPeriodCreate(
                instansi_id=instansi.id,
                year=2026,
                name="2026",
                starts_on=date(2026, 1, 1),
                ends_on=date(2026, 12, 31),
            )
        )
        uow.commit()
    engine.dispose()


def run_import(url_text: str, path: str) -> tuple[float, int]:
    engine = make_engine(make_url(url_text))
    request = SurveyRequest(
        kind=SurveyKind.IPKP,
        source=SurveySource.TPI,
        unit_code="UPT",
        method=load_survey_method(),
        framework=load_framework(None),
        as_of=date(2026, 6, 1),
        actor="bench",
        instansi="BENCH",
    )
    started = time.perf_counter()
    with SqlUnitOfWork(engine) as uow:
        imported = import_survey(uow, path=Path(path), request=request)
    elapsed = time.perf_counter() - started
    assert imported.created
    engine.dispose()
    return elapsed, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def run_bare(_url: str, path: str) -> tuple[float, int]:
    started = time.perf_counter()
    with open(path, encoding="utf-8", newline="") as file:
        rows = list(csv.reader(file))
    elapsed = time.perf_counter() - started
    assert rows
    return elapsed, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def fresh(task: Callable[[str, str], tuple[float, int]], url: str, path: str) -> tuple[float, int]:
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(task, url, path).result()


def database(backend: str, folder: Path, run: int) -> URL | None:
    if backend == "sqlite":
        return make_url(f"sqlite:///{folder / f'zi-{run}.db'}")
    admin = make_engine(make_url(os.environ.get("ZI_TEST_POSTGRES_URL", POSTGRES)))
    name = f"zi_bench_{secrets.token_hex(4)}"
    try:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except OperationalError:
        print("PostgreSQL does not answer: skipped")
        return None
    finally:
        admin.dispose()
    return admin.url.set(database=name)


def drop(url: URL) -> None:
    if url.get_backend_name() != "postgresql":
        return
    admin = make_engine(url.set(database="postgres"))
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
    admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--respondents", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    options = parser.parse_args()
    backends = ("sqlite", "postgresql") if options.backend == "both" else (options.backend,)
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        path = folder / "responden.csv"
        write_file(path, options.respondents)
        size = path.stat().st_size / 2**20
        print(f"{options.respondents} respondents, {size:.1f} MiB CSV")
        bare = min(fresh(run_bare, "", str(path)) for _ in range(options.repeat))
        print(f"csv.reader bare: {bare[0]:.2f} s, peak RSS {bare[1] / 1024:.0f} MiB")
        for backend in backends:
            samples = []
            for run in range(options.repeat):
                url = database(backend, folder, run)
                if url is None:
                    break
                try:
                    prepare(url)
                    samples.append(fresh(run_import, url.render_as_string(False), str(path)))
                finally:
                    drop(url)
            if samples:
                best = min(samples)
                print(
                    f"import_survey {backend}: {best[0]:.2f} s, peak RSS {best[1] / 1024:.0f} MiB"
                )


if __name__ == "__main__":
    main()
