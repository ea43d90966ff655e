"""Benchmark: one TPI monitoring run (`monitor_period`) over 20,000 units, beside its floor.

The run reads every TPI answer of the period, scores all units, stores a snapshot per unit,
moves units into TPI evaluation, compares with the previous run, counts overdue work items and
evidence gaps, records threshold crossings, commits once and writes the HTML report. Its floor
is the I/O that no run can skip, measured in the same benchmark on the same data: the bulk
SELECT of the same answers into pandas (`tpi_answers_frame`) plus the bulk INSERT of the same
snapshots (`add_snapshots`) and its COMMIT, on a copy of its own. A second floor adds the run's
lifecycle writes, through the same repository calls: the units it moves into TPI evaluation
(the UPDATE and their events) and the crossings it records: with them, the floor is the run's
own I/O, and the aim (at most 2x, the flow included) is held against it; the plain floor's
ratios are printed beside it. The flow's figure runs from its call to its Completed state.

Two runs are measured: the first of the period (every unit moves developing →
under_tpi_evaluation; crossings recorded) and the steady weekly run a week later (in between,
the first run's crossings were proposed, as a server's triggers would, and 1 % of units improved
their answers). On SQLite (a temporary file) and PostgreSQL (a temporary
database on 127.0.0.1:5432, user postgres; skipped with a message when it does not answer).

Every measurement runs in a fresh process on a fresh copy of the database, so that each is cold
the same way and `ru_maxrss` is the peak of that measurement alone; each figure is the fastest
of `--repeat` samples; tracemalloc's peak comes from one more, traced, sample. Setting up
(2.26 million answer rows, loaded with executemany on SQLite and COPY on PostgreSQL) is not
measured.

    python bench/monitoring.py [--units 20000] [--repeat 3] [--backend sqlite|postgresql|both]
                               [--flow] [--profile DIR] [--no-trace]
"""

from __future__ import annotations

import argparse
import cProfile
import multiprocessing
import os
import resource
import secrets
import shutil
import sqlite3
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pandas as pd
import sqlalchemy as sa
from score_units import synthetic_answers
from sqlalchemy import Engine
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import OperationalError
from sqlmodel import SQLModel

from config.framework_files import load_framework
from persistence.database import make_engine
from persistence.migrate import upgrade_database
from persistence.tables import (
    AssessmentKind,
    InstansiKind,
    ScoreSnapshotCreate,
)
from persistence.unit_of_work import SqlUnitOfWork
from services.lifecycle import move_many, units_facts
from services.monitoring import monitor_period
from services.scoring import snapshot_period
from zi_domain.answers import read_answers
from zi_domain.framework import Framework
from zi_domain.lifecycle import Action, UnitState
from zi_domain.predicates import Predicate
from zi_domain.proposal import ProposalState
from zi_domain.scoring import score_units

FRAMEWORK = "permenpanrb-90-2021"
YEAR = 2027
FIRST_RUN = date(YEAR, 3, 1)  # a Monday: the weekly run
SECOND_RUN = FIRST_RUN + timedelta(days=7)
POSTGRES_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
MIB = 2**20
TABLES = SQLModel.metadata.tables

# The mix of units: (share, chance that an answer is the top one) for the units building well;
# the rest answer at random. The WBBM tier already holds WBK (awarded two years ago).
WBK_TIER = (0.19, 0.62)
WBBM_TIER = (0.04, 0.93)
IMPROVED_SHARE = 0.01  # units that improve their answers between the two runs
WORK_PLAN_SHARE = 0.25
EVIDENCE_SHARE = 0.30
PREREQUISITES = (0.90, 0.08)  # complete and met; complete but LHKPN short; the rest missing


# --- the synthetic period ---------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """What the set-up generates; units are numbered 0..n-1 until the database gives ids."""

    units: int
    answers: pd.DataFrame  # unit, code, answer, value
    holds_wbk: np.ndarray  # bool per unit
    prerequisite_kind: np.ndarray  # 0 met, 1 LHKPN short, 2 missing
    improved: pd.DataFrame  # the answers of the improved units for the second run
    work_plan: np.ndarray  # bool per unit
    evidence: pd.DataFrame  # unit, code, year


def _with_values(answers: pd.DataFrame, framework: Framework) -> pd.DataFrame:
    """The rows (unit, code, answer) with the value each scores, as `record_answers` stores."""
    sheet = read_answers(answers.assign(row=np.arange(len(answers)) + 2), framework)
    assert not sheet.errors, sheet.errors[:3]
    wide = sheet.values
    rows = wide.index.get_indexer(pd.Index(answers["unit"]))
    columns = wide.columns.get_indexer(pd.Index(answers["code"]))
    value = wide.to_numpy(dtype=np.float64, na_value=np.nan)[rows, columns]
    return answers[["unit", "code", "answer"]].assign(value=value)


def _raise(
    answers: pd.DataFrame,
    framework: Framework,
    tier: np.ndarray,
    top_share: float,
    rng: np.random.Generator,
    *,
    wbbm: bool,
) -> pd.DataFrame:
    """Answers of the units in `tier` made mostly top answers, with surveys to match."""
    top = {q.code: q.answer_type.top_answer for q in framework.questions}
    chosen = answers["unit"].isin(np.flatnonzero(tier)).to_numpy()
    pengungkit = answers["code"].isin(top).to_numpy()
    lift = chosen & pengungkit & (rng.random(len(answers)) < top_share)
    answer = answers["answer"].to_numpy(dtype=object, copy=True)
    answer[lift] = answers["code"][lift].map(top).to_numpy()
    surveys = {
        "B.I.a": (3.62, 4.0),  # IPAK: 3.60 is the floor of both predicates
        "B.II.a": (3.62, 4.0) if wbbm else (3.25, 4.0),  # IPKP: 3.60 WBBM, 3.20 WBK
    }
    for code, (low, high) in surveys.items():
        where = chosen & (answers["code"] == code).to_numpy()
        answer[where] = np.char.mod("%.2f", rng.uniform(low, high, size=int(where.sum())))
    where = chosen & (answers["code"] == "B.I.b").to_numpy()
    answer[where] = rng.choice(["A", "B"] if wbbm else ["A", "B", "C"], size=int(where.sum()))
    return answers.assign(answer=answer)


def synthetic_period(framework: Framework, units: int, seed: int = 7) -> Period:
    """Answers of `bench/score_units.py`, with a realistic mix of units building well."""
    rng = np.random.default_rng(seed)
    answers = synthetic_answers(framework, units, seed=seed)[["unit", "code", "answer"]]
    draw = rng.random(units)
    wbbm_tier = draw < WBBM_TIER[0]
    wbk_tier = ~wbbm_tier & (draw < WBBM_TIER[0] + WBK_TIER[0])
    answers = _raise(answers, framework, wbk_tier, WBK_TIER[1], rng, wbbm=False)
    answers = _raise(answers, framework, wbbm_tier, WBBM_TIER[1], rng, wbbm=True)
    rest = np.flatnonzero(~(wbk_tier | wbbm_tier))
    improving = np.zeros(units, dtype=bool)
    improving[rng.choice(rest, size=max(1, int(units * IMPROVED_SHARE)), replace=False)] = True
    improved = _raise(answers, framework, improving, WBK_TIER[1] + 0.1, rng, wbbm=False)
    improved = improved[improved["unit"].isin(np.flatnonzero(improving))]
    kind = np.searchsorted(np.cumsum(PREREQUISITES), rng.random(units), side="right")

    pengungkit_codes = np.array([q.code for q in framework.questions])
    has_evidence = np.flatnonzero(rng.random(units) < EVIDENCE_SHARE)
    counts = rng.integers(1, 40, size=len(has_evidence))
    evidence = pd.DataFrame(
        {
            "unit": np.repeat(has_evidence, counts),
            "code": rng.choice(pengungkit_codes, size=int(counts.sum())),
            "year": rng.integers(YEAR - 3, YEAR, size=int(counts.sum())),
        }
    )
    return Period(
        units=units,
        answers=_with_values(answers, framework),
        holds_wbk=wbbm_tier,
        prerequisite_kind=kind,
        improved=_with_values(improved, framework),
        work_plan=rng.random(units) < WORK_PLAN_SHARE,
        evidence=evidence,
    )


# --- loading it ---------------------------------------------------------------------------------


def _noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


def _insert(connection: sa.Connection, table: Any, rows: Sequence[dict[str, Any]]) -> None:
    """Core executemany, in chunks that keep the parameter lists small."""
    for start in range(0, len(rows), 50_000):
        connection.execute(sa.insert(table), list(rows[start : start + 50_000]))


def _insert_answers(connection: sa.Connection, rows: pd.DataFrame, at: datetime) -> None:
    """Answer rows (assessment_id, code, answer, value): COPY on PostgreSQL, else executemany."""
    columns = ["assessment_id", "code", "answer", "value"]
    if connection.dialect.name == "postgresql":
        driver = connection.connection.driver_connection
        assert driver is not None
        copy_sql = f"COPY answer ({', '.join(columns)}, updated_at) FROM STDIN"
        with driver.cursor() as cursor, cursor.copy(copy_sql) as copy:
            for record in rows[columns].itertuples(index=False, name=None):
                copy.write_row((*record, at))
        return
    records = rows[columns].assign(updated_at=at).to_dict("records")
    _insert(connection, TABLES["answer"], [{str(k): v for k, v in r.items()} for r in records])


@dataclass(frozen=True)
class Loaded:
    instansi_id: int
    period_id: int
    assessment_of: dict[int, int]  # synthetic unit number -> TPI assessment id
    unit_ids: np.ndarray  # synthetic unit number -> unit id


def _unit_events(instansi_id: int, unit_id: int, holds_wbk: bool) -> list[dict[str, Any]]:
    """The history that brought the unit into development, as the flows record it."""
    steps: list[tuple[str, str | None, str, date]]
    if holds_wbk:
        steps = [
            ("designate", "declared", "designated", date(YEAR - 3, 1, 20)),
            ("start_development", "designated", "developing", date(YEAR - 3, 2, 2)),
            ("start_tpi_evaluation", "developing", "under_tpi_evaluation", date(YEAR - 2, 3, 1)),
            ("propose", "under_tpi_evaluation", "proposed", date(YEAR - 2, 3, 1)),
            ("tpn_advance", "proposed", "tpn_administrative", date(YEAR - 2, 8, 1)),
            ("tpn_advance", "tpn_administrative", "tpn_desk", date(YEAR - 2, 9, 1)),
            ("tpn_advance", "tpn_desk", "tpn_field", date(YEAR - 2, 10, 1)),
            ("tpn_advance", "tpn_field", "tpn_panel", date(YEAR - 2, 11, 1)),
            ("award", "tpn_panel", "awarded_wbk", date(YEAR - 2, 12, 9)),
            ("resume_development", "awarded_wbk", "developing", date(YEAR - 2, 12, 20)),
        ]
    else:
        steps = [
            ("designate", "declared", "designated", date(YEAR - 1, 1, 20)),
            ("start_development", "designated", "developing", date(YEAR - 1, 2, 2)),
        ]
    return [
        {
            "instansi_id": instansi_id,
            "unit_id": unit_id,
            "year": day.year,
            "kind": kind,
            "from_state": source,
            "to_state": target,
            "sk_number": "800/12/SK" if kind == "designate" else None,
            "criteria": {},
            "actor": "bench",
            "occurred_at": _noon(day),
        }
        for kind, source, target, day in steps
    ]


def load(engine: Engine, period: Period) -> Loaded:
    """Everything a weekly run reads, in one transaction of bulk statements."""
    at = _noon(date(YEAR, 2, 27))
    n = period.units
    with engine.begin() as connection:
        instansi_id = connection.execute(
            sa.insert(TABLES["instansi"]).returning(TABLES["instansi"].c.id),
            {"name": "Kementerian Contoh", "kind": InstansiKind.KEMENTERIAN_LEMBAGA.value},
        ).scalar_one()
        for year in (YEAR - 1, YEAR):
            connection.execute(
                sa.insert(TABLES["instansi_prerequisite"]),
                {
                    "instansi_id": instansi_id,
                    "year": year,
                    "bpk_opinion": "WTP",
                    "sakip_grade": "BB",
                    "indeks_rb": "BB",
                    "spip_level": 3,
                },
            )
        _insert(
            connection,
            TABLES["lifecycle_event"],
            [
                {
                    "instansi_id": instansi_id,
                    "unit_id": None,
                    "year": year,
                    "kind": "declaration",
                    "to_state": "declared",
                    "criteria": {},
                    "actor": "Kepala instansi",
                    "occurred_at": _noon(date(year, 1, 5)),
                    "note": "Pakta Integritas",
                }
                for year in range(YEAR - 3, YEAR + 1)
            ],
        )
        _insert(
            connection,
            TABLES["unit_kerja"],
            [
                {
                    "instansi_id": instansi_id,
                    "code": f"SATKER-{number:05d}",
                    "name": f"Unit Kerja {number:05d} <Layanan & Perizinan>",
                    "core_service": True,
                    "high_corruption_risk": True,
                    "wide_public_impact": True,
                    "priority_regional_service": False,
                    "predicate": "WBK" if period.holds_wbk[number] else None,
                    "state": UnitState.DEVELOPING.value,
                }
                for number in range(n)
            ],
        )
        ids = dict(
            connection.execute(
                sa.select(TABLES["unit_kerja"].c.code, TABLES["unit_kerja"].c.id).where(
                    TABLES["unit_kerja"].c.instansi_id == instansi_id
                )
            ).all()
        )
        unit_ids = np.array([ids[f"SATKER-{number:05d}"] for number in range(n)])
        _insert(
            connection,
            TABLES["lifecycle_event"],
            [
                event
                for number in range(n)
                for event in _unit_events(
                    instansi_id, int(unit_ids[number]), bool(period.holds_wbk[number])
                )
            ],
        )
        _insert(
            connection,
            TABLES["unit_prerequisite"],
            [
                {
                    "unit_id": int(unit_ids[number]),
                    "year": YEAR,
                    "follow_up_findings_percent": 100.0,
                    "lhkpn_percent": 100.0 if kind == 0 else 97.5,
                    "lhkasn_percent": 100.0,
                    "internal_sakip_grade": "BB",
                }
                for number, kind in enumerate(period.prerequisite_kind)
                if kind < 2
            ],
        )
        period_id = connection.execute(
            sa.insert(TABLES["assessment_period"]).returning(TABLES["assessment_period"].c.id),
            {
                "instansi_id": instansi_id,
                "year": YEAR,
                "name": f"Penilaian TPI {YEAR}",
                "starts_on": date(YEAR, 1, 1),
                "ends_on": date(YEAR, 5, 31),
            },
        ).scalar_one()
        _insert(
            connection,
            TABLES["assessment"],
            [
                {
                    "unit_id": int(unit_id),
                    "period_id": period_id,
                    "kind": AssessmentKind.TPI.value,
                    "framework": FRAMEWORK,
                    "updated_at": at,
                }
                for unit_id in unit_ids
            ],
        )
        by_unit = dict(
            connection.execute(
                sa.select(TABLES["assessment"].c.unit_id, TABLES["assessment"].c.id).where(
                    TABLES["assessment"].c.period_id == period_id
                )
            ).all()
        )
        assessment_of = {number: by_unit[int(u)] for number, u in enumerate(unit_ids)}
        answers = period.answers.assign(assessment_id=period.answers["unit"].map(assessment_of))
        _insert_answers(connection, answers, at)
        _insert(connection, TABLES["work_item"], _work_items(period, unit_ids))
        _insert(
            connection,
            TABLES["evidence_document"],
            [
                {
                    "unit_id": int(unit_ids[unit]),
                    "code": code,
                    "title": f"Bukti dukung {code}",
                    "location": f"s3://bukti/{unit}/{n}.pdf",
                    "year": int(year),
                    "sha256": secrets.token_hex(32),
                    "uploaded_at": at,
                }
                for n, (unit, code, year) in enumerate(
                    period.evidence.itertuples(index=False, name=None)
                )
            ],
        )
    return Loaded(instansi_id, period_id, assessment_of, unit_ids)


def _work_items(period: Period, unit_ids: np.ndarray) -> list[dict[str, Any]]:
    """The work plan of `develop` (an item per indicator and the two self-surveys) for some
    units: indicators due in mid-February or end of April, surveys on 5 March; most done."""
    framework = load_framework(FRAMEWORK)
    rng = np.random.default_rng(11)
    codes = [i.code for i in framework.indicators] + ["survei:ipak", "survei:ipkp"]
    items = []
    for number in np.flatnonzero(period.work_plan):
        for position, code in enumerate(codes):
            due = (
                date(YEAR, 3, 5)
                if code.startswith("survei")
                else date(YEAR, 2, 15)
                if position % 2
                else date(YEAR, 4, 30)
            )
            done = rng.random() < 0.7
            items.append(
                {
                    "unit_id": int(unit_ids[number]),
                    "year": YEAR,
                    "code": code,
                    "title": f"Rencana kerja {code}",
                    "due_on": due,
                    "completed_on": due - timedelta(days=int(rng.integers(0, 20)))
                    if done
                    else None,
                }
            )
    return items


def improve(engine: Engine, period: Period, loaded: Loaded) -> None:
    """Between the runs, 1 % of the units record better answers (as `record_answers` would)."""
    assessments = [loaded.assessment_of[int(u)] for u in period.improved["unit"].unique()]
    improved = period.improved
    answers = improved.assign(assessment_id=improved["unit"].map(loaded.assessment_of))
    with engine.begin() as connection:
        connection.execute(
            sa.delete(TABLES["answer"]).where(TABLES["answer"].c.assessment_id.in_(assessments))
        )
        _insert_answers(connection, answers, _noon(SECOND_RUN - timedelta(days=2)))


def proposals_made(engine: Engine, loaded: Loaded) -> int:
    """Between the runs, what a Prefect server does with the first run's events: each
    crossing's trigger runs the proposal flow, which proposes the unit (moved to `proposed` by
    the lifecycle's rule, a draft proposal, the crossing settled). The packages are not built:
    the weekly run does not read them. Without this, the weekly run would find every crossing
    of the week before still pending and announce each one again, as it does when the
    proposals failed."""
    on = SECOND_RUN - timedelta(days=6)
    with SqlUnitOfWork(engine) as uow:
        pending = uow.monitoring.pending_crossings(period_ids=[loaded.period_id])
        units = {u.id: u for u in uow.units.list_units(instansi_id=loaded.instansi_id)}
        ready = [units[p.unit_id] for p in pending]
        facts = units_facts(uow, units=ready, year=YEAR, as_of=on)
        for predicate in {p.predicate for p in pending}:
            moved = move_many(
                uow,
                units=[u for u, p in zip(ready, pending, strict=True) if p.predicate == predicate],
                action=Action.PROPOSE,
                facts=facts,
                year=YEAR,
                actor="Pimpinan instansi",
                predicate=predicate,
            )
            assert all(m.to_state == UnitState.PROPOSED for m in moved)
        uow.commit()
    made_at = _noon(on)
    proposal, event, crossing = (
        TABLES["proposal"],
        TABLES["proposal_event"],
        TABLES["threshold_crossing"],
    )
    with engine.begin() as connection:
        _insert(
            connection,
            proposal,
            [
                {
                    "unit_id": p.unit_id,
                    "year": YEAR,
                    "predicate": Predicate(p.predicate),
                    "state": ProposalState.DRAFT.value,
                    "tpn_scores": {},
                    "revision": 1,
                    "created_at": made_at,
                }
                for p in pending
            ],
        )
        made = connection.execute(
            sa.select(proposal.c.id, proposal.c.unit_id).where(proposal.c.year == YEAR)
        ).all()
        _insert(
            connection,
            event,
            [
                {
                    "proposal_id": proposal_id,
                    "to_state": ProposalState.DRAFT.value,
                    "actor": "Pimpinan instansi",
                    "occurred_at": made_at,
                }
                for proposal_id, _ in made
            ],
        )
        of_unit = (
            sa.select(proposal.c.id)
            .where(proposal.c.unit_id == crossing.c.unit_id, proposal.c.year == YEAR)
            .scalar_subquery()
        )
        connection.execute(
            sa.update(crossing)
            .where(crossing.c.period_id == loaded.period_id, crossing.c.proposal_id.is_(None))
            .values(proposal_id=of_unit)
        )
    return len(pending)


# --- databases to run on ------------------------------------------------------------------------


class Backend(Protocol):
    name: str

    def create(self) -> URL: ...
    def clone(self, source: URL) -> URL: ...
    def drop(self, url: URL) -> None: ...
    def drop_all(self) -> None: ...
    def analyze(self, url: URL) -> None: ...


class SqliteBackend:
    """Temporary database files; a copy of the file is a fresh database."""

    name = "SQLite"

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _url(self) -> URL:
        return make_url(f"sqlite:///{self.folder / f'zi-{secrets.token_hex(4)}.db'}")

    def create(self) -> URL:
        return self._url()

    def clone(self, source: URL) -> URL:
        target = self._url()
        shutil.copyfile(str(source.database), str(target.database))
        os.sync()  # the copy written out before a measurement starts, not during it
        return target

    def analyze(self, url: URL) -> None:
        engine = make_engine(url)
        with engine.begin() as connection:
            connection.exec_driver_sql("ANALYZE")
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        engine.dispose()

    def drop(self, url: URL) -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{url.database}{suffix}").unlink(missing_ok=True)

    def drop_all(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


class PostgresBackend:
    """Temporary databases on the local server; a clone is CREATE DATABASE ... TEMPLATE."""

    name = "PostgreSQL"

    def __init__(self) -> None:
        self.admin = make_engine(
            POSTGRES_ADMIN, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5}
        )
        self.prefix = f"zi_bench_{secrets.token_hex(4)}"
        self.created: list[str] = []

    def answers(self) -> str | None:
        """None when the server answers, else why not."""
        try:
            with self.admin.connect() as connection:
                connection.exec_driver_sql("SELECT 1")
        except OperationalError as error:
            return str(error.orig).strip().splitlines()[0]
        return None

    def _new(self, template: str | None) -> URL:
        name = f"{self.prefix}_{len(self.created)}"
        clause = f' TEMPLATE "{template}"' if template else ""
        with self.admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"{clause}')
        self.created.append(name)
        return make_url(POSTGRES_ADMIN).set(database=name)

    def create(self) -> URL:
        return self._new(None)

    def clone(self, source: URL) -> URL:
        copy = self._new(source.database)
        # CREATE DATABASE writes the copy through the WAL: checkpointed and synced here, before
        # a measurement starts, or its writing-out lands in the measurement.
        with self.admin.connect() as connection:
            connection.exec_driver_sql("CHECKPOINT")
        os.sync()
        return copy

    def analyze(self, url: URL) -> None:
        engine = make_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")
        engine.dispose()

    def drop(self, url: URL) -> None:
        with self.admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')
        self.created.remove(str(url.database))

    def drop_all(self) -> None:
        with self.admin.connect() as connection:
            for name in self.created:
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.admin.dispose()


# --- what each fresh process measures ------------------------------------------------------------


@dataclass
class Sample:
    seconds: float
    traced_mib: float | None  # tracemalloc peak, in a traced sample only
    maxrss_mib: float  # the process's ru_maxrss at the end
    rss_before_mib: float  # ru_maxrss before the measured work (imports, framework, set-up)
    notes: dict[str, Any] = field(default_factory=dict)


def _maxrss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


@contextmanager
def _measured(trace: bool, profile: Path | None) -> Iterator[Sample]:
    sample = Sample(0.0, None, 0.0, _maxrss_mib())
    profiler = cProfile.Profile() if profile is not None else None
    if trace:
        tracemalloc.start()
    if profiler is not None:
        profiler.enable()
    started = time.perf_counter()
    yield sample
    sample.seconds = time.perf_counter() - started
    if profiler is not None:
        profiler.disable()
        assert profile is not None
        profiler.dump_stats(profile)
    if trace:
        sample.traced_mib = tracemalloc.get_traced_memory()[1] / MIB
        tracemalloc.stop()
    sample.maxrss_mib = _maxrss_mib()


def run_monitoring(
    url: str, period_id: int, as_of: date, trace: bool, profile: str | None
) -> Sample:
    """`monitor_period`, end to end, with its report written to a temporary folder."""
    framework = load_framework(FRAMEWORK)
    engine = make_engine(url)
    with tempfile.TemporaryDirectory() as reports:
        with (
            _measured(trace, Path(profile) if profile else None) as sample,
            SqlUnitOfWork(engine) as uow,
        ):
            outcome = monitor_period(
                uow, period_id=period_id, framework=framework, as_of=as_of, report_dir=Path(reports)
            )
        assert outcome.report_path is not None
        sample.notes = {
            "units": len(outcome.report.units),
            "crossings": len(outcome.crossings),
            "report_mib": outcome.report_path.stat().st_size / MIB,
        }
    engine.dispose()
    return sample


@dataclass
class _KeptWrites:
    """What a run writes, as its repository calls: the snapshots, and the units it moves and
    its crossings."""

    snapshots: list[ScoreSnapshotCreate] = field(default_factory=list)
    moves: list[dict[str, Any]] = field(default_factory=list)
    crossings: list[dict[str, Any]] = field(default_factory=list)

    def keep(self, uow: SqlUnitOfWork) -> None:
        """`uow`'s repositories record what they are asked to write (and write it)."""
        add_snapshots = uow.snapshots.add_snapshots
        move_units, record_crossings = uow.units.move_units, uow.monitoring.record_crossings

        def snapshot(*, rows: Sequence[ScoreSnapshotCreate], at: datetime | None = None) -> int:
            self.snapshots = list(rows)
            return add_snapshots(rows=rows, at=at)

        def move(**given: Any) -> None:
            self.moves.append(given)
            move_units(**given)

        def cross(**given: Any) -> set[tuple[int, Predicate]]:
            self.crossings.append(given)
            return record_crossings(**given)

        uow.snapshots.add_snapshots = snapshot  # type: ignore[method-assign]
        uow.units.move_units = move  # type: ignore[method-assign]
        uow.monitoring.record_crossings = cross  # type: ignore[method-assign]

    def write(self, uow: SqlUnitOfWork, *, lifecycle: bool) -> None:
        uow.snapshots.add_snapshots(rows=self.snapshots)
        for given in self.moves if lifecycle else ():
            uow.units.move_units(**given)
        for given in self.crossings if lifecycle else ():
            uow.monitoring.record_crossings(**given)


def run_floor(
    url: str, period_id: int, as_of: date, trace: bool, profile: str | None, writes: bool = False
) -> Sample:
    """The floor: the same answers SELECTed into pandas and the same snapshots INSERTed and
    committed (on a copy of its own: the run is measured on another). With `writes`, also the
    run's lifecycle writes, through the same repository calls: the units it moves into TPI
    evaluation (the UPDATE and their events) and its crossings."""
    framework = load_framework(FRAMEWORK)
    engine = make_engine(url)
    kept = _KeptWrites()
    with SqlUnitOfWork(engine) as uow:  # set-up, not measured: what the run writes, rolled back
        kept.keep(uow)
        if writes:
            uow.commit = lambda: None  # type: ignore[method-assign]
            monitor_period(
                uow, period_id=period_id, framework=framework, as_of=as_of, report_dir=None
            )
        else:
            snapshot_period(uow, period_id=period_id, framework=framework, as_of=as_of)
    with (
        _measured(trace, Path(profile) if profile else None) as sample,
        SqlUnitOfWork(engine) as uow,
    ):
        frame = uow.assessments.tpi_answers_frame(period_id=period_id)
        kept.write(uow, lifecycle=writes)
        uow.commit()  # what a run cannot skip either: the rows made durable
    sample.notes = {"answer_rows": len(frame), "snapshots": len(kept.snapshots)}
    if writes:
        sample.notes |= {
            "moved": sum(len(given["unit_ids"]) for given in kept.moves),
            "crossings": sum(len(given["crossings"]) for given in kept.crossings),
        }
    engine.dispose()
    return sample


def run_flow(url: str, instansi_id: int, as_of: date, data_dir: str, profile: str | None) -> Sample:
    """The Prefect `monitor` flow in embedded mode; the temporary server is started first."""
    os.environ.update(
        ZI_DATABASE_URL=url,
        ZI_DATA_DIR=data_dir,
        ZI_FRAMEWORK=FRAMEWORK,
        PREFECT_HOME=str(Path(data_dir) / "prefect"),
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        # The default 20 s was not enough on a loaded machine: the run died before measuring.
        PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="180",
    )
    os.environ.pop("PREFECT_API_URL", None)
    from prefect import flow
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker
    from prefect.server.api.server import SubprocessASGIServer

    from flows.monitor import monitor

    @flow(name="warm-up")
    def warm_up() -> None:
        return None

    try:
        started = time.perf_counter()
        warm_up()
        server_seconds = time.perf_counter() - started
        # As for the bare call, whose engine is made before its figure: the database driver is
        # imported outside it (psycopg's import: 0.08-0.34 s). The flow still makes its own
        # engine, checks the migrations and connects inside it.
        make_engine(url).dispose()
        server = SubprocessASGIServer().server_process
        server_cpu, own_cpu = _cpu_seconds(server.pid if server else None), _own_cpu_seconds()
        called = datetime.now(UTC)
        with _measured(False, Path(profile) if profile else None) as sample:
            state = monitor(
                as_of=as_of, instansi=instansi_id, propose_directly=False, return_state=True
            )
        server_cpu = _cpu_seconds(server.pid if server else None) - server_cpu
        own_cpu = _own_cpu_seconds() - own_cpu
        result = state.result()
        assert state.is_completed(), state
        # The figure runs from the call to the run's Completed state. The call returns later, once
        # Prefect's heartbeat thread has been joined (it wakes once a second, and joining it took
        # 0.3-2 s here); under a worker that delays only the exit of the run's process.
        returned = sample.seconds
        sample.seconds = (state.timestamp - called).total_seconds()
        stored = sum(
            f.stat().st_size for f in (Path(data_dir) / "prefect").rglob("*") if f.is_file()
        )
        sample.notes = {
            "server start s (not in the figure)": server_seconds,
            # CPU seconds while the flow ran until it returned: the run's own process, and the
            # temporary server's, which shares this machine's two cores with it
            "flow process CPU s": own_cpu,
            "server CPU s": server_cpu,
            "returned after s": returned,
            "crossings": result["crossing_count"],
            "PREFECT_HOME MiB": stored / MIB,
            **_artifact_notes(Path(data_dir) / "prefect" / "prefect.db"),
        }
        return sample
    finally:
        # A pool's worker process exits without running atexit handlers, and Prefect stops its
        # temporary server in one: left running, eight servers took CPU from the later samples.
        # The logs and events still queued are sent first.
        APILogWorker.drain_all(timeout=60)
        EventsWorker.drain_all(timeout=60)
        SubprocessASGIServer().stop()


def _cpu_seconds(pid: int | None) -> float:
    """User and system CPU seconds of process `pid` so far (Linux), 0 without one."""
    if pid is None:
        return 0.0
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _artifact_notes(prefect_db: Path) -> dict[str, Any]:
    """The artifacts' stored bytes, read from the embedded server's own database (its table
    names are Prefect's, version 3)."""
    with sqlite3.connect(prefect_db) as db:
        artifacts = db.execute("SELECT count(*), coalesce(sum(length(data)), 0) FROM artifact")
        count, size = artifacts.fetchone()
    return {"artifacts": count, "artifact bytes": size}


def idle_process() -> Sample:
    """What a fresh process holds after importing the product and loading the framework."""
    load_framework(FRAMEWORK)
    return Sample(0.0, None, _maxrss_mib(), _maxrss_mib())


def in_fresh_process(work: Callable[..., Sample], *args: Any) -> Sample:
    """`work(*args)` in a new process forked from the fork server, which was started while this
    process was small: a child's ru_maxrss starts at the fork server's (Linux carries the peak
    over fork and exec), not at the set-up's gigabyte."""
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(1, mp_context=context, max_tasks_per_child=1) as pool:
        return pool.submit(work, *args).result()


# --- the benchmark ------------------------------------------------------------------------------


@dataclass
class Case:
    """One kind of run (first or weekly): the samples of the run and of its floor."""

    name: str
    as_of: date
    runs: list[Sample] = field(default_factory=list)
    floors: list[Sample] = field(default_factory=list)
    # the floor with the run's lifecycle writes too (moves into TPI evaluation, crossings)
    write_floors: list[Sample] = field(default_factory=list)
    traced_run: Sample | None = None
    traced_floor: Sample | None = None
    flows: list[Sample] = field(default_factory=list)

    def best(self, samples: list[Sample]) -> Sample:
        return min(samples, key=lambda s: s.seconds)


def measure_case(
    backend: Backend,
    template: URL,
    case: Case,
    loaded: Loaded,
    args: argparse.Namespace,
    keep_first: bool,
) -> URL | None:
    """`args.repeat` samples of floor, run and (with --flow) flow, each on its own copy; returns
    a copy after a run."""
    kept: URL | None = None
    for number in range(args.repeat + (0 if args.no_trace else 1)):
        trace = number == args.repeat  # the last sample is the traced one
        url, floor_url = backend.clone(template), backend.clone(template)
        rendered = url.render_as_string(hide_password=False)
        floor = in_fresh_process(
            run_floor,
            floor_url.render_as_string(hide_password=False),
            loaded.period_id,
            case.as_of,
            trace,
            _profile(args, backend, case, number, "floor"),
        )
        backend.drop(floor_url)
        if not trace:
            case.write_floors.append(measure_write_floor(backend, template, case, loaded))
        run = in_fresh_process(
            run_monitoring,
            rendered,
            loaded.period_id,
            case.as_of,
            trace,
            _profile(args, backend, case, number, "run"),
        )
        if trace:
            case.traced_floor, case.traced_run = floor, run
        else:
            case.floors.append(floor)
            case.runs.append(run)
            flow = (
                measure_flow(backend, template, case, loaded, args, number) if args.flow else None
            )
            print(
                f"  {case.name} sample {number + 1}: run {run.seconds:.2f} s, "
                f"floor {floor.seconds:.2f} s"
                + (f", flow {flow.seconds:.2f} s" if flow is not None else ""),
                flush=True,
            )
        if keep_first and kept is None:
            kept = url
    return kept


def measure_write_floor(backend: Backend, template: URL, case: Case, loaded: Loaded) -> Sample:
    """One sample of the floor with the run's lifecycle writes, on a copy of its own."""
    url = backend.clone(template)
    try:
        return in_fresh_process(
            run_floor,
            url.render_as_string(hide_password=False),
            loaded.period_id,
            case.as_of,
            False,
            None,
            True,
        )
    finally:
        backend.drop(url)


def measure_flow(
    backend: Backend,
    template: URL,
    case: Case,
    loaded: Loaded,
    args: argparse.Namespace,
    number: int,
) -> Sample:
    """One sample of the flow, on a copy of its own, just after the floor and the run it is
    compared with: this machine's speed drifts by minutes, so the three are measured together."""
    url = backend.clone(template)
    try:
        with tempfile.TemporaryDirectory() as data_dir:
            flow = in_fresh_process(
                run_flow,
                url.render_as_string(hide_password=False),
                loaded.instansi_id,
                case.as_of,
                data_dir,
                _profile(args, backend, case, number, "flow"),
            )
    finally:
        backend.drop(url)
    case.flows.append(flow)
    return flow


def _profile(
    args: argparse.Namespace, backend: Backend, case: Case, number: int, what: str
) -> str | None:
    """Where the first sample of `what` (floor, run, flow) writes its cProfile stats, with
    --profile; None otherwise."""
    if not args.profile or number != 0:
        return None
    return str(Path(args.profile) / f"{backend.name}-{case.name}-{what}.prof")


def report(backend: str, cases: list[Case], idle: Sample) -> None:
    print(f"\n{backend}: fresh process after imports: ru_maxrss {idle.maxrss_mib:.0f} MiB")
    header = f"{'phase':<40}{'seconds':>9}{'x floor':>9}{'traced MiB':>12}{'maxrss MiB':>12}"
    print(header)
    for case in cases:
        floor, run = case.best(case.floors), case.best(case.runs)
        traced_floor = case.traced_floor.traced_mib if case.traced_floor else None
        traced_run = case.traced_run.traced_mib if case.traced_run else None
        rows: list[tuple[str, Sample, float | None]] = [
            (f"{case.name}: floor (SELECT + INSERT)", floor, traced_floor),
            (f"{case.name}: monitor_period", run, traced_run),
        ]
        flow = case.best(case.flows) if case.flows else None
        if flow is not None:
            rows.append((f"{case.name}: Prefect flow `monitor`", flow, None))
        write_floor = case.best(case.write_floors) if case.write_floors else None
        if write_floor is not None:
            rows.append((f"{case.name}: floor + lifecycle writes", write_floor, None))
        for name, sample, traced in rows:
            ratio = sample.seconds / floor.seconds
            traced_text = f"{traced:>12.0f}" if traced is not None else f"{'-':>12}"
            print(
                f"{name:<40}{sample.seconds:>9.2f}{ratio:>9.2f}{traced_text}"
                f"{sample.maxrss_mib:>12.0f}"
            )
        print(f"  ({_notes({**floor.notes, **run.notes})})")
        print(
            f"  (samples, s: runs {' '.join(f'{s.seconds:.2f}' for s in case.runs)}; "
            f"floors {' '.join(f'{s.seconds:.2f}' for s in case.floors)})"
        )
        if write_floor is not None:
            against = [("monitor_period", run)] + ([("flow", flow)] if flow is not None else [])
            print(
                f"  (floor + lifecycle writes: {_notes(write_floor.notes)}; samples, s: "
                f"{' '.join(f'{s.seconds:.2f}' for s in case.write_floors)}; x it: "
                + ", ".join(f"{name} {s.seconds / write_floor.seconds:.2f}" for name, s in against)
                + ")"
            )
        if flow is not None:
            print(f"  (flow: {_notes(flow.notes)})")
            print(f"  (flow samples, s: {' '.join(f'{s.seconds:.2f}' for s in case.flows)})")
        if write_floor is not None:
            print(f"  {_aim(flow or run, write_floor)}")


AIM = 2.0
"""Issue 15: a monitoring run, its Prefect flow included, takes at most twice its I/O floor."""


def _aim(measured: Sample, write_floor: Sample) -> str:
    """The aim against the run's own I/O floor: the answers it reads and every row it writes
    (snapshots, moved units and their events, crossings). A first run writes 20,000 moves and
    thousands of crossings that a weekly run does not; the plain floor leaves them out."""
    ratio = measured.seconds / write_floor.seconds
    verdict = "met" if ratio <= AIM else "NOT met"
    return (
        f"aim: at most {AIM:g}x the run's I/O floor (with its lifecycle writes): "
        f"{ratio:.2f}x, {verdict}"
    )


def _notes(notes: dict[str, Any]) -> str:
    return ", ".join(
        f"{k} {v:,.1f}" if isinstance(v, float) else f"{k} {v:,}" for k, v in notes.items()
    )


def bench_backend(backend: Backend, period: Period, args: argparse.Namespace, idle: Sample) -> None:
    print(f"\n== {backend.name} ==", flush=True)
    base = backend.create()
    upgrade_database(base)
    engine = make_engine(base)
    started = time.perf_counter()
    loaded = load(engine, period)
    engine.dispose()
    backend.analyze(base)
    print(f"  set-up: loaded in {time.perf_counter() - started:.1f} s", flush=True)

    first = Case("first run", FIRST_RUN)
    after_first = measure_case(backend, base, first, loaded, args, keep_first=True)
    assert after_first is not None
    engine = make_engine(after_first)
    proposed = proposals_made(engine, loaded)
    improve(engine, period, loaded)
    engine.dispose()
    print(
        f"  between the runs: {proposed:,} units proposed by their crossings' triggers", flush=True
    )
    backend.analyze(after_first)
    weekly = Case("weekly run", SECOND_RUN)
    measure_case(backend, after_first, weekly, loaded, args, keep_first=False)
    report(backend.name, [first, weekly], idle)


def describe(framework: Framework, period: Period) -> None:
    values = read_answers(period.answers.assign(row=0), framework).values
    scores = score_units(values, framework)
    n = period.units
    wbk, wbbm = int(scores["meets_WBK"].sum()), int(scores["meets_WBBM"].sum())
    print(
        f"units: {n:,}, answer rows: {len(period.answers):,}, "
        f"meeting WBK floors: {wbk:,} ({wbk / n:.0%}), WBBM floors: {wbbm:,} ({wbbm / n:.1%}), "
        f"holding WBK: {int(period.holds_wbk.sum()):,}, improving before the weekly run: "
        f"{period.improved['unit'].nunique():,}"
    )
    print(
        f"prerequisites met / LHKPN short / missing: "
        f"{', '.join(str(int((period.prerequisite_kind == k).sum())) for k in range(3))}; "
        f"units with a work plan: {int(period.work_plan.sum()):,}; "
        f"evidence documents: {len(period.evidence):,}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--units", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument(
        "--flow", action="store_true", help="also run the Prefect flow, --repeat times"
    )
    parser.add_argument("--profile", help="write cProfile stats of the first samples here")
    parser.add_argument(
        "--no-trace", action="store_true", help="skip the tracemalloc samples (slow at 20,000)"
    )
    args = parser.parse_args()
    if args.profile:
        Path(args.profile).mkdir(parents=True, exist_ok=True)
    idle = in_fresh_process(idle_process)  # starts the fork server before the set-up grows
    framework = load_framework(FRAMEWORK)
    period = synthetic_period(framework, args.units)
    describe(framework, period)

    if args.backend in ("sqlite", "both"):
        sqlite = SqliteBackend(Path(tempfile.mkdtemp(prefix="zi-bench-")))
        try:
            bench_backend(sqlite, period, args, idle)
        finally:
            sqlite.drop_all()
    if args.backend in ("postgresql", "both"):
        postgres = PostgresBackend()
        problem = postgres.answers()
        if problem is not None:
            print(f"\nPostgreSQL skipped: {POSTGRES_ADMIN} does not answer ({problem})")
            return
        try:
            bench_backend(postgres, period, args, idle)
        finally:
            postgres.drop_all()


if __name__ == "__main__":
    main()
