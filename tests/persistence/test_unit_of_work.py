"""A unit of work writes all or nothing, and only when told to commit."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError, StatementError
from sqlmodel import Session, func, select

from persistence.repositories import StateConflict
from persistence.tables import (
    Answer,
    AnswerCreate,
    Instansi,
    InstansiCreate,
    InstansiKind,
    LifecycleEventCreate,
    ProposalCreate,
    ProposalEventCreate,
    UnitKerja,
)
from persistence.unit_of_work import SqlUnitOfWork, UnitOfWork
from tests.database_fixtures import World
from zi_domain.predicates import Predicate

NewUow = Callable[[], SqlUnitOfWork]
JAKARTA = timezone(timedelta(hours=7))


def fifty_answers(*, duplicate_at: int | None = None) -> list[AnswerCreate]:
    """50 answers; the one at position `duplicate_at` (1-based) repeats the first one's code."""
    answers = [AnswerCreate(code=f"A.I.{n}.i.a", answer="Ya", value=1.0) for n in range(1, 51)]
    if duplicate_at is not None:
        answers[duplicate_at - 1] = AnswerCreate(code="A.I.1.i.a", answer="Tidak")
    return answers


def stored_answers(engine: Engine) -> list[tuple[int, str, str]]:
    with Session(engine) as session:
        rows = session.exec(select(Answer.assessment_id, Answer.code, Answer.answer)).all()
    return sorted((int(a), code, answer) for a, code, answer in rows)


def count_instansi(engine: Engine) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(Instansi)).one()


def test_import_failing_at_the_40th_answer_writes_nothing(
    new_uow: NewUow, world: World, engine: Engine
) -> None:
    with pytest.raises(IntegrityError), new_uow() as uow:
        uow.assessments.replace_answers(
            assessment_id=world.tpi_assessment_ids[0], answers=fifty_answers(duplicate_at=40)
        )
        uow.commit()

    assert stored_answers(engine) == []


def test_failed_reimport_keeps_the_previous_answers(
    new_uow: NewUow, world: World, engine: Engine
) -> None:
    assessment_id = world.tpi_assessment_ids[0]
    with new_uow() as uow:
        uow.assessments.replace_answers(assessment_id=assessment_id, answers=fifty_answers())
        uow.commit()
    before = stored_answers(engine)

    with pytest.raises(IntegrityError), new_uow() as uow:
        uow.assessments.replace_answers(
            assessment_id=assessment_id, answers=fifty_answers(duplicate_at=40)
        )

    assert len(before) == 50
    assert stored_answers(engine) == before


def test_an_exception_after_successful_writes_undoes_them(new_uow: NewUow, engine: Engine) -> None:
    with pytest.raises(RuntimeError, match="scorer crashed"), new_uow() as uow:
        uow.instansi.add_instansi(
            instansi=InstansiCreate(name="Kota Contoh", kind=InstansiKind.PEMERINTAH_DAERAH)
        )
        raise RuntimeError("scorer crashed")

    assert count_instansi(engine) == 0


def test_leaving_without_commit_writes_nothing(new_uow: NewUow, engine: Engine) -> None:
    with new_uow() as uow:
        uow.instansi.add_instansi(
            instansi=InstansiCreate(name="Kota Contoh", kind=InstansiKind.PEMERINTAH_DAERAH)
        )

    assert count_instansi(engine) == 0


def test_commit_persists_and_rows_stay_readable_after_the_block(
    new_uow: NewUow, engine: Engine
) -> None:
    with new_uow() as uow:
        added = uow.instansi.add_instansi(
            instansi=InstansiCreate(name="Kota Contoh", kind=InstansiKind.PEMERINTAH_DAERAH)
        )
        uow.commit()

    assert (added.name, added.kind) == ("Kota Contoh", InstansiKind.PEMERINTAH_DAERAH)
    with new_uow() as uow:
        found = uow.instansi.get_instansi_by_name(name="Kota Contoh")
    assert found is not None and found.id == added.id and found.kind == "pemerintah_daerah"


def test_services_can_depend_on_the_protocol(new_uow: NewUow, engine: Engine) -> None:
    def declare(uow: UnitOfWork, name: str) -> None:
        with uow:
            uow.instansi.add_instansi(
                instansi=InstansiCreate(name=name, kind=InstansiKind.KEMENTERIAN_LEMBAGA)
            )
            uow.commit()

    declare(new_uow(), "Kementerian Contoh")

    assert count_instansi(engine) == 1


def test_a_unit_moves_only_from_the_state_it_is_in(new_uow: NewUow, world: World) -> None:
    unit_id = world.unit_ids[0]

    def move(from_state: str, to_state: str) -> None:
        with new_uow() as uow:
            uow.units.move_unit(
                event=LifecycleEventCreate(
                    instansi_id=world.instansi_id,
                    unit_id=unit_id,
                    year=2025,
                    kind="transition",
                    from_state=from_state,
                    to_state=to_state,
                    actor="tpi@example.go.id",
                    criteria={"core_service": True},
                )
            )
            uow.commit()

    move("designated", "developing")
    with pytest.raises(StateConflict):
        move("designated", "monitored")  # a second, stale transition from the same state

    with new_uow() as uow:
        unit = uow.units.get_unit(unit_id=unit_id)
        events = uow.units.events(instansi_id=world.instansi_id, unit_id=unit_id)
    assert isinstance(unit, UnitKerja) and unit.state == "developing"
    assert [(e.from_state, e.to_state, e.criteria) for e in events] == [
        ("designated", "developing", {"core_service": True})
    ]


def test_proposal_revisions_and_their_history(new_uow: NewUow, world: World) -> None:
    proposal = ProposalCreate(
        unit_id=world.unit_ids[0], year=2025, predicate=Predicate.WBK, state="draft"
    )
    with new_uow() as uow:
        first = uow.proposals.add_proposal(proposal=proposal, actor="operator")
        assert first.id is not None
        uow.proposals.move_proposal(
            event=ProposalEventCreate(
                proposal_id=first.id, from_state="draft", to_state="sent", actor="head"
            )
        )
        second = uow.proposals.add_proposal(proposal=proposal, actor="operator")
        uow.commit()

    with new_uow() as uow:
        latest = uow.proposals.latest_proposal(
            unit_id=world.unit_ids[0], year=2025, predicate=Predicate.WBK
        )
        history = uow.proposals.proposal_events(proposal_id=first.id)
    assert (first.revision, second.revision) == (1, 2)
    assert latest is not None and latest.id == second.id
    assert [(e.from_state, e.to_state, e.actor) for e in history] == [
        (None, "draft", "operator"),
        ("draft", "sent", "head"),
    ]


def declaration(world: World, occurred_at: datetime) -> LifecycleEventCreate:
    return LifecycleEventCreate(
        instansi_id=world.instansi_id,
        year=2025,
        kind="declaration",
        to_state="declared",
        actor="kepala",
        occurred_at=occurred_at,
    )


def test_instants_come_back_as_the_same_moment_in_utc(new_uow: NewUow, world: World) -> None:
    at_jakarta = datetime(2025, 5, 31, 23, 30, tzinfo=JAKARTA)
    with new_uow() as uow:
        uow.units.record_event(event=declaration(world, at_jakarta))
        uow.commit()

    with new_uow() as uow:
        (event,) = uow.units.events(instansi_id=world.instansi_id)
    assert event.occurred_at == at_jakarta
    assert event.occurred_at.tzinfo == UTC
    assert event.occurred_at.date() == date(2025, 5, 31) and event.occurred_at.hour == 16


def test_a_naive_datetime_is_refused(new_uow: NewUow, world: World) -> None:
    with new_uow() as uow, pytest.raises(StatementError, match="naive datetime"):
        uow.units.record_event(event=declaration(world, datetime(2025, 5, 31, 23, 30)))
