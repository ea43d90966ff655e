"""One unit's LKE as an Excel workbook, laid out like Lampiran III of PermenPANRB 90/2021.

TPI and TPN read scores in the worksheet they know, so the rows follow the LKE: pengungkit by
half, area, indicator and question, then the recapitulation, hasil and the total. Every number
is a computed value rather than a formula, so a viewer that does not recalculate shows it too, and
a computed value (Nilai, Skor) is stored as the LKE shows it, two decimals half-up
(`zi_domain.rounding.lke_round`): the cell holds the number it displays, so a sum or a comparison
with a floor typed into the sheet uses what a reader sees. Answers are stored as given.
The file is byte-reproducible: openpyxl's `save` stamps the current time into the document
properties, so the workbook is written with its `ExcelWriter` instead, and the zip is rewritten
with fixed entry dates. Every cell is written through `spreadsheets.cells.put`: a name, code or
answer that starts like a formula (`=`, `+`, `-`, `@`) stays the text typed, never a live formula.
"""

from __future__ import annotations

import io
import math
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from reports.archive import reproducible_zip_of
from spreadsheets.cells import put, write_header
from zi_domain.framework import (
    AnswerType,
    Framework,
    Half,
    HasilGroup,
    HasilItem,
    Indicator,
    Question,
)
from zi_domain.plain_text import printable
from zi_domain.rounding import lke_round
from zi_domain.unit_score import UnitScore, floor_results

RowKind = Literal["section", "half", "area", "indicator", "question", "sum", "total"]

CREATOR = "zi-orchestrator"
NUMBER = "0.00"
PERCENT = "0.00%"
MISSING_ANSWER = "—"
MEETS = "Memenuhi"
FAILS = "Belum memenuhi"

LKE_HEADERS = (
    "No",
    "Komponen / Pertanyaan",
    "Jenis Jawaban",
    "Jawaban",
    "Nilai",
    "Bobot",
    "Skor",
    "Keterangan",
)
LKE_WIDTHS = (24, 70, 14, 14, 9, 9, 9, 22)
FLOOR_HEADERS = ("Predikat", "Batas Nilai", "Minimum", "Nilai Unit", "Status")
FLOOR_WIDTHS = (14, 55, 11, 11, 16)
MISSING_HEADERS = ("No", "Kode", "Pertanyaan", "Jenis Jawaban")
MISSING_WIDTHS = (6, 14, 80, 14)

BOLD = Font(bold=True)
TITLE = Font(bold=True, size=13)
GREY = PatternFill(fill_type="solid", start_color="FFD9D9D9", end_color="FFD9D9D9")
LIGHT = PatternFill(fill_type="solid", start_color="FFF2F2F2", end_color="FFF2F2F2")
WARNING = PatternFill(fill_type="solid", start_color="FFFFC7CE", end_color="FFFFC7CE")
WRAP = Alignment(wrap_text=True, vertical="top")
INDENT = {"indicator": 1, "question": 2}
FILLED = {"section": GREY, "total": GREY, "half": LIGHT, "sum": LIGHT}


@dataclass(frozen=True)
class LkeRow:
    """One printed line of the LKE sheet; None leaves a cell empty."""

    kind: RowKind
    code: str
    text: str
    answer_type: str = ""
    answer: str | float | None = None
    answer_format: str = "General"
    value: float | None = None
    value_format: str = NUMBER
    weight: float | None = None
    score: float | None = None
    note: str = ""


def lke_workbook(
    framework: Framework,
    *,
    instansi_name: str,
    unit_code: str,
    unit_name: str,
    year: int,
    predicate: str,
    answers: Mapping[str, str],
    values: pd.Series,
    scores: pd.Series,
    report: UnitScore,
) -> bytes:
    """The .xlsx bytes of one unit's LKE; the same inputs always give the same bytes."""
    workbook = Workbook()
    del workbook[workbook.sheetnames[0]]
    title_block: list[tuple[str, str | int]] = [
        ("Instansi", cell_text(instansi_name)),
        ("Unit Kerja", cell_text(unit_name)),
        ("Kode Unit", cell_text(unit_code)),
        ("Tahun", year),
        ("Predikat yang diusulkan", predicate_label(predicate, framework)),
        ("Kerangka", framework.title),
        ("Belum dijawab", f"{len(report.missing)} butir"),
    ]
    lke_sheet: Worksheet = workbook.create_sheet("LKE")
    write_lke_sheet(lke_sheet, title_block, lke_rows(framework, answers, values, scores, report))
    write_floor_sheet(workbook.create_sheet("Batas Nilai"), framework, scores, report)
    write_missing_sheet(workbook.create_sheet("Belum Dijawab"), framework, report.missing)
    return workbook_bytes(workbook, datetime(year, 1, 1))


def cell_text(text: str) -> str:
    """Names typed by people, without the control characters that a worksheet cannot hold."""
    return printable(text)


def predicate_label(predicate: str, framework: Framework) -> str:
    """The LKE names a predicate being proposed 'Menuju WBK' / 'Menuju WBBM'."""
    known = {p.name for p in framework.predicates}
    return f"Menuju {predicate}" if predicate in known else predicate


def workbook_bytes(workbook: Workbook, stamp: datetime) -> bytes:
    """`Workbook.save` overwrites `modified` with the current time; `ExcelWriter` does not."""
    workbook.properties.creator = CREATOR
    workbook.properties.lastModifiedBy = CREATOR
    workbook.properties.created = stamp
    workbook.properties.modified = stamp
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(workbook, archive).write_data()
    return reproducible_zip_of(buffer.getvalue())


# --- rows of the LKE sheet -------------------------------------------------------------------


def lke_rows(
    framework: Framework,
    answers: Mapping[str, str],
    values: pd.Series,
    scores: pd.Series,
    report: UnitScore,
) -> Iterator[LkeRow]:
    """Every line of the LKE in its printed order."""
    yield LkeRow("section", "A", "PENGUNGKIT", weight=framework.pengungkit_weight)
    for half in framework.halves:
        yield from half_rows(framework, half, answers, values, scores)
    yield from recap_rows(framework, scores, report)
    yield LkeRow("section", "B", "HASIL", weight=framework.hasil_weight)
    for group in framework.hasil_groups:
        yield from group_rows(group, answers, values, report)
    yield LkeRow("total", "", "TOTAL HASIL", weight=framework.hasil_weight, score=report.hasil)
    yield LkeRow("total", "", "NILAI TOTAL", weight=framework.total_weight, score=report.total)


def half_rows(
    framework: Framework,
    half: Half,
    answers: Mapping[str, str],
    values: pd.Series,
    scores: pd.Series,
) -> Iterator[LkeRow]:
    """A half (pemenuhan or reform) with its areas, indicators and questions."""
    yield LkeRow(
        "half", half.code, half.name.upper(), weight=half.weight, score=number(scores[half.key])
    )
    for area in framework.areas:
        yield LkeRow(
            "area",
            f"{half.code}.{area.number}",
            area.name,
            weight=half.area_weights[area.number],
            score=number(scores[f"area_{area.number}_{half.key}"]),
        )
        for indicator in framework.indicators:
            if indicator.half_key == half.key and indicator.area_number == area.number:
                yield from indicator_rows(indicator, answers, values)


def indicator_rows(
    indicator: Indicator, answers: Mapping[str, str], values: pd.Series
) -> Iterator[LkeRow]:
    """The LKE's indicator score: weight × mean of its questions, a missing answer counting 0."""
    found = [item_value(values, q.code) for q in indicator.questions]
    mean = sum(v or 0.0 for v in found) / len(found)
    yield LkeRow(
        "indicator",
        indicator.code,
        indicator.name,
        value=mean,
        weight=indicator.weight,
        score=indicator.weight * mean,
    )
    for question, value in zip(indicator.questions, found, strict=True):
        yield question_row(question, answers.get(question.code), value)


def question_row(
    item: Question | HasilItem,
    given: str | None,
    value: float | None,
    *,
    weight: float | None = None,
    score: float | None = None,
) -> LkeRow:
    """A row of one LKE item: a pengungkit question, or a hasil item with its points."""
    answer, answer_format = shown_answer(item.answer_type, given, value)
    return LkeRow(
        "question",
        item.code,
        item.text,
        answer_type=item.answer_type.label,
        answer=answer,
        answer_format=answer_format,
        value=value,
        weight=weight,
        score=score,
        note=answer_note(item.answer_type, given, value),
    )


def shown_answer(
    answer_type: AnswerType, given: str | None, value: float | None
) -> tuple[str | float, str]:
    """A choice as written; a percentage or index as the number it states, so Excel can use it.

    A percentage computed from its Jumlah rows has no written answer, only its value.
    """
    if value is None:
        return (given if given else MISSING_ANSWER), "General"
    if answer_type.kind == "percentage":
        return value, PERCENT
    if answer_type.kind == "index":
        return value * answer_type.maximum, NUMBER
    return (given or MISSING_ANSWER), "General"


def answer_note(answer_type: AnswerType, given: str | None, value: float | None) -> str:
    if value is None:
        return "Jawaban tidak sah" if given else "Belum dijawab"
    if given is None and answer_type.kind == "percentage":
        return "Dihitung dari baris Jumlah"
    return ""


def recap_rows(framework: Framework, scores: pd.Series, report: UnitScore) -> Iterator[LkeRow]:
    """The area sums (nilai = share of the area's weight), the halves and the pengungkit."""
    yield LkeRow("sum", "", "REKAPITULASI PENGUNGKIT", note="Nilai = capaian area (% bobot)")
    for area in report.areas:
        yield LkeRow(
            "sum",
            str(area.number),
            area.name,
            value=area.percent / 100.0,
            value_format=PERCENT,
            weight=area.weight,
            score=area.score,
        )
    for half in framework.halves:
        yield LkeRow(
            "sum", "", f"Jumlah {half.name}", weight=half.weight, score=number(scores[half.key])
        )
    yield LkeRow(
        "total", "", "TOTAL PENGUNGKIT", weight=framework.pengungkit_weight, score=report.pengungkit
    )


def group_rows(
    group: HasilGroup, answers: Mapping[str, str], values: pd.Series, report: UnitScore
) -> Iterator[LkeRow]:
    yield LkeRow(
        "area",
        group.code,
        group.name,
        weight=group.weight,
        score=report.hasil_components[group.key],
    )
    for item in group.items:
        yield question_row(
            item,
            answers.get(item.code),
            item_value(values, item.code),
            weight=item.weight,
            score=report.hasil_components[item.key],
        )


def item_value(values: pd.Series, code: str) -> float | None:
    """An item's value 0..1, or None where it is missing (NaN or absent)."""
    return number(values.get(code))


def number(raw: Any) -> float | None:
    if raw is None:
        return None
    value = float(raw)
    return None if math.isnan(value) else value


# --- writing the sheets ----------------------------------------------------------------------


def write_lke_sheet(
    sheet: Worksheet, title_block: list[tuple[str, str | int]], rows: Iterator[LkeRow]
) -> None:
    put(sheet, 1, 1, "LEMBAR KERJA EVALUASI ZONA INTEGRITAS").font = TITLE
    for offset, (label, content) in enumerate(title_block):
        put(sheet, 3 + offset, 1, label).font = BOLD
        put(sheet, 3 + offset, 2, content).alignment = Alignment(horizontal="left")
    header = 4 + len(title_block)
    write_header(sheet, header, LKE_HEADERS, LKE_WIDTHS)
    for index, row in enumerate(rows, start=header + 1):
        write_lke_row(sheet, index, row)


def shown(value: float | None, number_format: str) -> float | None:
    """A computed number as the LKE shows it in `number_format`: 2 decimals half-up (0.00), or
    2 decimals of the percentage (0.00%: 0.828125 → 0.8281, shown 82,81%)."""
    if value is None:
        return None
    if number_format == PERCENT:
        return lke_round(value * 100.0) / 100.0
    return lke_round(value)


def write_lke_row(sheet: Worksheet, at: int, row: LkeRow) -> None:
    value, score = shown(row.value, row.value_format), shown(row.score, NUMBER)
    cells = (row.code, row.text, row.answer_type, row.answer, value, row.weight, score)
    formats = ("General", "General", "General", row.answer_format, row.value_format, NUMBER, NUMBER)
    for column, (content, number_format) in enumerate(zip(cells, formats, strict=True), start=1):
        cell = put(sheet, at, column, content)
        cell.number_format = number_format
        cell.alignment = Alignment(vertical="top")
        if row.kind != "question":
            cell.font = BOLD
        if row.kind in FILLED:
            cell.fill = FILLED[row.kind]
    sheet.cell(at, 2).alignment = Alignment(
        wrap_text=True, vertical="top", indent=INDENT.get(row.kind, 0)
    )
    if row.note:
        note = put(sheet, at, 8, row.note)
        if row.kind == "question" and row.value is None:
            note.font = Font(bold=True, color="FF9C0006")
            note.fill = WARNING
            sheet.cell(at, 4).fill = WARNING


def write_floor_sheet(
    sheet: Worksheet, framework: Framework, scores: pd.Series, report: UnitScore
) -> None:
    """Tabel 6: each floor with the unit's value as the LKE shows it (2 decimals)."""
    put(sheet, 1, 1, "BATAS NILAI PREDIKAT (TABEL 6)").font = TITLE
    write_header(sheet, 3, FLOOR_HEADERS, FLOOR_WIDTHS)
    at = 4
    for predicate in framework.predicates:
        label = predicate_label(predicate.name, framework)
        for rule, required, actual, meets in floor_lines(framework, predicate.name, scores):
            write_cells(sheet, at, (label, rule, required, actual, MEETS if meets else FAILS))
            at += 1
        write_predicate_line(sheet, at, label, report.meets[predicate.name])
        at += 1
        if predicate.requires_predicate:
            prerequisite = (
                f"Catatan: {label} hanya untuk unit yang telah memperoleh predikat "
                f"{predicate.requires_predicate}; syarat ini tidak dinilai di LKE."
            )
            put(sheet, at, 2, prerequisite).alignment = WRAP
            at += 1
        at += 1


def floor_lines(
    framework: Framework, predicate: str, scores: pd.Series
) -> Iterator[tuple[str, float, float, bool]]:
    """(rule in words, minimum, the unit's value as the LKE shows it, met) per floor rule."""
    for result in floor_results(scores, framework, predicate):
        yield result.name, result.minimum, result.value, result.met


def write_predicate_line(sheet: Worksheet, at: int, label: str, meets: bool) -> None:
    """Whether every floor is met: the verdict a proposal depends on, so it stands out."""
    write_cells(sheet, at, (label, f"Seluruh batas nilai {label}", None, None))
    for column in range(1, 5):
        sheet.cell(at, column).font = BOLD
        sheet.cell(at, column).fill = LIGHT
    status = put(sheet, at, 5, MEETS if meets else FAILS)
    status.font = BOLD if meets else Font(bold=True, color="FF9C0006")
    status.fill = LIGHT if meets else WARNING


def write_cells(sheet: Worksheet, at: int, contents: tuple[str | float | None, ...]) -> None:
    for column, content in enumerate(contents, start=1):
        cell = put(sheet, at, column, content)
        cell.alignment = WRAP
        if isinstance(content, float):
            cell.number_format = NUMBER
        if content == FAILS:
            cell.font = Font(bold=True, color="FF9C0006")
            cell.fill = WARNING


def write_missing_sheet(sheet: Worksheet, framework: Framework, missing: tuple[str, ...]) -> None:
    """What the unit still has to answer, so the team can finish the LKE."""
    put(sheet, 1, 1, "BUTIR LKE YANG BELUM DIJAWAB").font = TITLE
    write_header(sheet, 3, MISSING_HEADERS, MISSING_WIDTHS)
    if not missing:
        put(sheet, 4, 3, "Semua butir telah dijawab.")
        return
    described = {q.code: (q.text, q.answer_type.label) for q in framework.questions}
    described |= {i.code: (i.text, i.answer_type.label) for i in framework.hasil_items}
    for number_in_list, code in enumerate(missing, start=1):
        text, label = described.get(code, ("", ""))
        write_cells(sheet, 3 + number_in_list, (number_in_list, code, text, label))
