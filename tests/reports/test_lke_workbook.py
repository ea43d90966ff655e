"""The LKE workbook read back as a reader would open it: the numbers in it must be the LKE's.

Expected numbers are worked by hand in the comments from the weights printed in Lampiran III of
PermenPANRB 90/2021 and from Tabel 6, not taken from the code under test.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from reports.lke_workbook import lke_workbook
from tests.domain.worksheets import lke, read, top_answers
from zi_domain.scoring import score_units
from zi_domain.unit_score import unit_score

NO, TEXT, TYPE, ANSWER, VALUE, WEIGHT, SCORE, NOTE = range(8)
YEAR = 2026


def build(answers: dict[str, str]) -> bytes:
    framework = lke()
    sheet = read(answers, framework)
    assert sheet.errors == []
    scores = score_units(sheet.values, framework).iloc[0]
    return lke_workbook(
        framework,
        instansi_name="Kementerian Contoh Republik Indonesia",
        unit_code="KC-042",
        unit_name="Kantor Pelayanan Contoh Bandung",
        year=YEAR,
        predicate="WBK",
        answers=answers,
        values=sheet.values.iloc[0],
        scores=scores,
        report=unit_score(scores, sheet.missing("unit"), framework),
    )


def sheet_of(data: bytes, title: str) -> Worksheet:
    sheet = load_workbook(io.BytesIO(data))[title]
    assert isinstance(sheet, Worksheet)
    return sheet


def lines(sheet: Worksheet) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def row_by_code(sheet: Worksheet, code: str) -> tuple[Any, ...]:
    [found] = [line for line in lines(sheet) if line[NO] == code]
    return found


def row_by_text(sheet: Worksheet, text: str) -> tuple[Any, ...]:
    [found] = [line for line in lines(sheet) if line[TEXT] == text]
    return found


def test_all_top_answers_give_every_weight_in_full() -> None:
    data = build(top_answers())
    sheet = sheet_of(data, "LKE")
    indicator_codes = [i.code for i in lke().indicators]
    assert len(indicator_codes) == 42
    for code in indicator_codes:
        line = row_by_code(sheet, code)
        assert line[SCORE] == pytest.approx(line[WEIGHT]), code
        assert line[VALUE] == pytest.approx(1.0), code
    # Area weights printed in the LKE: 8, 7, 10, 10, 15, 10 (sum 60); halves 30 + 30.
    areas = [
        "Manajemen Perubahan",
        "Penataan Tatalaksana",
        "Penataan Sistem Manajemen SDM Aparatur",
        "Penguatan Akuntabilitas",
        "Penguatan Pengawasan",
        "Peningkatan Kualitas Pelayanan Publik",
    ]
    recap = [line for line in lines(sheet) if line[NO] in {"1", "2", "3", "4", "5", "6"}]
    assert [line[TEXT] for line in recap] == areas
    assert [line[SCORE] for line in recap] == pytest.approx([8, 7, 10, 10, 15, 10])
    assert [line[WEIGHT] for line in recap] == pytest.approx([8, 7, 10, 10, 15, 10])
    assert row_by_text(sheet, "Jumlah Pemenuhan")[SCORE] == pytest.approx(30.0)
    assert row_by_text(sheet, "Jumlah Reform")[SCORE] == pytest.approx(30.0)
    assert row_by_text(sheet, "TOTAL PENGUNGKIT")[SCORE] == pytest.approx(60.0)
    # Hasil: IPAK 4 → 17,5; kinerja A → 5; bersih 22,5; IPKP 4 → 17,5; hasil 40; total 100.
    assert row_by_code(sheet, "B.I.a")[ANSWER] == pytest.approx(4.0)
    assert row_by_code(sheet, "B.I.a")[SCORE] == pytest.approx(17.5)
    assert row_by_code(sheet, "B.I")[SCORE] == pytest.approx(22.5)
    assert row_by_code(sheet, "B.II")[SCORE] == pytest.approx(17.5)
    assert row_by_text(sheet, "TOTAL HASIL")[SCORE] == pytest.approx(40.0)
    assert row_by_text(sheet, "NILAI TOTAL")[SCORE] == pytest.approx(100.0)


def test_an_indicator_answered_partly() -> None:
    # A.I.1.i "Penyusunan Tim Kerja" (0,50): a Ya = 1, b (A/B/C) B = 0,5
    #   → 0,5 × (1 + 0,5) / 2 = 0,375.
    # Area 1 pemenuhan (A.I.1, weight 4) = 4 − 0,5 + 0,375 = 3,875; area 1 = 3,875 + 4 = 7,875;
    # pengungkit = 60 − 0,125 = 59,875; total = 99,875. The cells hold them as the LKE shows
    # them, half-up to 2 decimals: 0,38; 3,88; 7,88; 59,88; 99,88 (the cell holds 0,38, not 0,375).
    sheet = sheet_of(build(top_answers() | {"A.I.1.i.b": "B"}), "LKE")
    indicator = row_by_code(sheet, "A.I.1.i")
    assert indicator[TEXT] == "Penyusunan Tim Kerja"
    assert indicator[WEIGHT] == pytest.approx(0.5)
    assert indicator[VALUE] == pytest.approx(0.75)
    assert indicator[SCORE] == pytest.approx(0.38)
    assert row_by_code(sheet, "A.I.1")[SCORE] == pytest.approx(3.88)
    assert row_by_code(sheet, "1")[SCORE] == pytest.approx(7.88)
    assert row_by_text(sheet, "TOTAL PENGUNGKIT")[SCORE] == pytest.approx(59.88)
    assert row_by_text(sheet, "NILAI TOTAL")[SCORE] == pytest.approx(99.88)


def test_rows_follow_the_lke_order() -> None:
    codes = [line[NO] for line in lines(sheet_of(build(top_answers()), "LKE")) if line[NO]]
    start = codes.index("A")
    assert codes[start : start + 5] == ["A", "A.I", "A.I.1", "A.I.1.i", "A.I.1.i.a"]
    assert codes.index("A.I.6") < codes.index("A.II") < codes.index("A.II.1.i.a")
    assert codes.index("A.II.6.ii.a") < codes.index("1") < codes.index("B") < codes.index("B.II.a")


def test_answer_text_and_value_are_in_the_question_row() -> None:
    # A.I.1.iv.d (A/B/C/D) answered B = 0,67; A.II.1.i.a (%) answered 87,5% = 0,875: the answer
    # as given, its value (Nilai) as the LKE shows it, 0,88.
    answers = top_answers() | {"A.I.1.iv.d": "B", "A.II.1.i.a": "87,5%"}
    sheet = sheet_of(build(answers), "LKE")
    choice = row_by_code(sheet, "A.I.1.iv.d")
    assert choice[TYPE] == "A/B/C/D"
    assert choice[ANSWER] == "B"
    assert choice[VALUE] == pytest.approx(0.67)
    assert choice[NOTE] is None
    percent = row_by_code(sheet, "A.II.1.i.a")
    assert percent[ANSWER] == pytest.approx(0.875)
    assert percent[VALUE] == pytest.approx(0.88)


def test_a_missing_answer_is_marked_and_counts_zero() -> None:
    # A.I.2.i (1,00; three questions) without a: 1 × (0 + 1 + 1) / 3 = 0,6667, shown 0,67.
    answers = top_answers()
    del answers["A.I.2.i.a"]
    data = build(answers)
    sheet = sheet_of(data, "LKE")
    missing = row_by_code(sheet, "A.I.2.i.a")
    assert missing[ANSWER] == "—"
    assert missing[VALUE] is None
    assert missing[NOTE] == "Belum dijawab"
    row_number = next(r for r, line in enumerate(lines(sheet), 1) if line[NO] == "A.I.2.i.a")
    assert sheet.cell(row_number, ANSWER + 1).fill.fgColor.rgb == "FFFFC7CE"
    assert row_by_code(sheet, "A.I.2.i")[SCORE] == pytest.approx(0.67)
    listed = [line[1] for line in lines(sheet_of(data, "Belum Dijawab"))[3:]]
    assert listed == ["A.I.2.i.a"]


def test_a_percentage_from_jumlah_rows_is_shown_with_its_value() -> None:
    # A.II.3.iii.a: violations last year 4, this year 1 → (4 − 1) / 4 = 0,75.
    answers = top_answers()
    del answers["A.II.3.iii.a"]
    answers |= {
        "A.II.3.iii.a:pelanggaran_tahun_sebelumnya": "4",
        "A.II.3.iii.a:pelanggaran_tahun_ini": "1",
        "A.II.3.iii.a:pelanggaran_diberi_sanksi": "1",
    }
    line = row_by_code(sheet_of(build(answers), "LKE"), "A.II.3.iii.a")
    assert (line[ANSWER], line[VALUE]) == (pytest.approx(0.75), pytest.approx(0.75))
    assert line[NOTE] == "Dihitung dari baris Jumlah"


def floor_rows(data: bytes) -> dict[tuple[str, str], tuple[Any, ...]]:
    """Each line of a predicate, by (predicate, rule)."""
    found = lines(sheet_of(data, "Batas Nilai"))
    return {(line[0], line[1]): line for line in found if str(line[0]).startswith("Menuju")}


def test_floors_sheet_shows_the_one_floor_missed() -> None:
    # IPKP 3,19 → 3,19 / 4 × 17,5 = 13,95625, shown 13,96 < 14,00 (WBK) and < 15,75 (WBBM).
    # Everything else at the top: total 60 + 22,5 + 13,95625 = 96,45625 → 96,46.
    rows = floor_rows(build(top_answers() | {"B.II.a": "3,19"}))
    ipkp = rows[("Menuju WBK", "Pelayanan publik yang prima (IPKP)")]
    assert ipkp[2:] == (pytest.approx(14.0), pytest.approx(13.96), "Belum memenuhi")
    wbbm_ipkp = rows[("Menuju WBBM", "Pelayanan publik yang prima (IPKP)")]
    assert wbbm_ipkp[2:] == (pytest.approx(15.75), pytest.approx(13.96), "Belum memenuhi")
    total = rows[("Menuju WBK", "Nilai total")]
    assert total[2:] == (pytest.approx(75.0), pytest.approx(96.46), "Memenuhi")
    area_5 = rows[("Menuju WBK", "Area 5 Penguatan Pengawasan (% bobot)")]
    assert area_5[2:] == (pytest.approx(60.0), pytest.approx(100.0), "Memenuhi")
    per_floor = [line for key, line in rows.items() if key[1].startswith(("Nilai", "Area"))]
    assert len(per_floor) == 2 * (2 + 6)
    assert all(line[4] == "Memenuhi" for line in per_floor)
    assert rows[("Menuju WBK", "Seluruh batas nilai Menuju WBK")][4] == "Belum memenuhi"
    assert rows[("Menuju WBBM", "Seluruh batas nilai Menuju WBBM")][4] == "Belum memenuhi"


def test_floors_sheet_when_everything_is_met() -> None:
    rows = floor_rows(build(top_answers()))
    assert rows[("Menuju WBK", "Seluruh batas nilai Menuju WBK")][4] == "Memenuhi"
    statuses = {line[4] for line in rows.values()}
    assert statuses == {"Memenuhi"}


def test_same_inputs_give_the_same_bytes_with_fixed_dates() -> None:
    answers = top_answers() | {"A.I.1.i.b": "B"}
    first, second = build(answers), build(answers)
    assert first == second
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    properties = load_workbook(io.BytesIO(first)).properties
    assert properties.created == datetime(YEAR, 1, 1)
    assert properties.modified == datetime(YEAR, 1, 1)
    assert properties.creator == "zi-orchestrator"


def test_title_block_names_the_unit() -> None:
    sheet = sheet_of(build(top_answers()), "LKE")
    block = {line[0]: line[1] for line in lines(sheet)[:10] if line[0]}
    assert block["Instansi"] == "Kementerian Contoh Republik Indonesia"
    assert block["Unit Kerja"] == "Kantor Pelayanan Contoh Bandung"
    assert block["Kode Unit"] == "KC-042"
    assert block["Tahun"] == YEAR
    assert block["Predikat yang diusulkan"] == "Menuju WBK"


def test_numbers_are_numbers_and_the_header_stays_in_view() -> None:
    sheet = sheet_of(build(top_answers()), "LKE")
    header = next(r for r, line in enumerate(lines(sheet), 1) if line[NO] == "No")
    assert sheet.freeze_panes == f"A{header + 1}"
    assert all(sheet.cell(header, column).font.b for column in range(1, 9))
    row_number = next(r for r, line in enumerate(lines(sheet), 1) if line[NO] == "A.I.1.i")
    score = sheet.cell(row_number, SCORE + 1)
    assert isinstance(score.value, float | int)
    assert score.number_format == "0.00"
    assert sheet.cell(row_number, TEXT + 1).alignment.wrap_text
    assert not any(
        isinstance(cell.value, str) and cell.value.startswith("=")
        for row in sheet.iter_rows()
        for cell in row
    )
