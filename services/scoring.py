"""Scoring a whole assessment period at once and keeping each result as a snapshot (history)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from persistence.tables import ScoreSnapshotCreate
from persistence.unit_of_work import UnitOfWork
from zi_domain.answers import AnswerSheet, read_answers
from zi_domain.framework import Framework
from zi_domain.predicates import WBBM, WBK
from zi_domain.scoring import score_units
from zi_domain.unit_score import UnitScore, UnitTotals, score_details


class StoredAnswersInvalid(RuntimeError):
    """Stored answers that the framework refuses (e.g. the framework file changed)."""


@dataclass(frozen=True)
class ScoredPeriod:
    """Every unit's scores (rows indexed by unit id), its report as stored (`details`, the JSON
    of its `UnitScore`) and what a run reads of it for every unit (`totals`)."""

    scores: pd.DataFrame
    details: dict[int, dict[str, Any]]
    totals: dict[int, UnitTotals]
    sheet: AnswerSheet

    def report(self, unit_id: int) -> UnitScore:
        """The unit's whole report: built for the units that a caller shows in full."""
        return UnitScore.from_json(self.details[unit_id])

    def unit_rows(self, unit_id: int) -> tuple[pd.Series, pd.Series]:
        """(answer values, scores) of one unit, for its gap analysis."""
        return self.sheet.values.loc[[unit_id]].iloc[0], self.scores.loc[[unit_id]].iloc[0]


def score_period(
    uow: UnitOfWork, *, period_id: int, framework: Framework, as_of: date
) -> ScoredPeriod:
    """Scores every TPI assessment of the period in one pass and stores one snapshot per unit.

    The snapshots are written together and committed once: a failure leaves none of them.
    """
    scored = snapshot_period(uow, period_id=period_id, framework=framework, as_of=as_of)
    uow.commit()
    return scored


def snapshot_period(
    uow: UnitOfWork, *, period_id: int, framework: Framework, as_of: date
) -> ScoredPeriod:
    """`score_period` without the commit, for a use case that writes more in the same one."""
    assessment_of = uow.assessments.tpi_assessment_ids(period_id=period_id)
    read = stored_tpi_answers(uow, period_id=period_id, framework=framework)
    # A unit whose assessment has no answer yet is scored too: everything missing, 0.
    unit_ids = sorted(assessment_of)
    sheet = AnswerSheet(values=read.values.reindex(index=pd.Index(unit_ids, name="unit")))
    scores = score_units(sheet.values, framework)
    # Column-wise (`score_details`), in row order: not `.loc[unit]` and `sheet.missing(unit)`,
    # and no `UnitScore` per unit (the units shown in full get theirs: `ScoredPeriod.report`).
    details = dict(
        zip(
            unit_ids,
            score_details(scores, _missing_codes(sheet.values), framework),
            strict=True,
        )
    )
    uow.snapshots.add_snapshots(
        rows=[
            _snapshot(unit, assessment_of[unit], stored, as_of) for unit, stored in details.items()
        ]
    )
    return ScoredPeriod(
        scores=scores,
        details=details,
        totals={unit: UnitTotals.of(stored) for unit, stored in details.items()},
        sheet=sheet,
    )


def stored_tpi_answers(uow: UnitOfWork, *, period_id: int, framework: Framework) -> AnswerSheet:
    """The period's stored TPI answers as values per unit (one bulk SELECT, one vectorised read);
    answers that the framework no longer accepts are an error, not a silent zero."""
    answers = uow.assessments.tpi_answers_frame(period_id=period_id)
    answers = answers.rename(columns={"unit_id": "unit"}).assign(row=answers.index + 1)
    read = read_answers(answers, framework)
    if read.errors:
        raise StoredAnswersInvalid(
            f"{len(read.errors)} jawaban tersimpan tidak sah untuk {framework.name}; "
            f"pertama: {read.errors[0]}"
        )
    return read


def _missing_codes(values: pd.DataFrame) -> list[list[str]]:
    """`AnswerSheet.missing` of every row (unit) in order, from one pass over the values."""
    codes = np.array([str(code) for code in values.columns], dtype=object)
    return [codes[absent].tolist() for absent in values.isna().to_numpy()]


def _snapshot(
    unit_id: int, assessment_id: int, details: dict[str, Any], as_of: date
) -> ScoreSnapshotCreate:
    return ScoreSnapshotCreate(
        unit_id=unit_id,
        assessment_id=assessment_id,
        as_of=as_of,
        framework=details["framework"],
        total=details["total"],
        pengungkit=details["pengungkit"],
        hasil=details["hasil"],
        meets_wbk=details["meets"].get(WBK, False),
        meets_wbbm=details["meets"].get(WBBM, False),
        details=details,
    )
