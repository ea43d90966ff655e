"""Every unit's report built column-wise (`unit_scores`) is the report `unit_score` builds
from the unit's row alone: the same numbers, floors, shortfalls (in order) and missing codes."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tests.domain.worksheets import lke, top_answers
from zi_domain.answers import read_answers
from zi_domain.scoring import score_units
from zi_domain.unit_score import UnitTotals, score_details, unit_score, unit_scores


def answers_of(number: int, rng: np.random.Generator) -> dict[str, str]:
    """Random answers, some units near the top (so that some meet WBK or WBBM), some missing."""
    framework = lke()
    near_top = number % 3 == 0
    answers = {}
    for code, top in top_answers(framework).items():
        if rng.random() < 0.08:
            continue
        if near_top and rng.random() < 0.9:
            answers[code] = top
            continue
        question = next((q for q in framework.questions if q.code == code), None)
        if question is not None and question.answer_type.kind == "choice":
            answers[code] = str(rng.choice(list(question.answer_type.values)))
        elif question is not None:
            answers[code] = f"{rng.integers(0, 101)}%"
        else:
            answers[code] = top if code == "B.I.b" else f"{rng.uniform(2.5, 4):.2f}"
    return answers


def test_column_wise_reports_equal_each_unit_alone() -> None:
    framework = lke()
    rng = np.random.default_rng(11)
    rows = [
        (f"u{number:02d}", code, answer, line)
        for number in range(60)
        for line, (code, answer) in enumerate(answers_of(number, rng).items(), 2)
    ]
    sheet = read_answers(pd.DataFrame(rows, columns=["unit", "code", "answer", "row"]), framework)
    assert sheet.errors == []
    scores = score_units(sheet.values, framework)
    missing = [sheet.missing(unit) for unit in scores.index]

    together = unit_scores(scores, missing, framework)

    alone = [
        unit_score(scores.loc[unit], missing[i], framework) for i, unit in enumerate(scores.index)
    ]
    assert together == alone
    assert [r.to_json() for r in together] == [r.to_json() for r in alone]
    # What a run stores and reads for every unit: the JSON of each unit's report alone.
    details = score_details(scores, missing, framework)
    assert details == [r.to_json() for r in alone]
    assert [UnitTotals.of(d) for d in details] == [
        UnitTotals(
            total=r.total,
            pengungkit=r.pengungkit,
            hasil=r.hasil,
            area_percent={a.number: a.percent for a in r.areas},
            meets=r.meets,
            missed={name: len(found) for name, found in r.shortfalls.items()},
        )
        for r in alone
    ]
    # The sample covers what the comparison must cover: units meeting each predicate, units
    # failing floors, and missing answers.
    assert any(r.meets["WBK"] for r in together) and any(r.meets["WBBM"] for r in together)
    assert any(r.shortfalls["WBK"] for r in together)
    assert any(r.missing for r in together)


def test_no_units() -> None:
    framework = lke()
    empty = score_units(pd.DataFrame(columns=list(framework.item_codes), dtype=float), framework)

    assert unit_scores(empty, [], framework) == []
