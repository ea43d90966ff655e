"""Builders shared by tests: data as people produce it (filled workbooks, answer sets).

Kept here rather than in fixtures imported across test modules, so that a test reads what it
builds.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from datetime import date
from pathlib import Path

from openpyxl import load_workbook

from spreadsheets.lke_form import ANSWER_COLUMN, LKE_SHEET, WORK_SHEET
from zi_domain.agency import (
    AgencyRecords,
    InstansiRecord,
    InstansiStanding,
    MemberRecord,
    UnitRecord,
    UnitStanding,
)
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


def agency_records(code: str = "KABUJI") -> AgencyRecords:
    """A small agency as its coordinator would describe it: three units (DPMPTSP with two service
    types and a team of two, DUKCAPIL with its head, RSUD without a team), the head of the
    instansi, a TPI member, one instansi standing and one unit standing."""
    return AgencyRecords(
        instansi=InstansiRecord(
            code=code,
            name="Pemerintah Kabupaten Uji",
            kind="pemerintah_daerah",
            region="Kabupaten Uji",
            head_name="Drs. Budi Santoso",
            head_title="Bupati Uji",
            head_elected=True,
        ),
        units=(
            UnitRecord(
                "DPMPTSP", "Dinas Penanaman Modal dan PTSP", True, True, True,
                ("perizinan", "pengaduan"), True,
            ),
            UnitRecord(
                "DUKCAPIL", "Dinas Kependudukan dan Pencatatan Sipil", True, False, True,
                ("administrasi kependudukan",), False,
            ),
            UnitRecord("RSUD", "RSUD Uji", False, False, False, (), False),
        ),
        members=(
            MemberRecord("Drs. Budi Santoso", None, "bupati@uji.go.id", "pimpinan_instansi", None),
            MemberRecord("Rina Wulandari", "197903122005012003", "rina@uji.go.id", "tpi", None),
            MemberRecord(
                "Siti Rahmawati", "198501012010012001", "siti@uji.go.id", "kepala_unit", "DPMPTSP"
            ),
            MemberRecord(
                "Agus Pratama", "199002022015031002", "agus@uji.go.id", "anggota_tim", "DPMPTSP"
            ),
            MemberRecord("Dewi Lestari", None, "dewi@uji.go.id", "kepala_unit", "DUKCAPIL"),
        ),
        instansi_standings=(InstansiStanding(2025, "WTP", "BB", "B", 3),),
        unit_standings=(UnitStanding("DPMPTSP", 2025, 92.5, 100.0, 98.0, "BB"),),
    )  # fmt: skip


def write_long_csv(
    path: Path, answers_by_unit: Mapping[str, Mapping[str, str]], *, delimiter: str = ","
) -> Path:
    """The long CSV `unit,code,answer` of many units, as a spreadsheet program saves it: a cell
    is quoted only when it holds the delimiter (so "3,85" is quoted with `,`, bare with `;`)."""
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file, delimiter=delimiter, lineterminator="\n")
        writer.writerow(("unit", "code", "answer"))
        for unit, answers in answers_by_unit.items():
            writer.writerows((unit, code, answer) for code, answer in answers.items())
    return path
