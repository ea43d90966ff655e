"""Tables as people give them: CSV from Excel under Indonesian settings (`;`, decimal commas, a
BOM), CSV with commas, and sheets of an .xlsx file with title rows above the header."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from spreadsheets.tabular import (
    MissingSheetError,
    Table,
    TableError,
    column_key,
    read_sheets,
    read_table,
    write_csv,
)


def csv_file(tmp_path: Path, text: str, name: str = "unit.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def values(table: Table) -> list[dict[str, str]]:
    return [row.cells for row in table.rows]


# --- CSV ---------------------------------------------------------------------------------------


def test_semicolon_csv_from_excel_with_bom_and_decimal_commas(tmp_path: Path) -> None:
    path = csv_file(
        tmp_path,
        '\ufeffKode Unit ; Nilai;Catatan\r\nUK-01;3,62;"baris satu; masih sel yang sama"\r\n'
        'UK-02;"87,5";\r\n',
    )
    table = read_table(path)
    assert table.delimiter == ";"
    assert table.header == ("kode unit", "nilai", "catatan")
    assert table.source == "unit.csv"
    assert values(table) == [
        {"kode unit": "UK-01", "nilai": "3,62", "catatan": "baris satu; masih sel yang sama"},
        {"kode unit": "UK-02", "nilai": "87,5", "catatan": ""},
    ]


def test_comma_csv_with_quoted_decimal_comma(tmp_path: Path) -> None:
    path = csv_file(tmp_path, 'kode,nilai\nUK-01,"3,62"\nUK-02,4\n')
    table = read_table(path)
    assert table.delimiter == ","
    assert values(table) == [{"kode": "UK-01", "nilai": "3,62"}, {"kode": "UK-02", "nilai": "4"}]


def test_blank_rows_are_skipped_and_rows_keep_their_line_numbers(tmp_path: Path) -> None:
    path = csv_file(tmp_path, 'kode;nama\n\nUK-01;"dua\nbaris"\n;\nUK-02;Tiga\n')
    table = read_table(path)
    assert [row.number for row in table.rows] == [3, 6]
    assert table.rows[0].cells["nama"] == "dua\nbaris"
    assert table.rows[1].place("nama") == "baris 6, kolom 'nama'"


def test_short_rows_are_padded_with_empty_cells(tmp_path: Path) -> None:
    table = read_table(csv_file(tmp_path, "kode;nama;catatan\nUK-01;Satu\n"))
    assert values(table) == [{"kode": "UK-01", "nama": "Satu", "catatan": ""}]


def test_trailing_empty_header_cells_name_no_column(tmp_path: Path) -> None:
    table = read_table(csv_file(tmp_path, "kode;nama;;\nUK-01;Satu;;\n"))
    assert table.header == ("kode", "nama")
    assert values(table) == [{"kode": "UK-01", "nama": "Satu"}]


def test_a_header_with_both_delimiters_is_settled_by_the_expected_columns(tmp_path: Path) -> None:
    path = csv_file(tmp_path, "catatan (a;b),kode\nsatu,UK-01\n")
    table = read_table(path, expected=["catatan (a;b)", "kode"])
    assert table.delimiter == ","
    assert values(table) == [{"catatan (a;b)": "satu", "kode": "UK-01"}]
    # Without expected columns a semicolon wins: Excel's choice under Indonesian settings.
    assert read_table(path).delimiter == ";"


def test_a_single_column_header_is_read_with_commas(tmp_path: Path) -> None:
    table = read_table(csv_file(tmp_path, "kode\nUK-01\n"))
    assert table.delimiter == ","
    assert values(table) == [{"kode": "UK-01"}]


def test_an_unquoted_decimal_comma_under_commas_is_refused_with_a_hint(tmp_path: Path) -> None:
    path = csv_file(tmp_path, "kode,nilai\nUK-01,3,62\nUK-02,4\nUK-03,87,5\n")
    with pytest.raises(TableError) as raised:
        read_table(path)
    message = str(raised.value)
    assert message.startswith("unit.csv: baris 2, 4: lebih banyak sel daripada kepala kolom")
    assert '("92,5")' in message


def test_a_cp1252_file_is_refused_with_a_hint_to_save_as_csv_utf8(tmp_path: Path) -> None:
    path = csv_file(tmp_path, "kode;nama\nUK-01;Café\n", name="lama.csv", encoding="cp1252")
    with pytest.raises(TableError) as raised:
        read_table(path)
    assert str(raised.value).startswith("lama.csv: bukan teks UTF-8")
    assert '"CSV UTF-8' in str(raised.value)


def test_an_unreadable_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(TableError, match=r"^hilang\.csv: tidak dapat dibaca"):
        read_table(tmp_path / "hilang.csv")


def test_a_repeated_column_is_refused(tmp_path: Path) -> None:
    with pytest.raises(TableError, match="kolom 'kode_unit' muncul lebih dari sekali"):
        read_table(csv_file(tmp_path, "Kode Unit;kode_unit\nA;B\n"))


def test_an_old_xls_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(TableError, match=r"^lama\.xls: format \.xls tidak didukung"):
        read_table(tmp_path / "lama.xls")


def test_a_workbook_named_csv_is_recognised(tmp_path: Path) -> None:
    path = tmp_path / "salah.csv"
    Workbook().save(path)
    with pytest.raises(TableError, match=r"buku kerja Excel; beri akhiran \.xlsx"):
        read_table(path)


@pytest.mark.parametrize("delimiter", [",", ";"])
def test_write_csv_reads_back_as_written(tmp_path: Path, delimiter: str) -> None:
    path = tmp_path / "ekspor.csv"
    rows = [("UK-01", 92.5, "a; b, c", None), ("=1+1", 100.0, 'kata "kutip"', 3)]
    write_csv(path, ["Kode", "Nilai", "Jenis", "Level"], rows, delimiter=delimiter)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    table = read_table(path)
    assert table.delimiter == delimiter
    assert values(table) == [
        {"kode": "UK-01", "nilai": "92.5", "jenis": "a; b, c", "level": ""},
        {"kode": "=1+1", "nilai": "100", "jenis": 'kata "kutip"', "level": "3"},
    ]


# --- XLSX --------------------------------------------------------------------------------------


def workbook_file(tmp_path: Path) -> Path:
    workbook = Workbook()
    first = workbook.active
    assert first is not None
    first.title = "Sampul"
    first["A1"] = "bukan tabel"
    sheet = workbook.create_sheet("Unit Kerja")
    sheet["A1"] = "Daftar unit kerja"
    sheet["A2"] = "Isi mulai baris 3"
    sheet["B2"] = "lihat Petunjuk"  # two cells, but none is an expected column
    sheet.append([" Kode Unit ", "Jumlah", "Nilai", "Bulat", "Tanggal", "Aktif", "NIP", "Persen"])
    sheet.append(["UK-01", 12, 87.5, 12.0, date(2026, 5, 31), True, 1.98501012010011e17, 0.925])
    sheet.append([None, None, None, None, None, None, None, None])
    sheet.append(["UK-02", None, None, None, datetime(2026, 5, 31, 9, 30), False, "1985", 1])
    sheet["H4"].number_format = "0.0%"
    sheet["H6"].number_format = "0%"
    sheet["A8"] = "catatan di bawah"
    sheet["K8"] = "tanpa kepala kolom"  # a cell under no header is not read
    workbook.save(tmp_path / "agensi.xlsx")
    return tmp_path / "agensi.xlsx"


def test_a_sheet_below_its_title_rows(tmp_path: Path) -> None:
    table = read_table(workbook_file(tmp_path), sheet="Unit Kerja", expected=["kode unit"])
    assert table.source == "agensi.xlsx, lembar Unit Kerja"
    assert table.file == "agensi.xlsx"
    assert table.delimiter is None
    assert table.header == ("kode unit", "jumlah", "nilai", "bulat", "tanggal", "aktif", "nip",
                            "persen")  # fmt: skip
    first, second, third = table.rows
    assert (first.number, second.number, third.number) == (4, 6, 8)
    assert first.cells == {
        "kode unit": "UK-01",
        "jumlah": "12",
        "nilai": "87.5",
        "bulat": "12",
        "tanggal": "2026-05-31",
        "aktif": "Ya",
        "nip": "198501012010011008",
        "persen": "92.5%",
    }
    assert first.rounded == frozenset({"nip"})
    assert second.cells["tanggal"] == "2026-05-31 09:30:00"
    assert (second.cells["aktif"], second.cells["nip"], second.cells["persen"]) == (
        "Tidak",
        "1985",
        "100%",
    )
    assert second.cells["jumlah"] == ""
    assert second.rounded == frozenset()
    assert third.cells["kode unit"] == "catatan di bawah"


def test_places_in_a_sheet(tmp_path: Path) -> None:
    table = read_table(workbook_file(tmp_path), sheet="Unit Kerja", expected=["kode unit"])
    row = table.rows[1]
    assert row.place("kode unit") == "Unit Kerja!A6"
    assert row.place("persen") == "Unit Kerja!H6"
    assert row.place("tidak ada") == "Unit Kerja, baris 6, kolom 'tidak ada'"
    assert row.line() == "Unit Kerja baris 6"


def test_without_expected_columns_the_header_is_the_first_row_with_two_cells(
    tmp_path: Path,
) -> None:
    table = read_table(workbook_file(tmp_path), sheet="Unit Kerja")
    assert table.header == ("isi mulai baris 3", "lihat petunjuk")
    assert table.rows[0].number == 3


def test_the_first_sheet_when_none_is_named(tmp_path: Path) -> None:
    with pytest.raises(TableError, match="lembar Sampul: baris kepala kolom"):
        read_table(workbook_file(tmp_path), expected=["kode unit"])


def test_a_sheet_name_is_matched_loosely(tmp_path: Path) -> None:
    table = read_table(workbook_file(tmp_path), sheet="unit_kerja", expected=["kode unit"])
    assert table.source == "agensi.xlsx, lembar Unit Kerja"


def test_a_missing_sheet_names_the_file_and_the_sheets_there_are(tmp_path: Path) -> None:
    with pytest.raises(MissingSheetError) as raised:
        read_table(workbook_file(tmp_path), sheet="Tim")
    assert str(raised.value) == (
        "agensi.xlsx: tidak ada lembar 'Tim'; lembar yang ada: 'Sampul', 'Unit Kerja'"
    )


def test_an_empty_sheet_is_an_empty_table(tmp_path: Path) -> None:
    path = tmp_path / "kosong.xlsx"
    Workbook().save(path)
    table = read_table(path, expected=["kode"])
    assert (table.header, table.rows) == ((), ())


def test_a_text_that_looks_like_a_formula_is_read_as_text(tmp_path: Path) -> None:
    path = tmp_path / "rumus.xlsx"
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["kode", "nama"])
    sheet.append(["UK-01", '=HYPERLINK("http://contoh")'])
    sheet["B2"].data_type = "s"
    workbook.save(path)
    assert read_table(path).rows[0].cells["nama"] == '=HYPERLINK("http://contoh")'


def test_a_broken_workbook_is_named(tmp_path: Path) -> None:
    path = tmp_path / "rusak.xlsx"
    path.write_bytes(b"bukan zip")
    with pytest.raises(TableError, match=r"^rusak\.xlsx: bukan buku kerja \.xlsx"):
        read_table(path)


def test_read_sheets_opens_the_workbook_once_for_every_sheet_present(tmp_path: Path) -> None:
    tables = read_sheets(workbook_file(tmp_path), {"Unit Kerja": ["kode unit"], "Tim": ["nama"]})
    assert list(tables) == ["Unit Kerja"]
    assert len(tables["Unit Kerja"].rows) == 3


def test_column_names_are_compared_without_case_spaces_or_punctuation() -> None:
    assert column_key(" Tindak lanjut temuan (%) ") == column_key("tindak_lanjut_temuan")
    assert column_key("E-mail") == column_key("EMAIL")
    table = Table("x.csv", ("kode unit", "e-mail"), (), ",", "x.csv")
    assert table.column("Kode_Unit") == "kode unit"
    assert table.column("Email") == "e-mail"
    assert table.column("Nama") is None
