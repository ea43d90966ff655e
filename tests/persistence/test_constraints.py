"""The database itself refuses what must never be stored twice, or stored wrong."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, func, select

from persistence.tables import (
    Answer,
    AnswerCreate,
    InstansiCreate,
    InstansiKind,
    Notification,
    ScoreSnapshot,
    ScoreSnapshotCreate,
    UnitKerjaCreate,
)
from persistence.unit_of_work import SqlUnitOfWork
from tests.database_fixtures import World

NewUow = Callable[[], SqlUnitOfWork]


def snapshot(world: World, *, total: float, as_of: date = date(2025, 4, 1)) -> ScoreSnapshotCreate:
    return ScoreSnapshotCreate(
        unit_id=world.unit_ids[0],
        assessment_id=world.tpi_assessment_ids[0],
        as_of=as_of,
        framework="permenpanrb-90-2021",
        total=total,
        pengungkit=total * 0.6,
        hasil=total * 0.4,
        meets_wbk=total >= 75,
        meets_wbbm=False,
        details={"missing": [], "shortfalls": ["total"] if total < 75 else []},
    )


def count(engine: Engine, model: type[Answer] | type[ScoreSnapshot] | type[Notification]) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(model)).one()


def test_duplicate_answer_code_in_one_assessment_is_refused(
    new_uow: NewUow, world: World, engine: Engine
) -> None:
    with new_uow() as uow, pytest.raises(IntegrityError):
        uow.assessments.replace_answers(
            assessment_id=world.tpi_assessment_ids[0],
            answers=[AnswerCreate(code="A.I.1.i.a", answer="Ya")] * 2,
        )
    assert count(engine, Answer) == 0


def test_same_code_in_another_assessment_is_fine(new_uow: NewUow, world: World) -> None:
    with new_uow() as uow:
        for assessment_id in world.tpi_assessment_ids + world.self_assessment_ids:
            uow.assessments.replace_answers(
                assessment_id=assessment_id, answers=[AnswerCreate(code="A.I.1.i.a", answer="Ya")]
            )
        uow.commit()


def test_second_snapshot_row_for_the_same_day_is_refused(world: World, engine: Engine) -> None:
    with Session(engine) as session:
        session.add(ScoreSnapshot.model_validate(snapshot(world, total=80)))
        session.commit()
        session.add(ScoreSnapshot.model_validate(snapshot(world, total=81)))
        with pytest.raises(IntegrityError):
            session.commit()


def test_recomputing_the_same_day_replaces_the_snapshot(
    new_uow: NewUow, world: World, engine: Engine
) -> None:
    with new_uow() as uow:
        uow.snapshots.add_snapshots(rows=[snapshot(world, total=70)])
        uow.commit()
    with new_uow() as uow:
        uow.snapshots.add_snapshots(rows=[snapshot(world, total=80)])
        uow.snapshots.add_snapshots(rows=[snapshot(world, total=90, as_of=date(2025, 4, 2))])
        uow.commit()

    with new_uow() as uow:
        stored = uow.snapshots.snapshots(unit_id=world.unit_ids[0])
    assert [(row.as_of, row.total, row.meets_wbk) for row in stored] == [
        (date(2025, 4, 1), 80.0, True),
        (date(2025, 4, 2), 90.0, True),
    ]
    assert stored[0].details == {"missing": [], "shortfalls": []}
    assert count(engine, ScoreSnapshot) == 2


def test_duplicate_notification_key_is_refused(engine: Engine) -> None:
    def reminder(subject: str) -> Notification:
        return Notification(
            idempotency_key="deadline:7:2025-05-31:d-7",
            recipient="a@example.go.id",
            kind="reminder",
            subject=subject,
        )

    with Session(engine) as session:
        session.add(reminder("H-7"))
        session.commit()
        session.add(reminder("H-7 again"))
        with pytest.raises(IntegrityError):
            session.commit()


def test_unit_code_is_unique_within_its_instansi_only(new_uow: NewUow, world: World) -> None:
    with new_uow() as uow:
        other = uow.instansi.add_instansi(
            instansi=InstansiCreate(
                name="Kementerian Contoh", kind=InstansiKind.KEMENTERIAN_LEMBAGA
            )
        )
        assert other.id is not None
        uow.units.add_unit(
            unit=UnitKerjaCreate(instansi_id=other.id, code="U00", name="x", state="s")
        )
        with pytest.raises(IntegrityError):
            uow.units.add_unit(
                unit=UnitKerjaCreate(instansi_id=world.instansi_id, code="U00", name="x", state="s")
            )


def test_foreign_keys_are_enforced(new_uow: NewUow, world: World) -> None:
    """On SQLite only if make_engine switched them on for the connection."""
    with new_uow() as uow, pytest.raises(IntegrityError):
        uow.units.add_unit(unit=UnitKerjaCreate(instansi_id=999_999, code="X", name="x", state="s"))


def test_an_unknown_kind_is_refused_by_the_database(engine: Engine) -> None:
    with engine.connect() as connection, pytest.raises(IntegrityError):
        connection.execute(sa.text("INSERT INTO instansi (name, kind) VALUES ('x', 'swasta')"))
