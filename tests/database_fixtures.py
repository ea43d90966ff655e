"""Database fixtures for every test that touches a database: each runs on SQLite and PostgreSQL.

PostgreSQL: the server named by `ZI_TEST_POSTGRES_URL` (an admin URL; default: the local server,
user postgres, trust auth). One database with a random name is created per test session and
dropped at its end; each test gets it empty (its `public` schema recreated). When no server
answers, the PostgreSQL half is skipped locally but fails when `CI=true`: CI must prove PostgreSQL.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError

from persistence.database import make_engine, redact, safe_url
from persistence.migrate import upgrade_database
from persistence.tables import (
    AssessmentCreate,
    AssessmentKind,
    AssessmentPeriodCreate,
    InstansiCreate,
    InstansiKind,
    UnitKerjaCreate,
    UnitPrerequisiteCreate,
)
from persistence.unit_of_work import SqlUnitOfWork

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def _admin_url() -> URL:
    return make_url(os.environ.get("ZI_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL))


def _admin_engine() -> Engine:
    """AUTOCOMMIT: CREATE/DROP DATABASE cannot run inside a transaction."""
    return make_engine(
        _admin_url(), isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5}
    )


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[URL]:
    """A fresh database for this test session, dropped at its end."""
    admin = _admin_engine()
    name = f"zi_test_{secrets.token_hex(6)}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except DBAPIError as error:
        admin.dispose()
        reason = (
            f"PostgreSQL at {safe_url(_admin_url())} does not answer: "
            f"{redact(str(error.orig), _admin_url())}"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason} (CI must run the PostgreSQL tests)", pytrace=False)
        pytest.skip(f"{reason}; set ZI_TEST_POSTGRES_URL or start a server")
    try:
        yield _admin_url().set(database=name)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _empty_postgres(url: URL) -> None:
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    finally:
        engine.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> URL:
    """The URL of an empty database, never migrated."""
    if request.param == "sqlite":
        return make_url(f"sqlite:///{tmp_path / 'data' / 'zi.db'}")
    url: URL = request.getfixturevalue("postgres_database")
    _empty_postgres(url)
    return url


@pytest.fixture
def engine(database_url: URL) -> Iterator[Engine]:
    """An engine on a database migrated to head, the way the product creates its schema."""
    upgrade_database(database_url)
    engine = make_engine(database_url)
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.fixture
def new_uow(engine: Engine) -> Callable[[], SqlUnitOfWork]:
    return lambda: SqlUnitOfWork(engine)


@dataclass(frozen=True)
class World:
    """Ids of a small committed instansi: units, one period, a TPI and a self assessment each."""

    instansi_id: int
    period_id: int
    unit_ids: list[int]
    tpi_assessment_ids: list[int]
    self_assessment_ids: list[int]


def tpi_period(instansi_id: int, year: int) -> AssessmentPeriodCreate:
    """The TPI's assessment period of a year, up to the 31 May proposal deadline."""
    return AssessmentPeriodCreate(
        instansi_id=instansi_id,
        year=year,
        name=f"TPI {year}",
        starts_on=date(year, 1, 1),
        ends_on=date(year, 5, 31),
    )


def unit_standing(
    unit_id: int, year: int, *, lhkpn: float = 100.0, grade: str = "B"
) -> UnitPrerequisiteCreate:
    """A unit's Tabel 5 standing for a year: findings and LHKASN at 100 %, LHKPN as given."""
    return UnitPrerequisiteCreate(
        unit_id=unit_id,
        year=year,
        follow_up_findings_percent=100,
        lhkpn_percent=lhkpn,
        lhkasn_percent=100,
        internal_sakip_grade=grade,
    )


@pytest.fixture
def world(new_uow: Callable[[], SqlUnitOfWork]) -> World:
    with new_uow() as uow:
        instansi = uow.instansi.add_instansi(
            instansi=InstansiCreate(name="Kabupaten Contoh", kind=InstansiKind.PEMERINTAH_DAERAH)
        )
        assert instansi.id is not None
        period = uow.assessments.add_period(period=tpi_period(instansi.id, 2025))
        assert period.id is not None
        unit_ids: list[int] = []
        tpi_ids: list[int] = []
        self_ids: list[int] = []
        for number in range(3):
            unit = uow.units.add_unit(
                unit=UnitKerjaCreate(
                    instansi_id=instansi.id,
                    code=f"U{number:02d}",
                    name=f"Unit {number}",
                    state="designated",
                )
            )
            assert unit.id is not None
            unit_ids.append(unit.id)
            for kind, ids in ((AssessmentKind.TPI, tpi_ids), (AssessmentKind.SELF, self_ids)):
                assessment = uow.assessments.add_assessment(
                    assessment=AssessmentCreate(
                        unit_id=unit.id,
                        period_id=period.id,
                        kind=kind,
                        framework="permenpanrb-90-2021",
                    )
                )
                assert assessment.id is not None
                ids.append(assessment.id)
        uow.commit()
    return World(instansi.id, period.id, unit_ids, tpi_ids, self_ids)
