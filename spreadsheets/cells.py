"""How the product writes a cell that people will open: data stays data, headers look alike.

A text that starts like a formula (`=`, `+`, `-`, `@`) is stored as text with Excel's quote
prefix, so a unit named `=HYPERLINK(...)` can never become a live formula in a workbook sent to a
unit team or to TPN; control characters that Excel refuses are dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from zi_domain.plain_text import printable

FORMULA_STARTS = ("=", "+", "-", "@")
BOLD = Font(bold=True)
GREY = PatternFill(fill_type="solid", start_color="FFD9D9D9", end_color="FFD9D9D9")

CellValue = str | int | float | date | None


def put(sheet: Worksheet, row: int, column: int, value: CellValue) -> Cell:
    """Writes one value; a text is always stored as text, even when it looks like a formula."""
    return store(sheet.cell(row, column), value)


def put_at(sheet: Worksheet, coordinate: str, value: CellValue) -> Cell:
    """`put` by the cell's name ("F12")."""
    return store(sheet[coordinate], value)


def store(cell: object, value: CellValue) -> Cell:
    if not isinstance(cell, Cell):
        raise TypeError(f"{cell!r} is not a single cell (merged, or a range)")
    if isinstance(value, str):
        text = printable(value)
        cell.value = text
        cell.data_type = "s"
        if text.startswith(FORMULA_STARTS):
            cell.quotePrefix = True
    else:
        cell.value = value
    return cell


def write_header(sheet: Worksheet, at: int, headers: Sequence[str], widths: Sequence[int]) -> None:
    """Bold captions on grey, frozen so they stay in view while scrolling."""
    for column, (caption, width) in enumerate(zip(headers, widths, strict=True), start=1):
        cell = put(sheet, at, column, caption)
        cell.font = BOLD
        cell.fill = GREY
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        sheet.column_dimensions[cell.column_letter].width = width
    sheet.freeze_panes = f"A{at + 1}"
