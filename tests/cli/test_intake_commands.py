"""`zi agency`, `zi period`, `zi lke`, `zi score` on files and `zi status` on a real database
(SQLite and PostgreSQL): the messages users read, the exit statuses, and what is stored."""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine, func, select
from sqlalchemy.engine import URL
from sqlmodel import Session
from sqlmodel import select as sqlmodel_select
from typer.testing import CliRunner, Result

from config.framework_files import load_framework
from config.settings import get_settings
from persistence.tables import Assessment, AssessmentKind, AssessmentVersion, Instansi, UnitKerja
from spreadsheets.agency_workbook import write_agency_workbook
from spreadsheets.lke_form import LkeFormUnit, answer_rows, read_lke_form, write_lke_form
from tests.builders import (
    agency_records,
    fill_lke_form,
    top_answers,
    write_long_csv,
    zi_domain_total,
)
from zi_cli.main import app
from zi_domain.indonesian import angka

runner = CliRunner()
WIDE = {"COLUMNS": "300"}  # tables unwrapped, as in a wide terminal
FRAMEWORK = load_framework("permenpanrb-90-2021")
AS_OF = "2026-03-02"
ANSWERS = top_answers(FRAMEWORK, ipkp="3,19") | {"A.I.1.i.b": "B", "B.I.b": "B"}


@pytest.fixture
def cli_database(
    engine: Engine, database_url: URL, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> Engine:
    """An empty migrated database, the CLI pointed at it."""
    monkeypatch.setenv("ZI_DATABASE_URL", database_url.render_as_string(hide_password=False))
    get_settings.cache_clear()
    return engine


def zi(*args: object) -> Result:
    return runner.invoke(app, [str(a) for a in args], env=WIDE)


def flat(text: str) -> str:
    return " ".join(text.split())


def count(
    engine: Engine, model: type[Instansi | UnitKerja | Assessment | AssessmentVersion]
) -> int:
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(model)).scalar_one())


@pytest.fixture
def registered(cli_database: Engine, tmp_path: Path) -> Engine:
    """The builders' agency imported and its 2026 period opened, through the CLI."""
    path = tmp_path / "agensi.xlsx"
    write_agency_workbook(path, agency_records())
    assert zi("agency", "import", path).exit_code == 0
    opened = zi(
        "period", "open", "--instansi", "KABUJI", "--start", "2026-01-01", "--end", "2026-12-31"
    )
    assert opened.exit_code == 0, opened.output
    return cli_database


# --- zi agency ----------------------------------------------------------------------------------


def test_agency_template_then_import_of_a_filled_copy(cli_database: Engine, tmp_path: Path) -> None:
    template = tmp_path / "templat.xlsx"
    written = zi("agency", "template", template)
    assert written.exit_code == 0, written.output
    assert f"Templat buku kerja agensi ditulis: {template}" in flat(written.stdout)
    assert load_workbook(template).sheetnames == [
        "Petunjuk", "Instansi", "Unit Kerja", "Tim", "Syarat Instansi", "Syarat Unit",
    ]  # fmt: skip
    empty = zi("agency", "import", template)
    assert empty.exit_code == 2
    assert "lembar Instansi: tidak ada baris data; isi tepat satu baris instansi" in flat(
        empty.stderr
    )

    filled = tmp_path / "agensi.xlsx"
    write_agency_workbook(filled, agency_records())
    result = zi("agency", "import", filled)
    assert result.exit_code == 0, result.output
    out = flat(result.stdout)
    assert "ditambahkan: instansi KABUJI" in out
    assert "ditambahkan: unit DPMPTSP" in out
    assert "ditambahkan: anggota tim siti@uji.go.id (kepala_unit, unit DPMPTSP)" in out
    assert "Instansi KABUJI: 11 ditambahkan, 0 diubah, 0 tetap, 0 tidak ada di berkas." in out
    assert "--dry-run" not in out
    assert (count(cli_database, Instansi), count(cli_database, UnitKerja)) == (1, 3)

    again = zi("agency", "import", filled)
    assert "Instansi KABUJI: 0 ditambahkan, 0 diubah, 11 tetap, 0 tidak ada di berkas." in flat(
        again.stdout
    )


def test_agency_import_dry_run_says_so_and_writes_nothing(
    cli_database: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "agensi.xlsx"
    write_agency_workbook(path, agency_records())
    result = zi("agency", "import", path, "--dry-run")
    assert result.exit_code == 0, result.output
    out = flat(result.stdout)
    assert "ditambahkan: unit RSUD" in out
    assert (
        "Instansi KABUJI: 11 ditambahkan, 0 diubah, 0 tetap, 0 tidak ada di berkas. "
        "Uji coba (--dry-run): tidak ada yang disimpan." in out
    )
    assert count(cli_database, Instansi) == 0 and count(cli_database, UnitKerja) == 0


def test_a_bad_agency_workbook_exits_2_listing_every_place(
    cli_database: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "agensi.xlsx"
    write_agency_workbook(path, agency_records())
    workbook = load_workbook(path)
    workbook["Unit Kerja"]["C2"] = "Mungkin"  # DPMPTSP's Layanan inti
    workbook["Tim"]["C2"] = "rina(at)uji.go.id"  # the TPI member's e-mail
    workbook["Syarat Unit"]["D2"] = "120"  # LHKPN (%)
    workbook.save(path)

    result = zi("agency", "import", path)
    assert result.exit_code == 2
    err = flat(result.stderr)
    assert "agensi.xlsx, Unit Kerja!C2: 'Mungkin' bukan Ya/Tidak" in err
    assert "agensi.xlsx, Tim!C2: 'rina(at)uji.go.id' bukan alamat e-mail yang sah" in err
    assert "agensi.xlsx, Syarat Unit!D2: '120' bukan persen 0–100" in err
    assert result.stdout == ""
    assert count(cli_database, Instansi) == 0


def test_agency_export_then_import_changes_nothing(cli_database: Engine, tmp_path: Path) -> None:
    path = tmp_path / "agensi.xlsx"
    write_agency_workbook(path, agency_records())
    zi("agency", "import", path)

    exported = tmp_path / "ekspor.xlsx"
    result = zi("agency", "export", exported, "--instansi", "KABUJI")
    assert result.exit_code == 0, result.output
    assert "Buku kerja agensi KABUJI (3 unit) ditulis:" in result.stdout
    assert str(exported) in result.stdout.splitlines()  # the path whole, on its own line
    back = zi("agency", "import", exported)
    assert back.exit_code == 0, back.output
    assert "Instansi KABUJI: 0 ditambahkan, 0 diubah, 11 tetap, 0 tidak ada di berkas." in flat(
        back.stdout
    )

    unknown = zi("agency", "export", tmp_path / "x.xlsx", "--instansi", "KABLAIN")
    assert unknown.exit_code == 2
    assert "instansi 'KABLAIN' tidak ditemukan (yang ada: KABUJI)" in flat(unknown.stderr)
    not_xlsx = zi("agency", "export", tmp_path / "x.csv", "--instansi", "KABUJI")
    assert not_xlsx.exit_code == 2 and "nama berkas harus berakhiran .xlsx" in flat(not_xlsx.stderr)


def test_an_instansi_name_held_under_another_code_exits_2(
    cli_database: Engine, tmp_path: Path
) -> None:
    first, second = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    write_agency_workbook(first, agency_records())
    write_agency_workbook(second, agency_records(code="KABUJI2"))
    assert zi("agency", "import", first).exit_code == 0
    result = zi("agency", "import", second)
    assert result.exit_code == 2
    assert "KABUJI" in result.stderr and "Pemerintah Kabupaten Uji" in result.stderr
    assert count(cli_database, Instansi) == 1


# --- zi period ----------------------------------------------------------------------------------


def test_period_open_and_list(cli_database: Engine, tmp_path: Path) -> None:
    path = tmp_path / "agensi.xlsx"
    write_agency_workbook(path, agency_records())
    zi("agency", "import", path)

    window = ("--start", "2026-01-01", "--end", "2026-06-30")
    opened = zi("period", "open", "--instansi", "KABUJI", *window)
    assert opened.exit_code == 0, opened.output
    assert "Periode 'Penilaian TPI 2026' 1 Januari 2026 s.d. 30 Juni 2026 dibuka." in flat(
        opened.stdout
    )
    again = zi("period", "open", "--instansi", "KABUJI", *window)
    assert again.exit_code == 0
    assert "sudah ada (tidak diubah)" in again.stdout
    overlap = zi(
        "period", "open", "--instansi", "KABUJI", "--name", "Susulan",
        "--start", "2026-06-01", "--end", "2026-07-31",
    )  # fmt: skip
    assert overlap.exit_code == 2
    assert (
        "periode 'Susulan' bertumpang tindih dengan 'Penilaian TPI 2026' "
        "(1 Januari 2026 s.d. 30 Juni 2026)" in flat(overlap.stderr)
    )
    backwards = zi(
        "period", "open", "--instansi", "KABUJI", "--start", "2026-09-01", "--end", "2026-08-01"
    )
    assert backwards.exit_code == 2
    assert "tanggal selesai sebelum tanggal mulai" in flat(backwards.stderr)
    unknown = zi("period", "open", "--instansi", "KABLAIN", *window)
    assert unknown.exit_code == 2 and "instansi 'KABLAIN' tidak ditemukan" in unknown.stderr

    listed = zi("period", "list", "--instansi", "KABUJI")
    assert listed.exit_code == 0
    out = flat(listed.stdout)
    assert "2026 │ Penilaian TPI 2026 │ 1 Januari 2026 │ 30 Juni 2026" in out
    assert "Susulan" not in out


# --- zi lke -------------------------------------------------------------------------------------


def templates(tmp_path: Path) -> Path:
    folder = tmp_path / "lke"
    result = zi("lke", "template", "--instansi", "KABUJI", "--out", folder, "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    return folder


def test_lke_template_writes_one_workbook_per_unit(registered: Engine, tmp_path: Path) -> None:
    folder = tmp_path / "lke"
    result = zi("lke", "template", "--instansi", "KABUJI", "--out", folder, "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    names = ["LKE-DPMPTSP-2026.xlsx", "LKE-DUKCAPIL-2026.xlsx", "LKE-RSUD-2026.xlsx"]
    assert sorted(p.name for p in folder.iterdir()) == names
    lines = result.stdout.splitlines()  # each path whole on its own line
    assert str(folder / "LKE-DUKCAPIL-2026.xlsx") in lines
    assert lines[-2:] == ["3 buku kerja LKE ditulis di folder:", str(folder)]
    content = read_lke_form(folder / "LKE-RSUD-2026.xlsx", framework=FRAMEWORK)
    assert (content.unit_code, content.instansi_code, content.problems) == ("RSUD", "KABUJI", ())

    neither = zi("lke", "template", "--out", folder)
    assert neither.exit_code == 2
    assert "sebutkan --unit KODE atau --instansi KODE (salah satu)" in flat(neither.stderr)
    kind = zi("lke", "template", "--unit", "RSUD", "--kind", "pusat", "--out", folder)
    assert kind.exit_code == 2 and "--kind 'pusat': pilih mandiri atau tpi" in flat(kind.stderr)


def test_lke_import_of_a_workbook_prints_the_unit_and_its_total(
    registered: Engine, tmp_path: Path
) -> None:
    path = fill_lke_form(templates(tmp_path) / "LKE-DPMPTSP-2026.xlsx", ANSWERS)
    result = zi("lke", "import", path, "--kind", "tpi", "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    total = angka(zi_domain_total(ANSWERS))
    assert (
        f"LKE-DPMPTSP-2026.xlsx: DPMPTSP total {total}, belum memenuhi batas; versi 1 (pertama)"
        in flat(result.stdout)
    )
    with Session(registered) as session:
        assert [a.kind for a in session.exec(sqlmodel_select(Assessment))] == [AssessmentKind.TPI]

    again = zi("lke", "import", path, "--kind", "tpi", "--as-of", AS_OF)
    assert "tidak berubah (versi 1)" in flat(again.stdout)
    assert count(registered, AssessmentVersion) == 1


def test_lke_import_of_a_folder_takes_the_good_file_and_lists_the_bad_ones_problems(
    registered: Engine, tmp_path: Path
) -> None:
    folder = templates(tmp_path)
    fill_lke_form(folder / "LKE-DPMPTSP-2026.xlsx", ANSWERS)
    fill_lke_form(folder / "LKE-RSUD-2026.xlsx", ANSWERS | {"A.I.1.i.b": "Z"})
    (folder / "LKE-DUKCAPIL-2026.xlsx").unlink()

    result = zi("lke", "import", folder, "--as-of", AS_OF)
    assert result.exit_code == 2
    out, err = flat(result.stdout), flat(result.stderr)
    assert "LKE-DPMPTSP-2026.xlsx: DPMPTSP total" in out
    assert "1 berkas diterima, 1 ditolak." in out
    row = answer_rows(FRAMEWORK)["A.I.1.i.b"]
    assert (
        f"Ditolak: 1 masalah, tidak ada yang disimpan: LKE-RSUD-2026.xlsx: LKE!F{row}: "
        "A.I.1.i.b: jawaban tidak sah" in err
    )
    assert count(registered, AssessmentVersion) == 1


def test_lke_import_of_the_long_csv_needs_the_instansi(registered: Engine, tmp_path: Path) -> None:
    units = {
        "DPMPTSP": ANSWERS,
        "DUKCAPIL": top_answers(FRAMEWORK),
        "RSUD": top_answers(FRAMEWORK, kinerja="C"),
    }
    path = write_long_csv(tmp_path / "semua.csv", units)
    without = zi("lke", "import", path, "--as-of", AS_OF)
    assert without.exit_code == 2
    assert "semua.csv: CSV panjang memerlukan --instansi KODE" in flat(without.stderr)

    result = zi("lke", "import", path, "--instansi", "KABUJI", "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    out = flat(result.stdout)
    answers = sum(len(a) for a in units.values())
    assert f"semua.csv: pemisah koma (,), {answers} jawaban" in out
    for code, given in units.items():
        assert f"semua.csv: {code} total {angka(zi_domain_total(given))}," in out
    assert "semua.csv: 3 unit, 3 versi baru, 0 tetap" in out

    unknown = write_long_csv(tmp_path / "lain.csv", {"TIDAKADA": {"A.I.1.i.a": "Ya"}})
    refused = zi("lke", "import", unknown, "--instansi", "KABUJI", "--as-of", AS_OF)
    assert refused.exit_code == 2
    assert "lain.csv: baris 2: unit kerja 'TIDAKADA' tidak ada di instansi" in flat(refused.stderr)


# --- zi score on files --------------------------------------------------------------------------


def one_unit_csv(path: Path, answers: Mapping[str, str], delimiter: str) -> Path:
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file, delimiter=delimiter, lineterminator="\n")
        writer.writerow(("code", "answer"))
        writer.writerows(answers.items())
    return path


def score_json(path: Path) -> tuple[float, str]:
    result = runner.invoke(app, ["score", str(path), "--json"])
    assert result.exit_code == 0, result.output
    return float(json.loads(result.stdout)["total"]), result.stderr


def test_score_reads_a_semicolon_csv_as_the_comma_one(tmp_path: Path) -> None:
    comma = one_unit_csv(tmp_path / "koma.csv", ANSWERS, ",")
    semicolon = one_unit_csv(tmp_path / "titik-koma.csv", ANSWERS, ";")
    assert "B.II.a;3,19" in semicolon.read_text()

    comma_total, comma_err = score_json(comma)
    semicolon_total, semicolon_err = score_json(semicolon)
    assert comma_total == pytest.approx(zi_domain_total(ANSWERS), abs=1e-9)
    assert semicolon_total == comma_total
    assert "titik-koma.csv: pemisah titik koma (;)" in flat(semicolon_err)
    assert "koma.csv: pemisah koma (,)" in flat(comma_err)


def test_score_reads_a_filled_lke_workbook(tmp_path: Path) -> None:
    path = tmp_path / "LKE.xlsx"
    unit = LkeFormUnit("KABUJI", "Pemerintah Kabupaten Uji", "RSUD", "RSUD Uji", 2026, "2026")
    write_lke_form(path, framework=FRAMEWORK, unit=unit, answers={}, work_items=())
    fill_lke_form(path, ANSWERS)
    workbook_total, _ = score_json(path)
    csv_total, _ = score_json(one_unit_csv(tmp_path / "sama.csv", ANSWERS, ","))
    assert workbook_total == pytest.approx(csv_total, abs=1e-9)

    shown = runner.invoke(app, ["score", str(path)], env=WIDE)
    assert shown.exit_code == 0 and angka(csv_total) in shown.stdout

    fill_lke_form(path, {"B.II.a": "9"})
    bad = runner.invoke(app, ["score", str(path)])
    assert bad.exit_code == 2
    row = answer_rows(FRAMEWORK)["B.II.a"]
    assert f"LKE!F{row}: B.II.a: nilai indeks tidak sah" in flat(bad.stderr)


# --- zi status ----------------------------------------------------------------------------------


def test_status_shows_every_unit_and_what_holds_it(registered: Engine) -> None:
    result = zi("status", "--instansi", "KABUJI", "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    out = flat(result.stdout)
    assert "Pemerintah Kabupaten Uji (KABUJI) per 2 Maret 2026" in out
    for code in ("DPMPTSP", "DUKCAPIL", "RSUD"):
        assert f"│ {code} " in out
    assert out.count("Pencanangan") == 3
    assert "belum ada pencanangan ZI oleh pimpinan instansi atau oleh kepala unit" in out
    # RSUD meets none of the criteria: weighed, not a gate (90/2021 Lampiran I Bab II), so only
    # the missing declaration holds it.
    assert "kriteria" not in out

    unknown = zi("status", "--instansi", "KABLAIN")
    assert unknown.exit_code == 2 and "instansi 'KABLAIN' tidak ditemukan" in unknown.stderr


# --- the README's example files ------------------------------------------------------------------

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_the_example_agency_as_csv_files_is_the_example_workbook(cli_database: Engine) -> None:
    csv_files = sorted((EXAMPLES / "agensi-csv").glob("*.csv"))
    assert len(csv_files) == 5
    first = zi("agency", "import", *csv_files)
    assert first.exit_code == 0, first.output
    assert "unit-kerja.csv: pemisah titik koma (;)" in flat(first.stdout)
    assert "46 ditambahkan" in flat(first.stdout)
    same = zi("agency", "import", EXAMPLES / "agensi-contoh.xlsx")
    assert "0 ditambahkan, 0 diubah, 46 tetap, 0 tidak ada di berkas" in flat(same.stdout)


def test_the_example_long_csv_imports_two_units(cli_database: Engine) -> None:
    assert zi("agency", "import", EXAMPLES / "agensi-contoh.xlsx").exit_code == 0
    opened = zi(
        "period", "open", "--instansi", "KAB-CTH", "--start", "2027-02-01", "--end", "2027-05-31"
    )
    assert opened.exit_code == 0, opened.output
    imported = zi(
        "lke", "import", EXAMPLES / "jawaban-contoh.csv", "--instansi", "KAB-CTH",
        "--as-of", "2027-03-01",
    )  # fmt: skip
    out = flat(imported.stdout)
    assert imported.exit_code == 0, imported.output
    assert "pemisah titik koma (;)" in out
    assert "RSUD total 98,47, memenuhi WBK, WBBM; versi 1 (pertama)" in out
    assert "DISDIK total 95,80, memenuhi WBK; versi 1 (pertama)" not in out  # IPKP 3,19: WBK fails
    assert "DISDIK total 95,80, belum memenuhi batas; versi 1 (pertama)" in out
