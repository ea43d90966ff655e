"""`zi score` keeps its contract: JSON fields, table, and exit status 2 on bad input."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from config.framework_files import load_framework
from tests.domain.worksheets import top_answers
from zi_cli.main import app
from zi_domain.unit_score import rule_name

runner = CliRunner()
DATA = Path(__file__).parents[1] / "data"


def write_csv(path: Path, answers: dict[str, str], header: str = "code,answer") -> Path:
    lines = [header, *(f'{code},"{answer}"' for code, answer in answers.items())]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_json_contract(tmp_path: Path) -> None:
    answers = top_answers() | {"B.II.a": "3,19"}
    del answers["A.I.1.i.a"]
    result = runner.invoke(app, ["score", str(write_csv(tmp_path / "a.csv", answers)), "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert set(out) == {
        "framework",
        "total",
        "pengungkit",
        "hasil",
        "areas",
        "hasil_components",
        "meets",
        "shortfalls",
        "missing",
        "fix_first",
    }
    assert out["framework"] == "permenpanrb-90-2021"
    # A.I.1.i (0,50) loses half: 59,75; IPKP 13,95625; total 59,75 + 22,5 + 13,95625.
    assert out["pengungkit"] == pytest.approx(59.75)
    assert out["total"] == pytest.approx(96.20625)
    assert out["areas"][0] == {
        "number": 1,
        "name": "Manajemen Perubahan",
        "weight": 8.0,
        "pemenuhan": 3.75,
        "reform": 4.0,
        "score": 7.75,
        "percent": pytest.approx(96.875),
    }
    assert set(out["hasil_components"]) == {
        "ipak",
        "kinerja",
        "bersih_akuntabel",
        "ipkp",
        "pelayanan_prima",
    }
    assert out["hasil_components"]["ipkp"] == pytest.approx(13.95625, abs=1e-12)  # unrounded
    assert out["meets"] == {"WBK": False, "WBBM": False}
    assert out["shortfalls"]["WBK"] == [
        {"rule": "pelayanan_prima", "required": 14.0, "actual": pytest.approx(13.95625)}
    ]
    assert out["missing"] == ["A.I.1.i.a"]


def test_readable_table(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "unit.csv", top_answers() | {"B.I.b": "D"})
    result = runner.invoke(app, ["score", str(path)], env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    for text in (
        "Manajemen Perubahan",
        "96,25",
        "Batas nilai WBK: belum memenuhi",
        "Capaian kinerja lebih baik: minimal 2,50, tercapai 1,25",
        "Semua pertanyaan telah dijawab",
    ):
        assert text in result.stdout


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("code,answer\nA.I.1.i.a,Ya\nA.X.1.i.a,Ya\n", "baris 3: A.X.1.i.a: kode tidak dikenal"),
        (
            "code,answer\nA.I.1.i.b,Ya\n",
            'baris 2: A.I.1.i.b: jawaban tidak sah untuk jenis A/B/C; pilih A/B/C (tertulis: "Ya")',
        ),
        ("code,answer\nA.I.1.i.a,Ya\nA.I.1.i.a,Tidak\n", "baris 3: A.I.1.i.a: kode ganda"),
        ("code,answer\nB.II.a,5\n", "baris 2: B.II.a: nilai indeks tidak sah"),
        ("code,answer\nB.II.a,tinggi\n", '(tertulis: "tinggi")'),
        (
            "code,answer\nA.II.1.i.a,85\n",
            'persentase tidak sah; tulis misalnya 85% atau 87,5% (tertulis: "85")',
        ),
        ("code,answer\nA.II.5.iii.a:wajib_lapor,dua\n", 'misalnya 12 (tertulis: "dua")'),
        ("kode,jawaban\nA.I.1.i.a,Ya\n", "baris 1: kepala kolom harus 'code,answer'"),
        ("code,answer\nA.I.1.i.a\n", "baris 2: A.I.1.i.a: kolom 'answer' tidak ada"),
        ("code,answer\nB.II.a,3,19\n", 'baris 2: B.II.a: lebih dari dua kolom (tertulis: "3,19")'),
    ],
)
def test_bad_input_exits_2_naming_row_and_problem(
    content: str, fragment: str, tmp_path: Path
) -> None:
    path = tmp_path / "jawaban.csv"
    path.write_text(content, encoding="utf-8")
    result = runner.invoke(app, ["score", str(path), "--json"])
    assert result.exit_code == 2
    message = " ".join(result.stderr.split())
    assert fragment in message
    assert str(path) in result.stderr.replace("\n", "")
    assert result.stdout == ""


def test_file_that_cannot_be_read_exits_2(tmp_path: Path) -> None:
    missing = runner.invoke(app, ["score", str(tmp_path / "tidak-ada.csv")])
    assert missing.exit_code == 2 and "tidak dapat dibaca" in missing.stderr
    latin = tmp_path / "latin1.csv"
    latin.write_bytes(b"code,answer\nA.I.1.i.a,Ya \xe9\n")
    result = runner.invoke(app, ["score", str(latin)])
    assert result.exit_code == 2 and "bukan teks UTF-8" in result.stderr


def test_unknown_framework_exits_2(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "a.csv", {"A.I.1.i.a": "Ya"})
    result = runner.invoke(app, ["score", str(path), "--framework", "permenpan-2099"])
    assert result.exit_code == 2
    assert "framework 'permenpan-2099' is not installed" in result.stderr


def test_another_framework_file_scores_with_no_code_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "frameworks"
    folder.mkdir()
    shutil.copy(DATA / "lke-mini-2030.yaml", folder)
    monkeypatch.setenv("ZI_FRAMEWORKS_DIR", str(folder))
    listed = runner.invoke(app, ["frameworks"], env={"COLUMNS": "200"})
    assert "lke-mini-2030" in listed.stdout and "permenpanrb-90-2021" in listed.stdout
    # Integritas: 40 × mean(Ya 1, 9 of 12 = 0,75) = 35; Layanan: B = 0; IKM 4,5 / 5 × 30 = 27.
    path = write_csv(
        tmp_path / "mini.csv",
        {
            "A.I.1.i.a": "Ya",
            "A.I.1.i.b:wajib": "12",
            "A.I.1.i.b:lapor": "9",
            "A.I.2.i.a": "B",
            "B.I.a": "4,5",
        },
    )
    result = runner.invoke(app, ["score", str(path), "--framework", "lke-mini-2030", "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["total"] == pytest.approx(62.0)
    assert out["meets"] == {"BAIK": False}
    assert [s["rule"] for s in out["shortfalls"]["BAIK"]] == ["total", "area_percent.2"]


def test_console_script_is_installed(tmp_path: Path) -> None:
    zi = Path(sys.executable).with_name("zi")
    path = write_csv(tmp_path / "a.csv", top_answers())
    done = subprocess.run(
        [str(zi), "score", str(path), "--json"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["total"] == pytest.approx(100.0)


def test_every_bad_row_is_listed_with_what_it_holds(tmp_path: Path) -> None:
    # Two unquoted decimal commas split their rows; the rows after them are still checked.
    path = tmp_path / "jawaban.csv"
    path.write_text(
        "code,answer\n"
        "A.I.1.i.a,Ya\n"
        "B.I.a,3,62\n"  # row 3
        "A.I.1.i.b,Z\n"  # row 4
        "B.II.a,0,75\n"  # row 5
        "A.I.2.i.a\n"  # row 6
        "A.I.1.ii.c,B\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["score", str(path), "--json"])
    assert result.exit_code == 2 and result.stdout == ""
    lines = [" ".join(line.split()) for line in result.stderr.splitlines()]
    assert "Galat: 4 jawaban tidak dapat dibaca:" in lines
    listed = [line.removeprefix(f"{path}: ") for line in lines if line.startswith(str(path))]
    assert listed == [
        'baris 3: B.I.a: lebih dari dua kolom (tertulis: "3,62"): angka desimal dengan koma '
        'harus diberi tanda kutip ("3,62") atau ditulis dengan titik (3.62)',
        'baris 4: A.I.1.i.b: jawaban tidak sah untuk jenis A/B/C; pilih A/B/C (tertulis: "Z")',
        'baris 5: B.II.a: lebih dari dua kolom (tertulis: "0,75"): angka desimal dengan koma '
        'harus diberi tanda kutip ("0,75") atau ditulis dengan titik (0.75)',
        "baris 6: A.I.2.i.a: kolom 'answer' tidak ada",
    ]


def test_every_clamped_value_is_named(tmp_path: Path) -> None:
    # A.II.1.i.a typed as 150 %; A.II.5.iii.a (LHKPN) 12 filed of 10 obliged = 120 %; A.II.3.iii.a
    # (the fall in discipline violations) (5 − 8) / 5 = −60 %. Each is scored within 0..100 %,
    # and each is said, with its row, its code and what was written.
    answers = top_answers() | {"A.II.1.i.a": "150%"}
    for code in ("A.II.5.iii.a", "A.II.3.iii.a"):
        del answers[code]
    counts = {
        "A.II.5.iii.a:wajib_lapor": "10",
        "A.II.5.iii.a:sudah_lapor": "12",
        "A.II.3.iii.a:pelanggaran_tahun_sebelumnya": "5",
        "A.II.3.iii.a:pelanggaran_tahun_ini": "8",
    }
    path = write_csv(tmp_path / "a.csv", answers | counts)
    result = runner.invoke(app, ["score", str(path), "--json"])
    assert result.exit_code == 0, result.output
    warned = " ".join(result.stderr.split())
    assert "Peringatan: 3 jawaban dibaca tidak persis seperti tertulis:" in warned
    row = {code: n for n, code in enumerate(answers | counts, start=2)}
    assert (
        f"baris {row['A.II.1.i.a']}: A.II.1.i.a: persentase 150% melebihi 100%; dihitung 100%"
        in warned
    )
    assert (
        f"baris {row['A.II.5.iii.a:wajib_lapor']}: A.II.5.iii.a: persentase dari baris Jumlah "
        "120% melebihi 100%; dihitung 100% (wajib_lapor 10, sudah_lapor 12)"
    ) in warned
    assert (
        f"baris {row['A.II.3.iii.a:pelanggaran_tahun_sebelumnya']}: A.II.3.iii.a: persentase dari "
        "baris Jumlah -60% di bawah 0%; dihitung 0% (pelanggaran_tahun_sebelumnya 5, "
        "pelanggaran_tahun_ini 8)"
    ) in warned
    # Scored as 100 %, 100 % and 0 %: only A.II.3.iii.a loses its points, the whole of its
    # indicator (Pelanggaran Disiplin Pegawai, 2,00, one question): 60 − 2 = 58; total 98.
    out = json.loads(result.stdout)
    assert out["pengungkit"] == pytest.approx(58.0)
    assert out["total"] == pytest.approx(98.0)


# --- what to fix first, worked by hand from the LKE's weights ---------------------------------
#
# Every answer at the top but six. Points each would add at its top answer (the gain):
#   B.II.a "3,00"        IPKP 3,00 / 4 × 17,50 = 13,125 of 17,50: gain 4,375
#   A.II.3.iii.a "0%"    Pelanggaran Disiplin Pegawai 2,00, one question: gain 2,00
#   B.I.b "B"            capaian kinerja 0,75 × 5,00 = 3,75 of 5,00: gain 1,25
#   A.II.1.i.a "50%"     Komitmen dalam perubahan 2,00, two questions (1,00 each): gain 0,50
#   A.I.1.ii.a "Tidak"   Rencana Pembangunan ZI 1,00, three questions (1/3 each): gain 0,3333
#   A.I.1.i.b "B"        Penyusunan Tim Kerja 0,50, two questions (0,25 each), B = 0,5: 0,125
# Total 100 − 8,5833 = 91,4167; pengungkit 60 − 2,9583 = 57,0417; every area above 75 %;
# IPAK 17,50; kinerja 3,75; bersih dan akuntabel 21,25. The one WBK floor missed: pelayanan
# prima 13,125 < 14,00 (0,875 short), which only B.II.a feeds: it supplies min(4,375, 0,875).
# Toward WBBM (a unit that holds WBK) the same floor is 15,75: 2,625 short, all of it supplied.
FIX_ANSWERS = {
    "B.II.a": "3,00",
    "A.II.3.iii.a": "0%",
    "B.I.b": "B",
    "A.II.1.i.a": "50%",
    "A.I.1.ii.a": "Tidak",
    "A.I.1.i.b": "B",
}
RANKING = [  # code, top answer, gain, toward the floors
    ("B.II.a", "4", 4.375, 0.875),
    ("A.II.3.iii.a", "100%", 2.0, 0.0),
    ("B.I.b", "A", 1.25, 0.0),
    ("A.II.1.i.a", "100%", 0.5, 0.0),
    ("A.I.1.ii.a", "Ya", 1 / 3, 0.0),
    ("A.I.1.i.b", "A", 0.125, 0.0),
]


def test_fix_first_in_json_is_the_whole_ranking(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "unit.csv", top_answers() | FIX_ANSWERS)
    result = runner.invoke(app, ["score", str(path), "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["total"] == pytest.approx(100 - 4.375 - 2 - 1.25 - 0.5 - 1 / 3 - 0.125)
    ranking = out["fix_first"]
    assert ranking["predicate"] == "WBK"
    items = ranking["items"]
    assert [(i["code"], i["top_answer"]) for i in items] == [(c, t) for c, t, _, _ in RANKING]
    for item, (_, _, gain, toward) in zip(items, RANKING, strict=True):
        assert item["gain"] == pytest.approx(gain)
        assert item["toward_floors"] == pytest.approx(toward)
    assert items[0]["value"] == pytest.approx(0.75)  # 3,00 of 4
    assert items[0]["helps"] == [rule_name("pelayanan_prima", load_framework())]
    assert all(i["helps"] == [] for i in items[1:])
    assert items[1]["text"] == "Penurunan pelanggaran disiplin pegawai"

    wbk = runner.invoke(app, ["score", str(path), "--json", "--berpredikat", "WBK"])
    toward_wbbm = json.loads(wbk.stdout)["fix_first"]
    assert toward_wbbm["predicate"] == "WBBM"
    assert toward_wbbm["items"][0]["toward_floors"] == pytest.approx(2.625)


def test_fix_first_table_shows_five_with_both_numbers(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "unit.csv", top_answers() | FIX_ANSWERS)
    result = runner.invoke(app, ["score", str(path)], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert "Yang perlu diperbaiki lebih dulu menuju WBK" in result.stdout
    rows = [line for line in lines if line[:6].strip(" │").isdigit()]
    assert [row.split("│")[2].split()[0] for row in rows] == [c for c, *_ in RANKING[:5]]
    first = rows[0].split("│")
    assert (first[3].strip(), first[4].strip()) == ("+0,88", "+4,38")  # both numbers
    assert rows[1].split("│")[3].strip() == "—"  # feeds no failing floor
    flat = " ".join(result.stdout.split())
    assert "menutup: Pelayanan publik yang prima (IPKP)" in flat.replace("│ ", "")
    assert "kini 3,00 → 4" in flat and "kini Tidak → Ya" in flat
    assert "1 butir lain: --perbaikan 0 untuk semua" in flat
    assert "pelayanan_prima" not in result.stdout and "area_percent" not in result.stdout

    every = runner.invoke(app, ["score", str(path), "--perbaikan", "0"], env={"COLUMNS": "80"})
    assert "A.I.1.i.b" in every.stdout.split("Yang perlu diperbaiki")[1]
    assert "butir lain" not in every.stdout


def test_fix_first_when_everything_is_at_the_top(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "unit.csv", top_answers())
    result = runner.invoke(app, ["score", str(path)])
    assert "Semua butir LKE sudah pada jawaban tertinggi." in result.stdout
    out = json.loads(runner.invoke(app, ["score", str(path), "--json"]).stdout)
    assert out["fix_first"] == {"predicate": "WBK", "items": []}
    wrong = runner.invoke(app, ["score", str(path), "--berpredikat", "emas"])
    assert wrong.exit_code == 2 and "--berpredikat 'emas': pilih WBK atau WBBM" in wrong.stderr
