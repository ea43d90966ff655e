"""Builders shared by tests: data as people produce it (filled workbooks, answer sets).

Kept here rather than in fixtures imported across test modules, so that a test reads what it
builds.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
from openpyxl import load_workbook

from config.framework_files import load_framework
from persistence.tables import (
    AssessmentKind,
    BpkOpinion,
    InstansiCreate,
    InstansiKind,
    InstansiPrerequisiteCreate,
    UnitKerjaCreate,
    UnitPrerequisiteCreate,
    WorkItemCreate,
)
from persistence.unit_of_work import SqlUnitOfWork
from services.agency import import_agency
from services.assessments import open_period, record_answers
from services.lke_intake import IntakeScope, write_unit_workbook
from spreadsheets.lke_form import ANSWER_COLUMN, LKE_SHEET, WORK_SHEET
from zi_domain.agency import (
    AgencyRecords,
    InstansiRecord,
    InstansiStanding,
    MemberRecord,
    UnitRecord,
    UnitStanding,
)
from zi_domain.answers import read_answers
from zi_domain.framework import Framework
from zi_domain.scoring import score_units

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


# --- the agency of the intake tests: registered, a period open, two work items ----------------

INTAKE_YEAR = 2026
INTAKE_SCOPE = IntakeScope(
    framework=load_framework("permenpanrb-90-2021"),
    kind=AssessmentKind.TPI,
    as_of=date(INTAKE_YEAR, 5, 4),
    actor="Rina (TPI)",
)
# A unit short of the top: two B answers, a percentage with a decimal comma, IPKP 3,19.
INTAKE_ANSWERS = top_answers(INTAKE_SCOPE.framework, ipkp="3,19") | {
    "A.I.1.i.b": "B",
    "A.II.1.i.a": "87,5%",
    "B.I.b": "B",
}


@dataclass(frozen=True)
class Agency:
    """`agency_records()` imported, its 2026 period open, DPMPTSP with two work items."""

    instansi_id: int
    period_id: int
    units: dict[str, int]


def registered_agency(new_uow: Callable[[], SqlUnitOfWork]) -> Agency:
    with new_uow() as uow:
        import_agency(uow, records=agency_records(), dry_run=False)
    with new_uow() as uow:
        instansi = uow.instansi.get_instansi_by_code(code="KABUJI")
        assert instansi is not None and instansi.id is not None
        opened = open_period(
            uow,
            instansi_id=instansi.id,
            year=INTAKE_YEAR,
            name=f"Penilaian {INTAKE_YEAR}",
            starts_on=date(INTAKE_YEAR, 1, 1),
            ends_on=date(INTAKE_YEAR, 12, 31),
        )
        units = {u.code: u.id for u in uow.units.list_units(instansi_id=instansi.id) if u.id}
        uow.work_plans.add_items(
            items=[
                WorkItemCreate(
                    unit_id=units["DPMPTSP"],
                    year=INTAKE_YEAR,
                    code="A.I.1.i",
                    title="Membentuk Tim Kerja ZI",
                    due_on=date(INTAKE_YEAR, 2, 27),
                ),
                WorkItemCreate(
                    unit_id=units["DPMPTSP"],
                    year=INTAKE_YEAR,
                    code="survei:ipak",
                    title="Survei IPAK",
                    due_on=date(INTAKE_YEAR, 4, 30),
                ),
            ]
        )
        uow.commit()
        assert opened.period.id is not None
        return Agency(instansi.id, opened.period.id, units)


def blank_form(new_uow: Callable[[], SqlUnitOfWork], folder: Path, code: str = "DPMPTSP") -> Path:
    """The unit's LKE workbook as `zi lke template` writes it."""
    folder.mkdir(parents=True, exist_ok=True)
    with new_uow() as uow:
        instansi = uow.instansi.get_instansi_by_code(code="KABUJI")
        assert instansi is not None and instansi.id is not None
        unit = uow.units.get_unit_by_code(instansi_id=instansi.id, code=code)
        assert unit is not None
        return write_unit_workbook(uow, unit=unit, folder=folder, scope=INTAKE_SCOPE)


def zi_domain_total(answers: Mapping[str, str], framework: Framework | None = None) -> float:
    """The total `zi_domain` gives the answers: what every path must agree with."""
    framework = framework or INTAKE_SCOPE.framework
    rows = [("unit", code, answer, n) for n, (code, answer) in enumerate(answers.items(), 2)]
    sheet = read_answers(pd.DataFrame(rows, columns=["unit", "code", "answer", "row"]), framework)
    assert sheet.errors == []
    return float(score_units(sheet.values, framework).iloc[0]["total"])


def instansi_standing(instansi_id: int, year: int) -> InstansiPrerequisiteCreate:
    """An instansi's good standing (Tabel 5) in a year: WTP, SAKIP B, Indeks RB CC, SPIP 3."""
    return InstansiPrerequisiteCreate(
        instansi_id=instansi_id,
        year=year,
        bpk_opinion=BpkOpinion.WTP,
        sakip_grade="B",
        indeks_rb="CC",
        spip_level=3,
    )


def candidate_instansi(
    uow: SqlUnitOfWork,
    *,
    name: str,
    standing_years: Sequence[int],
    units: Mapping[str, bool],
    unit_year: int,
) -> dict[str, int]:
    """An instansi with a good standing (Tabel 5) in `standing_years` and declared candidate
    units (code -> wide public impact), each with full prerequisites for `unit_year`; committed.
    Ids by code, the instansi's under "instansi"."""
    instansi = uow.instansi.add_instansi(
        instansi=InstansiCreate(name=name, kind=InstansiKind.PEMERINTAH_DAERAH)
    )
    assert instansi.id is not None
    for year in standing_years:
        uow.instansi.set_prerequisites(prerequisites=instansi_standing(instansi.id, year))
    ids = {"instansi": instansi.id}
    for code, impact in units.items():
        unit = uow.units.add_unit(
            unit=UnitKerjaCreate(
                instansi_id=instansi.id,
                code=code,
                name=f"Unit {code}",
                core_service=True,
                high_corruption_risk=True,
                wide_public_impact=impact,
                state="declared",
            )
        )
        assert unit.id is not None
        ids[code] = unit.id
        uow.units.set_prerequisites(
            prerequisites=UnitPrerequisiteCreate(
                unit_id=unit.id,
                year=unit_year,
                follow_up_findings_percent=100,
                lhkpn_percent=100,
                lhkasn_percent=100,
                internal_sakip_grade="B",
            )
        )
    uow.commit()
    return ids


def record_tpi_answers(
    uow: SqlUnitOfWork, *, unit_id: int, period_id: int, answers: Mapping[str, str]
) -> None:
    """The TPI's answers (code -> answer as typed) for the unit in the period, recorded as an
    import would (a row number each), on the installed framework."""
    rows = pd.DataFrame(list(answers.items()), columns=["code", "answer"])
    record_answers(
        uow,
        unit_id=unit_id,
        period_id=period_id,
        kind=AssessmentKind.TPI,
        framework=load_framework(None),
        rows=rows.assign(row=range(2, len(rows) + 2)),
    )
