"""Benchmark: agency intake, the filled LKE workbooks of the inbox and the long CSV of many units,
each beside floors measured in the same run.

1. **Inbox.** An agency of `--files` units (each with its kepala unit, so receipts are composed),
   registered with `import_agency`, a period opened, one LKE form per unit written by
   `write_unit_workbook` and filled with varied answers (`tests.builders.fill_lke_form`), dropped
   in `<inbox>/tpi/` with an mtime an hour ago. Timed: what the flow `penerimaan-lke` does but
   for the Prefect task and the SMTP send: `settled_files`, `take_in` of every file (import,
   one transaction a file, receipts composed), `file_away` of every file. Floor: bare openpyxl
   reading the same files (`load_workbook(path)` and every cell value of the sheet LKE). The same
   files dropped a second time (every import unchanged, receipts composed again) are timed too.
2. **Long CSV.** `--units` units × 113 answers, `unit;code;answer` (`;` and decimal commas, as
   Excel under Indonesian settings writes it), in an agency of as many units registered with
   `import_agency`. Timed: `read_long_answers_file` + `import_long_answers` (one transaction).
   Floors: (a) `pandas.read_csv` of the same file alone; (b) a bare SQLAlchemy Core bulk INSERT
   of the same rows (`connection.execute(insert(table), rows)`) into a plain table (unit, code,
   answer; no key, no index) in one transaction, the list of dicts built beforehand. The same
   file imported a second time (no version added) is timed too.

Set-up (databases, agency, period, forms, CSV) is not timed. Every measurement runs in a fresh
process started by a fork server that was started before the set-up, on its own copy of the
set-up database (SQLite: a file copy; PostgreSQL: CREATE DATABASE ... TEMPLATE), so "maxrss" is
that process's `ru_maxrss` (imports included, set-up not). The measurements run in `--rounds`
rounds, each once a round and a floor just before what it is the floor of, so that a slow spell
of the shared machine hits both; seconds are the fastest of the rounds' samples. "traced MiB" is
tracemalloc's peak in one more, traced, sample (tracing slows Python down, so it is never a
timed sample). The phase lines under an import are measured inside the
fastest sample by wrapping the named functions with timers (a few microseconds a call).

    python bench/intake.py [--files 500] [--units 10000] [--rounds 2]
                           [--postgres URL]

`--postgres URL` (a server where the user may CREATE DATABASE, e.g.
postgresql+psycopg://postgres@127.0.0.1:5432/postgres) runs the inbox part on PostgreSQL too, in
temporary databases dropped at the end. A quick check: `--files 20 --units 200`.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import secrets
import shutil
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Protocol
from unittest import mock

import numpy as np
import openpyxl
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url

from config.framework_files import load_framework
from config.settings import get_settings
from persistence.database import make_engine
from persistence.migrate import upgrade_database
from persistence.repositories import SqlAssessmentRepository
from persistence.tables import AssessmentKind
from persistence.unit_of_work import SqlUnitOfWork, UnitOfWork
from services.agency import import_agency
from services.assessments import open_period
from services.inbox import ACCEPTED_FOLDER, TPI_FOLDER, file_away, settled_files, take_in
from services.lke_intake import IntakeScope, import_long_answers, write_unit_workbook
from services.lookup import find_instansi
from spreadsheets.lke_form import LKE_SHEET
from zi_cli.answers_file import read_long_answers_file
from zi_domain.agency import (
    UNIT_HEAD_ROLE,
    AgencyRecords,
    InstansiRecord,
    MemberRecord,
    UnitRecord,
)
from zi_domain.framework import Framework

FRAMEWORK = "permenpanrb-90-2021"
YEAR = 2027
AS_OF = date(YEAR, 4, 15)
PERIOD = ("Penilaian TPI 2027", date(YEAR, 1, 1), date(YEAR, 12, 31))
INSTANSI_CODE = "KEMENKEU"
ACTOR = "bench"
MIB = 2**20
ROOT = Path(__file__).resolve().parents[1]


# --- the agency and its answers ------------------------------------------------------------------


def unit_code(number: int) -> str:
    return f"UK-{number + 1:05d}"


def agency(units: int, *, heads: bool) -> AgencyRecords:
    """An instansi of `units` units; with `heads`, each unit has its kepala unit."""
    codes = [unit_code(n) for n in range(units)]
    return AgencyRecords(
        instansi=InstansiRecord(
            code=INSTANSI_CODE,
            name="Kementerian Keuangan Republik Indonesia",
            kind="kementerian_lembaga",
            region="",
            head_name="Menteri Keuangan",
            head_title="Menteri Keuangan Republik Indonesia",
            head_elected=False,
        ),
        units=tuple(
            UnitRecord(
                code=code,
                name=f"Kantor Pelayanan Pajak Pratama Wilayah {n + 1}",
                core_service=True,
                high_corruption_risk=n % 3 == 0,
                wide_public_impact=True,
                service_types=("perpajakan",),
                priority_regional_service=False,
            )
            for n, code in enumerate(codes)
        ),
        members=tuple(
            MemberRecord(
                name=f"Kepala Kantor Wilayah {n + 1}",
                nip=f"19800101{n:010d}",
                email=f"kepala.{code.lower()}@kemenkeu.go.id",
                role=UNIT_HEAD_ROLE,
                unit_code=code,
            )
            for n, code in enumerate(codes)
            if heads
        ),
    )


def answer_grid(framework: Framework, units: int, seed: int) -> tuple[list[str], np.ndarray]:
    """The 113 codes and `answers[item, unit]` as people write them, drawn with a seeded RNG: a
    choice's key ("Ya", "B"), a percentage ("85%", "87,5%"), a survey index ("3,62")."""
    rng = np.random.default_rng(seed)
    items = [(q.code, q.answer_type) for q in framework.questions]
    items += [(h.code, h.answer_type) for h in framework.hasil_items]
    codes, rows = [], []
    for code, kind in items:
        if kind.kind == "choice":
            picks = rng.choice(np.array(list(kind.values), dtype=object), size=units)
        elif kind.kind == "percentage":
            halves = rng.integers(0, 201, size=units) / 2
            picks = np.array([f"{v:g}".replace(".", ",") + "%" for v in halves], dtype=object)
        else:  # an index: 2.5 to the maximum, two decimals with a comma
            drawn = rng.uniform(max(kind.minimum, 2.5), kind.maximum, size=units)
            picks = np.array([f"{v:.2f}".replace(".", ",") for v in drawn], dtype=object)
        codes.append(code)
        rows.append(picks)
    return codes, np.vstack(rows)


# --- databases ------------------------------------------------------------------------------------


class Backend(Protocol):
    name: str

    def create(self) -> URL: ...
    def clone(self, source: URL) -> URL: ...
    def drop_all(self) -> None: ...


class SqliteBackend:
    """Temporary database files; a copy of the file is a fresh database."""

    name = "SQLite"

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    def _url(self) -> URL:
        return make_url(f"sqlite:///{self.folder / f'zi-{secrets.token_hex(4)}.db'}")

    def create(self) -> URL:
        return self._url()

    def clone(self, source: URL) -> URL:
        target = self._url()
        shutil.copyfile(str(source.database), str(target.database))
        return target

    def drop_all(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


class PostgresBackend:
    """Temporary databases on the given server; a clone is CREATE DATABASE ... TEMPLATE."""

    name = "PostgreSQL"

    def __init__(self, server: str) -> None:
        self.server = make_url(server)
        self.admin = make_engine(
            self.server, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5}
        )
        self.prefix = f"zi_bench_intake_{secrets.token_hex(4)}"
        self.created: list[str] = []

    def _new(self, template: str | None) -> URL:
        name = f"{self.prefix}_{len(self.created)}"
        clause = f' TEMPLATE "{template}"' if template else ""
        with self.admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"{clause}')
        self.created.append(name)
        return self.server.set(database=name)

    def create(self) -> URL:
        return self._new(None)

    def clone(self, source: URL) -> URL:
        return self._new(source.database)

    def drop_all(self) -> None:
        with self.admin.connect() as connection:
            for name in self.created:
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.admin.dispose()


def url_text(url: URL) -> str:
    return url.render_as_string(hide_password=False)


def registered(backend: Backend, records: AgencyRecords) -> tuple[URL, float]:
    """A fresh database holding the agency and an open period; (its URL, seconds taken)."""
    started = time.perf_counter()
    url = backend.create()
    upgrade_database(url)
    engine = make_engine(url)
    with SqlUnitOfWork(engine) as uow:
        import_agency(uow, records=records, dry_run=False)
        instansi = find_instansi(uow, INSTANSI_CODE)
        assert instansi.id is not None
        name, starts_on, ends_on = PERIOD
        open_period(
            uow, instansi_id=instansi.id, year=YEAR, name=name, starts_on=starts_on, ends_on=ends_on
        )
        uow.commit()
    if url.get_backend_name() == "sqlite":
        with engine.connect() as connection:  # the whole database in the file, for copies
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return url, time.perf_counter() - started


def scope(framework: Framework) -> IntakeScope:
    return IntakeScope(framework=framework, kind=AssessmentKind.TPI, as_of=AS_OF, actor=ACTOR)


def write_forms(url: URL, framework: Framework, units: int, folder: Path, seed: int) -> float:
    """One LKE form per unit, written by the service and filled in as a team would; seconds."""
    sys.path.insert(0, str(ROOT))  # tests/ is not an installed package
    from tests.builders import fill_lke_form

    started = time.perf_counter()
    folder.mkdir(parents=True)
    codes, grid = answer_grid(framework, units, seed)
    engine = make_engine(url)
    with SqlUnitOfWork(engine) as uow:
        instansi = find_instansi(uow, INSTANSI_CODE)
        assert instansi.id is not None
        for number, unit in enumerate(uow.units.list_units(instansi_id=instansi.id)):
            assert unit.code == unit_code(number)
            path = write_unit_workbook(uow, unit=unit, folder=folder, scope=scope(framework))
            fill_lke_form(path, dict(zip(codes, grid[:, number], strict=True)))
    engine.dispose()
    return time.perf_counter() - started


def write_long_csv(framework: Framework, units: int, path: Path, seed: int) -> int:
    """`unit;code;answer`, unit by unit; returns the number of answer rows."""
    codes, grid = answer_grid(framework, units, seed)
    frame = pd.DataFrame(
        {
            "unit": np.repeat([unit_code(n) for n in range(units)], len(codes)),
            "code": np.tile(codes, units),
            "answer": grid.T.ravel(),
        }
    )
    frame.to_csv(path, sep=";", index=False)
    return len(frame)


# --- what each fresh process measures -------------------------------------------------------------


@dataclass
class Sample:
    seconds: float
    traced_mib: float | None  # tracemalloc's peak, in a traced sample only
    maxrss_mib: float  # the process's ru_maxrss at the end
    phases: dict[str, float] = field(default_factory=dict)
    notes: dict[str, Any] = field(default_factory=dict)


def maxrss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


@contextmanager
def measured(trace: bool) -> Iterator[Sample]:
    sample = Sample(0.0, None, 0.0)
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    yield sample
    sample.seconds = time.perf_counter() - started
    if trace:
        sample.traced_mib = tracemalloc.get_traced_memory()[1] / MIB
        tracemalloc.stop()
    sample.maxrss_mib = maxrss_mib()


Target = tuple[str, Any, str]  # (phase name, module or class, attribute)


@contextmanager
def timed_phases(targets: Sequence[Target], seconds: dict[str, float]) -> Iterator[None]:
    """The named functions as they are, each call's time added to `seconds[name]`."""

    def timer(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                seconds[name] += time.perf_counter() - started

        return timed

    with ExitStack() as stack:
        for name, owner, attribute in targets:
            seconds[name] = 0.0
            wrapped = timer(name, getattr(owner, attribute))
            stack.enter_context(mock.patch.object(owner, attribute, wrapped))
        yield


def settings_for(data_dir: str) -> None:
    os.environ["ZI_DATA_DIR"] = data_dir
    os.environ.pop("ZI_INBOX_DIR", None)
    get_settings.cache_clear()


def inbox_targets() -> list[Target]:
    import services.assessments
    import services.inbox
    import services.lke_intake
    import spreadsheets.lke_form

    return [
        ("import_workbook", services.inbox, "import_workbook"),
        ("read_lke_form", services.lke_intake, "read_lke_form"),
        ("load_workbook (openpyxl)", spreadsheets.lke_form, "load_workbook"),
        ("_slots (layout from framework)", spreadsheets.lke_form, "_slots"),
        ("_answer_problems (read_answers)", spreadsheets.lke_form, "_answer_problems"),
        ("store_assessments", services.lke_intake, "store_assessments"),
        ("read_answers", services.assessments, "read_answers"),
        ("score_units", services.assessments, "score_units"),
        ("_import_unit (database)", services.assessments, "_import_unit"),
        ("_fix_first (read, score, gaps)", services.lke_intake, "_fix_first"),
        ("commit", SqlUnitOfWork, "commit"),
        ("_accepted_receipts", services.inbox, "_accepted_receipts"),
    ]


def run_inbox(url: str, data_dir: str, forms: str, trace: bool, phases: bool) -> Sample:
    """The inbox taken in as the flow does: settled files, take_in each, file_away each."""
    settings_for(data_dir)
    settings = get_settings()
    dropped_in = settings.inbox / TPI_FOLDER
    dropped_in.mkdir(parents=True)
    an_hour_ago = time.time() - 3600
    for path in sorted(Path(forms).glob("*.xlsx")):
        target = dropped_in / path.name
        shutil.copyfile(path, target)
        os.utime(target, (an_hour_ago, an_hour_ago))
    framework = load_framework(FRAMEWORK)
    engine = make_engine(url)
    # As the flow: the kind comes from the folder (tpi/ → TPI), the rest from the scope.
    intake = IntakeScope(framework=framework, kind=AssessmentKind.SELF, as_of=AS_OF, actor=ACTOR)

    def new_uow() -> UnitOfWork:
        return SqlUnitOfWork(engine)

    seconds: dict[str, float] = {}
    with timed_phases(inbox_targets() if phases else [], seconds), measured(trace) as sample:
        started = time.perf_counter()
        dropped = settled_files(settings.inbox, settle_seconds=settings.inbox_settle_seconds)
        found = time.perf_counter()
        outcomes = [take_in(new_uow, file, intake) for file in dropped]
        taken = time.perf_counter()
        moved = [file_away(outcome, day=AS_OF) for outcome in outcomes]
        seconds |= {
            "settled_files": found - started,
            "take_in": taken - found,
            "file_away": time.perf_counter() - taken,
        }
    engine.dispose()
    refused = [o.summary for o in outcomes if not o.accepted]
    assert not refused, refused[:3]
    assert all(p.parent == dropped_in / ACCEPTED_FOLDER for p in moved)
    sample.phases = seconds
    sample.notes = {
        "files": len(outcomes),
        "new versions": sum("(versi " in o.summary for o in outcomes),
        "unchanged": sum("(tidak berubah)" in o.summary for o in outcomes),
        "receipts": sum(len(o.messages) for o in outcomes),
    }
    return sample


def run_read_floor(forms: str, trace: bool) -> Sample:
    """The floor: bare openpyxl reading each file and every cell value of the sheet LKE."""
    paths = sorted(Path(forms).glob("*.xlsx"))
    cells = 0
    with measured(trace) as sample:
        for path in paths:
            workbook = openpyxl.load_workbook(path)
            for row in workbook[LKE_SHEET].iter_rows(values_only=True):
                for value in row:
                    if value is not None:
                        cells += 1
    sample.notes = {"files": len(paths), "cells": cells}
    return sample


def long_targets() -> list[Target]:
    import services.assessments
    import services.lke_intake

    return [
        ("store_assessments", services.lke_intake, "store_assessments"),
        ("read_answers", services.assessments, "read_answers"),
        ("score_units", services.assessments, "score_units"),
        ("_import_unit (per unit)", services.assessments, "_import_unit"),
        ("_replace", services.assessments, "_replace"),
        ("replace_answers (DELETE, UPDATE, INSERT)", SqlAssessmentRepository, "replace_answers"),
        ("commit", SqlUnitOfWork, "commit"),
    ]


def run_long_import(url: str, data_dir: str, csv_path: str, trace: bool, phases: bool) -> Sample:
    """`zi lke import --instansi ...` of the long CSV, without the CLI around it."""
    settings_for(data_dir)
    framework = load_framework(FRAMEWORK)
    engine = make_engine(url)
    seconds: dict[str, float] = {}
    with timed_phases(long_targets() if phases else [], seconds), measured(trace) as sample:
        started = time.perf_counter()
        read = read_long_answers_file(Path(csv_path))
        seconds["read_long_answers_file"] = time.perf_counter() - started
        read_at = time.perf_counter()
        with SqlUnitOfWork(engine) as uow:
            imported = import_long_answers(
                uow,
                instansi=find_instansi(uow, INSTANSI_CODE),
                rows=read.rows,
                source=Path(csv_path).name,
                scope=scope(framework),
            )
        seconds["import_long_answers"] = time.perf_counter() - read_at
    engine.dispose()
    sample.phases = seconds
    sample.notes = {
        "rows": len(read.rows),
        "delimiter": read.delimiter,
        "units": len(imported),
        "new versions": sum(i.created for _, i in imported),
    }
    return sample


def run_pandas_floor(csv_path: str, trace: bool) -> Sample:
    """Floor (a): the same file through `pandas.read_csv`, nothing else."""
    with measured(trace) as sample:
        frame = pd.read_csv(csv_path, sep=";", dtype=str, keep_default_na=False)
    sample.notes = {"rows": len(frame)}
    return sample


def run_insert_floor(url: str, csv_path: str, trace: bool) -> Sample:
    """Floor (b): the same rows into a plain table, one Core INSERT in one transaction."""
    frame = pd.read_csv(csv_path, sep=";", dtype=str, keep_default_na=False)
    rows = [
        {"unit": unit, "code": code, "answer": answer}
        for unit, code, answer in zip(frame["unit"], frame["code"], frame["answer"], strict=True)
    ]
    table = sa.Table(
        "bench_long_answer",
        sa.MetaData(),
        sa.Column("unit", sa.String(32)),
        sa.Column("code", sa.String(64)),
        sa.Column("answer", sa.String(64)),
    )
    engine = make_engine(url)
    table.create(engine)
    with measured(trace) as sample, engine.begin() as connection:
        connection.execute(sa.insert(table), rows)
    with engine.connect() as connection:
        stored = connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
    engine.dispose()
    assert stored == len(rows)
    sample.notes = {"rows": stored}
    return sample


def idle_process() -> Sample:
    """What a fresh process holds after importing the product and loading the framework."""
    load_framework(FRAMEWORK)
    return Sample(0.0, None, maxrss_mib())


def in_fresh_process(work: Callable[..., Sample], *args: Any) -> Sample:
    """`work(*args)` in a new process from the fork server, started while this one was small:
    a child's ru_maxrss starts at the fork server's, not at the set-up's."""
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(1, mp_context=context, max_tasks_per_child=1) as pool:
        return pool.submit(work, *args).result()


# --- the runs ------------------------------------------------------------------------------------


@dataclass
class Measured:
    """The samples of one measurement: the timed ones and one traced."""

    timed: list[Sample]
    traced: Sample

    @property
    def best(self) -> Sample:
        return min(self.timed, key=lambda s: s.seconds)


def in_rounds(rounds: int, works: Mapping[str, Callable[[bool], Sample]]) -> dict[str, Measured]:
    """Each work once a round, in the order given (a floor beside the work it is the floor of,
    so that a slow spell of the shared machine hits both), then each once more, traced."""
    timed: dict[str, list[Sample]] = {name: [] for name in works}
    for _ in range(rounds):
        for name, work in works.items():
            timed[name].append(work(False))
    return {name: Measured(timed[name], work(True)) for name, work in works.items()}


def bench_inbox(
    backend: Backend, template: URL, forms: Path, root: Path, rounds: int
) -> dict[str, Measured]:
    """The floor, the first drop and the second drop of the same files, on one copy a round."""
    copies: list[URL] = []

    def floor(trace: bool) -> Sample:
        return in_fresh_process(run_read_floor, str(forms), trace)

    def drop(url: URL, trace: bool) -> Sample:
        data_dir = root / f"inbox-{secrets.token_hex(4)}"
        return in_fresh_process(
            run_inbox, url_text(url), str(data_dir), str(forms), trace, not trace
        )

    def first(trace: bool) -> Sample:
        copies.append(backend.clone(template))
        return drop(copies[-1], trace)

    def again(trace: bool) -> Sample:
        return drop(copies.pop(0), trace)  # the copy that took the files in once

    return in_rounds(rounds, {"floor": floor, "first": first, "again": again})


def bench_long(
    backend: SqliteBackend, template: URL, csv: Path, root: Path, rounds: int
) -> dict[str, Measured]:
    """Floors (a) and (b), the first import and the second of the same file, a copy a round."""
    copies: list[URL] = []
    data_dir = str(root / "long")

    def read_floor(trace: bool) -> Sample:
        return in_fresh_process(run_pandas_floor, str(csv), trace)

    def insert_floor(trace: bool) -> Sample:
        url = url_text(backend.clone(template))
        return in_fresh_process(run_insert_floor, url, str(csv), trace)

    def load(url: URL, trace: bool) -> Sample:
        return in_fresh_process(
            run_long_import, url_text(url), data_dir, str(csv), trace, not trace
        )

    def first(trace: bool) -> Sample:
        copies.append(backend.clone(template))
        return load(copies[-1], trace)

    def again(trace: bool) -> Sample:
        return load(copies.pop(0), trace)

    works = {"(a)": read_floor, "(b)": insert_floor, "first": first, "again": again}
    return in_rounds(rounds, works)


# --- the report ----------------------------------------------------------------------------------


HEADER = f"{'':<50}{'seconds':>9}{'{}/s':>10}{'x floor':>9}{'traced MiB':>12}{'maxrss MiB':>12}"


def row(name: str, measured: Measured, count: int, floor: float | None) -> str:
    best = measured.best
    ratio = f"{best.seconds / floor:>9.2f}" if floor else f"{'':>9}"
    traced = measured.traced.traced_mib or 0.0
    return (
        f"{name:<50}{best.seconds:>9.2f}{count / best.seconds:>10,.0f}{ratio}"
        f"{traced:>12.1f}{max(s.maxrss_mib for s in measured.timed):>12.0f}"
    )


def samples_line(*measured: tuple[str, Measured]) -> str:
    listed = "; ".join(
        f"{name} {' '.join(f'{s.seconds:.2f}' for s in m.timed)}" for name, m in measured
    )
    return f"  (samples, s: {listed})"


def by_round(measured: Measured, floor: Measured) -> str:
    pairs = zip(measured.timed, floor.timed, strict=True)
    return " ".join(f"{s.seconds / f.seconds:.2f}" for s, f in pairs)


def phase_lines(best: Sample, count: int, unit: str, layout: Sequence[tuple[int, str]]) -> None:
    total = best.seconds
    for depth, name in layout:
        spent = best.phases.get(name)
        if spent is None:
            continue
        label = "  " * (depth + 1) + name
        print(
            f"{label:<50}{spent:>9.2f}{spent / count * 1000:>10.2f} ms/{unit}{spent / total:>8.1%}"
        )


INBOX_LAYOUT = [
    (0, "settled_files"),
    (0, "take_in"),
    (1, "import_workbook"),
    (2, "read_lke_form"),
    (3, "load_workbook (openpyxl)"),
    (3, "_slots (layout from framework)"),
    (3, "_answer_problems (read_answers)"),
    (2, "store_assessments"),
    (3, "read_answers"),
    (3, "score_units"),
    (3, "_import_unit (database)"),
    (2, "_fix_first (read, score, gaps)"),
    (2, "commit"),
    (1, "_accepted_receipts"),
    (0, "file_away"),
]
LONG_LAYOUT = [
    (0, "read_long_answers_file"),
    (0, "import_long_answers"),
    (1, "store_assessments"),
    (2, "read_answers"),
    (2, "score_units"),
    (2, "_import_unit (per unit)"),
    (3, "_replace"),
    (4, "replace_answers (DELETE, UPDATE, INSERT)"),
    (1, "commit"),
]


def report_inbox(backend: str, results: dict[str, Measured], forms: Path, idle: Sample) -> None:
    floor, taken, again = results["floor"], results["first"], results["again"]
    files = taken.best.notes["files"]
    size = sum(p.stat().st_size for p in forms.glob("*.xlsx")) / files / 1024
    print(
        f"\n{backend}: inbox of {files} filled LKE workbooks ({size:.0f} KiB each, "
        f"{floor.best.notes['cells']:,} cell values on the sheets LKE), tpi/ → diterima/; "
        f"fresh process after imports: ru_maxrss {idle.maxrss_mib:.0f} MiB"
    )
    print(HEADER.format("files"))
    print(row("floor: openpyxl load_workbook + LKE cell values", floor, files, None))
    print(row("take in: settled_files, take_in, file_away", taken, files, floor.best.seconds))
    print(
        row("same files again (unchanged)", again, files, floor.best.seconds)
        + f"  {again.best.notes['unchanged']} unchanged"
    )
    print(samples_line(("floor", floor), ("take in", taken), ("again", again)))
    print(f"  (x floor by round: {by_round(taken, floor)}; again {by_round(again, floor)})")
    notes = taken.best.notes
    print(
        f"  (first drop: {notes['new versions']} new versions, {notes['receipts']} receipts; "
        f"again: {again.best.notes['receipts']} receipts composed again)"
    )
    print("  phases of the fastest first drop:")
    phase_lines(taken.best, files, "file", INBOX_LAYOUT)
    print("  phases of the fastest second drop:")
    phase_lines(again.best, files, "file", INBOX_LAYOUT)


def report_long(results: dict[str, Measured], csv: Path) -> None:
    pandas_floor, insert_floor = results["(a)"], results["(b)"]
    imported, again = results["first"], results["again"]
    rows = imported.best.notes["rows"]
    units = imported.best.notes["units"]
    both = pandas_floor.best.seconds + insert_floor.best.seconds
    print(
        f"\nSQLite: long CSV of {units:,} units × {rows // units} answers = {rows:,} rows, "
        f"delimiter '{imported.best.notes['delimiter']}', {csv.stat().st_size / MIB:.1f} MiB"
    )
    print(HEADER.format("rows"))
    print(row("floor (a): pandas.read_csv", pandas_floor, rows, None))
    print(row("floor (b): Core bulk INSERT, one transaction", insert_floor, rows, None))
    print(f"{'floor (a) + (b)':<50}{both:>9.2f}{rows / both:>10,.0f}")
    print(row("read_long_answers_file + import_long_answers", imported, rows, both))
    print(
        row("second import, same file (unchanged)", again, rows, both)
        + f"  {again.best.notes['new versions']} new versions"
    )
    first = imported.best.seconds
    print(
        f"  (first import: {imported.best.notes['new versions']:,} new versions; "
        f"x floor (a) {first / pandas_floor.best.seconds:.1f}, "
        f"x floor (b) {first / insert_floor.best.seconds:.1f})"
    )
    print(
        samples_line(
            ("(a)", pandas_floor), ("(b)", insert_floor), ("import", imported), ("again", again)
        )
    )
    pairs = zip(pandas_floor.timed, insert_floor.timed, strict=True)
    floors = [a.seconds + b.seconds for a, b in pairs]
    print(
        "  (x floor (a) + (b) by round: "
        + " ".join(f"{s.seconds / f:.2f}" for s, f in zip(imported.timed, floors, strict=True))
        + ")"
    )
    print("  phases of the fastest first import:")
    phase_lines(imported.best, units, "unit", LONG_LAYOUT)
    print("  phases of the fastest second import:")
    phase_lines(again.best, units, "unit", LONG_LAYOUT)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--files", type=int, default=500, help="workbooks in the inbox")
    parser.add_argument("--units", type=int, default=10_000, help="units in the long CSV")
    parser.add_argument(
        "--rounds", type=int, default=2, help="timed samples of each floor and import"
    )
    parser.add_argument("--postgres", metavar="URL", help="also run the inbox on PostgreSQL")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--skip-inbox", action="store_true")
    parser.add_argument("--skip-long", action="store_true")
    args = parser.parse_args()
    idle = in_fresh_process(idle_process)  # starts the fork server before the set-up grows

    root = Path(tempfile.mkdtemp(prefix="zi-bench-intake-"))
    settings_for(str(root / "setup"))
    framework = load_framework(FRAMEWORK)
    sqlite = SqliteBackend(root / "db")
    postgres = PostgresBackend(args.postgres) if args.postgres else None
    try:
        if not args.skip_inbox:
            records = agency(args.files, heads=True)
            template, seconds = registered(sqlite, records)
            forms = root / "forms"
            written = write_forms(template, framework, args.files, forms, args.seed)
            print(
                f"set-up (not timed): agency of {args.files} units with heads {seconds:.1f} s; "
                f"{args.files} forms written and filled {written:.1f} s"
            )
            report_inbox(
                "SQLite", bench_inbox(sqlite, template, forms, root, args.rounds), forms, idle
            )
            if postgres is not None:
                template, seconds = registered(postgres, records)
                print(f"\nset-up (not timed): PostgreSQL agency {seconds:.1f} s")
                results = bench_inbox(postgres, template, forms, root, args.rounds)
                report_inbox("PostgreSQL", results, forms, idle)
        if not args.skip_long:
            template, seconds = registered(sqlite, agency(args.units, heads=False))
            csv = root / "jawaban-panjang.csv"
            started = time.perf_counter()
            rows = write_long_csv(framework, args.units, csv, args.seed)
            print(
                f"\nset-up (not timed): agency of {args.units:,} units {seconds:.1f} s; "
                f"long CSV of {rows:,} rows written {time.perf_counter() - started:.1f} s"
            )
            report_long(bench_long(sqlite, template, csv, root, args.rounds), csv)
    finally:
        if postgres is not None:
            postgres.drop_all()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
