"""Recording answers and scoring a period through the real unit of work (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pandas as pd
import pytest
from sqlalchemy import Engine, func, select

from persistence.tables import Answer, AssessmentKind, ScoreSnapshot
from persistence.unit_of_work import SqlUnitOfWork
from services.assessments import AnswersRejected, record_answers
from services.scoring import score_period
from tests.database_fixtures import World
from tests.domain.worksheets import lke, top_answers


def rows(answers: dict[str, str]) -> pd.DataFrame:
    frame = pd.DataFrame(list(answers.items()), columns=["code", "answer"])
    return frame.assign(row=range(2, len(frame) + 2))


def record(
    new_uow: Callable[[], SqlUnitOfWork],
    world: World,
    unit: int,
    answers: dict[str, str],
    kind: AssessmentKind = AssessmentKind.TPI,
) -> None:
    with new_uow() as uow:
        record_answers(
            uow,
            unit_id=unit,
            period_id=world.period_id,
            kind=kind,
            framework=lke(),
            rows=rows(answers),
            source="unit.csv",
        )


def count(engine: Engine, model: type[Answer] | type[ScoreSnapshot]) -> int:
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(model)).scalar_one())


def test_bad_answers_write_nothing_and_keep_the_previous_set(
    new_uow: Callable[[], SqlUnitOfWork], engine: Engine, world: World
) -> None:
    unit = world.unit_ids[0]
    record(new_uow, world, unit, top_answers())
    before = count(engine, Answer)
    assert before == 113
    broken = top_answers() | {"A.I.1.i.b": "Z"}
    with pytest.raises(AnswersRejected) as refused:
        record(new_uow, world, unit, broken)
    assert "unit.csv: baris 3: A.I.1.i.b: jawaban tidak sah" in str(refused.value)
    with new_uow() as uow:
        stored = {
            a.code: a.answer
            for a in uow.assessments.answers(assessment_id=world.tpi_assessment_ids[0])
        }
    assert stored["A.I.1.i.b"] == "A"
    assert count(engine, Answer) == before


def test_score_period_stores_one_snapshot_per_unit_and_is_idempotent(
    new_uow: Callable[[], SqlUnitOfWork], engine: Engine, world: World
) -> None:
    framework = lke()
    # Unit 0 at the top; unit 1 with IPKP 3,19 (13,95625 points, short of WBK's 14,00);
    # unit 2 has a TPI assessment but no answers yet: it scores 0 with everything missing.
    for unit, answers in zip(
        world.unit_ids[:2], [top_answers(), top_answers() | {"B.II.a": "3.19"}], strict=True
    ):
        record(new_uow, world, unit, answers)
    # A self-assessment does not count: a perfect one for unit 2 must not lift its score.
    record(new_uow, world, world.unit_ids[2], top_answers(), AssessmentKind.SELF)

    for _ in range(2):
        with new_uow() as uow:
            scored = score_period(
                uow, period_id=world.period_id, framework=framework, as_of=date(2025, 3, 3)
            )
    assert scored.totals[world.unit_ids[0]].total == pytest.approx(100.0)
    assert scored.totals[world.unit_ids[1]].total == pytest.approx(96.45625)
    assert scored.totals[world.unit_ids[2]].total == 0.0
    assert len(scored.report(world.unit_ids[2]).missing) == 113
    assert count(engine, ScoreSnapshot) == 3  # the second run replaced, not added

    with new_uow() as uow:
        score_period(uow, period_id=world.period_id, framework=framework, as_of=date(2025, 3, 10))
        history = uow.snapshots.snapshots(unit_id=world.unit_ids[1])
    assert [s.as_of for s in history] == [date(2025, 3, 3), date(2025, 3, 10)]
    latest = history[-1]
    assert (latest.meets_wbk, latest.meets_wbbm) == (False, False)
    assert latest.details["shortfalls"]["WBK"][0]["rule"] == "pelayanan_prima"
