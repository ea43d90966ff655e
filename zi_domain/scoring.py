"""Scores units exactly as the LKE computes them, many units in one vectorised pass.

Indicator = weight × mean of its questions' values, so every question adds
(indicator weight / number of questions) × value: the whole pengungkit is one matrix product of
the units' values with those per-question weights. Hasil items add weight × value. Missing
answers count 0. Full precision throughout; rounding happens only where floors are compared.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from zi_domain.framework import Floor, Framework
from zi_domain.rounding import meets_minimum

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class ScoringWeights:
    """The framework as arrays: what each answered item adds to each score column."""

    question_codes: tuple[str, ...]
    hasil_codes: tuple[str, ...]
    by_area_half: FloatArray  # questions × (area, half) pairs
    area_half_columns: tuple[tuple[int, str], ...]
    per_question: FloatArray  # points of a question at value 1
    hasil_weights: FloatArray


@cache
def scoring_weights(framework: Framework) -> ScoringWeights:
    """Built once per framework; every unit scored after that is a matrix product."""
    questions = framework.questions
    pairs = tuple((a.number, h.key) for a in framework.areas for h in framework.halves)
    column_of = {pair: i for i, pair in enumerate(pairs)}
    matrix = np.zeros((len(questions), len(pairs)))
    per_question = np.zeros(len(questions))
    row = 0
    for indicator in framework.indicators:
        share = indicator.weight / len(indicator.questions)
        for _question in indicator.questions:
            matrix[row, column_of[(indicator.area_number, indicator.half_key)]] = share
            per_question[row] = share
            row += 1
    return ScoringWeights(
        question_codes=tuple(q.code for q in questions),
        hasil_codes=tuple(i.code for i in framework.hasil_items),
        by_area_half=matrix,
        area_half_columns=pairs,
        per_question=per_question,
        hasil_weights=np.array([i.weight for i in framework.hasil_items]),
    )


def score_units(values: pd.DataFrame, framework: Framework) -> pd.DataFrame:
    """Scores of every unit (row of `values`: item values 0..1, NaN = missing).

    Columns: area_<n>_<half> and area_<n> (points), area_<n>_percent (of the area's weight),
    pengungkit, each hasil item and group key (points), hasil, total, meets_<predicate>.
    """
    weights = scoring_weights(framework)
    answered = values.reindex(columns=list(weights.question_codes + weights.hasil_codes))
    matrix = np.nan_to_num(answered.to_numpy(dtype=np.float64, na_value=np.nan), nan=0.0)
    n_questions = len(weights.question_codes)
    by_pair = matrix[:, :n_questions] @ weights.by_area_half
    hasil_points = matrix[:, n_questions:] * weights.hasil_weights

    columns: dict[str, npt.NDArray[Any]] = {}
    for (number, half_key), column in zip(weights.area_half_columns, by_pair.T, strict=True):
        columns[f"area_{number}_{half_key}"] = column
    for area in framework.areas:
        score = sum(
            (columns[f"area_{area.number}_{h.key}"] for h in framework.halves),
            np.zeros(len(values)),
        )
        columns[f"area_{area.number}"] = score
        columns[f"area_{area.number}_percent"] = score / area.weight * 100.0
    for half in framework.halves:
        columns[half.key] = sum(
            (columns[f"area_{a.number}_{half.key}"] for a in framework.areas), np.zeros(len(values))
        )
    columns["pengungkit"] = by_pair.sum(axis=1)
    for item, column in zip(framework.hasil_items, hasil_points.T, strict=True):
        columns[item.key] = column
    for group in framework.hasil_groups:
        columns[group.key] = sum((columns[i.key] for i in group.items), np.zeros(len(values)))
    columns["hasil"] = hasil_points.sum(axis=1)
    columns["total"] = columns["pengungkit"] + columns["hasil"]
    for predicate in framework.predicates:
        columns[f"meets_{predicate.name}"] = meets_predicate(columns, framework, predicate.name)
    return pd.DataFrame(columns, index=values.index)


def floor_measures(
    scores: Mapping[str, Any], framework: Framework, floor: Floor
) -> dict[str, FloatArray]:
    """The values a floor is compared on, by rule instance, from score columns (or one row).

    `area_percent` applies to every area, so it yields one measure per area, named
    `area_percent.<n>`; every other rule is a single score column.
    """
    if floor.rule == "area_percent":
        return {
            f"area_percent.{a.number}": np.asarray(scores[f"area_{a.number}_percent"], float)
            for a in framework.areas
        }
    return {floor.rule: np.asarray(scores[floor.rule], float)}


def meets_predicate(
    scores: Mapping[str, Any], framework: Framework, predicate: str
) -> npt.NDArray[np.bool_]:
    """Whether each unit's scores meet every floor of the predicate (values as the LKE shows)."""
    meets = np.asarray(True)
    for floor in framework.predicate(predicate).floors:
        for measure in floor_measures(scores, framework, floor).values():
            meets = meets & meets_minimum(measure, floor.minimum)
    return meets


@dataclass(frozen=True)
class Shortfall:
    """A floor that a score does not reach."""

    rule: str
    required: float
    actual: float


def shortfalls(scores: pd.Series, framework: Framework, predicate: str) -> list[Shortfall]:
    """Each floor of the predicate that one unit's scores (a row of `score_units`) miss."""
    return [
        Shortfall(rule=rule, required=floor.minimum, actual=float(actual))
        for floor in framework.predicate(predicate).floors
        for rule, actual in floor_measures(_by_name(scores), framework, floor).items()
        if not meets_minimum(actual, floor.minimum)
    ]


def _by_name(row: pd.Series) -> dict[str, Any]:
    return {str(name): value for name, value in row.items()}
