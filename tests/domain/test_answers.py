"""Reading answers as people write them, and refusing what cannot be read, row by row."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.domain.worksheets import lke, read, sheet, top_answers
from zi_domain.answers import read_answers
from zi_domain.scoring import score_units


@pytest.mark.parametrize(
    ("code", "answer", "value"),
    [
        ("A.I.1.i.a", "ya", 1.0),
        ("A.I.1.i.a", "TIDAK", 0.0),
        ("A.I.1.i.b", "b", 0.5),
        ("A.I.1.iii.a", "C", 0.33),
        ("A.I.2.i.b", "D", 0.25),
        ("A.II.3.iii.a", "87,5%", 0.875),
        ("A.II.3.iii.a", " 85 % ", 0.85),
        ("A.II.3.iii.a", "120%", 1.0),
        ("B.I.a", "3.62", 0.905),
        ("B.II.a", "4", 1.0),
        ("B.I.b", "e", 0.0),
    ],
)
def test_values(code: str, answer: str, value: float) -> None:
    answer_sheet = read({code: answer})
    assert answer_sheet.errors == []
    assert answer_sheet.values.loc["unit", code] == pytest.approx(value)


@pytest.mark.parametrize(
    ("answers", "row", "fragment"),
    [
        ({"A.I.9.i.a": "Ya"}, 2, "kode tidak dikenal"),
        ({"A.I.1.i.a": "Ya", "A.I.1.i.b": "D"}, 3, "pilih A/B/C"),
        ({"A.I.1.i.a": "Mungkin"}, 2, "pilih Ya/Tidak"),
        ({"A.II.3.iii.a": "85"}, 2, "persentase tidak sah"),
        ({"A.II.3.iii.a": "-5%"}, 2, "persentase tidak sah"),
        ({"B.I.a": "4,5"}, 2, "nilai indeks tidak sah"),
        ({"B.I.a": "tinggi"}, 2, "nilai indeks tidak sah"),
        ({"A.II.3.iii.a:pelanggaran_tahun_ini": "dua"}, 2, "jumlah tidak sah"),
        ({"A.II.3.iii.a:tahun_lalu": "2"}, 2, "baris Jumlah tidak dikenal"),
        ({"A.I.1.i.a:jumlah": "2"}, 2, "bukan pertanyaan persentase"),
    ],
)
def test_bad_answers_name_row_and_problem(answers: dict[str, str], row: int, fragment: str) -> None:
    errors = read(answers).errors
    assert len(errors) == 1
    assert errors[0].row == row
    assert fragment in str(errors[0])
    assert str(errors[0]).startswith(f"baris {row}: ")


def test_duplicate_code_names_both_rows() -> None:
    rows = sheet({"A.I.1.i.a": "Ya", "A.I.1.i.b": "A"})
    rows = pd.concat([rows, rows.iloc[[0]].assign(row=4, answer="Tidak")], ignore_index=True)
    errors = read_answers(rows, lke()).errors
    assert [(e.row, e.code) for e in errors] == [(4, "A.I.1.i.a")]
    assert "kode ganda; sudah diisi pada baris 2" in errors[0].problem


@pytest.mark.parametrize("far", [2, 10**9], ids=["ids-close", "ids-far-apart"])
def test_duplicate_codes_are_found_whatever_the_units_ids(far: int) -> None:
    """Unit ids a database gives: close together (counted in one array) or far apart (hashed);
    the same code in two units is no repeat, in one unit it is."""
    rows = sheet({"A.I.1.i.a": "Ya", "A.I.1.i.b": "A"}).assign(unit=1)
    other = rows.assign(unit=far, row=rows["row"] + 2)
    repeat = rows.iloc[[1]].assign(unit=far, row=6, answer="B")
    assert list(rows["row"]) == [2, 3]  # so the unit `far` answered A.I.1.i.b on row 5 first
    errors = read_answers(pd.concat([rows, other, repeat], ignore_index=True), lke()).errors
    assert [(e.row, e.code) for e in errors] == [(6, "A.I.1.i.b")]
    assert errors[0].problem == "kode ganda; sudah diisi pada baris 5"


def test_percentage_and_counts_for_one_question_are_refused() -> None:
    errors = read(
        {
            "A.II.3.iii.a": "50%",
            "A.II.3.iii.a:pelanggaran_tahun_sebelumnya": "2",
            "A.II.3.iii.a:pelanggaran_tahun_ini": "1",
        }
    ).errors
    assert [e.code for e in errors] == ["A.II.3.iii.a"]
    assert "jangan keduanya" in errors[0].problem


def test_incomplete_counts_are_refused_with_what_is_missing() -> None:
    errors = read({"A.II.3.iii.a:pelanggaran_tahun_sebelumnya": "2"}).errors
    assert len(errors) == 1
    assert "A.II.3.iii.a:pelanggaran_tahun_ini" in errors[0].problem


def test_input_and_its_parts_together_are_refused() -> None:
    errors = read(
        {
            "A.II.5.iii.a:wajib_lapor": "10",
            "A.II.5.iii.a:kepala_satuan_kerja": "1",
            "A.II.5.iii.a:pejabat_wajib_lhkpn": "4",
            "A.II.5.iii.a:lainnya": "5",
            "A.II.5.iii.a:sudah_lapor": "8",
        }
    ).errors
    assert len(errors) == 1 and "salah satu saja" in errors[0].problem


def test_many_units_in_one_pass_equal_each_unit_alone() -> None:
    """Vectorising must not mix units up: a batch scores each unit as if it were alone."""
    framework = lke()
    rng = np.random.default_rng(7)
    batches, alone = [], []
    for number in range(25):
        answers = {}
        for code, top in top_answers(framework).items():
            if rng.random() < 0.1:
                continue  # missing
            question = next((q for q in framework.questions if q.code == code), None)
            answer_type = question.answer_type if question else None
            if answer_type is not None and answer_type.kind == "choice":
                answers[code] = str(rng.choice(list(answer_type.values)))
            elif answer_type is not None:
                answers[code] = f"{rng.integers(0, 101)}%"
            else:
                answers[code] = top if code == "B.I.b" else f"{rng.uniform(2.5, 4):.2f}"
        unit_rows = sheet(answers, unit=f"u{number}")
        batches.append(unit_rows)
        alone.append(score_units(read_answers(unit_rows, framework).values, framework))
    together = read_answers(pd.concat(batches, ignore_index=True), framework)
    assert together.errors == []
    scored = score_units(together.values, framework)
    pd.testing.assert_frame_equal(scored, pd.concat(alone))
