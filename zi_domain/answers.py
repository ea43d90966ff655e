"""Turns answers as people write them ("Ya", "B", "87,5%", "3.62", Jumlah counts) into values.

Works on many units at once: the input is a long table (unit, code, answer, row) and the output
a wide table of values (one row per unit, one column per LKE item, NaN where unanswered), built
with column operations rather than a loop per answer. Every problem is reported with the row it
came from, in Indonesian, because the people who fix the file are the unit teams and the TPI.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from zi_domain.framework import AnswerType, CountInput, Framework, Question, Term

COUNT_SEPARATOR = ":"
MAX_COUNT = 10**15
"""The largest Jumlah a row may hold: every whole number up to it is exact in a float (2**53 is
about 9 * 10**15), and no unit counts more of anything; a longer number is a typing error."""
_MAX_COUNT_WORDS = f"{MAX_COUNT:,}".replace(",", ".")  # 1.000.000.000.000.000
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
    warnings: list[AnswerError] = field(default_factory=list)
    """Rows read, but not as written: every value kept within 0..100 % is named with what was
    written (a percentage above 100 % counted as 100 %, a ratio of Jumlah rows above 100 % or
    below 0 % counted as 100 % or 0 %)."""

    def missing(self, unit: Hashable) -> list[str]:
        row = self.values.loc[[unit]].iloc[0]
        return [str(code) for code in row.index[row.isna()]]


def read_answers(answers: pd.DataFrame, framework: Framework) -> AnswerSheet:
    """Values for every unit in `answers` (columns unit, code, answer, row).

    A worksheet has about a hundred codes and a few hundred distinct answers however many units
    it holds, so each distinct code and each distinct (code, answer) pair is read once and the
    result spread back to the rows by index: a million rows cost a few column operations.
    """
    # The codes as written, factorised as they come: each distinct one is read as text once.
    code_ids, raw_codes = pd.factorize(
        answers["code"].to_numpy(dtype=object), use_na_sentinel=False
    )
    codes = _code_table(pd.Series(raw_codes, dtype="string"), framework)
    # Integer ids of each row's cleaned code, item and answer, from the distinct values: the
    # steps below group rows by them instead of hashing two million strings again. The rows
    # carry only ids; their text is looked up for the few rows that need it (`_Texts`).
    code_key, _ = _distinct_ids(codes["code"])
    item_key, items = _distinct_ids(codes["item"])
    answer_ids, answer_texts = _distinct_ids(answers["answer"], _clean_text)
    # Four columns: the cleaned code's and the item's ids follow from the raw code's (`_Texts.ids`).
    frame = pd.DataFrame(
        {
            "unit": answers["unit"].to_numpy(),
            "row": answers["row"].to_numpy(),
            "raw_code_id": code_ids,
            "answer_id": answer_ids,
        }
    )
    texts = _Texts(codes, answer_texts, code_key, item_key)
    errors: list[AnswerError] = []
    warnings: list[AnswerError] = []
    frame = _drop(frame, _spread_found(codes["problem"], code_ids, frame.index), texts, errors)
    frame = _drop(frame, _duplicates(frame, texts.ids(frame, "code")), texts, errors)

    counts = codes["count_key"].notna().to_numpy(dtype=bool)[frame["raw_code_id"].to_numpy()]
    item_rows = frame[~counts] if counts.any() else frame
    count_rows = texts.of(frame[counts])
    item_values = _item_values(item_rows, (items, answer_texts), framework, texts, errors, warnings)
    counted, count_errors, count_notes = _count_values(count_rows, item_rows, texts, framework)
    errors += count_errors
    warnings += count_notes

    units = pd.Index(pd.unique(answers["unit"]), name="unit")
    values = _wide(item_values, units, framework.item_codes)
    if not counted.empty:
        values.update(counted.reindex(index=units))
    errors.sort(key=lambda e: e.row)
    warnings.sort(key=lambda e: e.row)
    return AnswerSheet(values=values, errors=errors, warnings=warnings)


def _clean_text(values: pd.Series) -> pd.Series:
    return values.astype("string").fillna("").str.strip()


def _distinct_ids(
    column: pd.Series, transform: Callable[[pd.Series], pd.Series] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(each row's id, the distinct values) of `column`, after `transform` (applied to each
    distinct value once: values that it makes equal share an id)."""
    ids, distinct = pd.factorize(column, use_na_sentinel=False)
    if transform is None:
        return ids, np.asarray(distinct, dtype=object)
    cleaned_ids, cleaned = pd.factorize(
        transform(pd.Series(distinct)).to_numpy(dtype=object), use_na_sentinel=False
    )
    return cleaned_ids[ids], np.asarray(cleaned, dtype=object)


def _code_table(raw: pd.Series, framework: Framework) -> pd.DataFrame:
    """For each distinct code as written: the code, its item, its Jumlah key, or a problem."""
    code = _clean_text(raw)
    split = code.str.split(COUNT_SEPARATOR, n=1, expand=True).reindex(columns=[0, 1])
    table = pd.DataFrame({"code": code, "item": split[0], "count_key": split[1]})
    known_items = set(framework.item_codes)
    count_codes = {
        f"{q.code}{COUNT_SEPARATOR}{key}" for q in framework.questions for key in _input_keys(q)
    }
    problems = []
    for full, item, key in table.itertuples(index=False):
        if pd.isna(key):
            known = item in known_items
            problems.append(
                None if known else f"kode tidak dikenal dalam kerangka {framework.name}"
            )
        else:
            problems.append(None if full in count_codes else _unknown_count(item, framework))
    return table.assign(problem=pd.Series(problems, index=table.index, dtype="string"))


@dataclass(frozen=True)
class _Texts:
    """The text behind the ids that answer rows carry: per distinct code as written, its
    cleaned code, item and Jumlah key (`_code_table`); per answer id, the cleaned answer."""

    codes: pd.DataFrame
    answers: np.ndarray
    code_ids: np.ndarray  # per distinct code as written, its cleaned code's id
    item_ids: np.ndarray  # per distinct code as written, its item's id

    def ids(self, rows: pd.DataFrame, of: str) -> np.ndarray:
        """Each row's id of its cleaned code (`of="code"`) or of its item (`of="item"`)."""
        table: np.ndarray = self.code_ids if of == "code" else self.item_ids
        ids: np.ndarray = table[rows["raw_code_id"].to_numpy()]
        return ids

    def of(self, rows: pd.DataFrame) -> pd.DataFrame:
        """`rows` with their code, item, count_key and answer as text."""
        raw = rows["raw_code_id"].to_numpy()
        return rows.assign(
            code=self.codes["code"].to_numpy()[raw],
            item=self.codes["item"].to_numpy()[raw],
            count_key=self.codes["count_key"].to_numpy()[raw],
            answer=self.answers[rows["answer_id"].to_numpy()],
        )

    def code(self, rows: pd.DataFrame, index: Hashable) -> str:
        return str(self.codes["code"].iat[int(str(rows.at[index, "raw_code_id"]))])


def _drop(
    frame: pd.DataFrame, bad: pd.Series, texts: _Texts, errors: list[AnswerError]
) -> pd.DataFrame:
    """Records the rows with a problem (bad holds the message per row) and keeps the rest."""
    if bad.empty:
        return frame  # dropping nothing would still copy every row
    for index, problem in bad.items():
        row, code = frame.at[index, "row"], texts.code(frame, index)
        errors.append(AnswerError(row=int(str(row)), code=code, problem=str(problem)))
    return frame.drop(index=bad.index)


def _unknown_count(item: str, framework: Framework) -> str:
    question = next((q for q in framework.questions if q.code == item), None)
    if question is None or not question.inputs:
        return f"kode tidak dikenal: {item} bukan pertanyaan persentase dengan baris Jumlah"
    keys = ", ".join(f"{question.code}{COUNT_SEPARATOR}{k}" for k in _input_keys(question))
    return f"baris Jumlah tidak dikenal; yang berlaku: {keys}"


def _duplicates(frame: pd.DataFrame, code_ids: np.ndarray) -> pd.Series:
    """A message for every repeat of a (unit, code) pair, naming the row that came first."""
    if frame.empty:
        return pd.Series(dtype="string")
    units = frame["unit"].to_numpy()
    if units.dtype.kind not in "iu":  # labels other than ids (a workbook's), numbered first
        units = pd.factorize(units)[0]
    units = units.astype(np.int64)
    code_ids = code_ids.astype(np.int64)
    width = int(code_ids.max()) + 1
    pairs = (units - units.min()) * width + code_ids  # one number per (unit, code)
    if _all_different(pairs):  # the common case, without a Series of every row
        return pd.Series(dtype="string")
    key = pd.Series(pairs, index=frame.index)
    repeated = key.duplicated(keep="first")
    first_row = frame["row"][~repeated].groupby(key[~repeated]).first()
    rows = key[repeated].map(first_row)
    return ("kode ganda; sudah diisi pada baris " + rows.astype(str)).astype("string")


def _all_different(numbers: np.ndarray) -> bool:
    """Whether no non-negative number repeats: counted in one array where the numbers span
    little more than their count (a period's units and codes: 20 ms at two million rows), else
    by hashing (100 ms, plus 100 ms to number the units first)."""
    if int(numbers.max()) < 2 * len(numbers) + 1_000_000:
        return bool(np.bincount(numbers).max() <= 1)
    return bool(pd.Index(numbers).is_unique)


def _item_values(
    rows: pd.DataFrame,
    distinct: tuple[np.ndarray, np.ndarray],
    framework: Framework,
    texts: _Texts,
    errors: list[AnswerError],
    warnings: list[AnswerError],
) -> pd.DataFrame:
    """(unit, column in `framework.item_codes`, value) of each plain answer row; bad rows go to
    `errors`, rows read other than written (clamped) to `warnings`. `distinct`: the items and
    answers that the rows' `item_id` and `answer_id` number."""
    pair_ids, pairs = _distinct_pairs(texts.ids(rows, "item"), rows["answer_id"], *distinct)
    type_of = {q.code: q.answer_type.name for q in framework.questions}
    type_of.update({i.code: i.answer_type.name for i in framework.hasil_items})
    types = pairs["item"].map(type_of)
    values = pd.Series(np.nan, index=pairs.index, dtype="float64")
    problems = pd.Series(pd.NA, index=pairs.index, dtype="string")
    notes = pd.Series(pd.NA, index=pairs.index, dtype="string")
    for name, answer_type in framework.answer_types.items():
        mask = types == name
        if mask.any():
            values[mask], problems[mask], notes[mask] = _parse(
                pairs.loc[mask, "answer"], answer_type
            )
    row_problems = _spread_found(problems, pair_ids, rows.index)
    for index, problem in row_problems.items():
        row, code = rows.at[index, "row"], texts.code(rows, index)
        errors.append(AnswerError(row=int(str(row)), code=code, problem=str(problem)))
    row_notes = _spread_found(notes, pair_ids, rows.index)
    for index, note in row_notes.items():
        row, code = rows.at[index, "row"], texts.code(rows, index)
        warnings.append(AnswerError(row=int(str(row)), code=code, problem=str(note)))
    # Each row's column in `framework.item_codes`, spread from its pair's: mapping the item of
    # every row (two million at 20,000 units) took a second.
    column_of = {code: i for i, code in enumerate(framework.item_codes)}
    pair_columns = np.array([column_of.get(item, -1) for item in pairs["item"]], dtype=np.int64)
    found = {
        "unit": rows["unit"].to_numpy(),
        "column": pair_columns[pair_ids],
        "value": values.to_numpy()[pair_ids],
    }
    if not row_problems.empty:  # else every row is good: no mask of two million to look up
        good = ~rows.index.isin(row_problems.index)
        found = {name: column[good] for name, column in found.items()}
    return pd.DataFrame(found)


def _spread_found(found: pd.Series, ids: np.ndarray, index: pd.Index) -> pd.Series:
    """The rows (labelled by `index`) whose id has a value in `found` (NA: none), with it.

    Spreading the few values first and dropping NA after built a Series of every row (two
    million objects, a second and a half each time)."""
    has = found.notna().to_numpy(dtype=bool)[ids]
    return pd.Series(found.to_numpy(dtype=object)[ids[has]], index=index[has], dtype=object)


def _distinct_pairs(
    first_ids: np.ndarray, second_ids: pd.Series, first: np.ndarray, second: np.ndarray
) -> tuple[np.ndarray, pd.DataFrame]:
    """Each row's pair id, and the distinct (item, answer) pairs to read once each (the rows
    give ids into `first` and `second`)."""
    width = max(len(second), 1)
    key = first_ids.astype(np.int64) * width + second_ids.to_numpy(dtype=np.int64)
    pair_ids, pairs = pd.factorize(key)
    return pair_ids, pd.DataFrame(
        {
            "item": first[pairs // width],
            "answer": pd.array(second[pairs % width], dtype="string"),
        }
    )


def _wide(item_values: pd.DataFrame, units: pd.Index, item_codes: tuple[str, ...]) -> pd.DataFrame:
    """One row per unit, one column per item (`item_values`' column), NaN where unanswered."""
    matrix = np.full((len(units), len(item_codes)), np.nan)
    rows = units.get_indexer(pd.Index(item_values["unit"]))
    columns = item_values["column"].to_numpy(dtype=np.int64)
    assert (columns >= 0).all(), "an item row whose code is not an item of the framework"
    matrix[rows, columns] = item_values["value"].to_numpy(dtype=np.float64)
    return pd.DataFrame(matrix, index=units, columns=list(item_codes))


def _parse(answers: pd.Series, answer_type: AnswerType) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(values, problems, notes) for answers of one type; a problem is NA where the answer is
    good, a note NA where the answer is taken as written."""
    no_notes = pd.Series(pd.NA, index=answers.index, dtype="string")
    if answer_type.kind == "choice":
        table = {k.upper(): v for k, v in answer_type.values.items()}
        values = answers.str.upper().map(table).astype("float64")
        allowed = "/".join(answer_type.values)
        message = f"jawaban tidak sah untuk jenis {answer_type.label}; pilih {allowed}"
        return values, _problem_where(values.isna(), message, answers), no_notes
    if answer_type.kind == "percentage":
        number = _decimal(answers.str.extract(_PERCENT, expand=False))
        finite = number.notna() & np.isfinite(number.fillna(0.0))
        message = "persentase tidak sah; tulis misalnya 85% atau 87,5%"
        # As the official LKE does, a share above 100 % counts as 100 %; it is said, though,
        # because 850 % is more often a typing error (85,0 %) than an overachievement.
        over = finite & (number > 100.0)
        notes = no_notes.copy()
        notes[over.fillna(False).astype(bool)] = (
            "persentase " + answers[over].str.strip() + " melebihi 100%; dihitung 100%"
        )
        values = (number / 100.0).clip(0.0, 1.0)
        return values, _problem_where(~finite, message, answers), notes
    number = _decimal(answers.str.extract(_NUMBER, expand=False))
    in_range = number.between(answer_type.minimum, answer_type.maximum)
    message = (
        f"nilai indeks tidak sah; tulis angka {answer_type.minimum:g} sampai "
        f"{answer_type.maximum:g}, misalnya 3,62"
    )
    return number / answer_type.maximum, _problem_where(~in_range, message, answers), no_notes


def _excerpt(text: str, limit: int = 20) -> str:
    """A long value as it can be named in a message: its start and its length."""
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text)} angka)"


TYPED_LIMIT = 40
"""Characters of a bad answer that a message repeats; a longer one is cut, its length said."""


def as_written(text: str) -> str:
    """' (tertulis: "…")': what a row holds, as a message repeats it, so that the person who
    fixes the file sees what was read (a long value cut, with its length)."""
    if len(text) > TYPED_LIMIT:
        text = f"{text[:TYPED_LIMIT]}… ({len(text)} karakter)"
    return f' (tertulis: "{text}")'


def _typed(answers: pd.Series) -> pd.Series:
    """`as_written` of each answer (a few distinct ones: they are read once each)."""
    return answers.astype("string").fillna("").map(as_written).astype("string")


def _decimal(text: pd.Series) -> pd.Series:
    return pd.to_numeric(text.str.replace(",", ".", regex=False), errors="coerce").astype("float64")


def _problem_where(mask: pd.Series, message: str, answers: pd.Series) -> pd.Series:
    """`message` and the answer as written where `mask` holds (or is unknown), NA elsewhere."""
    problems = pd.Series(pd.NA, index=mask.index, dtype="string")
    bad = mask.fillna(True).astype(bool)
    problems[bad] = message + _typed(answers[bad])
    return problems


def _input_keys(question: Question) -> list[str]:
    return [key for i in question.inputs for key in (i.key, *(p.key for p in i.parts))]


def _count_values(
    count_rows: pd.DataFrame, item_rows: pd.DataFrame, texts: _Texts, framework: Framework
) -> tuple[pd.DataFrame, list[AnswerError], list[AnswerError]]:
    """Percentages computed from Jumlah rows (with their text, `_Texts.of`), per unit and
    question (columns = question codes), the rows that could not be read, and the percentages
    kept within 0..100 % (named)."""
    if count_rows.empty:
        return pd.DataFrame(), [], []
    item_rows = texts.of(item_rows[item_rows["unit"].isin(count_rows["unit"])])
    numbers = _decimal(count_rows["answer"].str.extract(_NUMBER, expand=False))
    bad = count_rows.index[numbers.isna()]
    typed = _typed(count_rows.loc[bad, "answer"])
    errors = [
        AnswerError(
            row=int(str(count_rows.at[i, "row"])),
            code=str(count_rows.at[i, "code"]),
            problem=f"jumlah tidak sah; tulis bilangan tidak negatif, misalnya 12{typed[i]}",
        )
        for i in bad
    ]
    notes: list[AnswerError] = []
    # A number of 400 digits reads as infinity: it would make the question silently missing
    # (inf / inf) or full (x / inf), so it is refused with its row like any bad count.
    too_big = numbers.notna() & ~(numbers <= MAX_COUNT)
    errors += [
        AnswerError(
            row=int(str(count_rows.at[i, "row"])),
            code=str(count_rows.at[i, "code"]),
            problem=f"jumlah {_excerpt(str(count_rows.at[i, 'answer']))} terlalu besar; "
            f"paling besar {_MAX_COUNT_WORDS}",
        )
        for i in count_rows.index[too_big]
    ]
    numbers = numbers.where(~too_big)
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
        ratio = _ratio(
            question.formula.numerator,
            question.formula.denominator,
            inputs,
            question.formula.zero_denominator,
        )[valid]
        outside = ratio[(ratio > 1.0) | (ratio < 0.0)]
        for unit in outside.index:
            row = int(first_row.loc[unit, present].min())
            problem = _clamped(float(outside[unit]), inputs.loc[unit])
            notes.append(AnswerError(row=row, code=question.code, problem=problem))
        result[question.code] = ratio.clip(0.0, 1.0)
    return pd.DataFrame(result), errors, notes


def _clamped(ratio: float, counts: pd.Series) -> str:
    """A ratio of Jumlah rows outside 0..100 %, with the counts it came from, and how it counts."""
    written = ", ".join(f"{key} {_count_words(n)}" for key, n in counts.items() if pd.notna(n))
    limit = "melebihi 100%; dihitung 100%" if ratio > 1.0 else "di bawah 0%; dihitung 0%"
    return f"persentase dari baris Jumlah {ratio * 100:.4g}% {limit} ({written})".replace(".", ",")


def _count_words(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else f"{number:g}"


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
    """numerator / denominator, not yet kept within 0..1 (the caller names what it clamps); a zero
    denominator gives the file's 0/0 value, or the limit (1 for a positive numerator, 0 for a
    negative one)."""
    top = sum((t.sign * inputs[t.key] for t in numerator), pd.Series(0.0, index=inputs.index))
    bottom = sum((t.sign * inputs[t.key] for t in denominator), pd.Series(0.0, index=inputs.index))
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = (top / bottom).where(bottom != 0)
    at_zero = np.select([top > 0, top < 0], [1.0, 0.0], default=zero_denominator)
    ratio = ratio.where(bottom != 0, pd.Series(at_zero, index=inputs.index))
    return ratio.astype("float64")
