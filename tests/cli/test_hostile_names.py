"""Names, codes and files that people type, hostile ones among them, through the real `zi`.

A name may look like a formula, like Rich markup, like HTML, carry an escape sequence, a line
break or a bidi override, or be very long. Whatever it is, `zi` shows it as text (brackets
literally), never lets an escape sequence reach the terminal, never stops with a traceback
(exit 0, or 2 for bad input), and the files it writes keep it as text: no formula in the
rekap-lke.xlsx of a proposal package, escaped in the monitoring report, as text in the PDFs.
"""

# The units come from the monitoring tests' `period` fixture, imported by name.

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import Engine
from sqlalchemy.engine import URL
from sqlmodel import Session, select
from typer.testing import CliRunner, Result

from config.settings import get_settings
from persistence.tables import Instansi
from reports.proposal_package import WORKBOOK
from spreadsheets.agency_workbook import write_agency_workbook
from tests.builders import agency_records
from tests.cli.cli_world import monitored_for_cli, rename_units
from tests.services.test_monitoring_service import FIRST, NewUow, period, run  # noqa: F401
from zi_cli.main import app
from zi_cli.output import clean, shown
from zi_domain.agency import MemberRecord, UnitRecord

runner = CliRunner()
WIDE = {"COLUMNS": "400"}  # tables unwrapped, as in a wide terminal
AS_OF = "2027-03-02"

LINK = '=HYPERLINK("http://x","y")'
SCRIPT = "<script>alert(1)</script>"
RED = "\x1b[31mRED\x1b[0m"
# The instansi: a formula, markup and an escape sequence at once; seen as typed, less the escape.
INSTANSI = f"{LINK} Kementerian [/x] \x1b[31mUji\x1b[0m"
INSTANSI_SEEN = f"{LINK} Kementerian [/x] Uji"
LONG = "\u202e" + "Nama sangat panjang " * 12  # a bidi override, 241 characters in all
# code in the monitoring fixture: (new code, new name)
RENAMED = {
    "SIAP": ("[/x]", LINK),
    "PUNCAK": ("PUNCAK\x1b[31m", f"[bold]x {RED}"),
    "WBK": ("WBK", SCRIPT),
    "LHKPN": ("LHKPN", "a\r\nBcc: x@y"),
    "RENDAH": ("RENDAH", LONG),
    "USUL": ("USUL", "Unit\x07 \x9b2J bersih"),
}


def zi(*args: object) -> Result:
    return runner.invoke(app, [str(a) for a in args], env=WIDE)


def flat(text: str) -> str:
    return " ".join(text.split())


def shown_safely(result: Result, *codes: int) -> str:
    """The run ended as a command should (no traceback, no markup error), with no raw escape
    sequence and no carriage return from data; returns stdout and stderr, flattened."""
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        result.exception,
        result.output,
    )
    assert result.exit_code in codes, result.output
    for stream in (result.stdout, result.stderr):
        assert "\x1b" not in stream and "\x07" not in stream and "\x9b" not in stream
        assert "\r" not in stream and "\u202e" not in stream
    return flat(result.stdout + " " + result.stderr)


def test_shown_strips_controls_and_escapes_markup() -> None:
    assert clean(RED) == "RED"
    assert clean("a\r\nBcc: x@y") == "a Bcc: x@y"
    assert clean("a\r\nb\rc", lines=True) == "a\nb\nc"
    assert clean("\x1b]8;;http://x\x07klik\x1b]8;;\x07") == "klik"
    assert clean("\u202egnp.exe\u2066") == "gnp.exe"
    assert clean("a\tb\x00c\x9b2Jd\x85e") == "a bcd e"
    assert shown("[/x] [bold]x") == "\\[/x] \\[bold]x"
    assert shown(INSTANSI) == f"{LINK} Kementerian \\[/x] Uji"


# --- a stored agency with hostile names: status, propose, proposals, the files ------------------


@pytest.fixture
def hostile(
    new_uow: NewUow,
    engine: Engine,
    period: tuple[int, dict[str, int]],  # noqa: F811
    database_url: URL,
    data_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Path:
    """The monitoring tests' ministry with hostile names, monitored once, the CLI pointed at it."""
    period_id, ids = period
    rename_units(engine, ids, RENAMED, instansi=INSTANSI)
    return monitored_for_cli(new_uow, period_id, data_dir, database_url, monkeypatch)


def pdf_text(content: bytes) -> str:
    pages = PdfReader(io.BytesIO(content)).pages
    return flat(" ".join(page.extract_text() or "" for page in pages))


def member(package: zipfile.ZipFile, name: str) -> bytes:
    """A file of the package by its name (the zip holds it in the package's folder)."""
    [found] = [n for n in package.namelist() if n.rsplit("/", 1)[-1] == name]
    return package.read(found)


def rekap_cells(package: zipfile.ZipFile) -> dict[str, object]:
    """The title block of the package's rekap-lke.xlsx; asserts that no cell is a formula."""
    data = member(package, WORKBOOK)
    with zipfile.ZipFile(io.BytesIO(data)) as xlsx:
        for name in xlsx.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in xlsx.read(name), name
    workbook = load_workbook(io.BytesIO(data))
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            assert all(cell.data_type != "f" for cell in row), sheet.title
    sheet = workbook["LKE"]
    return {str(sheet.cell(r, 1).value): sheet.cell(r, 2).value for r in range(3, 10)}


def test_status_propose_and_proposals_show_names_as_typed(hostile: Path) -> None:
    status = shown_safely(zi("status", "--as-of", AS_OF), 0)
    assert f"{INSTANSI_SEEN} (" in status and "[/x]" in status and "PUNCAK " in status

    # A code that is markup, named as typed on the command line.
    single = shown_safely(zi("propose", "--unit", "[/x]", "--as-of", AS_OF), 0)
    assert f"{LINK} ([/x]): usulan WBK tahun 2027 revisi 1 dibuat." in single

    # The whole instansi: no unit stops the others.
    whole = zi("propose", "--instansi", INSTANSI, "--year", "2027", "--as-of", AS_OF)
    said = shown_safely(whole, 0)
    assert "2 diusulkan, 2 belum dapat diusulkan." in said
    assert "[bold]x RED (PUNCAK): usulan WBK" in said
    assert f"{SCRIPT} (WBK): usulan WBBM" in said
    assert "a Bcc: x@y (LHKPN) belum dapat diusulkan" in said
    assert "Nama sangat panjang Nama" in said
    assert not any(line.startswith("Bcc:") for line in whole.stderr.splitlines())

    listed = shown_safely(zi("proposals", "--instansi", INSTANSI), 0)
    for seen in (f"{LINK} ([/x])", "[bold]x RED (PUNCAK)", f"{SCRIPT} (WBK)"):
        assert seen in listed

    packages = sorted((hostile / "usulan").rglob("*.zip"))
    units = [p for p in packages if not p.name.startswith("surat-pengajuan")]
    assert len(units) == 3 and len(packages) == 6, [p.name for p in packages]
    names = set()
    for path in units:
        with zipfile.ZipFile(path) as package:
            cells = rekap_cells(package)
            names.add(cells["Unit Kerja"])
            # The whole escape sequence is gone (zi_domain.plain_text), not only its ESC.
            assert cells["Instansi"] == INSTANSI_SEEN
            report = pdf_text(member(package, "laporan-nilai.pdf"))
            if cells["Unit Kerja"] in (LINK, SCRIPT):
                assert str(cells["Unit Kerja"]) in report.replace("“", '"').replace("”", '"')
    assert names == {LINK, "[bold]x RED", SCRIPT}
    letter = next(p for p in packages if p.name.startswith("surat-pengajuan"))
    with zipfile.ZipFile(letter) as package:
        pdf = next(n for n in package.namelist() if n.endswith(".pdf"))
        assert "Kementerian [/x]" in pdf_text(package.read(pdf))


def test_the_monitoring_report_escapes_html(hostile: Path) -> None:
    pages = [p.read_text(encoding="utf-8") for p in (hostile / "reports").rglob("*.html")]
    assert pages
    for page in pages:
        assert SCRIPT not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_an_unknown_hostile_unit_is_bad_input(hostile: Path) -> None:
    for typed in ("[/x]x", RED, "[bold]x", "x" * 10_000):
        said = shown_safely(zi("propose", "--unit", typed, "--as-of", AS_OF), 2)
        assert "Galat: unit kerja '" in said  # a long one may be cut short
    said = shown_safely(zi("propose", "--unit", "[/x]x", "--as-of", AS_OF), 2)
    assert "unit kerja '[/x]x' tidak ditemukan" in said


# --- an agency workbook with hostile names, imported and exported -------------------------------


@pytest.fixture
def cli_database(
    engine: Engine, database_url: URL, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> Engine:
    """An empty migrated database, the CLI pointed at it."""
    monkeypatch.setenv("ZI_DATABASE_URL", database_url.render_as_string(hide_password=False))
    get_settings.cache_clear()
    return engine


def test_an_agency_with_hostile_names_imported_shown_and_exported(
    cli_database: Engine, tmp_path: Path
) -> None:
    base = agency_records()
    records = replace(
        base,
        instansi=replace(base.instansi, name=f"{LINK} [/x] {SCRIPT}"),
        units=(
            replace(base.units[0], name=LINK),
            replace(base.units[1], code="[/x]", name="[bold]x"),
            UnitRecord("ESC", RED, False, False, False, (), False),
            UnitRecord("RTL", "\u202egnp.exe", False, False, False, (), False),
        ),
        members=(MemberRecord("a\r\nBcc: x@y", None, "a@uji.go.id", "tpi", None),),
        unit_standings=(),
    )
    path = tmp_path / "[red]agensi.xlsx"
    write_agency_workbook(path, records)
    imported = shown_safely(zi("agency", "import", path), 0)
    assert "ditambahkan: unit [/x]" in imported
    assert f"Instansi {base.instansi.code}: 7 ditambahkan, 0 diubah" in imported

    status = shown_safely(
        zi("status", "--instansi", base.instansi.code, "--as-of", "2026-03-02"), 0
    )
    assert f"{LINK} [/x] {SCRIPT} ({base.instansi.code})" in status
    assert "│ [/x] │" in status and "│ ESC │" in status

    exported = tmp_path / "keluar.xlsx"
    shown_safely(zi("agency", "export", exported, "--instansi", base.instansi.code), 0)
    workbook = load_workbook(exported)
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            assert all(cell.data_type != "f" for cell in row), sheet.title
    assert workbook["Unit Kerja"]["B2"].value == LINK


# --- zi score on an answers file with hostile codes ---------------------------------------------


def write_answers(path: Path, rows: list[tuple[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(("code", "answer"))
        writer.writerows(rows)
    return path


def test_score_names_hostile_codes_as_typed(tmp_path: Path) -> None:
    path = write_answers(
        tmp_path / "[red]jawaban.csv",
        [("[/x]", "Ya"), (RED, "Ya"), ("x" * 10_000, "Ya"), ("A.I.1.i.a", "[bold]x")],
    )
    said = shown_safely(zi("score", path), 2)
    assert "[red]jawaban.csv: pemisah koma (,)" in said
    assert "baris 2: [/x]: kode tidak dikenal" in said
    assert "baris 3: RED: kode tidak dikenal" in said
    assert "4 jawaban tidak dapat dibaca" in said


def test_score_of_a_file_named_like_markup(tmp_path: Path) -> None:
    path = write_answers(tmp_path / "[bold]nilai \x1b[31m.csv", [("A.I.1.i.a", "Ya")])
    said = shown_safely(zi("score", path), 0)
    assert "Nilai LKE: [bold]nilai .csv (permenpanrb-90-2021)" in said


def test_a_name_of_ten_thousand_characters(cli_database: Engine, tmp_path: Path) -> None:
    base = agency_records()
    records = replace(base, units=(replace(base.units[0], name="Nama " * 2_000), *base.units[1:]))
    path = tmp_path / "agensi.xlsx"
    write_agency_workbook(path, records)
    said = shown_safely(zi("agency", "import", path), 2)
    assert (
        "agensi.xlsx, Unit Kerja!B2: Nama unit terlalu panjang (9.999 karakter), paling banyak "
        "255 karakter" in said
    )
    with Session(cli_database) as session:  # nothing written
        assert session.exec(select(Instansi)).first() is None
