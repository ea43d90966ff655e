"""The agency workbook: the template a coordinator fills in, its export, and reading either back
(or the same tables as CSV files) with every problem named at its cell."""

from __future__ import annotations

import zipfile
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from spreadsheets.agency_workbook import (
    AgencyFileError,
    read_agency_file,
    sorted_records,
    write_agency_workbook,
)
from spreadsheets.tabular import write_csv
from zi_domain.agency import (
    AgencyRecords,
    InstansiRecord,
    InstansiStanding,
    MemberRecord,
    UnitRecord,
    UnitStanding,
)

SHEETS = ["Petunjuk", "Instansi", "Unit Kerja", "Tim", "Syarat Instansi", "Syarat Unit"]
HEADERS = {
    "Instansi": [
        "Kode instansi",
        "Nama instansi",
        "Jenis",
        "Wilayah",
        "Nama pimpinan",
        "Jabatan pimpinan",
        "Pimpinan dipilih",
    ],
    "Unit Kerja": [
        "Kode unit",
        "Nama unit",
        "Layanan inti",
        "Risiko korupsi tinggi",
        "Dampak publik luas",
        "Jenis layanan",
        "Unit prioritas daerah",
    ],
    "Tim": ["Nama", "NIP", "E-mail", "Peran", "Kode unit"],
    "Syarat Instansi": ["Tahun", "Opini BPK", "Nilai SAKIP", "Indeks RB", "Level SPIP"],
    "Syarat Unit": [
        "Kode unit",
        "Tahun",
        "Tindak lanjut temuan (%)",
        "LHKPN (%)",
        "LHKASN (%)",
        "SAKIP internal",
    ],
}
YES_NO = '"Ya,Tidak"'
GRADES = '"AA,A,BB,B,CC,C,D"'

RECORDS = AgencyRecords(
    instansi=InstansiRecord(
        code="KABCONTOH",
        name="Pemerintah Kabupaten Contoh",
        kind="pemerintah_daerah",
        region="Kabupaten Contoh",
        head_name="Drs. Budi Santoso, M.Si.",
        head_title="Bupati Contoh",
        head_elected=True,
    ),
    units=(
        UnitRecord(
            "DPMPTSP",
            "Dinas Penanaman Modal dan PTSP",
            True,
            True,
            True,
            ("perizinan", "pengaduan"),
            True,
        ),
        UnitRecord(
            "DUKCAPIL",
            "Dinas Kependudukan dan Pencatatan Sipil",
            True,
            False,
            True,
            ("administrasi kependudukan",),
            False,
        ),
        UnitRecord("RSUD", "RSUD Contoh", False, False, False, (), False),
    ),
    members=(
        MemberRecord(
            "Drs. Budi Santoso, M.Si.", None, "bupati@contoh.go.id", "pimpinan_instansi", None
        ),
        MemberRecord("Rina Wulandari", "197903122005012003", "rina@contoh.go.id", "tpi", None),
        MemberRecord(
            "Siti Rahmawati, S.E.",
            "198501012010012001",
            "siti@contoh.go.id",
            "kepala_unit",
            "DPMPTSP",
        ),
        MemberRecord(
            "Agus Pratama", "199002022015031002", "agus@contoh.go.id", "anggota_tim", "DPMPTSP"
        ),
        MemberRecord("Dewi Lestari", None, "dewi@contoh.go.id", "kepala_unit", "DUKCAPIL"),
    ),
    instansi_standings=(
        InstansiStanding(2024, "WTP", "B", "B", 3),
        InstansiStanding(2025, "WTP", "BB", "B", 3),
    ),
    unit_standings=(
        UnitStanding("DPMPTSP", 2025, 92.5, 100.0, 98.0, "BB"),
        UnitStanding("DUKCAPIL", 2025, 87.25, 95.0, 100.0, "B"),
    ),
)
# Row positions in the written workbook (canonical order): Tim 2 tpi, 3 pimpinan, 4 kepala DPMPTSP,
# 5 anggota DPMPTSP, 6 kepala DUKCAPIL; Unit Kerja 2 DPMPTSP, 3 DUKCAPIL, 4 RSUD.


def sheet_of(path: Path, title: str) -> Worksheet:
    sheet = load_workbook(path)[title]
    assert isinstance(sheet, Worksheet)
    return sheet


def contents(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    workbook = load_workbook(path)
    return {
        title: [tuple(row) for row in workbook[title].iter_rows(values_only=True)]
        for title in workbook.sheetnames
    }


def exported(tmp_path: Path, records: AgencyRecords = RECORDS, name: str = "agensi.xlsx") -> Path:
    path = tmp_path / name
    write_agency_workbook(path, records)
    return path


def problems_of(paths: list[Path]) -> list[str]:
    with pytest.raises(AgencyFileError) as raised:
        read_agency_file(paths)
    assert str(raised.value) == "\n".join(raised.value.problems)
    return raised.value.problems


# --- the template ----------------------------------------------------------------------------


def test_the_template_has_the_sheets_and_headers(tmp_path: Path) -> None:
    path = tmp_path / "templat.xlsx"
    write_agency_workbook(path, None)
    workbook = load_workbook(path)
    assert workbook.sheetnames == SHEETS
    for title, headers in HEADERS.items():
        sheet = workbook[title]
        assert [c.value for c in sheet[1]] == headers
        assert sheet.max_row == 1, "the template has no data row to be imported by mistake"
        assert sheet.freeze_panes == "A2"
        assert all(cell.font.bold for cell in sheet[1])


def validations(sheet: Worksheet) -> dict[str, tuple[str, str | None, str | None]]:
    return {
        str(v.sqref): (v.type, v.formula1, v.formula2)
        for v in sheet.data_validations.dataValidation
    }


def test_the_template_has_drop_downs_and_ranges(tmp_path: Path) -> None:
    path = tmp_path / "templat.xlsx"
    write_agency_workbook(path, None)
    workbook = load_workbook(path)
    assert validations(workbook["Instansi"]) == {
        "C2:C501": ("list", '"kementerian_lembaga,pemerintah_daerah"', None),
        "G2:G501": ("list", YES_NO, None),
    }
    assert validations(workbook["Unit Kerja"]) == {
        f"{c}2:{c}501": ("list", YES_NO, None) for c in "CDEG"
    }
    assert validations(workbook["Tim"]) == {
        "D2:D501": ("list", '"kepala_unit,anggota_tim,tpi,pimpinan_instansi"', None)
    }
    assert validations(workbook["Syarat Instansi"]) == {
        "A2:A501": ("whole", "2000", "2100"),
        "B2:B501": ("list", '"WTP,WDP,TW,TMP"', None),
        "C2:C501": ("list", GRADES, None),
        "D2:D501": ("list", GRADES, None),
        "E2:E501": ("whole", "1", "5"),
    }
    assert validations(workbook["Syarat Unit"]) == {
        "B2:B501": ("whole", "2000", "2100"),
        "C2:C501": ("decimal", "0", "100"),
        "D2:D501": ("decimal", "0", "100"),
        "E2:E501": ("decimal", "0", "100"),
        "F2:F501": ("list", GRADES, None),
    }
    for title in HEADERS:
        for validation in workbook[title].data_validations.dataValidation:
            assert validation.showErrorMessage and validation.allow_blank
            assert validation.error


def test_codes_and_nips_are_formatted_as_text(tmp_path: Path) -> None:
    path = tmp_path / "templat.xlsx"
    write_agency_workbook(path, None)
    team = sheet_of(path, "Tim")
    assert team.column_dimensions["B"].number_format == "@"  # an 18-digit NIP is not rounded
    assert team.column_dimensions["E"].number_format == "@"
    assert sheet_of(path, "Unit Kerja").column_dimensions["A"].number_format == "@"


def test_the_guide_explains_every_sheet_and_column(tmp_path: Path) -> None:
    path = tmp_path / "templat.xlsx"
    write_agency_workbook(path, None)
    lines = contents(path)["Petunjuk"]
    text = "\n".join(str(cell) for line in lines for cell in line if cell is not None)
    for title, headers in HEADERS.items():
        described = {line[1] for line in lines if line[0] == title}
        assert set(headers) <= described, title
        assert f"Lembar {title}:" in text
    assert "tidak pernah dihapus" in text
    assert "CSV" in text
    assert "kepala_unit (kepala unit kerja)" in text


def test_the_empty_template_cannot_be_imported_as_it_is(tmp_path: Path) -> None:
    path = tmp_path / "templat.xlsx"
    write_agency_workbook(path, None)
    assert problems_of([path]) == [
        "templat.xlsx, lembar Instansi: tidak ada baris data; isi tepat satu baris instansi"
    ]


# --- export and import -----------------------------------------------------------------------


def test_records_written_then_read_are_the_same(tmp_path: Path) -> None:
    assert sorted_records(RECORDS) != RECORDS, "the fixture is not in the canonical order"
    assert read_agency_file([exported(tmp_path)]) == sorted_records(RECORDS)


def test_export_import_export_changes_nothing(tmp_path: Path) -> None:
    first = exported(tmp_path, name="satu.xlsx")
    again = exported(tmp_path, read_agency_file([first]), name="dua.xlsx")
    assert contents(again) == contents(first)
    assert read_agency_file([again]) == read_agency_file([first])


def test_the_export_writes_rows_in_the_canonical_order(tmp_path: Path) -> None:
    lines = contents(exported(tmp_path))
    assert [line[0] for line in lines["Unit Kerja"][1:]] == ["DPMPTSP", "DUKCAPIL", "RSUD"]
    assert [(line[3], line[4]) for line in lines["Tim"][1:]] == [
        ("tpi", None),
        ("pimpinan_instansi", None),
        ("kepala_unit", "DPMPTSP"),
        ("anggota_tim", "DPMPTSP"),
        ("kepala_unit", "DUKCAPIL"),
    ]
    assert lines["Unit Kerja"][1] == (
        "DPMPTSP", "Dinas Penanaman Modal dan PTSP", "Ya", "Ya", "Ya", "perizinan; pengaduan", "Ya"
    )  # fmt: skip
    assert lines["Syarat Unit"][1] == ("DPMPTSP", 2025, 92.5, 100, 98, "BB")
    assert lines["Tim"][1] == (
        "Rina Wulandari", "197903122005012003", "rina@contoh.go.id", "tpi", None
    )  # fmt: skip


def test_the_row_order_of_a_file_does_not_matter(tmp_path: Path) -> None:
    path = exported(tmp_path)
    workbook = load_workbook(path)
    units = workbook["Unit Kerja"]
    rows = [[c.value for c in row] for row in units.iter_rows(min_row=2)]
    for at, row in enumerate(reversed(rows), start=2):
        for column, value in enumerate(row, start=1):
            units.cell(at, column).value = value  # cell(at, column, None) keeps a value
    workbook.save(path)
    assert read_agency_file([path]) == sorted_records(RECORDS)


def test_texts_that_look_like_formulas_stay_text(tmp_path: Path) -> None:
    sly = replace(
        RECORDS,
        units=(replace(RECORDS.units[0], name='=HYPERLINK("http://jahat","klik")'),),
        members=(
            MemberRecord("+62 812 3456", None, "a@contoh.go.id", "tpi", None),
            MemberRecord("-Budi", None, "b@contoh.go.id", "pimpinan_instansi", None),
            MemberRecord("@Siti", None, "c@contoh.go.id", "kepala_unit", "DPMPTSP"),
        ),
        unit_standings=(),
    )
    path = exported(tmp_path, sly)
    with zipfile.ZipFile(path) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
        assert all(b"<f>" not in archive.read(name) for name in sheets)
    unit = sheet_of(path, "Unit Kerja")["B2"]
    assert (unit.data_type, unit.value) == ("s", '=HYPERLINK("http://jahat","klik")')
    assert unit.quotePrefix
    team = sheet_of(path, "Tim")
    assert [team[f"A{row}"].value for row in (2, 3, 4)] == ["+62 812 3456", "-Budi", "@Siti"]
    assert all(team[f"A{row}"].quotePrefix for row in (2, 3, 4))
    assert read_agency_file([path]) == sorted_records(sly)


def test_control_characters_are_dropped_from_texts(tmp_path: Path) -> None:
    messy = replace(
        RECORDS, instansi=replace(RECORDS.instansi, name="Pemerintah\x07 Kabupaten Contoh")
    )
    assert read_agency_file([exported(tmp_path, messy)]).instansi == RECORDS.instansi


# --- CSV files ---------------------------------------------------------------------------------

# As Excel saves "CSV UTF-8" under Indonesian settings: a BOM, semicolons, decimal commas, and
# the coordinator's own spelling of Ya/Tidak, grades and roles.
SEMICOLON_FILES = {
    "instansi.csv": (
        "\ufeffKode instansi;Nama instansi;Jenis;Wilayah;Nama pimpinan;Jabatan pimpinan;"
        "Pimpinan dipilih\r\n"
        "KABCONTOH;Pemerintah Kabupaten Contoh;Pemerintah_Daerah;Kabupaten Contoh;"
        "Drs. Budi Santoso, M.Si.;Bupati Contoh;YA\r\n"
    ),
    "unit.csv": (
        "\ufeffKode unit;Nama unit;Layanan inti;Risiko korupsi tinggi;Dampak publik luas;"
        "Jenis layanan;Unit prioritas daerah\r\n"
        "RSUD;RSUD Contoh;Tidak;tidak;TIDAK;;Tidak\r\n"
        'DPMPTSP;Dinas Penanaman Modal dan PTSP;Ya;ya;Ya;"perizinan ; pengaduan;";Ya\r\n'
        'DUKCAPIL;Dinas Kependudukan dan Pencatatan Sipil;Ya;Tidak;Ya;"administrasi '
        'kependudukan";Tidak\r\n'
    ),
    "tim.csv": (
        "\ufeffNama;NIP;E-mail;Peran;Kode unit\r\n"
        "Drs. Budi Santoso, M.Si.;;bupati@contoh.go.id;pimpinan_instansi;\r\n"
        "Rina Wulandari;19790312 200501 2 003;rina@contoh.go.id;TPI;\r\n"
        "Siti Rahmawati, S.E.;198501012010012001;siti@contoh.go.id;kepala_unit;DPMPTSP\r\n"
        "Agus Pratama;199002022015031002;agus@contoh.go.id;Anggota_Tim;DPMPTSP\r\n"
        "Dewi Lestari;;dewi@contoh.go.id;kepala_unit;DUKCAPIL\r\n"
    ),
    "syarat_instansi.csv": (
        "\ufeffTahun;Opini BPK;Nilai SAKIP;Indeks RB;Level SPIP\r\n2025;wtp;bb;B;3\r\n"
        "2024;WTP;B;b;3\r\n"
    ),
    "syarat_unit.csv": (
        "\ufeffKode unit;Tahun;Tindak lanjut temuan (%);LHKPN (%);LHKASN (%);SAKIP internal\r\n"
        "DPMPTSP;2025;92,5%;100;98,0;bb\r\n"
        "DUKCAPIL;2025;87,25;95 %;100;B\r\n"
    ),
}


def write_files(tmp_path: Path, files: Mapping[str, str]) -> list[Path]:
    paths = []
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8", newline="")
        paths.append(tmp_path / name)
    return paths


def test_semicolon_csv_files_give_the_same_records(tmp_path: Path) -> None:
    assert read_agency_file(write_files(tmp_path, SEMICOLON_FILES)) == sorted_records(RECORDS)


def test_comma_csv_files_give_the_same_records(tmp_path: Path) -> None:
    """The sheets of an export saved one per CSV file with commas, each in any file name."""
    lines = contents(exported(tmp_path / "..", name="sumber.xlsx"))
    paths = []
    for number, title in enumerate(HEADERS, start=1):
        path = tmp_path / f"berkas{number}.csv"
        header, *rows = lines[title]
        write_csv(path, [str(h) for h in header], rows)
        paths.append(path)
    assert read_agency_file(list(reversed(paths))) == sorted_records(RECORDS)


def test_csv_headers_are_recognised_in_any_spelling(tmp_path: Path) -> None:
    files = dict(SEMICOLON_FILES)
    files["tim.csv"] = files["tim.csv"].replace(
        "Nama;NIP;E-mail;Peran;Kode unit", "NAMA;nip;Email;PERAN;kode_unit"
    )
    files["syarat_unit.csv"] = files["syarat_unit.csv"].replace(
        "Tindak lanjut temuan (%);LHKPN (%);LHKASN (%)", "tindak lanjut temuan;LHKPN;lhkasn %"
    )
    assert read_agency_file(write_files(tmp_path, files)) == sorted_records(RECORDS)


def test_an_instansi_without_region_and_with_a_career_head(tmp_path: Path) -> None:
    central = AgencyRecords(
        replace(RECORDS.instansi, kind="kementerian_lembaga", region="", head_elected=False)
    )
    path = exported(tmp_path, central)
    assert contents(path)["Instansi"][1][3] is None
    assert read_agency_file([path]) == central


def test_only_the_instansi_file_is_needed(tmp_path: Path) -> None:
    paths = write_files(tmp_path, {"instansi.csv": SEMICOLON_FILES["instansi.csv"]})
    assert read_agency_file(paths) == AgencyRecords(RECORDS.instansi)


def test_a_csv_file_of_unknown_columns_is_named(tmp_path: Path) -> None:
    paths = write_files(tmp_path, {**SEMICOLON_FILES, "lain.csv": "kode;nilai\nA;1\n"})
    [problem] = problems_of(paths)
    assert problem.startswith("lain.csv: kepala kolom tidak dikenali; yang dikenal: Instansi: ")


def test_two_csv_files_of_one_sheet_are_refused(tmp_path: Path) -> None:
    paths = write_files(tmp_path, {**SEMICOLON_FILES, "tim2.csv": SEMICOLON_FILES["tim.csv"]})
    assert problems_of(paths) == [
        "tim2.csv: berkas tim.csv sudah berisi lembar Tim; berikan satu berkas per lembar"
    ]


def test_csv_files_without_an_instansi_file(tmp_path: Path) -> None:
    files = {name: text for name, text in SEMICOLON_FILES.items() if name != "instansi.csv"}
    [problem] = problems_of(write_files(tmp_path, files))
    assert problem.startswith("tidak ada berkas Instansi (kepala kolom: Kode instansi; ")


def test_problems_in_csv_files_name_the_line_and_column(tmp_path: Path) -> None:
    files = dict(SEMICOLON_FILES)
    files["tim.csv"] = files["tim.csv"].replace("siti@contoh.go.id", "siti di contoh")
    files["syarat_unit.csv"] = files["syarat_unit.csv"].replace("92,5%", "92,5 persen")
    assert problems_of(write_files(tmp_path, files)) == [
        "tim.csv, baris 4, kolom 'e-mail': 'siti di contoh' bukan alamat e-mail yang sah",
        "syarat_unit.csv, baris 2, kolom 'tindak lanjut temuan (%)': '92,5 persen' bukan "
        "persen 0–100",
    ]


def test_a_non_utf8_csv_file_is_a_problem_among_others(tmp_path: Path) -> None:
    paths = write_files(tmp_path, SEMICOLON_FILES)
    (tmp_path / "tim.csv").write_bytes(SEMICOLON_FILES["tim.csv"].encode("utf-8") + b"Jos\xe9\r\n")
    problems = problems_of(paths)
    assert len(problems) == 1
    assert problems[0].startswith("tim.csv: bukan teks UTF-8")


def test_a_workbook_with_other_files_is_refused(tmp_path: Path) -> None:
    paths = [exported(tmp_path), *write_files(tmp_path, {"tim.csv": SEMICOLON_FILES["tim.csv"]})]
    [problem] = problems_of(paths)
    assert problem.startswith("berikan satu buku kerja .xlsx saja")


def test_no_file_at_all() -> None:
    assert problems_of([]) == ["tidak ada berkas yang diberikan"]


# --- problems in the workbook, each at its cell -------------------------------------------------

PERCENT_MESSAGE = "bukan persen 0–100"
CASES: list[tuple[dict[str, Any], str]] = [
    ({"Unit Kerja!C3": "Mungkin"}, "Unit Kerja!C3: 'Mungkin' bukan Ya/Tidak"),
    ({"Unit Kerja!G4": "y"}, "Unit Kerja!G4: 'y' bukan Ya/Tidak"),
    ({"Unit Kerja!B2": None}, "Unit Kerja!B2: Nama unit wajib diisi"),
    ({"Unit Kerja!A3": "DPMPTSP"}, "Unit Kerja!A3: kode unit 'DPMPTSP' sudah dipakai di "
     "Unit Kerja baris 2"),
    ({"Instansi!A2": None}, "Instansi!A2: Kode instansi wajib diisi"),
    ({"Instansi!C2": "provinsi"}, "Instansi!C2: 'provinsi' bukan jenis instansi yang dikenal "
     "(kementerian_lembaga, pemerintah_daerah)"),
    ({"Instansi!G2": "Mungkin"}, "Instansi!G2: 'Mungkin' bukan Ya/Tidak"),
    ({"Instansi!A3": "KAB2", "Instansi!B3": "Kabupaten Lain"},
     "lembar Instansi: isi tepat satu baris instansi; baris lebih: Instansi baris 3"),
    ({"Tim!A4": " "}, "Tim!A4: Nama wajib diisi"),
    ({"Tim!C4": "siti@contoh"}, "Tim!C4: 'siti@contoh' bukan alamat e-mail yang sah"),
    ({"Tim!C4": "siti@@contoh.go.id"}, "Tim!C4: 'siti@@contoh.go.id' bukan alamat e-mail yang sah"),
    ({"Tim!C4": None}, "Tim!C4: E-mail wajib diisi"),
    ({"Tim!B4": "1985010120100120"}, "Tim!B4: '1985010120100120' bukan NIP 18 angka"),
    ({"Tim!B4": "19850101201001200X"}, "Tim!B4: '19850101201001200X' bukan NIP 18 angka"),
    ({"Tim!B4": 1.98501012010012e17},
     "Tim!B4: NIP tersimpan sebagai angka sehingga Excel membulatkannya; format sel sebagai "
     "Teks lalu ketik ulang NIP"),
    ({"Tim!D4": "kepala"}, "Tim!D4: 'kepala' bukan peran yang dikenal "
     "(kepala_unit, anggota_tim, tpi, pimpinan_instansi)"),
    ({"Tim!E4": "DINKES"}, "Tim!E4: unit 'DINKES' tidak ada di lembar Unit Kerja"),
    ({"Tim!E2": "DPMPTSP"}, "Tim!E2: peran tpi tidak terikat unit; kosongkan Kode unit"),
    ({"Tim!E5": None}, "Tim!E5: Kode unit wajib diisi untuk peran anggota_tim"),
    ({"Tim!D5": "kepala_unit", "Tim!C5": "SITI@contoh.go.id"},
     "Tim!C5: 'SITI@contoh.go.id' dengan peran kepala_unit di unit 'DPMPTSP' sudah ada di "
     "Tim baris 4"),
    ({"Syarat Instansi!A3": 2024}, "Syarat Instansi!A3: tahun 2024 sudah ada di "
     "Syarat Instansi baris 2"),
    ({"Syarat Instansi!A2": 1999}, "Syarat Instansi!A2: '1999' bukan tahun 2000–2100"),
    ({"Syarat Instansi!A2": "dua ribu"}, "Syarat Instansi!A2: 'dua ribu' bukan tahun 2000–2100"),
    ({"Syarat Instansi!B2": "baik"}, "Syarat Instansi!B2: 'baik' bukan opini BPK yang dikenal "
     "(WTP, WDP, TW, TMP)"),
    ({"Syarat Instansi!C2": "Z"}, "Syarat Instansi!C2: 'Z' bukan nilai yang dikenal "
     "(AA, A, BB, B, CC, C, D)"),
    ({"Syarat Instansi!E2": 6}, "Syarat Instansi!E2: '6' bukan level SPIP 1–5"),
    ({"Syarat Instansi!E2": 0}, "Syarat Instansi!E2: '0' bukan level SPIP 1–5"),
    ({"Syarat Instansi!D2": None}, "Syarat Instansi!D2: Indeks RB wajib diisi"),
    ({"Syarat Unit!C2": 120}, f"Syarat Unit!C2: '120' {PERCENT_MESSAGE}"),
    ({"Syarat Unit!D2": "-5"}, f"Syarat Unit!D2: '-5' {PERCENT_MESSAGE}"),
    ({"Syarat Unit!E2": "banyak"}, f"Syarat Unit!E2: 'banyak' {PERCENT_MESSAGE}"),
    ({"Syarat Unit!A2": "DINKES"}, "Syarat Unit!A2: unit 'DINKES' tidak ada di lembar Unit Kerja"),
    ({"Syarat Unit!A3": "DPMPTSP"}, "Syarat Unit!B3: tahun 2025 unit 'DPMPTSP' sudah ada di "
     "Syarat Unit baris 2"),
    ({"Syarat Unit!B2": 2101}, "Syarat Unit!B2: '2101' bukan tahun 2000–2100"),
    ({"Syarat Unit!F2": "AAA"}, "Syarat Unit!F2: 'AAA' bukan nilai yang dikenal "
     "(AA, A, BB, B, CC, C, D)"),
    ({"Unit Kerja!B1": "Nama"}, "lembar Unit Kerja: kolom 'Nama unit' tidak ada"),
]  # fmt: skip


def edited(path: Path, cells: Mapping[str, Any]) -> Path:
    workbook = load_workbook(path)
    for place, value in cells.items():
        title, reference = place.split("!")
        workbook[title][reference] = value
    workbook.save(path)
    return path


@pytest.mark.parametrize(("cells", "expected"), CASES, ids=[c[1][:60] for c in CASES])
def test_each_problem_is_named_at_its_cell(
    tmp_path: Path, cells: dict[str, Any], expected: str
) -> None:
    path = edited(exported(tmp_path), cells)
    assert f"agensi.xlsx, {expected}" in problems_of([path])


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    path = edited(
        exported(tmp_path),
        {"Unit Kerja!C3": "Mungkin", "Tim!C4": "siti", "Syarat Unit!C2": "101"},
    )
    assert problems_of([path]) == [
        "agensi.xlsx, Unit Kerja!C3: 'Mungkin' bukan Ya/Tidak",
        "agensi.xlsx, Tim!C4: 'siti' bukan alamat e-mail yang sah",
        f"agensi.xlsx, Syarat Unit!C2: '101' {PERCENT_MESSAGE}",
    ]


def test_a_broken_unit_row_does_not_make_its_members_unknown(tmp_path: Path) -> None:
    path = edited(exported(tmp_path), {"Unit Kerja!C2": "Mungkin"})
    assert problems_of([path]) == ["agensi.xlsx, Unit Kerja!C2: 'Mungkin' bukan Ya/Tidak"]


def test_a_workbook_without_the_instansi_sheet(tmp_path: Path) -> None:
    path = exported(tmp_path)
    workbook = load_workbook(path)
    del workbook["Instansi"]
    workbook.save(path)
    assert problems_of([path]) == ["agensi.xlsx: tidak ada lembar 'Instansi'"]


def test_optional_sheets_may_be_missing_or_empty(tmp_path: Path) -> None:
    path = exported(tmp_path, AgencyRecords(RECORDS.instansi, RECORDS.units))
    workbook = load_workbook(path)
    del workbook["Syarat Unit"]
    del workbook["Petunjuk"]
    workbook.save(path)
    assert read_agency_file([path]) == sorted_records(
        AgencyRecords(RECORDS.instansi, RECORDS.units)
    )


def test_cells_as_people_type_them_in_excel(tmp_path: Path) -> None:
    path = edited(
        exported(tmp_path),
        {
            "Unit Kerja!C4": "ya",
            "Unit Kerja!F4": " rawat inap ;; rawat jalan ; ",
            "Tim!B4": "19850101 201001 2 001",
            "Tim!D6": "KEPALA_UNIT",
            "Syarat Instansi!C2": "b",
            "Syarat Unit!D2": "100,0 %",
            "Syarat Unit!E2": 98,
        },
    )
    workbook = load_workbook(path)
    workbook["Syarat Unit"]["C2"] = 0.925  # typed as 92,5% in a cell formatted as a percentage
    workbook["Syarat Unit"]["C2"].number_format = "0.0%"
    workbook.save(path)
    records = read_agency_file([path])
    rsud = replace(RECORDS.units[2], core_service=True, service_types=("rawat inap", "rawat jalan"))
    assert records.units[2] == rsud
    assert records.members[2].nip == "198501012010012001"
    assert records.members[4].role == "kepala_unit"
    assert records.instansi_standings[0].sakip_grade == "B"
    assert records.unit_standings[0] == RECORDS.unit_standings[0]
