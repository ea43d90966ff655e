"""Answer sheets for tests, written as a TPI member would fill them in."""

from __future__ import annotations

import pandas as pd

from config.framework_files import load_framework
from zi_domain.answers import AnswerSheet, read_answers
from zi_domain.framework import Framework
from zi_domain.scoring import score_units
from zi_domain.unit_score import UnitScore, unit_score


def lke() -> Framework:
    return load_framework("permenpanrb-90-2021")


def top_answers(framework: Framework | None = None) -> dict[str, str]:
    """Every item at its top answer: the unit that scores 100."""
    framework = framework or lke()
    answers = {q.code: q.answer_type.top_answer for q in framework.questions}
    answers |= {item.code: item.answer_type.top_answer for item in framework.hasil_items}
    return answers


def sheet(answers: dict[str, str], unit: str = "unit") -> pd.DataFrame:
    rows = [(unit, code, answer, line) for line, (code, answer) in enumerate(answers.items(), 2)]
    return pd.DataFrame(rows, columns=["unit", "code", "answer", "row"])


def read(answers: dict[str, str], framework: Framework | None = None) -> AnswerSheet:
    return read_answers(sheet(answers), framework or lke())


def score(answers: dict[str, str], framework: Framework | None = None) -> UnitScore:
    framework = framework or lke()
    answer_sheet = read(answers, framework)
    assert answer_sheet.errors == []
    scores = score_units(answer_sheet.values, framework)
    return unit_score(scores.iloc[0], answer_sheet.missing("unit"), framework)
