"""The fill-in LKE workbook: written, read back, and its formulas recalculated by LibreOffice.

The recalculation test is the proof that the sheet's live score is zi_domain's score: each answer
set is written, LibreOffice computes every formula, and the cached values are compared with
`score_units` for the same answers.
"""

from __future__ import annotations

import math
import os
import random
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from config.framework_files import load_framework
from spreadsheets.lke_form import (
    ANSWER_COLUMN,
    FLOOR_SHEET,
    INSTANSI_CODE_CELL,
    LKE_SHEET,
    TOTAL_CELLS,
    UNIT_CODE_CELL,
    WORK_SHEET,
    LkeFormContent,
    LkeFormError,
    LkeFormUnit,
    WorkItemLine,
    answer_rows,
    read_lke_form,
    summary_cells,
    write_lke_form,
)
from zi_domain.answers import COUNT_SEPARATOR, read_answers
from zi_domain.framework import Framework, HasilItem, Question
from zi_domain.scoring import score_units
from zi_domain.unit_score import unit_score

FRAMEWORK = load_framework("permenpanrb-90-2021")
UNIT = LkeFormUnit(
    instansi_code="3201",
    instansi_name="Pemerintah Kabupaten Sukamaju (fiktif)",
    unit_code="DISDUK",
    unit_name="Dinas Kependudukan dan Pencatatan Sipil",
    year=2026,
    period_name="Penilaian Mandiri Maret 2026",
)
ITEMS: list[Question | HasilItem] = [*FRAMEWORK.questions, *FRAMEWORK.hasil_items]
WORK_ITEMS = (
    WorkItemLine("A.I.1.i", "Membentuk Tim Kerja ZI", date(2026, 2, 27), "Budi", None, None),
    WorkItemLine(
        "survei:ipak", "Survei IPAK", date(2026, 4, 30), None, date(2026, 3, 20), "Siti Aminah"
    ),
)


def write(path: Path, answers: dict[str, str], unit: LkeFormUnit = UNIT) -> Path:
    write_lke_form(path, framework=FRAMEWORK, unit=unit, answers=answers, work_items=WORK_ITEMS)
    return path


def sheet_of(path: Path, name: str, *, data_only: bool = False) -> Worksheet:
    sheet = load_workbook(path, data_only=data_only)[name]
    assert isinstance(sheet, Worksheet)
    return sheet


def rows_by_code(sheet: Worksheet) -> dict[str, int]:
    """The rows of the written LKE sheet by the code in column A, found without the module."""
    return {str(c.value): int(c.row or 0) for (c,) in sheet.iter_rows(max_col=1) if c.value}


def edit(path: Path, sheet_name: str, changes: dict[str, object]) -> None:
    workbook = load_workbook(path)
    sheet = workbook[sheet_name]
    assert isinstance(sheet, Worksheet)
    for at, value in changes.items():
        sheet[at].value = value
    workbook.save(path)


def percentage_questions(framework: Framework = FRAMEWORK) -> list[Question]:
    return [q for q in framework.questions if q.answer_type.kind == "percentage"]


def top_answers() -> dict[str, str]:
    answers = {q.code: q.answer_type.top_answer for q in FRAMEWORK.questions}
    return answers | {i.code: i.answer_type.top_answer for i in FRAMEWORK.hasil_items}


def lowest_answers() -> dict[str, str]:
    def lowest(kind: str, values: dict[str, float]) -> str:
        if kind == "choice":
            return min(values, key=lambda k: values[k])
        return "0%" if kind == "percentage" else "0"

    return {i.code: lowest(i.answer_type.kind, i.answer_type.values) for i in ITEMS}


def random_answers(seed: int) -> dict[str, str]:
    """A mix: some blank, choices, percentages with either decimal mark, counts, indices."""
    rng = random.Random(seed)
    answers: dict[str, str] = {}
    for item in ITEMS:
        kind = item.answer_type.kind
        if rng.random() < 0.12:
            continue
        if kind == "choice":
            answers[item.code] = rng.choice(list(item.answer_type.values))
        elif kind == "index":
            answers[item.code] = f"{rng.uniform(0, 4):.2f}".replace(".", rng.choice(".,"))
        elif isinstance(item, Question) and item.inputs and rng.random() < 0.5:
            for key in (i.key for i in item.inputs):
                answers[f"{item.code}{COUNT_SEPARATOR}{key}"] = str(rng.randint(0, 30))
        else:
            answers[item.code] = f"{rng.uniform(0, 120):.1f}%".replace(".", rng.choice(".,"))
    return answers


# Raw Jumlah counts for every percentage question of 90/2021, each an edge of the formula:
# (counts, the value zi_domain gives them).
COUNT_CASES: dict[str, tuple[dict[str, str], float]] = {
    "A.II.1.i.a": ({"agen_perubahan": "10", "perubahan_dibuat": "15"}, 1.0),  # 150 % clips
    "A.II.1.i.b": ({"perubahan_dibuat": "0", "perubahan_terintegrasi": "0"}, 0.0),  # 0/0 → 0
    "A.II.3.iii.a": (  # (0 − 3) / 0: the negative limit
        {
            "pelanggaran_tahun_sebelumnya": "0",
            "pelanggaran_tahun_ini": "3",
            "pelanggaran_diberi_sanksi": "2",
        },
        0.0,
    ),
    "A.II.4.i.a": ({"sasaran_kinerja": "8", "sasaran_tercapai": "6"}, 0.75),
    "A.II.5.ii.a": (  # 0/0 → 1 for complaints
        {
            "pengaduan_harus_ditindaklanjuti": "0",
            "pengaduan_sedang_diproses": "0",
            "pengaduan_selesai": "0",
        },
        1.0,
    ),
    "A.II.5.iii.a": (  # the total given by its parts: 5 / (1 + 4 + 2)
        {
            "kepala_satuan_kerja": "1",
            "pejabat_wajib_lhkpn": "4",
            "lainnya": "2",
            "sudah_lapor": "5",
        },
        5 / 7,
    ),
    "A.II.5.iii.b": ({"wajib_lapor": "0", "sudah_lapor": "2"}, 1.0),  # 2/0: the positive limit
    "A.II.6.i.b": ({"pelayanan_terdata": "20", "pelayanan_dipermudah": "17"}, 0.85),
}


def count_answers() -> dict[str, str]:
    answers = {c: a for c, a in top_answers().items() if c not in COUNT_CASES}
    for code, (counts, _) in COUNT_CASES.items():
        answers |= {f"{code}{COUNT_SEPARATOR}{key}": n for key, n in counts.items()}
    return answers


def hasil_answers(ipkp: str) -> dict[str, str]:
    """Pengungkit full with percentages over 100 %; hasil right on or under the floors."""
    answers = top_answers() | {q.code: "120%" for q in percentage_questions()}
    return answers | {"B.I.a": "3.60", "B.I.b": "B", "B.II.a": ipkp}


def conflict_answers() -> dict[str, str]:
    """Both a percentage and its counts; a total with its parts; incomplete parts."""
    answers = top_answers()
    answers |= {"A.II.1.i.a:agen_perubahan": "10", "A.II.1.i.a:perubahan_dibuat": "4"}
    answers.pop("A.II.5.iii.a")
    answers |= {"A.II.5.iii.a:wajib_lapor": "7", "A.II.5.iii.a:lainnya": "2"}
    answers |= {"A.II.5.iii.a:sudah_lapor": "7"}
    answers.pop("A.II.5.iii.b")
    answers |= {"A.II.5.iii.b:pejabat_pengawas": "3", "A.II.5.iii.b:sudah_lapor": "3"}
    return answers


def typed_texts(path: Path) -> dict[str, object]:
    """Answers typed as text, as Excel keeps them when the locale does not read them."""
    rows = answer_rows(FRAMEWORK)
    percentages = [q.code for q in percentage_questions()]
    texts: dict[str, object] = {
        percentages[0]: "87,5%",
        percentages[1]: " 90.25 % ",
        percentages[2]: "100%",
        percentages[3]: "abc%",
        percentages[4]: "-5%",
        percentages[5]: "12,%",
        "B.I.a": "3,62",
        "B.II.a": " 3.2 ",
        "B.I.b": " b ",
        "A.I.1.i.a": " ya ",
        "A.I.1.i.b": "x",
    }
    return {f"{ANSWER_COLUMN}{rows[code]}": text for code, text in texts.items()}


# --- writing and reading ---------------------------------------------------------------------


def test_round_trip_reads_back_what_was_written(tmp_path: Path) -> None:
    answers = {
        "A.I.1.i.a": "ya",
        "A.I.1.i.b": "b",
        "A.I.1.iii.a": "D",
        "A.II.3.iii.a": "87.5%",
        "A.II.4.i.a": "85%",
        "A.II.6.i.b": "33,33%",
        "A.II.1.i.a:agen_perubahan": "12",
        "A.II.1.i.a:perubahan_dibuat": "9",
        "A.II.5.iii.a:kepala_satuan_kerja": "1",
        "A.II.5.iii.a:pejabat_wajib_lhkpn": "4",
        "A.II.5.iii.a:lainnya": "0",
        "A.II.5.iii.a:sudah_lapor": "5",
        "B.I.a": "3,62",
        "B.I.b": "A",
        "B.II.a": "3.60",
    }
    expected = answers | {
        "A.I.1.i.a": "Ya",
        "A.I.1.i.b": "B",
        "A.II.6.i.b": "33.33%",
        "B.I.a": "3.62",
        "B.II.a": "3.6",
    }
    path = write(tmp_path / "lke.xlsx", answers)
    content = read_lke_form(path, framework=FRAMEWORK)

    assert content.problems == ()
    assert (content.unit_code, content.instansi_code) == ("DISDUK", "3201")
    assert dict(zip(content.answers["code"], content.answers["answer"], strict=True)) == expected
    written_rows = rows_by_code(sheet_of(path, LKE_SHEET))
    assert list(content.answers["row"]) == [written_rows[c] for c in content.answers["code"]]
    assert answer_rows(FRAMEWORK) == {
        code: row for code, row in written_rows.items() if code in answer_rows(FRAMEWORK)
    }
    assert scored(content)["total"] == pytest.approx(score_of(answers)["total"], abs=1e-9)
    assert [
        (w.code, w.done, w.completed_on, w.completed_by, w.place) for w in content.work_items
    ] == [
        ("A.I.1.i", False, None, None, "Rencana Kerja!E5"),
        ("survei:ipak", True, date(2026, 3, 20), "Siti Aminah", "Rencana Kerja!E6"),
    ]


def test_answers_are_written_as_numbers_where_excel_computes_with_them(tmp_path: Path) -> None:
    path = write(tmp_path / "lke.xlsx", {"A.II.3.iii.a": "87,5%", "B.I.a": "3,62", "B.I.b": "c"})
    sheet = sheet_of(path, LKE_SHEET)
    rows = answer_rows(FRAMEWORK)
    percent = sheet[f"F{rows['A.II.3.iii.a']}"]
    assert (percent.value, percent.number_format) == (0.875, "0.0#%")
    assert sheet[f"F{rows['B.I.a']}"].value == 3.62
    assert sheet[f"F{rows['B.I.b']}"].value == "C"
    assert sheet[f"F{rows['A.I.1.i.a']}"].value is None


def test_problems_name_their_cells(tmp_path: Path) -> None:
    path = write(tmp_path / "lke.xlsx", top_answers())
    rows = rows_by_code(sheet_of(path, LKE_SHEET))
    edit(
        path,
        LKE_SHEET,
        {
            f"F{rows['A.I.1.i.a']}": "X",
            f"F{rows['B.I.a']}": 5,
            f"F{rows['B.II.a']}": "=4",
            UNIT_CODE_CELL: None,
        },
    )
    edit(path, WORK_SHEET, {"E5": "Mungkin", "F6": "kemarin"})
    content = read_lke_form(path, framework=FRAMEWORK)

    places = [p.place for p in content.problems]
    assert places == [
        f"LKE!{UNIT_CODE_CELL}",
        f"LKE!F{rows['B.II.a']}",
        f"LKE!F{rows['A.I.1.i.a']}",
        f"LKE!F{rows['B.I.a']}",
        "Rencana Kerja!E5",
        "Rencana Kerja!F6",
    ]
    by_place = {p.place: p.problem for p in content.problems}
    assert "Ya/Tidak" in by_place[f"LKE!F{rows['A.I.1.i.a']}"]
    assert "indeks" in by_place[f"LKE!F{rows['B.I.a']}"]
    assert "rumus" in by_place[f"LKE!F{rows['B.II.a']}"]
    assert str(content.problems[0]) == "LKE!C3: kode unit kerja kosong"
    assert content.work_items == ()
    assert set(content.answers["code"]) == set(FRAMEWORK.item_codes) - {"B.II.a"}


def test_percentage_with_its_counts_names_a_jumlah_cell(tmp_path: Path) -> None:
    path = write(tmp_path / "lke.xlsx", conflict_answers())
    rows = answer_rows(FRAMEWORK)
    problems = {p.place: p.problem for p in read_lke_form(path, framework=FRAMEWORK).problems}

    assert set(problems) == {
        f"LKE!F{rows['A.II.1.i.a:agen_perubahan']}",
        f"LKE!F{rows['A.II.5.iii.a:wajib_lapor']}",
        f"LKE!F{rows['A.II.5.iii.b:pejabat_pengawas']}",
    }
    assert "jangan keduanya" in problems[f"LKE!F{rows['A.II.1.i.a:agen_perubahan']}"]
    assert "rinciannya" in problems[f"LKE!F{rows['A.II.5.iii.a:wajib_lapor']}"]
    assert "belum lengkap" in problems[f"LKE!F{rows['A.II.5.iii.b:pejabat_pengawas']}"]


def test_work_item_dates_typed_as_text_and_completed_without_date(tmp_path: Path) -> None:
    path = write(tmp_path / "lke.xlsx", {})
    edit(path, WORK_SHEET, {"E5": "selesai", "F5": "31-03-2026", "G5": " Budi ", "F6": None})
    items = read_lke_form(path, framework=FRAMEWORK).work_items
    assert [(i.done, i.completed_on, i.completed_by) for i in items] == [
        (True, date(2026, 3, 31), "Budi"),
        (True, None, "Siti Aminah"),
    ]


def test_data_is_never_a_formula(tmp_path: Path) -> None:
    attack = '=HYPERLINK("http://x","y")'
    unit = LkeFormUnit(attack, "+1+1", "-2+3", "@SUM(1)", 2026, attack)
    path = tmp_path / "lke.xlsx"
    write_lke_form(
        path,
        framework=FRAMEWORK,
        unit=unit,
        answers={"A.I.1.i.a": attack},
        work_items=[WorkItemLine("=1+1", attack, date(2026, 5, 1), "-owner", None, "=x")],
    )
    lke = sheet_of(path, LKE_SHEET)
    work = sheet_of(path, WORK_SHEET)
    cells = [
        lke[INSTANSI_CODE_CELL],
        lke[UNIT_CODE_CELL],
        lke["E3"],
        lke["E4"],
        lke["E5"],
        lke[f"F{answer_rows(FRAMEWORK)['A.I.1.i.a']}"],
        work["A5"],
        work["B5"],
        work["D5"],
    ]
    assert [(c.data_type, c.quotePrefix) for c in cells] == [("s", True)] * len(cells)
    assert lke["E5"].value == attack
    content = read_lke_form(path, framework=FRAMEWORK)
    assert (content.instansi_code, content.unit_code) == (attack, "-2+3")


def test_sheets_are_protected_without_password_with_answer_cells_open(tmp_path: Path) -> None:
    path = write(tmp_path / "lke.xlsx", {})
    workbook = load_workbook(path)
    assert workbook.security is not None and workbook.security.lockStructure
    assert workbook.security.workbookPassword is None
    for name in workbook.sheetnames:
        sheet = workbook[name]
        assert isinstance(sheet, Worksheet)
        assert sheet.protection.sheet and not sheet.protection.password
    lke, work = workbook[LKE_SHEET], workbook[WORK_SHEET]
    assert isinstance(lke, Worksheet) and isinstance(work, Worksheet)
    rows = answer_rows(FRAMEWORK)
    for code in ("A.I.1.i.a", "A.II.1.i.a", "A.II.5.iii.a:lainnya", "B.I.a"):
        assert lke[f"F{rows[code]}"].protection.locked is False
    for at in (f"B{rows['A.I.1.i.a']}", f"G{rows['A.I.1.i.a']}", UNIT_CODE_CELL, "I1"):
        assert lke[at].protection.locked is True
    assert [work[f"{c}5"].protection.locked for c in "ABCDEFG"] == [True] * 4 + [False] * 3


def test_answer_cells_validate_exactly_their_answers(tmp_path: Path) -> None:
    path = write(tmp_path / "lke.xlsx", {})
    sheet = sheet_of(path, LKE_SHEET)
    rows = answer_rows(FRAMEWORK)

    def rule_of(code: str) -> tuple[str | None, str | None, str | None]:
        at = f"F{rows[code]}"
        found = [v for v in sheet.data_validations.dataValidation if at in v.sqref]
        assert len(found) == 1, code
        return found[0].type, found[0].formula1, found[0].formula2

    assert rule_of("A.I.1.i.a") == ("list", '"Ya,Tidak"', None)
    assert rule_of("A.I.1.i.b") == ("list", '"A,B,C"', None)
    assert rule_of("B.I.b") == ("list", '"A,B,C,D,E"', None)
    assert rule_of("B.I.a") == ("decimal", "0", "4")
    assert rule_of("A.II.1.i.a:agen_perubahan") == ("decimal", "0", None)
    every_answer_cell = {f"F{row}" for row in rows.values()}
    covered = {c for v in sheet.data_validations.dataValidation for c in _cells(str(v.sqref))}
    assert every_answer_cell <= covered


def _cells(sqref: str) -> Iterator[str]:
    for part in sqref.split():
        if ":" in part:
            first, last = part.split(":")
            column = first[0]
            yield from (f"{column}{r}" for r in range(int(first[1:]), int(last[1:]) + 1))
        else:
            yield part


def test_a_file_that_is_not_a_workbook_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "lke.xlsx"
    bad.write_text("code,answer\n")
    with pytest.raises(LkeFormError, match="tidak dapat dibuka"):
        read_lke_form(bad, framework=FRAMEWORK)
    with pytest.raises(LkeFormError, match="tidak ditemukan"):
        read_lke_form(tmp_path / "missing.xlsx", framework=FRAMEWORK)


def test_a_workbook_without_the_lke_sheet_is_a_problem(tmp_path: Path) -> None:
    path = write(tmp_path / "lke.xlsx", {})
    workbook = load_workbook(path)
    workbook[LKE_SHEET].title = "Lain"
    workbook.save(path)
    content = read_lke_form(path, framework=FRAMEWORK)
    assert [str(p) for p in content.problems] == ["lembar LKE tidak ditemukan"]
    assert content.answers.empty


def test_summary_cells_are_fixed_and_named(tmp_path: Path) -> None:
    cells = summary_cells(FRAMEWORK)
    assert {k: cells[k] for k in TOTAL_CELLS} == TOTAL_CELLS
    assert cells["meets_WBK"] == "LKE!I4" and cells["meets_WBBM"] == "LKE!I5"
    workbook = load_workbook(write(tmp_path / "lke.xlsx", {}))
    assert workbook.defined_names["Total"].attr_text == "'LKE'!$I$1"
    area = cells["area_1"].split("!")[1]
    assert workbook.defined_names["Area1"].attr_text == f"'LKE'!$I${area[1:]}"


# --- LibreOffice recalculation ---------------------------------------------------------------

RECALC = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Setup/L10N">
<prop oor:name="ooSetupSystemLocale" oor:op="fuse"><value>id-ID</value></prop></item>
</oor:items>
"""


@dataclass(frozen=True)
class Recalculated:
    source: Path  # the form as written (and typed into)
    result: Path  # the same form after LibreOffice computed every formula


def soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        message = "LibreOffice (soffice) is not installed; `make install` installs it as root"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return found


ANSWER_SETS = {
    "top": top_answers,
    "lowest": lowest_answers,
    "random": lambda: random_answers(seed=2026),
    "random_other": lambda: random_answers(seed=90),
    "counts": count_answers,
    "hasil_on_floor": lambda: hasil_answers("3.20"),
    "hasil_under_floor": lambda: hasil_answers("3,19"),
    "hasil_rounded_up": lambda: hasil_answers("3.1989"),  # 13.9951875 is shown 14.00
    "conflicts": conflict_answers,
    "typed_texts": top_answers,
}


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Recalculated]:
    """Every answer set written, then recalculated by one LibreOffice run (its own profile)."""
    program = soffice()
    folder = tmp_path_factory.mktemp("lke-forms")
    profile = folder / "profile"
    (profile / "user").mkdir(parents=True)
    (profile / "user" / "registrymodifications.xcu").write_text(RECALC)
    sources = {name: write(folder / f"{name}.xlsx", build()) for name, build in ANSWER_SETS.items()}
    edit(sources["typed_texts"], LKE_SHEET, typed_texts(sources["typed_texts"]))
    started = time.monotonic()
    subprocess.run(
        [
            program,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "xlsx:Calc MS Excel 2007 XML",
            "--outdir",
            str(folder / "out"),
            *map(str, sources.values()),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    print(f"LibreOffice recalculated {len(sources)} forms in {time.monotonic() - started:.1f} s")
    return {
        name: Recalculated(source, folder / "out" / source.name) for name, source in sources.items()
    }


def scored(content: LkeFormContent) -> pd.Series:
    sheet = read_answers(content.answers.assign(unit="u"), FRAMEWORK)
    values = sheet.values.reindex(index=pd.Index(["u"], name="unit"))
    return score_units(values, FRAMEWORK).iloc[0]


def score_of(answers: dict[str, str]) -> pd.Series:
    frame = pd.DataFrame(
        {"unit": "u", "code": list(answers), "answer": list(answers.values())}
    ).assign(row=range(1, len(answers) + 1))
    values = read_answers(frame, FRAMEWORK).values
    return score_units(values, FRAMEWORK).iloc[0]


def computed(path: Path) -> dict[str, object]:
    workbook = load_workbook(path, data_only=True)
    result: dict[str, object] = {}
    for key, address in summary_cells(FRAMEWORK).items():
        sheet_name, cell = address.split("!")
        sheet = workbook[sheet_name]
        assert isinstance(sheet, Worksheet)
        result[key] = sheet[cell].value
    return result


@pytest.mark.parametrize("name", list(ANSWER_SETS))
def test_libreoffice_computes_the_domain_score(
    recalculated: dict[str, Recalculated], name: str
) -> None:
    forms = recalculated[name]
    content = read_lke_form(forms.source, framework=FRAMEWORK)
    sheet = read_answers(content.answers.assign(unit="u"), FRAMEWORK)
    values = sheet.values.reindex(index=pd.Index(["u"], name="unit"))
    scores = score_units(values, FRAMEWORK).iloc[0]
    report = unit_score(scores, sheet.missing("u"), FRAMEWORK)
    cells = computed(forms.result)

    assert all(value is not None for value in cells.values()), "LibreOffice computed nothing"
    for key, value in cells.items():
        if key.startswith("meets_"):
            assert value == ("Memenuhi" if report.meets[key[6:]] else "Belum memenuhi"), key
        else:
            assert value == pytest.approx(float(scores[key]), abs=1e-6), key
    assert cells["total"] == pytest.approx(report.total, abs=1e-6)
    assert [cells[f"area_{a.number}"] for a in report.areas] == pytest.approx(
        [a.score for a in report.areas], abs=1e-6
    )
    assert_item_values(forms.result, values.iloc[0])


def assert_item_values(result: Path, values: pd.Series) -> None:
    """Every question's value in column G is zi_domain's value (blank where it has none)."""
    sheet = sheet_of(result, LKE_SHEET, data_only=True)
    rows = answer_rows(FRAMEWORK)
    for code in FRAMEWORK.item_codes:
        shown = sheet[f"G{rows[code]}"].value
        expected = float(values[code])
        if math.isnan(expected):
            assert shown in (None, ""), code
        else:
            assert shown == pytest.approx(expected, abs=1e-9), code


def test_the_sets_reach_the_edges_they_claim(recalculated: dict[str, Recalculated]) -> None:
    """The count set hits each edge of the formulas; the hasil sets sit on and under a floor."""
    for code, (_, value) in COUNT_CASES.items():
        sheet = sheet_of(recalculated["counts"].result, LKE_SHEET, data_only=True)
        assert sheet[f"G{answer_rows(FRAMEWORK)[code]}"].value == pytest.approx(value), code
    on_floor = computed(recalculated["hasil_on_floor"].result)
    under = computed(recalculated["hasil_under_floor"].result)
    assert (on_floor["ipak"], on_floor["pelayanan_prima"]) == pytest.approx((15.75, 14.0))
    assert (on_floor["meets_WBK"], on_floor["meets_WBBM"]) == ("Memenuhi", "Belum memenuhi")
    assert under["pelayanan_prima"] == pytest.approx(13.95625)
    assert under["meets_WBK"] == "Belum memenuhi"
    assert computed(recalculated["top"].result)["meets_WBBM"] == "Memenuhi"
    rounded_up = computed(recalculated["hasil_rounded_up"].result)
    assert rounded_up["pelayanan_prima"] == pytest.approx(13.9951875)
    assert rounded_up["meets_WBK"] == "Memenuhi"  # half-up to 2 decimals, as the LKE shows it
    floors = sheet_of(recalculated["hasil_on_floor"].result, FLOOR_SHEET, data_only=True)
    statuses = [floors[f"E{r}"].value for r in range(5, floors.max_row + 1)]
    assert statuses.count("Belum memenuhi") == 2  # WBBM pelayanan prima, and its verdict


def test_typed_texts_are_read_like_the_domain_reads_them(
    recalculated: dict[str, Recalculated],
) -> None:
    content = read_lke_form(recalculated["typed_texts"].source, framework=FRAMEWORK)
    rows = {row: code for code, row in answer_rows(FRAMEWORK).items()}
    bad = sorted(rows[int(p.place.split("F")[1])] for p in content.problems)
    percentages = [q.code for q in percentage_questions()]
    assert bad == sorted(["A.I.1.i.b", *percentages[3:6]])


def test_a_form_saved_by_libreoffice_reads_the_same(recalculated: dict[str, Recalculated]) -> None:
    forms = recalculated["random"]
    before = read_lke_form(forms.source, framework=FRAMEWORK)
    after = read_lke_form(forms.result, framework=FRAMEWORK)
    assert after.problems == before.problems == ()
    pd.testing.assert_frame_equal(after.answers, before.answers)
    assert after.work_items == before.work_items


def test_work_item_dates_are_dates(tmp_path: Path) -> None:
    sheet = sheet_of(write(tmp_path / "lke.xlsx", {}), WORK_SHEET)
    assert sheet["C5"].value == datetime(2026, 2, 27)
    assert sheet["C5"].number_format == "dd-mm-yyyy"
    assert (sheet["E5"].value, sheet["E6"].value) == ("Belum", "Selesai")
