"""Reads an answers CSV (`code,answer`, UTF-8) into the long table that `read_answers` takes."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

REQUIRED_HEADER = ["code", "answer"]


class AnswersFileError(ValueError):
    """The file itself cannot be used (unreadable, not UTF-8, wrong header)."""


def read_answers_csv(path: Path, *, unit: str = "unit") -> pd.DataFrame:
    """Rows of the file as (unit, code, answer, row); `row` is the line number in the file.

    Rows with an empty answer are left out: an empty cell is an unanswered question, which the
    scorer lists as missing.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise AnswersFileError(
            f"{path}: bukan teks UTF-8 (bita ke-{error.start}); simpan ulang sebagai CSV UTF-8"
        ) from error
    except OSError as error:
        raise AnswersFileError(f"{path}: tidak dapat dibaca: {error.strerror}") from error
    reader = csv.reader(text.splitlines())
    header = [cell.strip().lower() for cell in next(reader, [])]
    while header and not header[-1]:
        header.pop()
    if header != REQUIRED_HEADER:
        raise AnswersFileError(
            f"{path}: baris 1: kepala kolom harus 'code,answer', ditemukan '{','.join(header)}'"
        )
    rows = []
    for line_number, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) < 2:
            raise AnswersFileError(f"{path}: baris {line_number}: kolom 'answer' tidak ada")
        if any(cell.strip() for cell in cells[2:]):
            raise AnswersFileError(
                f"{path}: baris {line_number}: lebih dari dua kolom; angka desimal dengan koma "
                f'harus diberi tanda kutip ("3,62") atau ditulis dengan titik (3.62)'
            )
        if cells[1].strip():
            rows.append((unit, cells[0], cells[1], line_number))
    return pd.DataFrame(rows, columns=["unit", "code", "answer", "row"])
