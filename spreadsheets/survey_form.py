"""The survey questionnaire as a workbook (and its CSV header), and a respondent file read back.

The workbook's first sheet, *Responden*, is what comes back: one row per respondent with their
id, the unit, the service type received, the day it was finished and one answer per item. Online
forms export their own column names; a mapping file `form column,item` names, for each column of
the export, the item (or fixed column) it answers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from spreadsheets.cells import BOLD, put, write_header
from spreadsheets.tabular import Table, TableError, find_sheet, open_workbook, read_table
from spreadsheets.tabular import sheet_table as read_sheet
from zi_domain.surveys import (
    FIXED_COLUMNS,
    RESPONDENT,
    SERVED_ON,
    SERVICE_TYPE,
    UNIT,
    Instrument,
    RespondentRow,
    SurveyMethod,
    SurveyProblem,
    header_problems,
    mapped_header,
)

RESPONDENT_SHEET = "Responden"
ITEMS_SHEET = "Butir"
GUIDE_SHEET = "Petunjuk"
MAPPING_COLUMNS = ("form column", "item")
VALIDATED_ROWS = 5000
TITLE = Font(bold=True, size=13)
WRAP = Alignment(wrap_text=True, vertical="top")


def template_header(instrument: Instrument) -> list[str]:
    """The columns of a respondent file: the fixed ones, then every item code."""
    return [*FIXED_COLUMNS, *(item.code for item in instrument.items)]


def write_survey_template(path: Path, *, method: SurveyMethod, instrument: Instrument) -> None:
    """The questionnaire workbook: *Responden* (to fill), *Butir* (the items by aspect, the
    scale) and *Petunjuk* (who to ask, how many, how an online form's export is mapped)."""
    workbook = Workbook()
    sheet = workbook.active
    assert isinstance(sheet, Worksheet)
    sheet.title = RESPONDENT_SHEET
    header = template_header(instrument)
    widths = [16, 14, 26, 16, *(7 for _ in instrument.items)]
    write_header(sheet, 1, header, widths)
    _validate(sheet, header, method)
    _write_items(workbook.create_sheet(ITEMS_SHEET), method, instrument)
    _write_guide(workbook.create_sheet(GUIDE_SHEET), method, instrument)
    workbook.save(path)


def _validate(sheet: Worksheet, header: Sequence[str], method: SurveyMethod) -> None:
    first_item = len(FIXED_COLUMNS) + 1
    items = f"{get_column_letter(first_item)}2:{get_column_letter(len(header))}{VALIDATED_ROWS}"
    answers = DataValidation(
        type="whole",
        operator="between",
        formula1=str(method.scale_min),
        formula2=str(method.scale_max),
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Jawaban tidak sah",
        error=f"Isi bilangan bulat {method.scale_min}–{method.scale_max}",
    )
    answers.add(items)
    sheet.add_data_validation(answers)
    served = get_column_letter(FIXED_COLUMNS.index(SERVED_ON) + 1)
    days = DataValidation(
        type="date",
        operator="greaterThan",
        formula1="36526",  # 2000-01-01
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Tanggal tidak sah",
        error="Isi tanggal selesai menerima layanan, mis. 2026-03-15",
    )
    days.add(f"{served}2:{served}{VALIDATED_ROWS}")
    sheet.add_data_validation(days)


def _write_items(sheet: Worksheet, method: SurveyMethod, instrument: Instrument) -> None:
    put(sheet, 1, 1, instrument.title).font = TITLE
    put(sheet, 2, 1, f"Metode: {method.title} ({method.label})")
    write_header(sheet, 4, ("kode", "aspek", "pernyataan/pertanyaan"), (8, 30, 90))
    names = {aspect.key: aspect.name for aspect in instrument.aspects}
    at = 4
    for item in instrument.items:
        at += 1
        put(sheet, at, 1, item.code)
        put(sheet, at, 2, names[item.aspect])
        put(sheet, at, 3, item.text).alignment = WRAP
    at += 2
    put(sheet, at, 1, f"Skala jawaban {method.scale_min}–{method.scale_max}").font = BOLD
    for value in range(method.scale_min, method.scale_max + 1):
        at += 1
        put(sheet, at, 1, value)
        put(sheet, at, 2, instrument.labels.get(value, ""))


def _write_guide(sheet: Worksheet, method: SurveyMethod, instrument: Instrument) -> None:
    sheet.column_dimensions["A"].width = 110
    lines = [
        f"PETUNJUK {instrument.title.upper()}",
        "",
        f"Metode: {method.label}. Setiap hasil survei mencatat nama dan versi metode ini.",
        "Responden: penerima layanan yang telah selesai menerima layanan unit kerja "
        "(PermenPANRB 90/2021 Lampiran II, Bab II).",
        f"Paling sedikit {method.min_respondents} responden per unit kerja; kurang dari itu "
        "hanya bila penerima layanan pada periode itu memang lebih sedikit, dengan alasan yang "
        "dicatat saat impor (--justification).",
        "Setiap jenis layanan unit harus terwakili; tulis jenis layanan persis seperti tercatat "
        "pada buku kerja agensi (kolom jenis layanan unit kerja).",
        "",
        f"Lembar {RESPONDENT_SHEET}, satu baris per responden:",
        f"  {RESPONDENT}: nomor/kode responden, tidak boleh sama dalam satu berkas;",
        f"  {UNIT}: kode unit kerja (boleh kosong; bila diisi harus unit yang diimpor);",
        f"  {SERVICE_TYPE}: jenis layanan yang diterima;",
        f"  {SERVED_ON}: tanggal selesai menerima layanan (TTTT-BB-HH atau HH/BB/TTTT), di "
        "dalam periode penilaian;",
        f"  kolom butir ({instrument.items[0].code} dst.): jawaban {method.scale_min}–"
        f"{method.scale_max} (atau teks skala pada lembar {ITEMS_SHEET}); semua butir wajib "
        "dijawab.",
        "",
        "Formulir daring (Google Forms, dsb.): ekspor jawabannya sebagai CSV dan siapkan berkas "
        "pemetaan CSV berkolom `form column,item`: satu baris per kolom ekspor yang dipakai, "
        f"misalnya `Nomor responden,{RESPONDENT}` atau `Pertanyaan 1,{instrument.items[0].code}`; "
        "lalu `zi survey import EKSPOR.csv --mapping PEMETAAN.csv ...`.",
        "",
        "Impor: zi survey import BERKAS --kind "
        f"{instrument.kind} --unit KODE --source mandiri|tpi|tpn [--period NAMA]",
    ]
    for at, line in enumerate(lines, start=1):
        cell = put(sheet, at, 1, line)
        cell.alignment = WRAP
        if at == 1:
            cell.font = TITLE


# --- reading ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RespondentFile:
    """What a respondent file holds, its columns renamed to fixed names and item codes."""

    source: str  # the file, and its sheet for a workbook
    rows: list[RespondentRow]
    problems: list[SurveyProblem]


def read_respondent_file(
    path: Path, *, instrument: Instrument, mapping: Path | None = None
) -> RespondentFile:
    """The rows of a CSV file (`,` or `;`) or of an .xlsx file (its *Responden* sheet, else its
    first), with the mapping applied; problems of the header and of the mapping file."""
    expected = template_header(instrument)
    try:
        table = _respondent_table(path, expected)
    except TableError as error:
        return RespondentFile(path.name, [], [SurveyProblem(str(error))])
    problems: list[SurveyProblem] = []
    pairs: list[tuple[int, str, str]] = []
    if mapping is not None:
        pairs, problems = read_mapping(mapping)
    renamed, mapped_problems = mapped_header(table.header, pairs, instrument)
    problems += [_in_file(mapping, p) for p in mapped_problems]
    problems += header_problems(list(renamed.values()), instrument)
    if not table.rows and not problems:
        problems.append(SurveyProblem("tidak ada baris responden"))
    rows = [
        RespondentRow(
            row=line.number, cells={renamed[name]: text for name, text in line.cells.items()}
        )
        for line in table.rows
    ]
    return RespondentFile(table.source, rows, problems)


def _respondent_table(path: Path, expected: Sequence[str]) -> Table:
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        return read_table(path, expected=expected)
    workbook = open_workbook(path)
    try:
        title = find_sheet(workbook, RESPONDENT_SHEET) or workbook.sheetnames[0]
        return read_sheet(workbook, title, path.name, expected)
    finally:
        workbook.close()


def read_mapping(path: Path) -> tuple[list[tuple[int, str, str]], list[SurveyProblem]]:
    """The mapping file `form column,item` (CSV or .xlsx): (row, form column, item) each."""
    try:
        table = read_table(path, expected=MAPPING_COLUMNS)
    except TableError as error:
        return [], [SurveyProblem(str(error))]
    columns = [table.column(name) for name in MAPPING_COLUMNS]
    if None in columns:
        return [], [SurveyProblem(f"{path.name}: kepala kolom harus `{','.join(MAPPING_COLUMNS)}`")]
    form, item = (str(c) for c in columns)
    pairs: list[tuple[int, str, str]] = []
    problems: list[SurveyProblem] = []
    for line in table.rows:
        if not line.get(form) or not line.get(item):
            problems.append(
                _in_file(path, SurveyProblem("baris pemetaan tidak lengkap", line.number))
            )
        else:
            pairs.append((line.number, line.get(form), line.get(item)))
    return pairs, problems


def _in_file(path: Path | None, problem: SurveyProblem) -> SurveyProblem:
    """A problem of the mapping file, named with that file (the others are the data file's)."""
    if path is None:
        return problem
    return SurveyProblem(f"{path.name}: {problem}")
