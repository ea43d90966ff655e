"""The LKE as a fill-in workbook for one unit, and reading the filled-in workbook back.

Unit teams know the LKE as an Excel sheet (Lampiran III of PermenPANRB 90/2021), so they get one:
every answer in one column (so a problem is named by its cell, `LKE!F37`), drop-downs with
exactly the allowed answers, and live formulas that compute the score as `zi_domain` does, so a
team sees its total and the Tabel 6 floors while it fills in. Only LibreOffice- and
Excel-compatible functions are used. The sheet is a preview: what counts is `read_lke_form`,
which reads the answer cells and validates them with `zi_domain.answers.read_answers`.

Layout and formulas come from the `Framework` only, never from a list of questions here.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

import pandas as pd
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import Cell
from openpyxl.formatting.rule import Rule
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.styles.differential import DifferentialStyle
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from spreadsheets.cells import BOLD, GREY, put_at, write_header
from zi_domain.answers import COUNT_SEPARATOR, read_answers
from zi_domain.framework import (
    AnswerType,
    CountFormula,
    CountInput,
    Framework,
    Half,
    HasilGroup,
    HasilItem,
    Indicator,
    Question,
    Term,
)
from zi_domain.unit_score import rule_name

# --- public layout ---------------------------------------------------------------------------

GUIDE_SHEET = "Petunjuk"
LKE_SHEET = "LKE"
FLOOR_SHEET = "Batas Nilai"
WORK_SHEET = "Rencana Kerja"

ANSWER_COLUMN = "F"
UNIT_CODE_CELL = "C3"
INSTANSI_CODE_CELL = "C4"
YEAR_CELL = "C5"
FRAMEWORK_CELL = "C6"
UNIT_NAME_CELL = "E3"
INSTANSI_NAME_CELL = "E4"
PERIOD_CELL = "E5"
TOTAL_CELLS = {"total": "LKE!I1", "pengungkit": "LKE!I2", "hasil": "LKE!I3"}
FIRST_VERDICT_ROW = 4  # LKE!I4, I5, ...: "Memenuhi"/"Belum memenuhi" per predicate

WORK_HEADER_ROW = 4
WORK_FIRST_ROW = 5
WORK_STATUS_COLUMN = "E"
WORK_DATE_COLUMN = "F"
WORK_BY_COLUMN = "G"

MEETS = "Memenuhi"
FAILS = "Belum memenuhi"
DONE = "Selesai"
NOT_DONE = "Belum"

# --- public data -----------------------------------------------------------------------------


@dataclass(frozen=True)
class LkeFormUnit:
    instansi_code: str
    instansi_name: str
    unit_code: str
    unit_name: str
    year: int
    period_name: str


@dataclass(frozen=True)
class WorkItemLine:
    code: str  # e.g. "A.I.1.i" or "survei:ipak"
    title: str
    due_on: date
    owner: str | None  # owner's name
    completed_on: date | None
    completed_by: str | None


@dataclass(frozen=True)
class LkeFormProblem:
    place: str  # "LKE!F37", "Rencana Kerja!E5", or "" for the whole file
    problem: str  # Indonesian

    def __str__(self) -> str:
        return f"{self.place}: {self.problem}" if self.place else self.problem


@dataclass(frozen=True)
class WorkItemStatus:
    code: str
    done: bool
    completed_on: date | None  # None with done: the importer uses today
    completed_by: str | None
    place: str  # "Rencana Kerja!E5"


@dataclass(frozen=True)
class LkeFormContent:
    instansi_code: str
    unit_code: str
    answers: pd.DataFrame  # code, answer (as a person writes it), row (sheet row); answered only
    work_items: tuple[WorkItemStatus, ...]  # items with a problem are left out (see problems)
    problems: tuple[LkeFormProblem, ...]


class LkeFormError(ValueError):
    """The file cannot be read as an LKE workbook at all."""


# --- styles and texts ------------------------------------------------------------------------

NUMBER = "0.00"
PERCENT = "0.0#%"
INDEX = "0.00##"
DATE = "dd-mm-yyyy"
TITLE = Font(bold=True, size=14)
SUBTITLE = Font(italic=True, color="FF595959")
NOTE = Font(color="FF9C0006")
LIGHT = PatternFill(fill_type="solid", start_color="FFF2F2F2", end_color="FFF2F2F2")
INPUT = PatternFill(fill_type="solid", start_color="FFFFF2CC", end_color="FFFFF2CC")
WARNING = PatternFill(fill_type="solid", start_color="FFFFC7CE", end_color="FFFFC7CE")
TOP = Alignment(vertical="top")
WRAP = Alignment(wrap_text=True, vertical="top")
OPEN = Protection(locked=False)

LKE_HEADERS = (
    "Kode",
    "Komponen / Pertanyaan",
    "Penjelasan dan Pilihan Jawaban",
    "Jenis Jawaban",
    "Cara Mengisi",
    "Jawaban",
    "Nilai",
    "Bobot",
    "Skor",
    "Keterangan",
)
LKE_WIDTHS = (16, 60, 48, 12, 26, 14, 9, 9, 10, 30)
HELPER_COLUMNS = ("K", "L")  # hidden: a typed answer as a number; a Jumlah input's total
FLOOR_HEADERS = ("Predikat", "Batas Nilai", "Minimum", "Nilai Unit", "Status")
FLOOR_WIDTHS = (14, 55, 11, 11, 16)
FLOOR_HEADER_ROW = 4
WORK_HEADERS = (
    "Kode",
    "Uraian Pekerjaan",
    "Batas Waktu",
    "Penanggung Jawab",
    "Status",
    "Tanggal Selesai",
    "Diselesaikan Oleh",
)
WORK_WIDTHS = (18, 60, 13, 26, 11, 15, 26)

SlotKind = Literal["choice", "percentage", "index", "count"]
LineKind = Literal["section", "half", "area", "indicator", "question", "count", "recap", "total"]

_PERCENT_TEXT = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*%\s*$")  # the forms zi_domain.answers reads
_NUMBER_TEXT = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*$")
_DATE_TEXTS = ("%d-%m-%Y", "%d/%m/%Y", "%Y-%m-%d")
HINTS: dict[SlotKind, str] = {
    "choice": "Pilih dari daftar: {label}",
    "percentage": "Tulis persen, mis. 87,5%",
    "index": "Tulis nilai {low:g} sampai {high:g}, mis. 3,62",
    "count": "Tulis jumlah (bilangan ≥ 0), mis. 12",
}


# --- the layout, computed from the framework --------------------------------------------------


@dataclass(frozen=True)
class _Slot:
    """An answer cell: the code it answers and how it is written and validated."""

    code: str
    kind: SlotKind
    answer_type: AnswerType | None  # None for a Jumlah row


@dataclass(frozen=True)
class _Line:
    """One row of the LKE sheet; formulas are full cell formulas ("=...")."""

    kind: LineKind
    code: str = ""
    text: str = ""
    explanation: str = ""
    type_label: str = ""
    slot: _Slot | None = None
    value: str | None = None  # G
    value_format: str = NUMBER
    weight: float | None = None  # H
    score: str | None = None  # I
    note: str | None = None  # J
    parsed: str | None = None  # K
    total: str | None = None  # L
    indent: int = 0


@dataclass(frozen=True)
class _FloorLine:
    predicate: str
    text: str
    minimum: float | None = None
    measure: str | None = None  # an expression; None for a verdict or note line
    verdict_of: tuple[int, ...] = ()  # floor rows a verdict line sums up
    note: bool = False


@dataclass
class _Layout:
    """Every row of the LKE and Batas Nilai sheets, and where each score lands."""

    header_row: int
    lines: list[_Line] = field(default_factory=list)
    cells: dict[str, str] = field(default_factory=dict)  # score key → LKE cell, e.g. "I120"
    floors: list[_FloorLine] = field(default_factory=list)
    verdicts: dict[str, int] = field(default_factory=dict)  # predicate → Batas Nilai row

    @property
    def next_row(self) -> int:
        return self.header_row + 1 + len(self.lines)

    def add(self, line: _Line) -> int:
        row = self.next_row
        self.lines.append(line)
        return row

    def update(self, row: int, **changes: Any) -> None:
        """Sets what a line only knows once the rows below it are placed (its sums)."""
        index = row - self.header_row - 1
        self.lines[index] = replace(self.lines[index], **changes)

    def rows(self) -> Iterator[tuple[int, _Line]]:
        return enumerate(self.lines, start=self.header_row + 1)


def _layout(framework: Framework) -> _Layout:
    last_block_row = max(6, FIRST_VERDICT_ROW - 1 + len(framework.predicates))
    layout = _Layout(header_row=last_block_row + 1)
    section = layout.add(_Line("section", "A", "PENGUNGKIT", weight=framework.pengungkit_weight))
    for half in framework.halves:
        _add_half(layout, framework, half)
    pengungkit = _add_recap(layout, framework)
    layout.update(section, score=f"=I{pengungkit}")
    section = layout.add(_Line("section", "B", "HASIL", weight=framework.hasil_weight))
    item_rows = [row for group in framework.hasil_groups for row in _add_group(layout, group)]
    hasil = layout.add(
        _Line("total", "", "TOTAL HASIL", weight=framework.hasil_weight, score=_sum(item_rows))
    )
    layout.update(section, score=f"=I{hasil}")
    total = layout.add(
        _Line(
            "total",
            "",
            "NILAI TOTAL",
            weight=framework.total_weight,
            score=f"=I{pengungkit}+I{hasil}",
        )
    )
    layout.cells.update(hasil=f"I{hasil}", total=f"I{total}")
    _plan_floors(layout, framework)
    return layout


def _sum(rows: Sequence[int], column: str = "I") -> str:
    return f"=SUM({','.join(f'{column}{r}' for r in rows)})" if rows else "=0"


def _add_half(layout: _Layout, framework: Framework, half: Half) -> None:
    row = layout.add(_Line("half", half.code, half.name.upper(), weight=half.weight))
    area_rows = []
    for area in framework.areas:
        area_row = layout.add(
            _Line(
                "area",
                f"{half.code}.{area.number}",
                area.name,
                weight=half.area_weights[area.number],
            )
        )
        indicators = [
            _add_indicator(layout, indicator)
            for indicator in framework.indicators
            if indicator.half_key == half.key and indicator.area_number == area.number
        ]
        layout.update(area_row, score=_sum(indicators))
        layout.cells[f"area_{area.number}_{half.key}"] = f"I{area_row}"
        area_rows.append(area_row)
    layout.update(row, score=_sum(area_rows))
    layout.cells[half.key] = f"I{row}"


def _add_indicator(layout: _Layout, indicator: Indicator) -> int:
    """The LKE's indicator score: weight × mean of its questions, a missing one counting 0."""
    row = layout.next_row
    layout.add(
        _Line(
            "indicator",
            indicator.code,
            indicator.name,
            weight=indicator.weight,
            score=f"=H{row}*G{row}",
            indent=1,
        )
    )
    question_rows = [_add_question(layout, question) for question in indicator.questions]
    mean = f"{_sum(question_rows, 'G')}/{len(question_rows)}"
    layout.update(row, value=mean)
    return row


def _add_question(layout: _Layout, question: Question) -> int:
    row = layout.add(_item_line(question, _slot(question.code, question.answer_type)))
    if question.answer_type.kind != "percentage":
        return row
    totals = {each.key: _add_input(layout, question, each) for each in question.inputs}
    counted = _counted_value(question.formula, totals) if question.formula else None
    last = layout.next_row - 1
    with_parts = any(each.parts for each in question.inputs)
    layout.update(
        row,
        value=_percentage_value(f"F{row}", f"K{row}", counted),
        note=_percentage_note(row, (row + 1, last) if last > row else None, with_parts),
    )
    return row


def _item_line(item: Question | HasilItem, slot: _Slot) -> _Line:
    return _Line(
        "question",
        item.code,
        item.text,
        explanation=_explanation(item),
        type_label=item.answer_type.label,
        slot=slot,
        indent=2,
    )


def _explanation(item: Question | HasilItem) -> str:
    options = [f"{letter}. {text}" for letter, text in item.options.items()]
    return "\n".join(part for part in (item.explanation, *options) if part)


def _slot(code: str, answer_type: AnswerType) -> _Slot:
    return _Slot(code=code, kind=answer_type.kind, answer_type=answer_type)


def _add_input(layout: _Layout, question: Question, count_input: CountInput) -> str:
    """A Jumlah row and its parts; returns the cell of its total (given, or its parts' sum)."""
    row = layout.add(_count_line(question, count_input, indent=3))
    parts = [layout.add(_count_line(question, part, indent=4)) for part in count_input.parts]
    own = f"K{row}"
    if parts:
        span = f"K{parts[0]}:K{parts[-1]}"
        total = (
            f'=IF(ISNUMBER({own}),IF(COUNT({span})=0,{own},""),'
            f'IF(COUNT({span})={len(parts)},SUM({span}),""))'
        )
    else:
        total = f'=IF(ISNUMBER({own}),{own},"")'
    layout.update(row, total=total)
    return f"L{row}"


def _count_line(question: Question, count_input: CountInput, indent: int) -> _Line:
    code = f"{question.code}{COUNT_SEPARATOR}{count_input.key}"
    return _Line(
        "count",
        code,
        count_input.text,
        type_label="Jumlah",
        slot=_Slot(code=code, kind="count", answer_type=None),
        indent=indent,
    )


def _add_group(layout: _Layout, group: HasilGroup) -> list[int]:
    row = layout.add(_Line("area", group.code, group.name, weight=group.weight))
    item_rows = []
    for item in group.items:
        item_row = layout.add(
            replace(
                _item_line(item, _slot(item.code, item.answer_type)),
                weight=item.weight,
                indent=1,
            )
        )
        points = f"G{item_row}*H{item_row}"  # a missing item counts 0
        layout.update(item_row, score=f"=IF(ISNUMBER(G{item_row}),{points},0)")
        layout.cells[item.key] = f"I{item_row}"
        item_rows.append(item_row)
    layout.update(row, score=_sum(item_rows))
    layout.cells[group.key] = f"I{row}"
    return item_rows


def _add_recap(layout: _Layout, framework: Framework) -> int:
    """Area = pemenuhan + reform, the halves, and the pengungkit, as the LKE recapitulates."""
    layout.add(_Line("recap", "", "REKAPITULASI PENGUNGKIT", note="Nilai = capaian area (% bobot)"))
    area_rows = []
    for area in framework.areas:
        row = layout.next_row
        halves = "+".join(layout.cells[f"area_{area.number}_{h.key}"] for h in framework.halves)
        layout.add(
            _Line(
                "recap",
                str(area.number),
                area.name,
                value=f"=I{row}/H{row}",
                value_format="0.00%",
                weight=area.weight,
                score=f"={halves}",
            )
        )
        layout.cells[f"area_{area.number}"] = f"I{row}"
        area_rows.append(row)
    for half in framework.halves:
        layout.add(
            _Line(
                "recap",
                "",
                f"Jumlah {half.name}",
                weight=half.weight,
                score=f"={layout.cells[half.key]}",
            )
        )
    row = layout.add(
        _Line(
            "total",
            "",
            "TOTAL PENGUNGKIT",
            weight=framework.pengungkit_weight,
            score=_sum(area_rows),
        )
    )
    layout.cells["pengungkit"] = f"I{row}"
    return row


# --- formulas --------------------------------------------------------------------------------


def _literal(number: float) -> str:
    return repr(float(number))


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _parsed_number(text: str) -> str:
    """A typed number ("12", "3,62", "87.5") read the same in every locale, or "".

    VALUE reads "3.62" by the user's locale, so only digit runs go through it: the integer part,
    plus the decimals divided by 10^(their count).
    """
    t = f'SUBSTITUTE({text},",",".")'
    point = f'FIND(".",{t}&".")'
    decimals = f"MID({t},{point}+1,99)"
    number = (
        f"VALUE(LEFT({t},{point}-1))+IF(LEN({decimals})>0,VALUE({decimals})/10^LEN({decimals}),0)"
    )
    starts_with_digit = f"ISNUMBER(VALUE(LEFT({t},1)))"  # no sign, no leading point
    dangling = f'AND(ISNUMBER(FIND(".",{t})),LEN({decimals})=0)'  # "12," is not a number
    return f'IFERROR(IF(AND({starts_with_digit},NOT({dangling})),{number},""),"")'


def _parsed(slot: _Slot, cell: str) -> str:
    """Column K: the number a typed (text) answer states; a number cell as it is."""
    trimmed = f"TRIM({cell})"
    if slot.kind == "percentage":
        inner = f"TRIM(LEFT({trimmed},LEN({trimmed})-1))"
        return f'=IF(ISNUMBER({cell}),"",IF(RIGHT({trimmed},1)="%",{_parsed_number(inner)},""))'
    return (
        f'=IF(ISNUMBER({cell}),IF({cell}>=0,{cell},""),'
        f'IF(LEN({trimmed})=0,"",{_parsed_number(trimmed)}))'
    )


def _choice_value(cell: str, answer_type: AnswerType) -> str:
    """The answer's value from the type's table; case and spaces do not matter, as in zi_domain."""
    formula = '""'
    for answer, value in reversed(answer_type.values.items()):
        formula = f"IF(UPPER(TRIM({cell}))={_quoted(answer.upper())},{_literal(value)},{formula})"
    return f"={formula}"


def _index_value(parsed: str, answer_type: AnswerType) -> str:
    low, high = _literal(answer_type.minimum), _literal(answer_type.maximum)
    return (
        f'=IF(ISNUMBER({parsed}),IF(AND({parsed}>={low},{parsed}<={high}),{parsed}/{high},""),"")'
    )


def _percentage_value(cell: str, parsed: str, counted: str | None) -> str:
    """The written percentage kept within 0..1; with the cell empty, the Jumlah rows' value."""
    written = (
        f'IF(ISNUMBER({cell}),IF({cell}>=0,MIN(1,{cell}),""),'
        f'IF(ISNUMBER({parsed}),MIN(1,{parsed}/100),""))'
    )
    empty = '""'
    return f"=IF(LEN(TRIM({cell}))=0,{counted or empty},{written})"


def _terms(terms: tuple[Term, ...], totals: Mapping[str, str]) -> str:
    text = "".join(f"{'+' if t.sign > 0 else '-'}{totals[t.key]}" for t in terms)
    return f"({text.removeprefix('+') or '0'})"


def _counted_value(formula: CountFormula, totals: Mapping[str, str]) -> str:
    """numerator / denominator within 0..1; a zero denominator gives the file's 0/0 value or
    the limit (1 for a positive numerator, 0 for a negative one), as zi_domain.answers does."""
    used = sorted({totals[t.key] for t in (*formula.numerator, *formula.denominator)})
    top, bottom = _terms(formula.numerator, totals), _terms(formula.denominator, totals)
    at_zero = f"IF({top}>0,1,IF({top}<0,0,{_literal(formula.zero_denominator)}))"
    ratio = f"MAX(0,MIN(1,{top}/{bottom}))"
    return f'IF(COUNT({",".join(used)})={len(used)},IF({bottom}=0,{at_zero},{ratio}),"")'


def _plain_note(row: int) -> str:
    return f'=IF(LEN(TRIM(F{row}))=0,"Belum dijawab",IF(ISNUMBER(G{row}),"","Jawaban tidak sah"))'


def _percentage_note(row: int, counts: tuple[int, int] | None, with_parts: bool) -> str:
    if counts is None:
        return _plain_note(row)
    given = f"COUNTA(F{counts[0]}:F{counts[1]})"
    incomplete = "Baris Jumlah belum lengkap" + (
        ", atau total diisi bersama rinciannya" if with_parts else ""
    )
    return (
        f'=IF(LEN(TRIM(F{row}))=0,IF(ISNUMBER(G{row}),"Dihitung dari baris Jumlah",'
        f'IF({given}=0,"Belum dijawab",{_quoted(incomplete)})),'
        f'IF({given}>0,"Isi persentase atau baris Jumlah, jangan keduanya",'
        f'IF(ISNUMBER(G{row}),"","Jawaban tidak sah")))'
    )


def _count_note(row: int) -> str:
    return f'=IF(LEN(TRIM(F{row}))=0,"",IF(ISNUMBER(K{row}),"","Jumlah tidak sah"))'


def _finish(row: int, line: _Line) -> _Line:
    """The formulas of an answer row that depend only on its own row."""
    slot = line.slot
    if slot is None:
        return line
    cell, parsed = f"F{row}", f"K{row}"
    if slot.kind == "count":
        return replace(line, parsed=_parsed(slot, cell), note=_count_note(row))
    assert slot.answer_type is not None
    value = line.value
    if slot.kind == "choice":
        value = _choice_value(cell, slot.answer_type)
    elif slot.kind == "index":
        value = _index_value(parsed, slot.answer_type)
    elif value is None:
        value = _percentage_value(cell, parsed, None)
    uses_parsed = slot.kind != "choice"
    return replace(
        line,
        value=value,
        parsed=_parsed(slot, cell) if uses_parsed else None,
        note=line.note or _plain_note(row),
    )


# --- floors (Tabel 6) ------------------------------------------------------------------------


def _plan_floors(layout: _Layout, framework: Framework) -> None:
    """Each floor compared on the value rounded half-up to 2 decimals, as zi_domain.rounding."""
    row = FLOOR_HEADER_ROW + 1
    for predicate in framework.predicates:
        label = f"Menuju {predicate.name}"
        floor_rows = []
        for floor in predicate.floors:
            for rule, measure in _measures(layout, framework, floor.rule):
                layout.floors.append(
                    _FloorLine(label, rule_name(rule, framework), floor.minimum, measure)
                )
                floor_rows.append(row)
                row += 1
        layout.floors.append(
            _FloorLine(label, f"Seluruh batas nilai {label}", verdict_of=tuple(floor_rows))
        )
        layout.verdicts[predicate.name] = row
        row += 1
        if predicate.requires_predicate:
            note = (
                f"Catatan: {label} hanya untuk unit yang telah memperoleh predikat "
                f"{predicate.requires_predicate}; syarat ini tidak dinilai di LKE."
            )
            layout.floors.append(_FloorLine(label, note, note=True))
            row += 1


def _measures(layout: _Layout, framework: Framework, rule: str) -> list[tuple[str, str]]:
    if rule == "area_percent":
        return [
            (
                f"area_percent.{a.number}",
                f"{LKE_SHEET}!{layout.cells[f'area_{a.number}']}/{_literal(a.weight)}*100",
            )
            for a in framework.areas
        ]
    if rule not in layout.cells:
        raise ValueError(f"batas nilai dengan aturan tidak dikenal: {rule}")
    return [(rule, f"{LKE_SHEET}!{layout.cells[rule]}")]


def summary_cells(framework: Framework) -> dict[str, str]:
    """Where each score of `zi_domain.scoring.score_units` is computed, e.g. "LKE!I1".

    Keys are score_units' column names: total, pengungkit, hasil, the halves, area_<n>,
    area_<n>_<half>, hasil item and group keys, and meets_<predicate> ("Memenuhi" or not).
    """
    layout = _layout(framework)
    cells = {key: f"{LKE_SHEET}!{cell}" for key, cell in layout.cells.items()}
    cells.update(TOTAL_CELLS)
    for offset, predicate in enumerate(framework.predicates):
        cells[f"meets_{predicate.name}"] = f"{LKE_SHEET}!I{FIRST_VERDICT_ROW + offset}"
    return cells


def answer_rows(framework: Framework) -> dict[str, int]:
    """The LKE sheet row of every answer cell (column ANSWER_COLUMN), by code."""
    return {line.slot.code: row for row, line in _layout(framework).rows() if line.slot}


# --- writing ---------------------------------------------------------------------------------


def write_lke_form(
    path: Path,
    *,
    framework: Framework,
    unit: LkeFormUnit,
    answers: Mapping[str, str],
    work_items: Sequence[WorkItemLine],
) -> None:
    """Writes the unit's fill-in LKE, prefilled with `answers` (code → answer as stored).

    Codes that the framework does not know are left out: the form holds the framework's items.
    """
    layout = _layout(framework)
    workbook = Workbook()
    del workbook[workbook.sheetnames[0]]
    _write_guide(workbook.create_sheet(GUIDE_SHEET), framework, unit)
    _write_lke(workbook.create_sheet(LKE_SHEET), framework, unit, layout, answers)
    _write_floors(workbook.create_sheet(FLOOR_SHEET), unit, layout)
    _write_work_plan(workbook.create_sheet(WORK_SHEET), unit, work_items)
    _define_names(workbook, framework)
    workbook.security = WorkbookProtection(lockStructure=True)
    workbook.active = 0
    workbook.save(path)


def _put(sheet: Worksheet, at: str, content: str | float | date | None) -> Cell:
    """A cell's content; text is always stored as text, so data never becomes a formula."""
    return put_at(sheet, at, content)


def _formula(sheet: Worksheet, at: str, formula: str) -> Cell:
    cell = sheet[at]
    assert isinstance(cell, Cell)
    cell.value = formula
    return cell


def _protect(sheet: Worksheet) -> None:
    """Locked without a password: it guards against slips, not against the unit itself."""
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False
    sheet.protection.formatRows = False


def _header(sheet: Worksheet, at: int, headers: tuple[str, ...], widths: tuple[int, ...]) -> None:
    write_header(sheet, at, headers, widths)
    sheet.print_title_rows = f"{at}:{at}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True  # type: ignore[union-attr]


def _unit_words(unit: LkeFormUnit) -> str:
    return f"{unit.unit_name} ({unit.unit_code}), {unit.instansi_name} ({unit.instansi_code})"


def _write_guide(sheet: Worksheet, framework: Framework, unit: LkeFormUnit) -> None:
    sheet.column_dimensions["A"].width = 88  # an A4 page wide
    _put(sheet, "A1", "PETUNJUK PENGISIAN LEMBAR KERJA EVALUASI (LKE) ZONA INTEGRITAS").font = TITLE
    lines = [
        ("Unit kerja", f"{unit.unit_name} (kode {unit.unit_code})"),
        ("Instansi", f"{unit.instansi_name} (kode {unit.instansi_code})"),
        ("Tahun penilaian", f"{unit.year}, {unit.period_name}"),
        ("Kerangka LKE", framework.title),
    ]
    for offset, (label, text) in enumerate(lines, start=3):
        _guide_line(sheet, offset, f"{label}: {text}")
    steps = [
        "Isi jawaban hanya pada sel berwarna kuning di kolom Jawaban (kolom F) lembar LKE. "
        "Sel lain terkunci dan berisi rumus yang menghitung nilai secara otomatis.",
        "Jawaban pilihan (Ya/Tidak, A/B/C, A/B/C/D, A/B/C/D/E): pilih dari daftar (drop-down) "
        "pada sel jawaban. Arti setiap pilihan tertulis di kolom Penjelasan dan Pilihan Jawaban.",
        "Jawaban persentase: tulis angka dengan tanda persen, misalnya 87,5% (atau 87.5%, "
        "sesuai pengaturan Excel Anda). Persentase di atas 100% dihitung 100%.",
        "Sebagai ganti persentase, Anda boleh mengisi baris Jumlah di bawah pertanyaan itu "
        "(bilangan tidak negatif, misalnya 12); persentasenya dihitung otomatis. Isi "
        "persentasenya atau baris Jumlah-nya, jangan keduanya. Baris Jumlah yang memiliki "
        "rincian: isi totalnya atau setiap rinciannya, jangan keduanya.",
        "Nilai survei (IPAK dan IPKP) diisi dengan indeks 0 sampai 4, misalnya 3,62.",
        "Pertanyaan yang tidak dijawab bernilai 0 dan dicatat sebagai belum dijawab "
        "(lihat kolom Keterangan).",
        "Nilai, skor, nilai total dan pemenuhan batas nilai predikat WBK/WBBM (lembar "
        "Batas Nilai) dihitung otomatis; ringkasannya ada di bagian atas lembar LKE.",
        "Lembar Rencana Kerja: perbarui Status (Belum/Selesai), Tanggal Selesai dan "
        "Diselesaikan Oleh untuk setiap pekerjaan. Pekerjaan yang Selesai tanpa tanggal "
        "dicatat selesai pada tanggal file diterima.",
        "Jangan mengubah struktur buku kerja: jangan menambah, menghapus atau memindahkan "
        "baris, kolom atau lembar, jangan mengganti nama lembar, dan jangan membuka proteksi "
        "lembar.",
        "Simpan sebagai buku kerja Excel (.xlsx), bukan .xls, .ods, .csv atau PDF, lalu kirim "
        "file ini atau letakkan di kotak masuk (inbox) LKE yang ditetapkan TPI. Setiap masalah "
        "pada isian akan dilaporkan dengan nama selnya, misalnya LKE!F37.",
    ]
    _put(sheet, "A8", "Cara mengisi").font = BOLD
    for number, step in enumerate(steps, start=1):
        _guide_line(sheet, 8 + number, f"{number}. {step}")
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True  # type: ignore[union-attr]
    _protect(sheet)


GUIDE_CHARACTERS_PER_LINE = 76  # of column A's width of 88 in the default font
GUIDE_LINE_HEIGHT = 15.0


def _guide_line(sheet: Worksheet, row: int, text: str) -> None:
    """A wrapped line of the guide, its row as tall as its text (no program measures it)."""
    _put(sheet, f"A{row}", text).alignment = WRAP
    lines = -(-len(text) // GUIDE_CHARACTERS_PER_LINE)
    sheet.row_dimensions[row].height = GUIDE_LINE_HEIGHT * max(lines, 1)


def _write_lke(
    sheet: Worksheet,
    framework: Framework,
    unit: LkeFormUnit,
    layout: _Layout,
    answers: Mapping[str, str],
) -> None:
    _write_title_block(sheet, framework, unit)
    _header(sheet, layout.header_row, LKE_HEADERS, LKE_WIDTHS)
    for column in HELPER_COLUMNS:
        sheet.column_dimensions[column].hidden = True
    validations = _Validations(sheet)
    for row, line in layout.rows():
        line = _finish(row, line)
        _write_line(sheet, row, line)
        if line.slot is not None:
            _write_answer(sheet, row, line.slot, answers.get(line.slot.code))
            validations.add(line.slot, f"{ANSWER_COLUMN}{row}")
    _write_summary(sheet, framework, layout)
    _protect(sheet)


def _write_title_block(sheet: Worksheet, framework: Framework, unit: LkeFormUnit) -> None:
    _put(sheet, "A1", "LEMBAR KERJA EVALUASI ZONA INTEGRITAS").font = TITLE
    _put(sheet, "A2", framework.title).font = SUBTITLE
    fields: list[tuple[str, str, str | int]] = [
        ("A3", UNIT_CODE_CELL, unit.unit_code),
        ("A4", INSTANSI_CODE_CELL, unit.instansi_code),
        ("A5", YEAR_CELL, unit.year),
        ("A6", FRAMEWORK_CELL, framework.name),
        ("D3", UNIT_NAME_CELL, unit.unit_name),
        ("D4", INSTANSI_NAME_CELL, unit.instansi_name),
        ("D5", PERIOD_CELL, unit.period_name),
    ]
    labels = {
        UNIT_CODE_CELL: "Kode Unit Kerja",
        INSTANSI_CODE_CELL: "Kode Instansi",
        YEAR_CELL: "Tahun",
        FRAMEWORK_CELL: "Kerangka LKE",
        UNIT_NAME_CELL: "Unit Kerja",
        INSTANSI_NAME_CELL: "Instansi",
        PERIOD_CELL: "Periode",
    }
    for label_at, value_at, content in fields:
        _put(sheet, label_at, labels[value_at]).font = BOLD
        _put(sheet, value_at, content).alignment = Alignment(horizontal="left")


def _write_summary(sheet: Worksheet, framework: Framework, layout: _Layout) -> None:
    """Total, pengungkit, hasil and each predicate's verdict, always in view while filling in."""
    labels = {"total": "Nilai Total", "pengungkit": "Pengungkit", "hasil": "Hasil"}
    for key, address in TOTAL_CELLS.items():
        at = address.split("!")[1]
        _put(sheet, f"G{at[1:]}", labels[key]).font = BOLD
        cell = _formula(sheet, at, f"={layout.cells[key]}")
        cell.number_format = NUMBER
        cell.font = BOLD
    for offset, predicate in enumerate(framework.predicates):
        row = FIRST_VERDICT_ROW + offset
        _put(sheet, f"G{row}", f"Menuju {predicate.name}").font = BOLD
        verdict = f"='{FLOOR_SHEET}'!E{layout.verdicts[predicate.name]}"
        _formula(sheet, f"I{row}", verdict).font = BOLD
    last = FIRST_VERDICT_ROW + len(framework.predicates) - 1
    _mark_fails(sheet, f"I{FIRST_VERDICT_ROW}:I{last}")


LINE_HEIGHT = 15.0
CHARACTERS_PER_WIDTH = 1.15  # average characters of text per unit of column width


def _row_height(texts: Mapping[str, str | None]) -> float:
    """The height that shows every wrapped text of the row: LibreOffice and Excel do not
    measure rows of a file that openpyxl wrote, and a printed page would overlap them."""
    widths = dict(zip("ABCDEFGHIJ", LKE_WIDTHS, strict=True))
    lines = [
        sum(
            max(1, -(-len(part) // int(widths[column] * CHARACTERS_PER_WIDTH)))
            for part in text.split("\n")
        )
        for column, text in texts.items()
        if text
    ]
    return LINE_HEIGHT * max(lines, default=1)


def _mark_fails(sheet: Worksheet, cells: str) -> None:
    style = DifferentialStyle(font=NOTE, fill=WARNING)
    rule = Rule(type="cellIs", operator="equal", formula=[_quoted(FAILS)], dxf=style)
    sheet.conditional_formatting.add(cells, rule)


def _write_line(sheet: Worksheet, row: int, line: _Line) -> None:
    texts = {"A": line.code, "B": line.text, "C": line.explanation, "D": line.type_label}
    for column, text in texts.items():
        if text:
            _put(sheet, f"{column}{row}", text).alignment = WRAP
    sheet[f"B{row}"].alignment = Alignment(wrap_text=True, vertical="top", indent=line.indent)
    if line.slot is not None:
        _put(sheet, f"E{row}", _hint(line.slot)).alignment = WRAP
    wrapped = {"B": line.text, "C": line.explanation}
    if line.slot is not None:
        wrapped["E"] = _hint(line.slot)
    sheet.row_dimensions[row].height = _row_height(wrapped)
    formulas = {
        "G": (line.value, line.value_format),
        "I": (line.score, NUMBER),
        "J": (line.note, "General"),
        "K": (line.parsed, "General"),
        "L": (line.total, "General"),
    }
    for column, (formula, number_format) in formulas.items():
        if formula is None:
            continue
        cell = (
            _formula(sheet, f"{column}{row}", formula)
            if formula.startswith("=")
            else _put(sheet, f"{column}{row}", formula)
        )
        cell.number_format = number_format
        cell.alignment = WRAP if column == "J" else TOP
        if column == "J":
            cell.font = NOTE
    if line.weight is not None:
        weight = _put(sheet, f"H{row}", line.weight)
        weight.number_format = NUMBER
        weight.alignment = TOP
    _style_line(sheet, row, line.kind)


def _style_line(sheet: Worksheet, row: int, kind: LineKind) -> None:
    fill = {"section": GREY, "total": GREY, "half": LIGHT, "recap": LIGHT}.get(kind)
    for column in "ABCDEFGHIJ":
        cell = sheet[f"{column}{row}"]
        if kind not in ("question", "count"):
            cell.font = BOLD
        if fill is not None:
            cell.fill = fill


def _hint(slot: _Slot) -> str:
    answer_type = slot.answer_type
    if answer_type is None:
        return HINTS["count"]
    return HINTS[slot.kind].format(
        label=answer_type.label, low=answer_type.minimum, high=answer_type.maximum
    )


def _write_answer(sheet: Worksheet, row: int, slot: _Slot, given: str | None) -> None:
    content, number_format = _prefill(slot, given)
    cell = _put(sheet, f"{ANSWER_COLUMN}{row}", content)
    cell.number_format = number_format
    cell.protection = OPEN
    cell.fill = INPUT
    cell.alignment = Alignment(horizontal="center", vertical="top")


def _prefill(slot: _Slot, given: str | None) -> tuple[str | float | None, str]:
    """An answer as stored, written the way the cell expects it: numbers for Excel to use."""
    text = (given or "").strip()
    formats: dict[SlotKind, str] = {
        "percentage": PERCENT,
        "index": INDEX,
        "count": "General",
        "choice": "@",
    }
    if not text:
        return None, formats[slot.kind]
    if slot.kind == "choice":
        assert slot.answer_type is not None
        canonical = {answer.upper(): answer for answer in slot.answer_type.values}
        return canonical.get(text.upper(), text), "@"
    match = (_PERCENT_TEXT if slot.kind == "percentage" else _NUMBER_TEXT).match(text)
    if match is None:
        return text, "General"
    number = float(match.group(1).replace(",", "."))
    if slot.kind == "percentage":
        return number / 100.0, PERCENT
    if slot.kind == "count" and number.is_integer():
        return int(number), "General"
    return number, formats[slot.kind]


class _Validations:
    """One drop-down or number rule per answer type, each holding its answer cells."""

    def __init__(self, sheet: Worksheet) -> None:
        self.sheet = sheet
        self.rules: dict[str, DataValidation] = {}

    def add(self, slot: _Slot, cell: str) -> None:
        key = slot.answer_type.name if slot.answer_type else "count"
        if key not in self.rules:
            self.rules[key] = _validation(slot)
            self.sheet.add_data_validation(self.rules[key])
        self.rules[key].add(cell)


def _validation(slot: _Slot) -> DataValidation:
    answer_type = slot.answer_type
    if answer_type is None:
        rule = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0")
        rule.error = "Tulis jumlah berupa bilangan tidak negatif, misalnya 12."
    elif slot.kind == "choice":
        choices = ",".join(answer_type.values)
        rule = DataValidation(type="list", formula1=_quoted(choices))
        rule.error = f"Pilih salah satu: {answer_type.label}."
    elif slot.kind == "index":
        low, high = f"{answer_type.minimum:g}", f"{answer_type.maximum:g}"
        rule = DataValidation(type="decimal", operator="between", formula1=low, formula2=high)
        rule.error = f"Tulis angka {low} sampai {high}, misalnya 3,62."
    else:
        rule = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0")
        rule.error = "Tulis persentase dengan tanda %, misalnya 87,5%."
        rule.errorStyle = "warning"  # a typed "87,5%" that Excel keeps as text is read too
    rule.allow_blank = True
    rule.showErrorMessage = True
    rule.errorTitle = "Jawaban tidak sah"
    rule.showInputMessage = True
    rule.promptTitle = "Jawaban"
    rule.prompt = _hint(slot)
    return rule


def _write_floors(sheet: Worksheet, unit: LkeFormUnit, layout: _Layout) -> None:
    """Tabel 6: each floor against the unit's value as the LKE shows it (2 decimals)."""
    _put(sheet, "A1", "BATAS NILAI PREDIKAT (TABEL 6)").font = TITLE
    _put(sheet, "A2", _unit_words(unit)).font = SUBTITLE
    _header(sheet, FLOOR_HEADER_ROW, FLOOR_HEADERS, FLOOR_WIDTHS)
    for row, line in enumerate(layout.floors, start=FLOOR_HEADER_ROW + 1):
        _put(sheet, f"A{row}", line.predicate).alignment = WRAP
        _put(sheet, f"B{row}", line.text).alignment = WRAP
        if line.measure is not None and line.minimum is not None:
            _put(sheet, f"C{row}", line.minimum).number_format = NUMBER
            shown = f"=INT(ROUND(({line.measure})*100,6)+0.5)/100"
            _formula(sheet, f"D{row}", shown).number_format = NUMBER
            _formula(sheet, f"E{row}", f"=IF(D{row}>=C{row},{_quoted(MEETS)},{_quoted(FAILS)})")
        elif not line.note:
            met = ",".join(f"D{r}>=C{r}" for r in line.verdict_of) or "TRUE"
            verdict = f"=IF(AND({met}),{_quoted(MEETS)},{_quoted(FAILS)})"
            _formula(sheet, f"E{row}", verdict)
            for column in "ABCDE":
                sheet[f"{column}{row}"].font = BOLD
                sheet[f"{column}{row}"].fill = LIGHT
    last = FLOOR_HEADER_ROW + max(len(layout.floors), 1)
    _mark_fails(sheet, f"E{FLOOR_HEADER_ROW + 1}:E{last}")
    _protect(sheet)


def _write_work_plan(sheet: Worksheet, unit: LkeFormUnit, items: Sequence[WorkItemLine]) -> None:
    _put(sheet, "A1", "RENCANA KERJA PEMBANGUNAN ZONA INTEGRITAS").font = TITLE
    _put(sheet, "A2", _unit_words(unit)).font = SUBTITLE
    _header(sheet, WORK_HEADER_ROW, WORK_HEADERS, WORK_WIDTHS)
    status = DataValidation(type="list", formula1=_quoted(f"{NOT_DONE},{DONE}"), allow_blank=True)
    status.error = f"Pilih {NOT_DONE} atau {DONE}."
    done_on = DataValidation(type="date", operator="greaterThanOrEqual", formula1="36526")
    done_on.error = "Tulis tanggal, misalnya 31-05-2026."
    for rule in (status, done_on):
        rule.showErrorMessage = True
        rule.errorTitle = "Isian tidak sah"
        sheet.add_data_validation(rule)
    for row, item in enumerate(items, start=WORK_FIRST_ROW):
        _write_work_item(sheet, row, item)
        status.add(f"{WORK_STATUS_COLUMN}{row}")
        done_on.add(f"{WORK_DATE_COLUMN}{row}")
    _protect(sheet)


def _write_work_item(sheet: Worksheet, row: int, item: WorkItemLine) -> None:
    contents: dict[str, str | date | None] = {
        "A": item.code,
        "B": item.title,
        "C": item.due_on,
        "D": item.owner or None,
        WORK_STATUS_COLUMN: DONE if item.completed_on else NOT_DONE,
        WORK_DATE_COLUMN: item.completed_on,
        WORK_BY_COLUMN: item.completed_by or None,
    }
    for column, content in contents.items():
        cell = _put(sheet, f"{column}{row}", content)
        cell.alignment = WRAP
        if column in ("C", WORK_DATE_COLUMN):
            cell.number_format = DATE
        if column in (WORK_STATUS_COLUMN, WORK_DATE_COLUMN, WORK_BY_COLUMN):
            cell.protection = OPEN
            cell.fill = INPUT


def _define_names(workbook: Workbook, framework: Framework) -> None:
    """Workbook names (Total, Pengungkit, Hasil, Area1.., Memenuhi_WBK..) for other sheets."""
    cells = summary_cells(framework)
    names = {"Total": cells["total"], "Pengungkit": cells["pengungkit"], "Hasil": cells["hasil"]}
    names |= {f"Area{a.number}": cells[f"area_{a.number}"] for a in framework.areas}
    names |= {f"Memenuhi_{p.name}": cells[f"meets_{p.name}"] for p in framework.predicates}
    for name, address in names.items():
        sheet, cell = address.split("!")
        absolute = "$" + re.sub(r"(\d+)", r"$\1", cell, count=1)
        workbook.defined_names[name] = DefinedName(name, attr_text=f"'{sheet}'!{absolute}")


# --- reading ---------------------------------------------------------------------------------


def read_lke_form(path: Path, *, framework: Framework) -> LkeFormContent:
    """The answers and work item statuses of a filled-in LKE form, with every problem found.

    Raises LkeFormError when the file cannot be opened as an .xlsx workbook at all.
    """
    workbook = _open(path)
    problems: list[LkeFormProblem] = []
    sheet = _sheet(workbook, LKE_SHEET)
    if sheet is None:
        problems.append(LkeFormProblem("", f"lembar {LKE_SHEET} tidak ditemukan"))
        return LkeFormContent("", "", _answer_frame([]), (), tuple(problems))
    instansi_code = _code_cell(sheet, INSTANSI_CODE_CELL, "kode instansi", problems)
    unit_code = _code_cell(sheet, UNIT_CODE_CELL, "kode unit kerja", problems)
    _check_framework(sheet, framework, problems)
    answers = _answer_frame(list(_read_answer_cells(sheet, framework, problems)))
    problems += _answer_problems(answers, unit_code, framework)
    work_sheet = _sheet(workbook, WORK_SHEET)
    work_items: tuple[WorkItemStatus, ...] = ()
    if work_sheet is None:
        problems.append(LkeFormProblem("", f"lembar {WORK_SHEET} tidak ditemukan"))
    else:
        work_items = _read_work_items(work_sheet, problems)
    return LkeFormContent(instansi_code, unit_code, answers, work_items, tuple(problems))


def _open(path: Path) -> Workbook:
    if not path.is_file():
        raise LkeFormError(f"{path}: file tidak ditemukan")
    try:
        return load_workbook(path, data_only=False)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise LkeFormError(
            f"{path}: tidak dapat dibuka sebagai buku kerja Excel (.xlsx); "
            "simpan ulang sebagai .xlsx dari Excel atau LibreOffice"
        ) from error


def _sheet(workbook: Workbook, name: str) -> Worksheet | None:
    sheet = workbook[name] if name in workbook.sheetnames else None
    return sheet if isinstance(sheet, Worksheet) else None


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _code_cell(sheet: Worksheet, at: str, name: str, problems: list[LkeFormProblem]) -> str:
    code = _text(sheet[at].value)
    if not code:
        problems.append(LkeFormProblem(f"{LKE_SHEET}!{at}", f"{name} kosong"))
    return code


def _check_framework(
    sheet: Worksheet, framework: Framework, problems: list[LkeFormProblem]
) -> None:
    name = _text(sheet[FRAMEWORK_CELL].value)
    if name and name != framework.name:
        problems.append(
            LkeFormProblem(
                f"{LKE_SHEET}!{FRAMEWORK_CELL}",
                f"file ini untuk kerangka LKE {name}, bukan {framework.name}",
            )
        )


def _slots(framework: Framework) -> dict[str, _Slot]:
    return {line.slot.code: line.slot for _, line in _layout(framework).rows() if line.slot}


def _read_answer_cells(
    sheet: Worksheet, framework: Framework, problems: list[LkeFormProblem]
) -> Iterator[tuple[str, str, int]]:
    """(code, answer, row) of every answered cell, found by the code in column A."""
    slots = _slots(framework)
    seen: set[str] = set()
    for (code_cell,) in sheet.iter_rows(min_col=1, max_col=1):
        code = _text(code_cell.value)
        if code not in slots:
            continue
        seen.add(code)
        row = code_cell.row
        assert row is not None
        answer = sheet[f"{ANSWER_COLUMN}{row}"]
        if answer.data_type == "f":
            place = f"{LKE_SHEET}!{ANSWER_COLUMN}{row}"
            problems.append(LkeFormProblem(place, f"{code}: isi dengan jawaban, bukan rumus"))
            continue
        text = _answer_text(answer.value, slots[code].kind)
        if text:
            yield code, text, row
    for code in slots:
        if code not in seen:
            problems.append(
                LkeFormProblem(
                    LKE_SHEET,
                    f"baris {code} tidak ditemukan; jangan mengubah struktur lembar {LKE_SHEET}",
                )
            )


def _answer_text(value: object, kind: SlotKind) -> str:
    """A cell as a person would write the answer: 0.875 in a percentage cell is "87.5%"."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, int | float):
        return f"{_plain(value * 100)}%" if kind == "percentage" else _plain(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


def _plain(number: float) -> str:
    """A number without exponent or binary noise: 7.000000000000001 is "7", 3.62 is "3.62"."""
    text = f"{number:.10f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _answer_frame(rows: list[tuple[str, str, int]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["code", "answer", "row"])
    return frame.astype({"code": "string", "answer": "string", "row": "int64"})


def _answer_problems(
    answers: pd.DataFrame, unit_code: str, framework: Framework
) -> list[LkeFormProblem]:
    """zi_domain's own reading of the answers, each problem named by its cell."""
    if answers.empty:
        return []
    sheet = read_answers(answers.assign(unit=unit_code or "unit"), framework)
    return [
        LkeFormProblem(
            f"{LKE_SHEET}!{ANSWER_COLUMN}{error.row}",
            f"{error.code}: {error.problem}" if error.code else error.problem,
        )
        for error in sheet.errors
    ]


def _read_work_items(
    sheet: Worksheet, problems: list[LkeFormProblem]
) -> tuple[WorkItemStatus, ...]:
    items: list[WorkItemStatus] = []
    seen: dict[str, int] = {}
    for row in range(WORK_FIRST_ROW, sheet.max_row + 1):
        values = [sheet.cell(row, column).value for column in range(1, len(WORK_HEADERS) + 1)]
        if all(_text(v) == "" for v in values):
            continue
        item = _work_item(sheet, row, seen, problems)
        if item is not None:
            items.append(item)
    return tuple(items)


def _work_item(
    sheet: Worksheet, row: int, seen: dict[str, int], problems: list[LkeFormProblem]
) -> WorkItemStatus | None:
    """One row's status, or None (with the problem recorded) when it cannot be taken as is."""
    code = _text(sheet[f"A{row}"].value)
    status_at = f"{WORK_SHEET}!{WORK_STATUS_COLUMN}{row}"
    if not code:
        problems.append(LkeFormProblem(f"{WORK_SHEET}!A{row}", "kode pekerjaan kosong"))
        return None
    if code in seen:
        problems.append(
            LkeFormProblem(
                f"{WORK_SHEET}!A{row}", f"kode {code} ganda; sudah ada di baris {seen[code]}"
            )
        )
        return None
    seen[code] = row
    status = _text(sheet[f"{WORK_STATUS_COLUMN}{row}"].value)
    done = {NOT_DONE.upper(): False, DONE.upper(): True}.get(status.upper())
    if done is None:
        shown = f"'{status}'" if status else "kosong"
        problems.append(
            LkeFormProblem(status_at, f"status {shown} tidak sah; pilih {NOT_DONE} atau {DONE}")
        )
        return None
    completed_on: date | None = None
    if done:
        date_at = f"{WORK_DATE_COLUMN}{row}"
        completed_on, problem = _date(sheet[date_at].value)
        if problem:
            problems.append(LkeFormProblem(f"{WORK_SHEET}!{date_at}", problem))
            return None
    by = _text(sheet[f"{WORK_BY_COLUMN}{row}"].value) if done else ""
    return WorkItemStatus(code, done, completed_on, by or None, status_at)


def _date(value: object) -> tuple[date | None, str | None]:
    """A completion date from a date cell or a typed date; empty is None (the importer's today)."""
    if isinstance(value, datetime):
        return value.date(), None
    if isinstance(value, date):
        return value, None
    text = _text(value)
    if not text:
        return None, None
    for pattern in _DATE_TEXTS:
        try:
            return datetime.strptime(text, pattern).date(), None
        except ValueError:
            continue
    return None, f"tanggal selesai '{text}' tidak sah; tulis tanggal, misalnya 31-05-2026"
