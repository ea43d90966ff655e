"""Reads answers files into the long table that `read_answers` takes.

Two CSV layouts: one unit's `code,answer`, and many units' `unit,code,answer` (the long CSV of
`zi lke import`). Excel under Indonesian regional settings saves CSV with `;` between cells and a
decimal comma, so `;` is accepted as well as `,`; the delimiter is read from the header line and
reported, so a person knows how their file was understood. The long file is read by pandas in one
pass (ten thousand units are over a million rows).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from zi_domain.answers import AnswerError, as_written

REQUIRED_HEADER = ["code", "answer"]
LONG_HEADER = ["unit", "code", "answer"]
DELIMITERS = {",": "koma (,)", ";": "titik koma (;)"}


class AnswersFileError(ValueError):
    """The file itself cannot be used (unreadable, not UTF-8, wrong header)."""


@dataclass(frozen=True)
class AnswersFile:
    rows: pd.DataFrame  # unit, code, answer, row (the line number in the file)
    delimiter: str
    problems: tuple[AnswerError, ...] = ()
    """Rows that cannot be read as two cells (left out of `rows`); the rest are still checked."""

    @property
    def delimiter_words(self) -> str:
        return DELIMITERS[self.delimiter]


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise AnswersFileError(
            f"{path}: bukan teks UTF-8 (bita ke-{error.start}); simpan ulang sebagai CSV UTF-8"
        ) from error
    except OSError as error:
        raise AnswersFileError(f"{path}: tidak dapat dibaca: {error.strerror}") from error


def _header(path: Path, text: str, expected: list[str]) -> str:
    """The delimiter that splits the header line into exactly `expected`."""
    first = text.splitlines()[0] if text else ""
    for delimiter in DELIMITERS:
        cells = [c.strip().lower() for c in next(csv.reader([first], delimiter=delimiter), [])]
        while cells and not cells[-1]:
            cells.pop()
        if cells == expected:
            return delimiter
    wanted = "' atau '".join(d.join(expected) for d in DELIMITERS)
    raise AnswersFileError(f"{path}: baris 1: kepala kolom harus '{wanted}'; ditemukan '{first}'")


def read_answers_csv(path: Path, *, unit: str = "unit") -> pd.DataFrame:
    """One unit's `code,answer` rows as (unit, code, answer, row)."""
    return read_answers_file(path, unit=unit).rows


def read_answers_file(path: Path, *, unit: str = "unit") -> AnswersFile:
    """One unit's file with its delimiter. Rows with an empty answer are left out: an empty cell
    is an unanswered question, which the scorer lists as missing. A row of one cell, or of more
    than two (an unquoted decimal comma splits `B.II.a,3,19` in three), is a problem with its
    row, code and what was written; every other row is still read, so that one run lists all."""
    text = _text(path)
    with _csv_problems(path):
        delimiter = _header(path, text, REQUIRED_HEADER)
        rows, problems = _rows(text, delimiter, unit)
    frame = pd.DataFrame(rows, columns=["unit", "code", "answer", "row"])
    return AnswersFile(rows=frame, delimiter=delimiter, problems=tuple(problems))


@contextmanager
def _csv_problems(path: Path) -> Iterator[None]:
    """A cell over the csv module's limit (131,072 characters) or broken quoting: bad input."""
    try:
        yield
    except csv.Error as error:
        line = re.search(r"line (\d+)", str(error))
        where = f"baris {line.group(1)}: " if line else ""
        why = (
            f"ada sel yang lebih panjang dari {csv.field_size_limit():,} karakter".replace(",", ".")
            if "field limit" in str(error)
            else "tanda kutip atau pemisahnya rusak"
        )
        raise AnswersFileError(f"{path}: {where}{why}") from None


def _rows(
    text: str, delimiter: str, unit: str
) -> tuple[list[tuple[str, str, str, int]], list[AnswerError]]:
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    next(reader, None)
    rows = []
    problems = []
    for line_number, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        code = cells[0].strip()
        if len(cells) < 2:
            problems.append(AnswerError(line_number, code, "kolom 'answer' tidak ada"))
        elif any(cell.strip() for cell in cells[2:]):
            problems.append(AnswerError(line_number, code, _crowded(cells[1:], delimiter)))
        elif cells[1].strip():
            rows.append((unit, cells[0], cells[1], line_number))
    return rows, problems


def _crowded(cells: list[str], delimiter: str) -> str:
    """A row split into more than two cells, with what it holds after the code as written."""
    written = delimiter.join(cells).strip()
    if delimiter == "," and re.fullmatch(r"\d+\s*,\s*\d+\s*%?", written):
        decimal = written.replace(" ", "")
        return (
            f"lebih dari dua kolom{as_written(written)}: angka desimal dengan koma harus "
            f'diberi tanda kutip ("{decimal}") atau ditulis dengan titik '
            f"({decimal.replace(',', '.')})"
        )
    hint = (
        'angka desimal dengan koma harus diberi tanda kutip ("3,62") atau ditulis dengan titik'
        if delimiter == ","
        else "hapus sel yang berlebih"
    )
    return f"lebih dari dua kolom{as_written(written)}; {hint}"


def read_long_answers_file(path: Path) -> AnswersFile:
    """Many units' `unit,code,answer` rows (unit = the unit's code), in one pandas pass; `row`
    is the line number in the file, blank lines counted."""
    text = _text(path)
    with _csv_problems(path):
        delimiter = _header(path, text, LONG_HEADER)
        widest = _widest(text, delimiter)
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            dtype=str,
            keep_default_na=False,
            skipinitialspace=True,
            header=None,
            skiprows=1,
            skip_blank_lines=False,
            names=[*LONG_HEADER, *(f"extra_{n}" for n in range(widest - 3))],
        )
    except (pd.errors.ParserError, ValueError) as error:
        raise AnswersFileError(
            f"{path}: tidak dapat dibaca sebagai CSV (tanda kutip atau pemisahnya rusak)"
        ) from error
    frame["row"] = range(2, len(frame) + 2)
    _refuse_extra_cells(path, frame, delimiter)
    frame["unit"] = frame["unit"].str.strip()
    answered = frame[frame["answer"].str.strip() != ""]
    return AnswersFile(
        rows=answered[[*LONG_HEADER, "row"]].reset_index(drop=True), delimiter=delimiter
    )


def _widest(text: str, delimiter: str) -> int:
    """The most cells on a line (at least 3), so that extra cells are read, not dropped."""
    return max(3, *(len(cells) for cells in csv.reader(io.StringIO(text), delimiter=delimiter)))


def _refuse_extra_cells(path: Path, frame: pd.DataFrame, delimiter: str) -> None:
    extra = [c for c in frame.columns if str(c).startswith("extra_")]
    if not extra:
        return
    crowded = frame[(frame[extra].apply(lambda c: c.str.strip()) != "").any(axis=1)]
    if crowded.empty:
        return
    lines = ", ".join(str(r) for r in crowded["row"].head(10))
    hint = (
        'angka desimal dengan koma harus diberi tanda kutip ("3,62") atau ditulis dengan titik'
        if delimiter == ","
        else "hapus sel yang berlebih"
    )
    raise AnswersFileError(f"{path}: baris {lines}: lebih dari tiga kolom; {hint}")
