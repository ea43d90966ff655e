"""Recording a unit's LKE answers: all of them or none, and only answers the framework accepts."""

from __future__ import annotations

import pandas as pd

from persistence.tables import AnswerCreate, AssessmentCreate, AssessmentKind
from persistence.unit_of_work import UnitOfWork
from zi_domain.answers import COUNT_SEPARATOR, AnswerError, AnswerSheet, read_answers
from zi_domain.framework import Framework


class AnswersRejected(ValueError):
    """Answers that cannot be recorded; nothing was written."""

    def __init__(self, source: str, errors: list[AnswerError]) -> None:
        self.errors = errors
        listed = "\n".join(f"  {source}: {error}" for error in errors)
        super().__init__(f"{len(errors)} jawaban tidak dapat dibaca:\n{listed}")


def record_answers(
    uow: UnitOfWork,
    *,
    unit_id: int,
    period_id: int,
    kind: AssessmentKind,
    framework: Framework,
    rows: pd.DataFrame,
    reviewer: str | None = None,
    source: str = "jawaban",
) -> AnswerSheet:
    """Replaces the unit's answers of the period (`rows`: code, answer, row) and commits.

    Every answer is checked first; a single bad row refuses the whole set, so the stored
    assessment is always one that scores.
    """
    sheet = read_answers(rows.assign(unit=unit_id), framework)
    if sheet.errors:
        raise AnswersRejected(source, sheet.errors)
    values = sheet.values.iloc[0]
    assessment = uow.assessments.get_assessment(unit_id=unit_id, period_id=period_id, kind=kind)
    if assessment is None:
        assessment = uow.assessments.add_assessment(
            assessment=AssessmentCreate(
                unit_id=unit_id, period_id=period_id, kind=kind, framework=framework.name
            )
        )
    assert assessment.id is not None
    answers = [
        AnswerCreate(
            code=code,
            answer=answer,
            value=None if COUNT_SEPARATOR in code else float(values[code]),
            reviewer=reviewer,
        )
        for code, answer in zip(rows["code"].str.strip(), rows["answer"].str.strip(), strict=True)
    ]
    uow.assessments.replace_answers(assessment_id=assessment.id, answers=answers)
    uow.commit()
    return sheet
