"""A text of the agency workbook longer than its database column holds is refused at its cell,
with every other problem, before anything reaches the database (which would refuse it with a
traceback); a text of exactly that length is read."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from persistence.tables import Instansi, TeamMember, UnitKerja
from spreadsheets.agency_workbook import (
    DATA_SHEETS,
    AgencyFileError,
    read_agency_file,
    write_agency_workbook,
)
from spreadsheets.tabular import write_csv
from tests.builders import agency_records

# place -> (sheet header, the table and column the text is stored in)
STORED = {
    "Instansi!A2": ("Kode instansi", Instansi, "code"),
    "Instansi!B2": ("Nama instansi", Instansi, "name"),
    "Instansi!D2": ("Wilayah", Instansi, "region"),
    "Instansi!E2": ("Nama pimpinan", Instansi, "head_name"),
    "Instansi!F2": ("Jabatan pimpinan", Instansi, "head_title"),
    "Unit Kerja!A4": ("Kode unit", UnitKerja, "code"),  # RSUD: no team, no standing
    "Unit Kerja!B2": ("Nama unit", UnitKerja, "name"),
    "Tim!A3": ("Nama", TeamMember, "name"),
    "Tim!C3": ("E-mail", TeamMember, "email"),
}


def database_length(table: type[Any], column: str) -> int:
    length = table.__table__.c[column].type.length
    assert isinstance(length, int)
    return length


def exported(tmp_path: Path) -> Path:
    path = tmp_path / "agensi.xlsx"
    write_agency_workbook(path, agency_records())
    return path


def edited(path: Path, cells: Mapping[str, str]) -> Path:
    workbook = load_workbook(path)
    for place, value in cells.items():
        title, reference = place.split("!")
        workbook[title][reference] = value
    workbook.save(path)
    return path


def text_of(length: int, header: str) -> str:
    """A text of `length` characters that is valid in the column but for its length."""
    if header == "E-mail":
        return "a" * (length - len("@uji.go.id")) + "@uji.go.id"
    return ("Nama " * length)[: length - 1] + "x"


def problems_of(paths: list[Path]) -> list[str]:
    with pytest.raises(AgencyFileError) as raised:
        read_agency_file(paths)
    return raised.value.problems


def test_every_limited_column_has_its_database_columns_length() -> None:
    limited = {
        (spec.name, column.header): column.max_length
        for spec in DATA_SHEETS
        for column in spec.columns
        if column.max_length is not None
    }
    expected = {
        (place.split("!")[0], header): database_length(table, column)
        for place, (header, table, column) in STORED.items()
    }
    assert limited == expected
    assert limited[("Unit Kerja", "Nama unit")] == 255 and limited[("Tim", "E-mail")] == 320


@pytest.mark.parametrize("place", STORED)
def test_a_text_longer_than_its_column_is_named_at_its_cell(tmp_path: Path, place: str) -> None:
    header, table, column = STORED[place]
    limit = database_length(table, column)
    path = edited(exported(tmp_path), {place: text_of(limit + 1, header)})
    shown = f"{limit + 1:,}".replace(",", ".")
    assert problems_of([path]) == [
        f"agensi.xlsx, {place}: {header} terlalu panjang ({shown} karakter), paling banyak "
        f"{limit} karakter"
    ]


def test_texts_as_long_as_their_columns_are_read(tmp_path: Path) -> None:
    texts = {
        place: text_of(database_length(table, column), header)
        for place, (header, table, column) in STORED.items()
    }
    records = read_agency_file([edited(exported(tmp_path), texts)])
    assert records.instansi.name == texts["Instansi!B2"]
    assert texts["Unit Kerja!A4"] in {u.code for u in records.units}
    assert texts["Tim!C3"] in {m.email for m in records.members}


def test_a_long_text_is_reported_with_the_other_problems_and_not_quoted(tmp_path: Path) -> None:
    name = "Nama " * 2_000
    path = edited(exported(tmp_path), {"Unit Kerja!B3": name, "Unit Kerja!C2": "Mungkin"})
    problems = problems_of([path])
    assert problems == [
        "agensi.xlsx, Unit Kerja!B3: Nama unit terlalu panjang (9.999 karakter), paling banyak "
        "255 karakter",
        "agensi.xlsx, Unit Kerja!C2: 'Mungkin' bukan Ya/Tidak",
    ]


def test_in_a_csv_file_the_line_and_column_are_named(tmp_path: Path) -> None:
    path = tmp_path / "instansi.csv"
    write_csv(
        path,
        ["Kode instansi", "Nama instansi", "Jenis", "Wilayah", "Nama pimpinan",
         "Jabatan pimpinan", "Pimpinan dipilih"],
        [["KABUJI", "Kabupaten " * 30, "pemerintah_daerah", "", "Budi", "Bupati", "Ya"]],
    )  # fmt: skip
    assert problems_of([path]) == [
        "instansi.csv, baris 2, kolom 'nama instansi': Nama instansi terlalu panjang "
        "(299 karakter), paling banyak 255 karakter"
    ]


def test_the_guide_says_how_long_a_text_may_be(tmp_path: Path) -> None:
    path = tmp_path / "templat.xlsx"
    write_agency_workbook(path, None)
    rows = list(load_workbook(path)["Petunjuk"].iter_rows(values_only=True))
    allowed = {(row[0], row[1]): row[4] for row in rows if len(row) > 4}
    assert allowed[("Unit Kerja", "Nama unit")] == "teks, paling banyak 255 karakter"
    assert allowed[("Unit Kerja", "Kode unit")] == "teks, paling banyak 64 karakter"
    assert allowed[("Tim", "E-mail")] == "alamat e-mail, paling banyak 320 karakter"
