"""Builders shared by tests: data as people produce it (filled workbooks, answer sets).

Kept here rather than in fixtures imported across test modules, so that a test reads what it
builds.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path

from openpyxl import load_workbook

from spreadsheets.lke_form import ANSWER_COLUMN, LKE_SHEET, WORK_SHEET
from zi_domain.framework import Framework

CODE_COLUMN = "A"


def top_answers(
    framework: Framework, *, ipak: str = "3,85", kinerja: str = "A", ipkp: str = "3,80"
) -> dict[str, str]:
    """Every pengungkit question at its top answer, and the hasil given."""
    answers = {q.code: q.answer_type.top_answer for q in framework.questions}
    return answers | {"B.I.a": ipak, "B.I.b": kinerja, "B.II.a": ipkp}


def fill_lke_form(
    path: Path,
    answers: Mapping[str, str | float],
    *,
    done: Mapping[str, tuple[date, str]] | None = None,
) -> Path:
    """Types `answers` into the answer cells of a written LKE form, as a unit team would, and
    marks the work items in `done` (code → (date, who)) as finished."""
    workbook = load_workbook(path)
    sheet = workbook[LKE_SHEET]
    for (code_cell,) in sheet.iter_rows(min_col=1, max_col=1):
        if code_cell.value in answers:
            sheet[f"{ANSWER_COLUMN}{code_cell.row}"] = answers[str(code_cell.value)]
    work = workbook[WORK_SHEET]
    for row in work.iter_rows(min_col=1, max_col=7):
        code = row[0].value
        if done and code in done:
            finished_on, by = done[str(code)]
            row[4].value, row[5].value, row[6].value = "Selesai", finished_on, by
    workbook.save(path)
    return path
