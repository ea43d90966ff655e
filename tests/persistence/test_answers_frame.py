"""The scorer's input: one SELECT returning exactly the TPI answers that were written."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import Engine, event

from persistence.repositories import ANSWER_FRAME_COLUMNS
from persistence.tables import AnswerCreate, ScoreSnapshotCreate
from persistence.unit_of_work import SqlUnitOfWork
from tests.database_fixtures import World, tpi_period

NewUow = Callable[[], SqlUnitOfWork]


@contextmanager
def statements(engine: Engine) -> Iterator[list[str]]:
    """The SQL statements sent to the driver inside the block (an executemany counts once)."""
    sent: list[str] = []

    def record(*args: Any) -> None:
        sent.append(args[2])

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", record)


def sheet(unit: int) -> list[AnswerCreate]:
    """Answers of every type, including raw count rows and text that must survive as given."""
    return [
        AnswerCreate(code="A.I.1.i.a", answer="Ya" if unit % 2 else "Tidak"),
        AnswerCreate(code="A.I.2.ii.b", answer="C", value=0.0, note="catatan TPI"),
        AnswerCreate(code="A.II.1.i.a:agen_perubahan", answer=str(10 + unit)),
        AnswerCreate(code="A.II.1.i.a:perubahan", answer="7"),
        AnswerCreate(code="A.III.5.iii.a", answer=" 100 % "),
        AnswerCreate(code="B.I.2", answer="Sangat baik — “WBK”", reviewer="tpi-1"),
    ]


def test_frame_holds_exactly_the_tpi_answers_of_the_period(
    new_uow: NewUow, world: World, engine: Engine
) -> None:
    with new_uow() as uow:
        for unit, (tpi_id, self_id) in enumerate(
            zip(world.tpi_assessment_ids, world.self_assessment_ids, strict=True)
        ):
            uow.assessments.replace_answers(assessment_id=tpi_id, answers=sheet(unit))
            # The unit's own self-assessment must stay out of what TPN counts.
            uow.assessments.replace_answers(
                assessment_id=self_id, answers=[AnswerCreate(code="A.I.1.i.a", answer="Ya")]
            )
        uow.commit()
    expected = pd.DataFrame(
        [
            (unit_id, answer.code, answer.answer)
            for unit, unit_id in enumerate(world.unit_ids)
            for answer in sheet(unit)
        ],
        columns=list(ANSWER_FRAME_COLUMNS),
    ).astype({"unit_id": "int64", "code": "str", "answer": "str"})

    with new_uow() as uow, statements(engine) as sent:
        frame = uow.assessments.tpi_answers_frame(period_id=world.period_id)

    assert len(sent) == 1 and sent[0].lstrip().upper().startswith("SELECT")
    assert list(frame.columns) == list(ANSWER_FRAME_COLUMNS)
    pd.testing.assert_frame_equal(
        frame.sort_values(["unit_id", "code"]).reset_index(drop=True),
        expected.sort_values(["unit_id", "code"]).reset_index(drop=True),
    )


def test_frame_leaves_out_other_periods(new_uow: NewUow, world: World) -> None:
    with new_uow() as uow:
        uow.assessments.replace_answers(assessment_id=world.tpi_assessment_ids[0], answers=sheet(0))
        other = uow.assessments.add_period(period=tpi_period(world.instansi_id, 2026))
        assert other.id is not None
        frame = uow.assessments.tpi_answers_frame(period_id=other.id)
        ids = uow.assessments.tpi_assessment_ids(period_id=world.period_id)

    assert frame.empty and list(frame.columns) == list(ANSWER_FRAME_COLUMNS)
    assert frame.dtypes["unit_id"] == "int64"
    assert ids == dict(zip(world.unit_ids, world.tpi_assessment_ids, strict=True))


@pytest.mark.parametrize("units", [1, 250])
def test_snapshots_are_written_in_one_statement(
    new_uow: NewUow, world: World, engine: Engine, units: int
) -> None:
    rows = [
        ScoreSnapshotCreate(
            unit_id=world.unit_ids[n % 3],
            assessment_id=world.tpi_assessment_ids[n % 3],
            as_of=date(2025, 1, 1) + timedelta(days=n // 3),  # unique per unit
            framework="permenpanrb-90-2021",
            total=50 + n % 50,
            pengungkit=30.0,
            hasil=20.0,
            meets_wbk=False,
            meets_wbbm=False,
        )
        for n in range(units)
    ]
    with new_uow() as uow:
        with statements(engine) as sent:
            written = uow.snapshots.add_snapshots(rows=rows)
        uow.commit()
    with new_uow() as uow:
        stored = [s for unit_id in world.unit_ids for s in uow.snapshots.snapshots(unit_id=unit_id)]

    assert written == units and len(stored) == units
    assert len(sent) == 1 and sent[0].lstrip().upper().startswith("INSERT")
    assert sorted(s.total for s in stored) == sorted(float(r.total) for r in rows)
