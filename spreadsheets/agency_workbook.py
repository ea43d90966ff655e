"""The agency workbook: the instansi, its units, the teams and the Tabel 5 standings in one .xlsx.

`write_agency_workbook` writes the empty template (`records=None`) or an export of the records;
`read_agency_file` reads the workbook back, or the same tables given as CSV files (one per sheet,
each recognised by its header), and reports every problem at once with the cell to fix (a text
longer than its database column among them). Records
come back in one canonical order (`sorted_records`), the order an export writes, so that
import → export → import changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TypeVar

from annotated_types import MaxLen
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from pydantic import BaseModel

from persistence.tables import InstansiBase, TeamMemberBase, UnitKerjaBase
from spreadsheets.cells import BOLD, CellValue, put, write_header
from spreadsheets.tabular import (
    Table,
    TableError,
    TableRow,
    column_key,
    is_workbook,
    normalise_header,
    read_sheets,
    read_table,
)
from zi_domain.agency import (
    BPK_OPINIONS,
    GRADES,
    INSTANSI_KINDS,
    INSTANSI_ROLES,
    NO,
    ROLE_LABELS,
    ROLES,
    SPIP_LEVELS,
    UNIT_ROLES,
    YES,
    AgencyRecords,
    InstansiRecord,
    InstansiStanding,
    MemberRecord,
    UnitRecord,
    UnitStanding,
)
from zi_domain.indonesian import angka

T = TypeVar("T")

# --- the layout ---------------------------------------------------------------------------------

GUIDE_SHEET = "Petunjuk"
INSTANSI_SHEET = "Instansi"
UNIT_SHEET = "Unit Kerja"
TEAM_SHEET = "Tim"
INSTANSI_STANDING_SHEET = "Syarat Instansi"
UNIT_STANDING_SHEET = "Syarat Unit"

# Instansi
INSTANSI_CODE = "Kode instansi"
INSTANSI_NAME = "Nama instansi"
KIND = "Jenis"
REGION = "Wilayah"
HEAD_NAME = "Nama pimpinan"
HEAD_TITLE = "Jabatan pimpinan"
HEAD_ELECTED = "Pimpinan dipilih"
# Unit Kerja
UNIT_CODE = "Kode unit"
UNIT_NAME = "Nama unit"
CORE_SERVICE = "Layanan inti"
HIGH_RISK = "Risiko korupsi tinggi"
WIDE_IMPACT = "Dampak publik luas"
SERVICE_TYPES = "Jenis layanan"
PRIORITY = "Unit prioritas daerah"
# Tim
MEMBER_NAME = "Nama"
NIP = "NIP"
EMAIL = "E-mail"
ROLE = "Peran"
# Syarat Instansi / Syarat Unit
YEAR = "Tahun"
BPK_OPINION = "Opini BPK"
SAKIP = "Nilai SAKIP"
INDEKS_RB = "Indeks RB"
SPIP = "Level SPIP"
FOLLOW_UP = "Tindak lanjut temuan (%)"
LHKPN = "LHKPN (%)"
LHKASN = "LHKASN (%)"
INTERNAL_SAKIP = "SAKIP internal"

SERVICE_SEPARATOR = ";"
VALIDATED_BLANK_ROWS = 500  # rows below the data that keep the drop-downs
YEAR_RANGE = (2000, 2100)
PERCENT_RANGE = (0.0, 100.0)
NIP_DIGITS = 18
TEXT_FORMAT = "@"

TITLE = Font(bold=True, size=13)
WRAP = Alignment(wrap_text=True, vertical="top")


@dataclass(frozen=True)
class Rule:
    """A data validation of one column: a drop-down list or a number range."""

    kind: Literal["list", "whole", "decimal"]
    formula1: str
    formula2: str | None
    error: str


def choice(values: Iterable[str]) -> Rule:
    listed = ",".join(values)
    return Rule("list", f'"{listed}"', None, f"Pilih salah satu: {listed.replace(',', ', ')}")


def whole(low: int, high: int) -> Rule:
    return Rule("whole", str(low), str(high), f"Isi bilangan bulat {low}–{high}")


YES_NO = choice((YES, NO))
PERCENT = Rule("decimal", "0", "100", "Isi persen 0–100, mis. 92,5")


@dataclass(frozen=True)
class Column:
    header: str
    width: int
    meaning: str
    allowed: str
    example: str
    required: str = "Ya"  # as the guide says it: "Ya", "Tidak" or the condition
    rule: Rule | None = None
    text: bool = False  # formatted as Text, so that Excel keeps "001" and 18-digit NIPs
    may_be_absent: bool = False  # an optional column may be left out of a file
    max_length: int | None = None  # characters its database column holds; None: no limit


@dataclass(frozen=True)
class SheetSpec:
    name: str
    purpose: str
    columns: tuple[Column, ...]

    @property
    def headers(self) -> tuple[str, ...]:
        return tuple(c.header for c in self.columns)


def stored_length(model: type[BaseModel], name: str) -> int | None:
    """The most characters that the database column of `model.name` holds; None: no limit."""
    limits = [m.max_length for m in model.model_fields[name].metadata if isinstance(m, MaxLen)]
    return min(limits, default=None)


def at_most(length: int | None) -> str:
    return "" if length is None else f", paling banyak {angka(length, 0)} karakter"


def text_column(
    header: str,
    width: int,
    meaning: str,
    example: str,
    required: str = "Ya",
    *,
    stored: tuple[type[BaseModel], str],
) -> Column:
    """Free text, formatted as Text, kept in the database column `stored` (model, field) and no
    longer than it; an optional one may be left out of a file."""
    optional = required != "Ya"
    length = stored_length(*stored)
    allowed = f"teks{at_most(length)}"
    return Column(header, width, meaning, allowed, example, required, None, True, optional, length)


def flag_column(header: str, meaning: str, example: str, width: int = 14) -> Column:
    return Column(header, width, meaning, f"{YES}, {NO}", example, rule=YES_NO)


def list_column(
    header: str, width: int, meaning: str, values: Sequence[str], example: str
) -> Column:
    return Column(header, width, meaning, ", ".join(values), example, rule=choice(values))


def year_column() -> Column:
    low, high = YEAR_RANGE
    return Column(YEAR, 10, "Tahun penilaian", f"{low}–{high}", "2025", rule=whole(low, high))


def percent_column(header: str, width: int, meaning: str, example: str) -> Column:
    allowed = "0–100, boleh dengan koma desimal dan %"
    return Column(header, width, meaning, allowed, example, rule=PERCENT)


UNIT_CODE_MEANING = "Kode unit dari lembar Unit Kerja"
INSTANSI_SPEC = SheetSpec(
    INSTANSI_SHEET,
    "Instansi pemilik buku kerja ini; tepat satu baris.",
    (
        text_column(
            INSTANSI_CODE, 18, "Kode singkat instansi, tetap tiap tahun", "KABCONTOH",
            stored=(InstansiBase, "code"),
        ),
        text_column(
            INSTANSI_NAME, 40, "Nama resmi instansi", "Pemerintah Kabupaten Contoh",
            stored=(InstansiBase, "name"),
        ),
        list_column(KIND, 22, "Jenis instansi", INSTANSI_KINDS, "pemerintah_daerah"),
        text_column(
            REGION, 24, "Provinsi atau kabupaten/kota; boleh kosong untuk instansi pusat",
            "Kabupaten Contoh", required="Tidak", stored=(InstansiBase, "region"),
        ),
        text_column(
            HEAD_NAME, 30, "Nama pimpinan yang menandatangani surat", "Drs. Budi Santoso",
            stored=(InstansiBase, "head_name"),
        ),
        text_column(
            HEAD_TITLE, 24, "Jabatan pimpinan instansi", "Bupati Contoh",
            stored=(InstansiBase, "head_title"),
        ),
        flag_column(
            HEAD_ELECTED, "Ya bila pimpinan dipilih (Bupati, Wali Kota, Gubernur) dan tanpa NIP",
            YES, width=16,
        ),
    ),
)  # fmt: skip
UNIT_SPEC = SheetSpec(
    UNIT_SHEET,
    "Unit kerja instansi, satu baris per unit.",
    (
        text_column(
            UNIT_CODE, 14, "Kode unit, unik dalam instansi; dipakai lembar Tim dan Syarat Unit",
            "DPMPTSP", stored=(UnitKerjaBase, "code"),
        ),
        text_column(
            UNIT_NAME, 40, "Nama unit kerja", "Dinas Penanaman Modal dan PTSP",
            stored=(UnitKerjaBase, "name"),
        ),
        flag_column(CORE_SERVICE, "Ya bila unit menyelenggarakan layanan inti instansi", YES),
        flag_column(HIGH_RISK, "Ya bila unit berisiko tinggi terhadap korupsi", YES),
        flag_column(WIDE_IMPACT, "Ya bila layanan unit berdampak luas bagi masyarakat", YES),
        text_column(
            SERVICE_TYPES, 32, "Jenis layanan unit; beberapa jenis dipisah titik koma (;)",
            "perizinan; pengaduan", required="Tidak", stored=(UnitKerjaBase, "service_types"),
        ),
        flag_column(
            PRIORITY, "Ya bila unit termasuk unit layanan prioritas daerah (Stranas PK)", NO,
            width=16,
        ),
    ),
)  # fmt: skip
TEAM_SPEC = SheetSpec(
    TEAM_SHEET,
    "Orang yang menerima pengingat atau menandatangani: kepala unit, tim ZI unit, TPI, "
    "pimpinan instansi. Satu baris per orang per peran.",
    (
        text_column(
            MEMBER_NAME, 30, "Nama lengkap", "Siti Rahmawati, S.E.",
            stored=(TeamMemberBase, "name"),
        ),
        Column(
            NIP, 22, f"NIP {NIP_DIGITS} angka; kosong untuk pimpinan yang dipilih",
            f"{NIP_DIGITS} angka, boleh dengan spasi", "198501012010012001", "Tidak",
            text=True, may_be_absent=True,
        ),
        Column(
            EMAIL, 30, "Alamat e-mail untuk pengingat dan surat",
            f"alamat e-mail{at_most(stored_length(TeamMemberBase, 'email'))}",
            "siti@contoh.go.id", text=True, max_length=stored_length(TeamMemberBase, "email"),
        ),
        Column(
            ROLE, 20, "Peran orang ini", "; ".join(f"{r} ({ROLE_LABELS[r]})" for r in ROLES),
            "kepala_unit", rule=choice(ROLES),
        ),
        Column(
            UNIT_CODE, 14, UNIT_CODE_MEANING, "kode unit yang ada di lembar Unit Kerja",
            "DPMPTSP",
            f"Ya untuk {' dan '.join(UNIT_ROLES)}; kosong untuk {' dan '.join(INSTANSI_ROLES)}",
            text=True,
        ),
    ),
)  # fmt: skip
INSTANSI_STANDING_SPEC = SheetSpec(
    INSTANSI_STANDING_SHEET,
    "Hasil Tabel 5 tingkat instansi, satu baris per tahun.",
    (
        year_column(),
        list_column(BPK_OPINION, 12, "Opini BPK atas laporan keuangan", BPK_OPINIONS, "WTP"),
        list_column(SAKIP, 12, "Nilai SAKIP instansi", GRADES, "BB"),
        list_column(INDEKS_RB, 12, "Indeks Reformasi Birokrasi", GRADES, "B"),
        Column(
            SPIP, 12, "Level maturitas SPIP", f"{SPIP_LEVELS[0]}–{SPIP_LEVELS[-1]}", "3",
            rule=whole(SPIP_LEVELS[0], SPIP_LEVELS[-1]),
        ),
    ),
)  # fmt: skip
UNIT_STANDING_SPEC = SheetSpec(
    UNIT_STANDING_SHEET,
    "Hasil Tabel 5 tingkat unit, satu baris per unit per tahun.",
    (
        Column(
            UNIT_CODE, 14, UNIT_CODE_MEANING, "kode unit yang ada di lembar Unit Kerja",
            "DPMPTSP", text=True,
        ),
        year_column(),
        percent_column(FOLLOW_UP, 16, "Persentase tindak lanjut temuan pemeriksaan", "92,5"),
        percent_column(LHKPN, 12, "Persentase wajib lapor yang menyampaikan LHKPN", "100"),
        percent_column(LHKASN, 12, "Persentase ASN yang menyampaikan LHKASN", "98"),
        list_column(INTERNAL_SAKIP, 14, "Nilai SAKIP internal unit", GRADES, "BB"),
    ),
)  # fmt: skip
DATA_SHEETS = (INSTANSI_SPEC, UNIT_SPEC, TEAM_SPEC, INSTANSI_STANDING_SPEC, UNIT_STANDING_SPEC)

GUIDE_LINES = (
    "Buku kerja ini memuat data satu instansi: instansinya, unit kerjanya, tim ZI, dan hasil "
    "Tabel 5 (syarat instansi dan syarat unit).",
    "Isi setiap lembar mulai baris 2, satu baris per data; jangan ubah baris kepala kolom. "
    "Baris kosong dilewati.",
    "Lembar Instansi berisi tepat satu baris. Lembar lain boleh kosong.",
    "Unit kerja yang sudah ada di sistem tetapi tidak ada di berkas ini dilaporkan saat impor, "
    "tidak pernah dihapus.",
    f"Kolom Ya/Tidak diisi {YES} atau {NO}. Persen diisi 0–100, boleh dengan koma desimal (92,5) "
    "dan tanda %.",
    "Kolom kode dan NIP berformat Teks agar Excel tidak membulatkan NIP 18 angka atau membuang "
    "angka 0 di depan kode; NIP yang terlanjur menjadi angka harus diketik ulang.",
    "Sebagai ganti buku kerja ini, boleh juga diberikan berkas CSV UTF-8 (pemisah koma atau "
    "titik koma), satu berkas per lembar dengan kepala kolom yang sama seperti lembar itu, "
    "mis. instansi.csv, unit.csv, dan tim.csv; setiap berkas dikenali dari kepala kolomnya.",
    "Kepala kolom dibandingkan tanpa memperhatikan huruf besar/kecil, spasi, dan tanda baca.",
    "Semua masalah dilaporkan sekaligus, masing-masing dengan letak selnya (mis. Unit Kerja!C5).",
)
GUIDE_HEADERS = ("Lembar", "Kolom", "Wajib", "Keterangan", "Nilai yang diterima", "Contoh")
GUIDE_WIDTHS = (18, 26, 22, 55, 40, 30)


# --- writing ------------------------------------------------------------------------------------


def write_agency_workbook(path: Path, records: AgencyRecords | None) -> None:
    """The template (`records=None`: headers, drop-downs and the guide) or an export of `records`.

    Rows come in the canonical order of `sorted_records`; every text from the records is written
    as text, never as a formula.
    """
    workbook = Workbook()
    del workbook[workbook.sheetnames[0]]
    write_guide(workbook.create_sheet(GUIDE_SHEET))
    rows = sheet_rows(sorted_records(records)) if records is not None else {}
    for spec in DATA_SHEETS:
        write_data_sheet(workbook.create_sheet(spec.name), spec, rows.get(spec.name, []))
    workbook.save(path)


def sheet_rows(records: AgencyRecords) -> dict[str, list[tuple[CellValue, ...]]]:
    return {
        INSTANSI_SHEET: [instansi_row(records.instansi)],
        UNIT_SHEET: [unit_row(u) for u in records.units],
        TEAM_SHEET: [member_row(m) for m in records.members],
        INSTANSI_STANDING_SHEET: [instansi_standing_row(s) for s in records.instansi_standings],
        UNIT_STANDING_SHEET: [unit_standing_row(s) for s in records.unit_standings],
    }


def yes_no(flag: bool) -> str:
    return YES if flag else NO


def instansi_row(i: InstansiRecord) -> tuple[CellValue, ...]:
    return (
        i.code,
        i.name,
        i.kind,
        i.region or None,
        i.head_name,
        i.head_title,
        yes_no(i.head_elected),
    )


def unit_row(u: UnitRecord) -> tuple[CellValue, ...]:
    return (
        u.code,
        u.name,
        yes_no(u.core_service),
        yes_no(u.high_corruption_risk),
        yes_no(u.wide_public_impact),
        f"{SERVICE_SEPARATOR} ".join(u.service_types) or None,
        yes_no(u.priority_regional_service),
    )


def member_row(m: MemberRecord) -> tuple[CellValue, ...]:
    return (m.name, m.nip, m.email, m.role, m.unit_code)


def instansi_standing_row(s: InstansiStanding) -> tuple[CellValue, ...]:
    return (s.year, s.bpk_opinion, s.sakip_grade, s.indeks_rb, s.spip_level)


def unit_standing_row(s: UnitStanding) -> tuple[CellValue, ...]:
    return (
        s.unit_code,
        s.year,
        s.follow_up_findings_percent,
        s.lhkpn_percent,
        s.lhkasn_percent,
        s.internal_sakip_grade,
    )


def write_data_sheet(
    sheet: Worksheet, spec: SheetSpec, rows: Sequence[tuple[CellValue, ...]]
) -> None:
    write_header(sheet, 1, spec.headers, tuple(c.width for c in spec.columns))
    sheet.freeze_panes = "A2"
    for index, column in enumerate(spec.columns, start=1):
        if column.text:
            sheet.column_dimensions[get_column_letter(index)].number_format = TEXT_FORMAT
    for at, row in enumerate(rows, start=2):
        for index, (column, value) in enumerate(zip(spec.columns, row, strict=True), start=1):
            cell = put(sheet, at, index, value)
            if column.text:
                cell.number_format = TEXT_FORMAT
    last_row = 1 + len(rows) + VALIDATED_BLANK_ROWS
    for index, column in enumerate(spec.columns, start=1):
        if column.rule is not None:
            add_validation(sheet, column, get_column_letter(index), last_row)


def add_validation(sheet: Worksheet, column: Column, letter: str, last_row: int) -> None:
    rule = column.rule
    assert rule is not None
    validation = DataValidation(
        type=rule.kind,
        formula1=rule.formula1,
        formula2=rule.formula2,
        operator=None if rule.kind == "list" else "between",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle=f"{column.header} tidak sah",
        error=rule.error,
    )
    validation.add(f"{letter}2:{letter}{last_row}")
    sheet.add_data_validation(validation)


def write_guide(sheet: Worksheet) -> None:
    put(sheet, 1, 1, "PETUNJUK PENGISIAN BUKU KERJA AGENSI").font = TITLE
    at = 3
    for line in GUIDE_LINES:
        put(sheet, at, 1, line)
        at += 1
    at += 1
    for spec in DATA_SHEETS:
        put(sheet, at, 1, f"Lembar {spec.name}: {spec.purpose}").font = BOLD
        at += 1
    at += 1
    write_header(sheet, at, GUIDE_HEADERS, GUIDE_WIDTHS)
    for spec in DATA_SHEETS:
        for column in spec.columns:
            at += 1
            texts = (
                spec.name,
                column.header,
                column.required,
                column.meaning,
                column.allowed,
                column.example,
            )
            for index, text in enumerate(texts, start=1):
                put(sheet, at, index, text).alignment = WRAP


# --- reading ------------------------------------------------------------------------------------


class AgencyFileError(ValueError):
    """The agency file cannot be imported; `problems` lists each problem with its place."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


def read_agency_file(paths: Sequence[Path]) -> AgencyRecords:
    """The records of one agency workbook (.xlsx) or of CSV files, one per sheet, in the order of
    `sorted_records` whatever the order of the rows.

    Raises AgencyFileError listing every problem found, each naming its file and cell.
    """
    problems: list[str] = []
    records = records_of(read_tables(paths, problems), problems)
    if records is None:
        raise AgencyFileError(problems or ["berkas agensi tidak dapat dibaca"])
    return records


def read_tables(paths: Sequence[Path], problems: list[str]) -> dict[str, Table]:
    """Sheet name -> table, from one workbook or from CSV files recognised by their header."""
    if not paths:
        problems.append("tidak ada berkas yang diberikan")
        return {}
    try:
        workbooks = [p for p in paths if is_workbook(p)]
    except TableError as error:
        problems.append(str(error))
        return {}
    if workbooks:
        if len(paths) > 1:
            problems.append(
                "berikan satu buku kerja .xlsx saja, atau satu atau lebih berkas CSV: "
                + ", ".join(p.name for p in paths)
            )
            return {}
        return workbook_tables(paths[0], problems)
    return csv_tables(paths, problems)


def workbook_tables(path: Path, problems: list[str]) -> dict[str, Table]:
    try:
        tables = read_sheets(path, {spec.name: spec.headers for spec in DATA_SHEETS})
    except TableError as error:
        problems.append(str(error))
        return {}
    if INSTANSI_SHEET not in tables:
        problems.append(f"{path.name}: tidak ada lembar '{INSTANSI_SHEET}'")
    return tables


def csv_tables(paths: Sequence[Path], problems: list[str]) -> dict[str, Table]:
    every_header = [h for spec in DATA_SHEETS for h in spec.headers]
    tables: dict[str, Table] = {}
    for path in paths:
        try:
            table = read_table(path, expected=every_header)
        except TableError as error:
            problems.append(str(error))
            continue
        spec = recognised(table)
        if spec is None:
            problems.append(f"{table.source}: kepala kolom tidak dikenali; {known_headers()}")
        elif spec.name in tables:
            problems.append(
                f"{table.source}: berkas {tables[spec.name].source} sudah berisi lembar "
                f"{spec.name}; berikan satu berkas per lembar"
            )
        else:
            tables[spec.name] = table
    if INSTANSI_SHEET not in tables and not problems:
        problems.append(
            f"tidak ada berkas {INSTANSI_SHEET} (kepala kolom: {'; '.join(INSTANSI_SPEC.headers)})"
        )
    return tables


def recognised(table: Table) -> SheetSpec | None:
    """The sheet whose columns the header has most of, when at least two and no tie."""
    found = {column_key(h) for h in table.header}
    counts = [(sum(column_key(h) in found for h in s.headers), s) for s in DATA_SHEETS]
    best = max(count for count, _ in counts)
    winners = [spec for count, spec in counts if count == best]
    return winners[0] if best >= 2 and len(winners) == 1 else None


def known_headers() -> str:
    return "yang dikenal: " + " | ".join(
        f"{spec.name}: {'; '.join(spec.headers)}" for spec in DATA_SHEETS
    )


# --- from tables to records ----------------------------------------------------------------------


@dataclass(frozen=True)
class Cells:
    """One row read as the columns of its sheet; each problem found goes to `problems`."""

    table: Table
    row: TableRow
    columns: Mapping[str, str]  # column_key of a sheet header -> the header in the table
    problems: list[str]

    def raw(self, header: str) -> str | None:
        """The cell's text; None when the table has no such column (reported once already)."""
        actual = self.columns.get(column_key(header))
        return None if actual is None else self.row.get(actual)

    def report(self, header: str, message: str) -> None:
        actual = self.columns.get(column_key(header), normalise_header(header))
        self.problems.append(f"{self.table.file}, {self.row.place(actual)}: {message}")

    def required(self, header: str) -> str | None:
        value = self.raw(header)
        if value == "":
            self.report(header, f"{header} wajib diisi")
        return value or None

    def optional(self, header: str) -> str:
        return self.raw(header) or ""

    def within_lengths(self, spec: SheetSpec) -> None:
        """Reports each text longer than its database column holds (the database would refuse
        it); the text is not quoted, it may be very long."""
        for column in spec.columns:
            value = self.raw(column.header)
            limit = column.max_length
            if limit is not None and value and len(value) > limit:
                length = angka(len(value), 0)
                self.report(
                    column.header,
                    f"{column.header} terlalu panjang ({length} karakter){at_most(limit)}",
                )

    def parsed(
        self, header: str, parse: Callable[[str], T | None], complaint: Callable[[str], str]
    ) -> T | None:
        value = self.required(header)
        if value is None:
            return None
        result = parse(value)
        if result is None:
            self.report(header, complaint(value))
        return result

    def flag(self, header: str) -> bool | None:
        return self.parsed(header, parse_yes_no, lambda v: f"'{v}' bukan {YES}/{NO}")

    def one_of(self, header: str, allowed: Sequence[str], what: str, upper: bool) -> str | None:
        def parse(value: str) -> str | None:
            normal = value.upper() if upper else value.lower()
            return normal if normal in allowed else None

        return self.parsed(
            header, parse, lambda v: f"'{v}' bukan {what} yang dikenal ({', '.join(allowed)})"
        )

    def year(self) -> int | None:
        low, high = YEAR_RANGE
        return self.parsed(
            YEAR, lambda v: whole_in(v, low, high), lambda v: f"'{v}' bukan tahun {low}–{high}"
        )

    def percent(self, header: str) -> float | None:
        return self.parsed(header, parse_percent, lambda v: f"'{v}' bukan persen 0–100")


def parse_yes_no(value: str) -> bool | None:
    return {YES.lower(): True, NO.lower(): False}.get(value.lower())


def whole_in(value: str, low: int, high: int) -> int | None:
    if not re.fullmatch(r"\d+", value):
        return None
    number = int(value)
    return number if low <= number <= high else None


def parse_percent(value: str) -> float | None:
    """`100`, `92.5`, `92,5`, `92,5%` -> the number, when it is 0-100."""
    match = re.fullmatch(r"(\d+(?:[.,]\d+)?)\s*%?", value)
    if match is None:
        return None
    number = float(match.group(1).replace(",", "."))
    low, high = PERCENT_RANGE
    return number if low <= number <= high else None


def parse_email(value: str) -> str | None:
    """One `@`, a dot inside the domain, no spaces: enough to catch a slip of the keyboard."""
    return value if re.fullmatch(r"[^@\s]+@[^@\s.]+(?:\.[^@\s.]+)+", value) else None


def parse_nip(value: str) -> str | None:
    digits = re.sub(r"\s+", "", value)
    return digits if re.fullmatch(rf"\d{{{NIP_DIGITS}}}", digits) else None


def column_map(table: Table, spec: SheetSpec, problems: list[str]) -> dict[str, str]:
    """Sheet column key -> header in the table; a missing column is reported when rows need it."""
    columns: dict[str, str] = {}
    for column in spec.columns:
        actual = table.column(column.header)
        if actual is not None:
            columns[column_key(column.header)] = actual
        elif table.rows and not column.may_be_absent:
            problems.append(f"{table.source}: kolom '{column.header}' tidak ada")
    return columns


def rows_of(tables: Mapping[str, Table], spec: SheetSpec, problems: list[str]) -> Iterable[Cells]:
    table = tables.get(spec.name)
    if table is None:
        return []
    columns = column_map(table, spec, problems)
    rows = [Cells(table, row, columns, problems) for row in table.rows]
    for cells in rows:
        cells.within_lengths(spec)
    return rows


def records_of(tables: Mapping[str, Table], problems: list[str]) -> AgencyRecords | None:
    instansi = read_instansi(tables, problems)
    unit_rows = list(rows_of(tables, UNIT_SPEC, problems))
    unit_codes = {code for cells in unit_rows if (code := cells.optional(UNIT_CODE))}
    units = read_units(unit_rows)
    members = read_members(rows_of(tables, TEAM_SPEC, problems), unit_codes)
    instansi_standings = read_instansi_standings(rows_of(tables, INSTANSI_STANDING_SPEC, problems))
    unit_standings = read_unit_standings(rows_of(tables, UNIT_STANDING_SPEC, problems), unit_codes)
    if instansi is None or problems:
        return None
    return sorted_records(
        AgencyRecords(instansi, units, members, instansi_standings, unit_standings)
    )


def read_instansi(tables: Mapping[str, Table], problems: list[str]) -> InstansiRecord | None:
    table = tables.get(INSTANSI_SHEET)
    if table is None:
        return None
    rows = list(rows_of(tables, INSTANSI_SPEC, problems))
    if not rows:
        problems.append(f"{table.source}: tidak ada baris data; isi tepat satu baris instansi")
        return None
    if len(rows) > 1:
        extra = ", ".join(cells.row.line() for cells in rows[1:])
        problems.append(f"{table.source}: isi tepat satu baris instansi; baris lebih: {extra}")
    return instansi_of(rows[0])


def instansi_of(cells: Cells) -> InstansiRecord | None:
    code = cells.required(INSTANSI_CODE)
    name = cells.required(INSTANSI_NAME)
    kind = cells.one_of(KIND, INSTANSI_KINDS, "jenis instansi", upper=False)
    region = cells.optional(REGION)
    head_name = cells.required(HEAD_NAME)
    head_title = cells.required(HEAD_TITLE)
    elected = cells.flag(HEAD_ELECTED)
    if code and name and kind and head_name and head_title and elected is not None:
        return InstansiRecord(code, name, kind, region, head_name, head_title, elected)
    return None


def read_units(rows: Iterable[Cells]) -> tuple[UnitRecord, ...]:
    units: list[UnitRecord] = []
    first: dict[str, Cells] = {}
    for cells in rows:
        unit = unit_of(cells)
        code = cells.optional(UNIT_CODE)
        if code in first:
            cells.report(UNIT_CODE, f"kode unit '{code}' sudah dipakai di {first[code].row.line()}")
        elif code:
            first[code] = cells
            if unit is not None:
                units.append(unit)
    return tuple(units)


def unit_of(cells: Cells) -> UnitRecord | None:
    code = cells.required(UNIT_CODE)
    name = cells.required(UNIT_NAME)
    core = cells.flag(CORE_SERVICE)
    risk = cells.flag(HIGH_RISK)
    impact = cells.flag(WIDE_IMPACT)
    types = split_services(cells.optional(SERVICE_TYPES))
    priority = cells.flag(PRIORITY)
    if code is None or name is None:
        return None
    if core is None or risk is None or impact is None or priority is None:
        return None
    return UnitRecord(code, name, core, risk, impact, types, priority)


def split_services(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(SERVICE_SEPARATOR) if part.strip())


def read_members(rows: Iterable[Cells], unit_codes: set[str]) -> tuple[MemberRecord, ...]:
    members: list[MemberRecord] = []
    first: dict[tuple[str, str, str | None], Cells] = {}
    for cells in rows:
        member = member_of(cells, unit_codes)
        if member is None:
            continue
        if member.key in first:
            cells.report(
                EMAIL,
                f"'{member.email}' dengan peran {member.role}"
                + (f" di unit '{member.unit_code}'" if member.unit_code else "")
                + f" sudah ada di {first[member.key].row.line()}",
            )
        else:
            first[member.key] = cells
            members.append(member)
    return tuple(members)


def member_of(cells: Cells, unit_codes: set[str]) -> MemberRecord | None:
    name = cells.required(MEMBER_NAME)
    nip = member_nip(cells)
    email = cells.parsed(EMAIL, parse_email, lambda v: f"'{v}' bukan alamat e-mail yang sah")
    role = cells.one_of(ROLE, ROLES, "peran", upper=False)
    unit_code = member_unit(cells, role, unit_codes)
    if name and nip is not False and email and role and unit_code is not False:
        return MemberRecord(name, nip, email, role, unit_code)
    return None


def member_nip(cells: Cells) -> str | Literal[False] | None:
    """The NIP, None when empty, False when wrong (reported)."""
    value = cells.optional(NIP)
    if not value:
        return None
    actual = cells.columns.get(column_key(NIP))
    if actual in cells.row.rounded:
        cells.report(
            NIP,
            "NIP tersimpan sebagai angka sehingga Excel membulatkannya; format sel sebagai Teks "
            "lalu ketik ulang NIP",
        )
        return False
    nip = parse_nip(value)
    if nip is None:
        cells.report(NIP, f"'{value}' bukan NIP {NIP_DIGITS} angka")
        return False
    return nip


def member_unit(
    cells: Cells, role: str | None, unit_codes: set[str]
) -> str | Literal[False] | None:
    """The member's unit code; None for an instansi role; False when wrong (reported)."""
    code = cells.raw(UNIT_CODE)
    if code is None:  # the column is missing, which is reported once
        return None if role in INSTANSI_ROLES else False
    if role in INSTANSI_ROLES:
        if code:
            cells.report(UNIT_CODE, f"peran {role} tidak terikat unit; kosongkan {UNIT_CODE}")
            return False
        return None
    if role is None:
        return False
    if not code:
        cells.report(UNIT_CODE, f"{UNIT_CODE} wajib diisi untuk peran {role}")
        return False
    return known_unit(cells, code, unit_codes)


def known_unit(cells: Cells, code: str, unit_codes: set[str]) -> str | Literal[False]:
    if code in unit_codes:
        return code
    cells.report(UNIT_CODE, f"unit '{code}' tidak ada di lembar {UNIT_SHEET}")
    return False


def read_instansi_standings(rows: Iterable[Cells]) -> tuple[InstansiStanding, ...]:
    standings: list[InstansiStanding] = []
    first: dict[int, Cells] = {}
    for cells in rows:
        standing = instansi_standing_of(cells)
        if standing is None:
            continue
        if standing.year in first:
            cells.report(
                YEAR, f"tahun {standing.year} sudah ada di {first[standing.year].row.line()}"
            )
        else:
            first[standing.year] = cells
            standings.append(standing)
    return tuple(standings)


def instansi_standing_of(cells: Cells) -> InstansiStanding | None:
    year = cells.year()
    opinion = cells.one_of(BPK_OPINION, BPK_OPINIONS, "opini BPK", upper=True)
    sakip = cells.one_of(SAKIP, GRADES, "nilai", upper=True)
    indeks_rb = cells.one_of(INDEKS_RB, GRADES, "nilai", upper=True)
    low, high = SPIP_LEVELS[0], SPIP_LEVELS[-1]
    spip = cells.parsed(
        SPIP, lambda v: whole_in(v, low, high), lambda v: f"'{v}' bukan level SPIP {low}–{high}"
    )
    if year and opinion and sakip and indeks_rb and spip:
        return InstansiStanding(year, opinion, sakip, indeks_rb, spip)
    return None


def read_unit_standings(rows: Iterable[Cells], unit_codes: set[str]) -> tuple[UnitStanding, ...]:
    standings: list[UnitStanding] = []
    first: dict[tuple[str, int], Cells] = {}
    for cells in rows:
        standing = unit_standing_of(cells, unit_codes)
        if standing is None:
            continue
        key = (standing.unit_code, standing.year)
        if key in first:
            cells.report(
                YEAR,
                f"tahun {standing.year} unit '{standing.unit_code}' sudah ada di "
                f"{first[key].row.line()}",
            )
        else:
            first[key] = cells
            standings.append(standing)
    return tuple(standings)


def unit_standing_of(cells: Cells, unit_codes: set[str]) -> UnitStanding | None:
    code = cells.required(UNIT_CODE)
    unit = known_unit(cells, code, unit_codes) if code else False
    year = cells.year()
    follow_up = cells.percent(FOLLOW_UP)
    lhkpn = cells.percent(LHKPN)
    lhkasn = cells.percent(LHKASN)
    sakip = cells.one_of(INTERNAL_SAKIP, GRADES, "nilai", upper=True)
    if not unit or year is None or sakip is None:
        return None
    if follow_up is None or lhkpn is None or lhkasn is None:
        return None
    return UnitStanding(unit, year, follow_up, lhkpn, lhkasn, sakip)


# --- the canonical order -------------------------------------------------------------------------


def sorted_records(records: AgencyRecords) -> AgencyRecords:
    """The order of an export: units by code, members by unit, role and e-mail, standings by year
    (and unit). Reading a file gives its records in this order, whatever the order of its rows."""
    return AgencyRecords(
        instansi=records.instansi,
        units=tuple(sorted(records.units, key=lambda u: u.code)),
        members=tuple(sorted(records.members, key=member_order)),
        instansi_standings=tuple(sorted(records.instansi_standings, key=lambda s: s.year)),
        unit_standings=tuple(sorted(records.unit_standings, key=lambda s: (s.year, s.unit_code))),
    )


def member_order(member: MemberRecord) -> tuple[str, int, str, str]:
    rank = ROLES.index(member.role) if member.role in ROLES else len(ROLES)
    return (member.unit_code or "", rank, member.email.lower(), member.name)
