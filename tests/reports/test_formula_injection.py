"""Names and codes that look like formulas stay text in every workbook the product writes.

A unit or instansi is named by people; the workbook built from it goes to unit teams and to TPN.
Each workbook is written with hostile names, codes and answers, then read back with openpyxl: no
cell from data may be a formula (data_type "f"), and each holds the text as typed.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook

from config.framework_files import load_framework
from reports.lke_workbook import lke_workbook
from reports.proposal_package import WORKBOOK, unit_package
from spreadsheets.agency_workbook import read_agency_file, write_agency_workbook
from spreadsheets.lke_form import LkeFormUnit, WorkItemLine, write_lke_form
from tests.builders import agency_records
from tests.domain.worksheets import lke, top_answers
from tests.reports.test_proposal_package import dossier
from zi_domain.agency import MemberRecord
from zi_domain.unit_score import score_answers

LINK = '=HYPERLINK("http://x","klik")'
PLUS = "+1"
MINUS = "-2"
AT = "@SUM(A1)"
HOSTILE = (LINK, PLUS, MINUS, AT)
# Fragments that only data carries: a product formula holding one would have taken it from data.
DATA_MARKS = ("HYPERLINK", "http://x", "klik", "@SUM")


def cells_of(workbook: Workbook) -> list[tuple[str, str, object, str]]:
    """(sheet, coordinate, value, data_type) of every non-empty cell."""
    found = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is not None:
                    found.append((sheet.title, cell.coordinate, cell.value, cell.data_type))
    return found


def assert_data_is_text(workbook: Workbook, expected: tuple[str, ...]) -> None:
    """Each expected text is in some cell as text with the quote prefix; no formula carries data."""
    found = cells_of(workbook)
    for text in expected:
        holding = [(s, at, kind) for s, at, value, kind in found if value == text]
        assert holding, f"{text!r} not found"
        assert {kind for _, _, kind in holding} == {"s"}, (text, holding)
        for title, at, _ in holding:
            assert workbook[title][at].quotePrefix, (text, title, at)
    formulas = [(s, at, v) for s, at, v, kind in found if kind == "f"]
    for title, at, value in formulas:
        assert not any(mark in str(value) for mark in DATA_MARKS), (title, at, value)


def formula_parts(data: bytes) -> list[str]:
    """Worksheet XML parts of an .xlsx that hold a formula element."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [
            name
            for name in archive.namelist()
            if name.startswith("xl/worksheets/") and b"<f>" in archive.read(name)
        ]


# --- rekap-lke.xlsx ----------------------------------------------------------------------------


def rekap(instansi: str, code: str, name: str, answers: dict[str, str]) -> bytes:
    framework = lke()
    scored = score_answers(answers, framework)
    return lke_workbook(
        framework,
        instansi_name=instansi,
        unit_code=code,
        unit_name=name,
        year=2026,
        predicate="WBK",
        answers=answers,
        values=scored.values,
        scores=scored.scores,
        report=scored.report,
    )


@pytest.mark.parametrize("attack", HOSTILE)
def test_the_lke_workbook_keeps_names_codes_and_answers_as_text(attack: str) -> None:
    answers = top_answers() | {"A.I.1.i.a": attack}
    data = rekap(attack, attack, attack, answers)
    assert formula_parts(data) == []
    workbook = load_workbook(io.BytesIO(data))
    assert_data_is_text(workbook, (attack,))
    lke_sheet = workbook["LKE"]
    title_block = {lke_sheet.cell(row, 1).value: lke_sheet.cell(row, 2) for row in range(3, 10)}
    for label in ("Instansi", "Unit Kerja", "Kode Unit"):
        cell = title_block[label]
        assert (cell.value, cell.data_type, cell.quotePrefix) == (attack, "s", True)
    [answer_row] = [row for row in lke_sheet.iter_rows() if row[0].value == "A.I.1.i.a"]
    assert (answer_row[3].value, answer_row[3].data_type) == (attack, "s")
    assert answer_row[7].value == "Jawaban tidak sah"


def test_numbers_in_the_lke_workbook_stay_numbers() -> None:
    workbook = load_workbook(io.BytesIO(rekap(LINK, MINUS, PLUS, top_answers())))
    lke_sheet = workbook["LKE"]
    [total] = [row for row in lke_sheet.iter_rows() if row[1].value == "NILAI TOTAL"]
    assert (total[6].value, total[6].data_type) == (100.0, "n")
    assert lke_sheet["B6"].value == 2026 and lke_sheet["B6"].data_type == "n"


def test_the_rekap_lke_of_a_proposal_package_has_no_formula() -> None:
    built = unit_package(dossier(name=LINK, instansi=AT, unit_code=PLUS)).files[WORKBOOK]
    assert built == unit_package(dossier(name=LINK, instansi=AT, unit_code=PLUS)).files[WORKBOOK]
    assert formula_parts(built) == []
    assert_data_is_text(load_workbook(io.BytesIO(built)), (LINK, AT, PLUS))


# --- the agency workbook (zi agency export) ----------------------------------------------------


def test_the_agency_export_keeps_hostile_names_and_codes_as_text(tmp_path: Path) -> None:
    base = agency_records()
    records = replace(
        base,
        instansi=replace(base.instansi, code=PLUS, name=LINK, head_name=AT),
        units=(replace(base.units[0], code=MINUS, name=LINK), *base.units[1:]),
        members=(MemberRecord(AT, None, "a@uji.go.id", "kepala_unit", MINUS),),
        instansi_standings=(),
        unit_standings=(),
    )
    path = tmp_path / "agensi.xlsx"
    write_agency_workbook(path, records)
    assert formula_parts(path.read_bytes()) == []
    assert_data_is_text(load_workbook(path), HOSTILE)
    assert read_agency_file([path]).instansi.name == LINK


# --- the unit's fill-in LKE form (zi lke template) ---------------------------------------------


def test_the_lke_form_keeps_data_as_text_and_its_own_formulas(tmp_path: Path) -> None:
    framework = load_framework("permenpanrb-90-2021")
    unit = LkeFormUnit(PLUS, LINK, MINUS, AT, 2026, LINK)
    path = tmp_path / "lke.xlsx"
    write_lke_form(
        path,
        framework=framework,
        unit=unit,
        answers={"A.I.1.i.a": LINK},
        work_items=[WorkItemLine(MINUS, LINK, date(2026, 5, 1), AT, None, None)],
    )
    workbook = load_workbook(path)
    assert_data_is_text(workbook, HOSTILE)
    # The form's live formulas (scores, verdicts) are the product's own and stay formulas.
    assert any(kind == "f" for *_, kind in cells_of(workbook))
