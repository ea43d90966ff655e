"""Turns answers as people write them ("Ya", "B", "87,5%", "3.62", Jumlah counts) into values.

Works on many units at once: the input is a long table (unit, code, answer, row) and the output
a wide table of values (one row per unit, one column per LKE item, NaN where unanswered), built
with column operations rather than a loop per answer. Every problem is reported with the row it
came from, in Indonesian, because the people who fix the file are the unit teams and the TPI.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from zi_domain.framework import AnswerType, CountInput, Framework, Question, Term

COUNT_SEPARATOR = ":"
_PERCENT = r"^\s*(\d+(?:[.,]\d+)?)\s*%\s*$"
_NUMBER = r"^\s*(\d+(?:[.,]\d+)?)\s*$"


@dataclass(frozen=True)
class AnswerError:
    """One bad answer row: where it is and what is wrong with it."""

    row: int
    code: str
    problem: str

    def __str__(self) -> str:
        return (
            f"baris {self.row}: {self.code}: {self.problem}"
            if self.code
            else (f"baris {self.row}: {self.problem}")
        )


@dataclass(frozen=True)
class AnswerSheet:
    """Values per unit and item (NaN = missing), and the rows that could not be read."""

    values: pd.DataFrame
    errors: list[AnswerError] = field(default_factory=list)

    def missing(self, unit: Hashable) -> list[str]:
        row = self.values.loc[[unit]].iloc[0]
        return [str(code) for code in row.index[row.isna()]]


def read_answers(answers: pd.DataFrame, framework: Framework) -> AnswerSheet:
    """Values for every unit in `answers` (columns unit, code, answer, row)."""
    frame = answers.assign(
        code=answers["code"].astype("string").str.strip(),
        answer=answers["answer"].astype("string").fillna("").str.strip(),
    )
    split = frame["code"].str.split(COUNT_SEPARATOR, n=1, expand=True).reindex(columns=[0, 1])
    frame = frame.assign(item=split[0], count_key=split[1])
    errors: list[AnswerError] = []
    frame = _drop(frame, _unknown_codes(frame, framework), errors)
    frame = _drop(frame, _duplicates(frame), errors)

    item_rows = frame[frame["count_key"].isna()]
    count_rows = frame[frame["count_key"].notna()]
    item_values, item_errors = _item_values(item_rows, framework)
    errors += item_errors
    counted, count_errors = _count_values(count_rows, item_rows, framework)
    errors += count_errors

    units = pd.Index(pd.unique(answers["unit"]), name="unit")
    values = (
        item_values.pivot(index="unit", columns="item", values="value")
        if not item_values.empty
        else pd.DataFrame(index=units)
    )
    values = values.reindex(index=units, columns=list(framework.item_codes)).astype("float64")
    if not counted.empty:
        values.update(counted.reindex(index=units))
    errors.sort(key=lambda e: e.row)
    return AnswerSheet(values=values, errors=errors)


def _drop(frame: pd.DataFrame, bad: pd.Series, errors: list[AnswerError]) -> pd.DataFrame:
    """Records the rows with a problem (bad holds the message per row) and keeps the rest."""
    for row, code, problem in zip(
        frame.loc[bad.index, "row"], frame.loc[bad.index, "code"], bad, strict=True
    ):
        errors.append(AnswerError(row=int(row), code=str(code), problem=str(problem)))
    return frame.drop(index=bad.index)


def _unknown_codes(frame: pd.DataFrame, framework: Framework) -> pd.Series:
    known_items = set(framework.item_codes)
    count_codes = {
        f"{q.code}{COUNT_SEPARATOR}{key}" for q in framework.questions for key in _input_keys(q)
    }
    plain_unknown = frame["count_key"].isna() & ~frame["item"].isin(known_items)
    count_unknown = frame["count_key"].notna() & ~frame["code"].isin(count_codes)
    problems = pd.Series(pd.NA, index=frame.index, dtype="string")
    problems[plain_unknown] = f"kode tidak dikenal dalam kerangka {framework.name}"
    for index in frame.index[count_unknown]:
        problems[index] = _unknown_count_message(str(frame.at[index, "item"]), framework)
    return problems.dropna()


def _unknown_count_message(item: str, framework: Framework) -> str:
    question = next((q for q in framework.questions if q.code == item), None)
    if question is None or not question.inputs:
        return f"kode tidak dikenal: {item} bukan pertanyaan persentase dengan baris Jumlah"
    keys = ", ".join(f"{question.code}{COUNT_SEPARATOR}{k}" for k in _input_keys(question))
    return f"baris Jumlah tidak dikenal; yang berlaku: {keys}"


def _duplicates(frame: pd.DataFrame) -> pd.Series:
    repeated = frame.duplicated(subset=["unit", "code"], keep="first")
    first_row = frame.groupby(["unit", "code"], sort=False)["row"].transform("first")
    return ("kode ganda; sudah diisi pada baris " + first_row[repeated].astype(str)).astype(
        "string"
    )


def _item_values(
    rows: pd.DataFrame, framework: Framework
) -> tuple[pd.DataFrame, list[AnswerError]]:
    """Value of each plain answer row, by its item's answer type."""
    type_of = {q.code: q.answer_type for q in framework.questions}
    type_of.update({i.code: i.answer_type for i in framework.hasil_items})
    types = rows["item"].map(lambda code: type_of[code].name)
    values = pd.Series(np.nan, index=rows.index, dtype="float64")
    problems = pd.Series(pd.NA, index=rows.index, dtype="string")
    for name, answer_type in framework.answer_types.items():
        mask = types == name
        if mask.any():
            parsed, problem = _parse(rows.loc[mask, "answer"], answer_type)
            values[mask] = parsed
            problems[mask] = problem
    bad = problems.dropna()
    errors = [
        AnswerError(row=int(str(rows.at[i, "row"])), code=str(rows.at[i, "code"]), problem=str(p))
        for i, p in bad.items()
    ]
    good = rows.drop(index=bad.index)
    return good.assign(value=values[good.index])[["unit", "item", "value"]], errors


def _parse(answers: pd.Series, answer_type: AnswerType) -> tuple[pd.Series, pd.Series]:
    """(values, problems) for answers of one type; a problem is NA where the answer is good."""
    if answer_type.kind == "choice":
        table = {k.upper(): v for k, v in answer_type.values.items()}
        values = answers.str.upper().map(table).astype("float64")
        allowed = "/".join(answer_type.values)
        message = f"jawaban tidak sah untuk jenis {answer_type.label}; pilih {allowed}"
        return values, _problem_where(values.isna(), message)
    if answer_type.kind == "percentage":
        number = _decimal(answers.str.extract(_PERCENT, expand=False))
        message = "persentase tidak sah; tulis misalnya 85% atau 87,5%"
        return (number / 100.0).clip(0.0, 1.0), _problem_where(number.isna(), message)
    number = _decimal(answers.str.extract(_NUMBER, expand=False))
    in_range = number.between(answer_type.minimum, answer_type.maximum)
    message = (
        f"nilai indeks tidak sah; tulis angka {answer_type.minimum:g} sampai "
        f"{answer_type.maximum:g}, misalnya 3,62"
    )
    return number / answer_type.maximum, _problem_where(~in_range, message)


def _decimal(text: pd.Series) -> pd.Series:
    return pd.to_numeric(text.str.replace(",", ".", regex=False), errors="coerce").astype("float64")


def _problem_where(mask: pd.Series, message: str) -> pd.Series:
    problems = pd.Series(pd.NA, index=mask.index, dtype="string")
    problems[mask.fillna(True).astype(bool)] = message
    return problems


def _input_keys(question: Question) -> list[str]:
    return [key for i in question.inputs for key in (i.key, *(p.key for p in i.parts))]


def _count_values(
    count_rows: pd.DataFrame, item_rows: pd.DataFrame, framework: Framework
) -> tuple[pd.DataFrame, list[AnswerError]]:
    """Percentages computed from Jumlah rows, per unit and question (columns = question codes)."""
    if count_rows.empty:
        return pd.DataFrame(), []
    numbers = _decimal(count_rows["answer"].str.extract(_NUMBER, expand=False))
    errors = [
        AnswerError(
            row=int(str(count_rows.at[i, "row"])),
            code=str(count_rows.at[i, "code"]),
            problem="jumlah tidak sah; tulis bilangan tidak negatif, misalnya 12",
        )
        for i in count_rows.index[numbers.isna()]
    ]
    rows = count_rows.assign(number=numbers)[numbers.notna()]
    wide = rows.pivot(index="unit", columns="code", values="number")
    first_row = rows.pivot(index="unit", columns="code", values="row")
    also_percent = set(zip(item_rows["unit"], item_rows["item"], strict=True))
    result: dict[str, pd.Series] = {}
    for question in framework.questions:
        columns = [f"{question.code}{COUNT_SEPARATOR}{k}" for k in _input_keys(question)]
        present = [c for c in columns if c in wide.columns]
        if not present or question.formula is None:
            continue
        given = wide[present].notna().any(axis=1)
        inputs, problems = _resolve_inputs(question, wide.reindex(columns=columns))
        for unit in given.index[given]:
            problem = problems.get(unit)
            if problem is None and (unit, question.code) in also_percent:
                problem = "isi persentasenya atau baris Jumlah-nya, jangan keduanya"
            if problem is not None:
                row = int(first_row.loc[unit, present].min())
                errors.append(AnswerError(row=row, code=question.code, problem=problem))
        valid = (
            given
            & ~given.index.isin(list(problems))
            & ~pd.Series(
                [(u, question.code) in also_percent for u in given.index], index=given.index
            )
        )
        result[question.code] = _ratio(
            question.formula.numerator,
            question.formula.denominator,
            inputs,
            question.formula.zero_denominator,
        )[valid]
    return pd.DataFrame(result), errors


def _resolve_inputs(
    question: Question, wide: pd.DataFrame
) -> tuple[pd.DataFrame, dict[object, str]]:
    """Each count that the formula uses, per unit: given itself, or as the sum of its parts.

    Inputs that the formula does not use (e.g. violations already sanctioned) may be left out.
    """
    resolved: dict[str, pd.Series] = {}
    problems: dict[object, str] = {}
    assert question.formula is not None
    used = {t.key for t in (*question.formula.numerator, *question.formula.denominator)}
    for count_input in (i for i in question.inputs if i.key in used):
        total, input_problems = _resolve_input(question.code, count_input, wide)
        resolved[count_input.key] = total
        for unit, problem in input_problems.items():
            problems.setdefault(unit, problem)
    return pd.DataFrame(resolved, index=wide.index), problems


def _resolve_input(
    code: str, count_input: CountInput, wide: pd.DataFrame
) -> tuple[pd.Series, dict[object, str]]:
    own = wide[f"{code}{COUNT_SEPARATOR}{count_input.key}"]
    parts = wide[[f"{code}{COUNT_SEPARATOR}{p.key}" for p in count_input.parts]]
    some_parts = parts.notna().any(axis=1)
    all_parts = parts.notna().all(axis=1) & bool(count_input.parts)
    total = own.where(own.notna(), parts.sum(axis=1).where(all_parts))
    problems: dict[object, str] = {}
    name = f"{code}{COUNT_SEPARATOR}{count_input.key}"
    for unit in wide.index[own.notna() & some_parts]:
        problems[unit] = f"{name} diisi bersama rinciannya; isi salah satu saja"
    for unit in wide.index[own.isna() & some_parts & ~all_parts]:
        missing = [c for c in parts.columns if pd.isna(parts.loc[unit, c])]
        problems[unit] = f"rincian {name} belum lengkap; kurang: {', '.join(missing)}"
    for unit in wide.index[total.isna()]:
        problems.setdefault(unit, f"baris Jumlah belum lengkap; kurang: {name}")
    return total, problems


def _ratio(
    numerator: tuple[Term, ...],
    denominator: tuple[Term, ...],
    inputs: pd.DataFrame,
    zero_denominator: float,
) -> pd.Series:
    """numerator / denominator within 0..1; a zero denominator gives the file's 0/0 value, or
    the limit (1 for a positive numerator, 0 for a negative one)."""
    top = sum((t.sign * inputs[t.key] for t in numerator), pd.Series(0.0, index=inputs.index))
    bottom = sum((t.sign * inputs[t.key] for t in denominator), pd.Series(0.0, index=inputs.index))
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = (top / bottom).where(bottom != 0)
    at_zero = np.select([top > 0, top < 0], [1.0, 0.0], default=zero_denominator)
    ratio = ratio.where(bottom != 0, pd.Series(at_zero, index=inputs.index))
    return ratio.clip(0.0, 1.0).astype("float64")
