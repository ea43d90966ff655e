"""One reader for the tables people give us: a CSV file (`,` or `;`) or a sheet of an .xlsx file.

Every cell becomes stripped text, so a caller validates the same strings whichever format it got,
and every row remembers where it came from (`Unit Kerja!C5`, `baris 5, kolom 'kode'`) so that a
problem can be pointed at the cell to fix. Header cells are compared loosely (`column_key`):
case, spaces and punctuation do not matter, so `Kode Unit`, `kode_unit` and `KODE UNIT` name the
same column.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zipfile import BadZipFile

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

XLSX_SUFFIXES = (".xlsx", ".xlsm")
OLD_SUFFIXES = (".xls", ".ods", ".numbers")
DELIMITERS = (";", ",")
SAVE_AS_UTF8 = 'simpan ulang dari Excel sebagai "CSV UTF-8 (*.csv)"'
DECIMAL_HINT = (
    'angka desimal dengan koma harus diberi tanda kutip ("92,5"), ditulis dengan titik (92.5), '
    "atau berkas disimpan dengan pemisah titik koma (;)"
)
# Excel keeps 15 significant digits: a longer number typed into a cell (an 18-digit NIP) is
# rounded, and what comes back is not what was typed.
EXACT_DIGITS_LIMIT = 10**15
PERCENT_DIGITS = 9
_NOT_KEY = re.compile(r"[^0-9a-z]+")
_SPACES = re.compile(r"\s+")
_ZIP_MAGIC = b"PK\x03\x04"


class TableError(ValueError):
    """The file cannot be read as a table; the message names the file and says what to do."""


class MissingSheetError(TableError):
    """The workbook has no sheet of the name asked for."""


@dataclass(frozen=True)
class TableRow:
    """One non-empty data row: header -> stripped cell text ("" for an empty cell)."""

    number: int  # the line of the CSV file where the row starts, or the row of the sheet
    cells: dict[str, str]
    sheet: str | None = None  # the sheet's title; None for a CSV file
    letters: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)
    rounded: frozenset[str] = frozenset()  # columns holding a number too long to be exact

    def place(self, column: str) -> str:
        """Where a cell is, as a person looks for it: `Unit Kerja!C5` or `baris 5, kolom 'kode'`."""
        if self.sheet is None:
            return f"baris {self.number}, kolom '{column}'"
        letter = self.letters.get(column)
        if letter is None:
            return f"{self.sheet}, baris {self.number}, kolom '{column}'"
        return f"{self.sheet}!{letter}{self.number}"

    def line(self) -> str:
        """Where the whole row is: `Unit Kerja baris 5` or `baris 5`."""
        return f"baris {self.number}" if self.sheet is None else f"{self.sheet} baris {self.number}"

    def get(self, column: str) -> str:
        return self.cells.get(column, "")


@dataclass(frozen=True)
class Table:
    source: str  # "agensi.xlsx, lembar Unit Kerja" for a sheet; the file name for a CSV file
    header: tuple[str, ...]  # normalised: stripped, lower-case, inner spaces collapsed
    rows: tuple[TableRow, ...]  # non-empty rows only
    delimiter: str | None  # "," or ";" as found in a CSV file; None for a sheet
    file: str = ""  # the file's name, without the sheet

    def column(self, name: str) -> str | None:
        """The header cell naming the column `name` (compared by `column_key`), if any."""
        wanted = column_key(name)
        return next((h for h in self.header if column_key(h) == wanted), None)


def column_key(name: str) -> str:
    """What identifies a column name: its letters and digits, lower-case."""
    return _NOT_KEY.sub("", name.lower())


def normalise_header(text: str) -> str:
    return _SPACES.sub(" ", text.strip()).lower()


def read_table(
    path: Path, *, sheet: str | None = None, expected: Sequence[str] | None = None
) -> Table:
    """The table in a CSV file or in a sheet of an .xlsx file (the first sheet when none is named).

    `expected` are column names the table should have: they settle a CSV file's delimiter when its
    header does not, and they find the header row of a sheet below title rows. `sheet` is ignored
    for a CSV file.
    """
    if is_workbook(path):
        workbook = open_workbook(path)
        try:
            title = sheet_title(workbook, sheet, path) if sheet else workbook.sheetnames[0]
            return sheet_table(workbook, title, path.name, expected)
        finally:
            workbook.close()
    return read_csv(path, expected=expected)


def read_sheets(path: Path, wanted: Mapping[str, Sequence[str]]) -> dict[str, Table]:
    """The named sheets of one workbook, opened once: sheet name -> table, for the sheets present.

    `wanted` maps each sheet name to its expected columns; a sheet whose title differs only in case,
    spaces or punctuation is taken. A sheet that is absent is absent from the result.
    """
    workbook = open_workbook(path)
    try:
        found: dict[str, Table] = {}
        for name, expected in wanted.items():
            title = find_sheet(workbook, name)
            if title is not None:
                found[name] = sheet_table(workbook, title, path.name, expected)
        return found
    finally:
        workbook.close()


def is_workbook(path: Path) -> bool:
    suffix = path.suffix.lower()
    if suffix in OLD_SUFFIXES:
        raise TableError(
            f"{path.name}: format {suffix} tidak didukung; simpan sebagai .xlsx atau CSV UTF-8"
        )
    return suffix in XLSX_SUFFIXES


# --- CSV ---------------------------------------------------------------------------------------


def read_csv(path: Path, *, expected: Sequence[str] | None = None) -> Table:
    text = csv_text(path)
    header_line = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = sniff_delimiter(header_line, expected)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    rows: list[TableRow] = []
    overflowing: list[int] = []
    line_before = 0
    for cells in reader:
        number, line_before = line_before + 1, reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        if header is None:
            header = header_cells(cells, path.name)
            continue
        if any(cell.strip() for cell in cells[len(header) :]):
            overflowing.append(number)
        rows.append(TableRow(number, row_cells(header, cells)))
    if overflowing:
        raise TableError(
            f"{path.name}: baris {', '.join(map(str, overflowing))}: lebih banyak sel daripada "
            f"kepala kolom; {DECIMAL_HINT}"
        )
    return Table(path.name, named(header or []), tuple(rows), delimiter, path.name)


def csv_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise TableError(f"{path.name}: tidak dapat dibaca: {error.strerror}") from error
    if data.startswith(_ZIP_MAGIC):
        raise TableError(f"{path.name}: berkas ini buku kerja Excel; beri akhiran .xlsx")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise TableError(
            f"{path.name}: bukan teks UTF-8 (bita ke-{error.start}); {SAVE_AS_UTF8}"
        ) from error


def sniff_delimiter(header_line: str, expected: Sequence[str] | None) -> str:
    """`;` or `,`: the one that splits the header; when both or neither do, the one that gives
    more of the expected columns; then `;` if the line has one (Excel under Indonesian settings)."""
    splits = {d: split_line(header_line, d) for d in DELIMITERS}
    splitting = [d for d in DELIMITERS if len(splits[d]) > 1]
    if len(splitting) == 1:
        return splitting[0]
    if expected:
        wanted = {column_key(name) for name in expected}
        found = {d: len(wanted & {column_key(c) for c in splits[d]}) for d in DELIMITERS}
        if found[";"] != found[","]:
            return max(DELIMITERS, key=found.__getitem__)
    return ";" if ";" in header_line else ","


def split_line(line: str, delimiter: str) -> list[str]:
    return next(csv.reader([line], delimiter=delimiter), [])


def header_cells(cells: Sequence[str], source: str) -> list[str]:
    """The normalised header; an empty header cell names no column."""
    header = [normalise_header(cell) for cell in cells]
    seen: set[str] = set()
    for name in (n for n in header if n):
        if column_key(name) in seen:
            raise TableError(f"{source}: kolom '{name}' muncul lebih dari sekali di kepala kolom")
        seen.add(column_key(name))
    return header


def row_cells(header: Sequence[str], cells: Sequence[str]) -> dict[str, str]:
    padded = list(cells) + [""] * (len(header) - len(cells))
    return {name: padded[i].strip() for i, name in enumerate(header) if name}


def named(header: Iterable[str]) -> tuple[str, ...]:
    return tuple(name for name in header if name)


def write_csv(
    path: Path,
    header: Sequence[str],
    rows: Iterable[Sequence[str | int | float | None]],
    delimiter: str = ",",
) -> None:
    """A CSV file that Excel opens as UTF-8 (it has a BOM) and `read_table` reads back as written.

    Cells are written verbatim, so a text starting with `=` stays that text for `read_table`; a
    spreadsheet program opening the file may still take it for a formula.
    """
    if delimiter not in DELIMITERS:
        raise ValueError(f"delimiter must be ',' or ';', not {delimiter!r}")
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if cell is None else cell_text(cell) for cell in row])
    path.write_text(buffer.getvalue(), encoding="utf-8-sig", newline="")


# --- XLSX --------------------------------------------------------------------------------------


def open_workbook(path: Path) -> Workbook:
    try:
        return load_workbook(path, read_only=True, data_only=True)
    except OSError as error:
        raise TableError(f"{path.name}: tidak dapat dibaca: {error.strerror}") from error
    except (BadZipFile, InvalidFileException, KeyError, ValueError) as error:
        raise TableError(f"{path.name}: bukan buku kerja .xlsx yang dapat dibaca") from error


def find_sheet(workbook: Workbook, name: str) -> str | None:
    """The title of the sheet called `name`: exactly, else by `column_key`."""
    if name in workbook.sheetnames:
        return name
    wanted = column_key(name)
    return next((t for t in workbook.sheetnames if column_key(t) == wanted), None)


def sheet_title(workbook: Workbook, name: str, path: Path) -> str:
    title = find_sheet(workbook, name)
    if title is None:
        raise MissingSheetError(
            f"{path.name}: tidak ada lembar '{name}'; lembar yang ada: "
            + ", ".join(f"'{t}'" for t in workbook.sheetnames)
        )
    return title


def sheet_table(
    workbook: Workbook, title: str, file_name: str, expected: Sequence[str] | None
) -> Table:
    source = f"{file_name}, lembar {title}"
    sheet = workbook[title]
    if not isinstance(sheet, ReadOnlyWorksheet):
        raise TableError(f"{source}: bukan lembar data")
    sheet.reset_dimensions()  # some writers record a wrong size; read every row there is
    lines = sheet_lines(sheet)
    header: list[str] | None = None
    letters: dict[str, str] = {}
    rows: list[TableRow] = []
    filled_before_header = False
    for number, values, rounded in lines:
        if header is None:
            if is_header(values, expected):
                header = header_cells(values, source)
                letters = {n: get_column_letter(i) for i, n in enumerate(header, start=1) if n}
            filled_before_header = filled_before_header or any(values)
            continue
        cells = row_cells(header, values)
        if any(cells.values()):
            gone = frozenset(header[i] for i in rounded if i < len(header) and header[i])
            rows.append(TableRow(number, cells, title, letters, gone))
    if header is None and filled_before_header:
        looked_for = f" (mis. '{expected[0]}')" if expected else ""
        raise TableError(f"{source}: baris kepala kolom{looked_for} tidak ditemukan")
    return Table(source, named(header or []), tuple(rows), None, file_name)


def sheet_lines(sheet: ReadOnlyWorksheet) -> Iterator[tuple[int, list[str], set[int]]]:
    """Each row: its number, its cells as text, and the indexes of cells rounded by the sheet."""
    for number, row in enumerate(sheet.rows, start=1):
        values: list[str] = []
        rounded: set[int] = set()
        for index, cell in enumerate(row):
            value = cell.value
            values.append(cell_text(value, getattr(cell, "number_format", None)))
            if isinstance(value, float) and abs(value) >= EXACT_DIGITS_LIMIT:
                rounded.add(index)
        yield number, values, rounded


def is_header(values: Sequence[str], expected: Sequence[str] | None) -> bool:
    """At least two cells filled and, when columns are expected, one of them among the cells."""
    if sum(1 for v in values if v) < 2:
        return False
    if not expected:
        return True
    wanted = {column_key(name) for name in expected}
    return any(column_key(v) in wanted for v in values if v)


def cell_text(value: Any, number_format: str | None = None) -> str:
    """A cell's value as text: 12 -> "12", 12.0 -> "12", 87.5 -> "87.5", a date -> "2026-05-31",
    True -> "Ya"; a number shown as a percentage (0.925 as 92,5%) -> "92.5%"."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Ya" if value else "Tidak"
    if isinstance(value, int | float) and number_format and "%" in number_format:
        return number_text(round(value * 100, PERCENT_DIGITS)) + "%"
    if isinstance(value, int | float):
        return number_text(value)
    if isinstance(value, datetime):
        if value.time() == time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value).strip()


def number_text(value: int | float) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return repr(value)
