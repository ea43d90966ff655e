"""`zi agency`, `zi lke` and `zi inbox`: an agency's own data in, from files people fill in.

The agency workbook registers the instansi, its units, the teams and the Tabel 5 standings; the
LKE workbook goes to each unit team and comes back as a new version of its assessment. Bad input
exits 2 with every problem and its place, and writes nothing (one transaction per file).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from config.framework_files import load_framework
from persistence.tables import UnitKerja
from persistence.unit_of_work import UnitOfWork, default_unit_of_work
from services.assessments import ImportedAssessment
from services.lke_intake import (
    KINDS,
    IntakeRefused,
    IntakeScope,
    import_long_answers,
    import_workbook,
    write_unit_workbook,
)
from services.lookup import NotFoundInData, find_instansi, find_unit
from zi_cli.help_text import ZiTyper
from zi_cli.output import (
    BAD_INPUT,
    AsOf,
    bounded,
    clean,
    day,
    errors,
    fail,
    print_path,
    progress,
    say,
    shown,
)
from zi_domain.indonesian import angka
from zi_domain.rounding import shown_difference

agency_app = ZiTyper(help="Buku kerja agensi: instansi, unit kerja, tim, dan syarat Tabel 5.")
lke_app = ZiTyper(help="LKE unit kerja sebagai buku kerja Excel: templat dan impor.")

Framework = Annotated[
    str | None, typer.Option(metavar="NAMA", help="Nama kerangka LKE (lihat `zi frameworks`).")
]


# --- the agency workbook ------------------------------------------------------------------------


@agency_app.command("template")
def agency_template(
    file: Annotated[Path, typer.Argument(metavar="BERKAS", help="Berkas .xlsx yang akan ditulis.")],
) -> None:
    """Tulis buku kerja agensi kosong dengan petunjuk dan daftar pilihan."""
    from spreadsheets.agency_workbook import write_agency_workbook

    _writable(file)
    write_agency_workbook(file, None)
    print_path("Templat buku kerja agensi ditulis:", file)


@agency_app.command("import")
def agency_import(
    files: Annotated[
        list[Path],
        typer.Argument(metavar="BERKAS", help="Buku kerja .xlsx, atau berkas CSV berkolom sama."),
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Tampilkan perubahan tanpa menyimpannya.")
    ] = False,
) -> None:
    """Masukkan atau perbarui instansi, unit, tim dan syarat dari buku kerja (tidak menghapus)."""
    from services.agency import OUTCOME_LABELS, AgencyRefused, import_agency
    from spreadsheets.agency_workbook import AgencyFileError, read_agency_file

    try:
        records = read_agency_file(files)
    except AgencyFileError as error:
        fail(str(error))
    _say_delimiters(files)
    with default_unit_of_work() as uow:
        try:
            report = import_agency(uow, records=records, dry_run=dry_run)
        except AgencyRefused as refusal:
            fail(f"{', '.join(map(clean, files))}: {refusal}")
    for outcome in ("added", "changed", "missing"):
        for change in report.of(outcome):
            details = f": {'; '.join(map(clean, change.details))}" if change.details else ""
            say(f"{OUTCOME_LABELS[outcome]}: {clean(change.what)}{details}")
    counts = {o: len(report.of(o)) for o in ("added", "changed", "unchanged", "missing")}
    say(
        f"Instansi {clean(records.instansi.code)}: {counts['added']} ditambahkan, "
        f"{counts['changed']} "
        f"diubah, {counts['unchanged']} tetap, {counts['missing']} tidak ada di berkas."
        + (" Uji coba (--dry-run): tidak ada yang disimpan." if dry_run else "")
    )


def _say_delimiters(files: list[Path]) -> None:
    """People save CSV with `,` or `;` (Excel under Indonesian settings): say which was read."""
    from spreadsheets.tabular import TableError, read_table
    from zi_cli.answers_file import DELIMITERS

    for file in files:
        if file.suffix.lower() == ".csv":
            try:
                delimiter = read_table(file).delimiter
            except TableError:
                continue
            if delimiter:
                say(f"{clean(file.name)}: pemisah {DELIMITERS[delimiter]}")


@agency_app.command("export")
def agency_export(
    file: Annotated[Path, typer.Argument(metavar="BERKAS", help="Berkas .xlsx yang akan ditulis.")],
    instansi: Annotated[str, typer.Option("--instansi", metavar="KODE", help="Kode instansi.")],
) -> None:
    """Tulis data instansi yang tersimpan sebagai buku kerja agensi (bisa diimpor kembali)."""
    from services.agency import export_agency
    from spreadsheets.agency_workbook import write_agency_workbook

    _writable(file)
    with default_unit_of_work() as uow:
        try:
            records = export_agency(uow, instansi=find_instansi(uow, instansi))
        except NotFoundInData as error:
            fail(str(error))
    write_agency_workbook(file, records)
    print_path(
        f"Buku kerja agensi {records.instansi.code} ({len(records.units)} unit) ditulis:", file
    )


def _writable(file: Path) -> None:
    if file.suffix.lower() != ".xlsx":
        fail(f"{file}: nama berkas harus berakhiran .xlsx")
    if not file.parent.is_dir():
        fail(f"{file}: folder {file.parent} tidak ada")


# --- the LKE workbook ---------------------------------------------------------------------------


def _scope(
    framework: str | None, kind: str, as_of: datetime | None, period: str | None, actor: str
) -> IntakeScope:
    if kind not in KINDS:
        fail(f"--kind {kind!r}: pilih mandiri atau tpi")
    return IntakeScope(
        framework=load_framework(framework),
        kind=KINDS[kind],
        as_of=day(as_of),
        actor=actor,
        period_name=period,
    )


Kind = Annotated[
    str,
    typer.Option(metavar="JENIS", help="mandiri (penilaian mandiri unit) atau tpi (evaluasi TPI)."),
]
Period = Annotated[
    str | None,
    typer.Option(metavar="NAMA", help="Nama periode penilaian; bawaan: periode pada --as-of."),
]


@lke_app.command("template")
def lke_template(
    unit: Annotated[
        str | None, typer.Option("--unit", metavar="KODE", help="Kode unit kerja.")
    ] = None,
    instansi: Annotated[
        str | None,
        typer.Option("--instansi", metavar="KODE", help="Kode instansi (semua unitnya)."),
    ] = None,
    out: Annotated[Path, typer.Option(metavar="FOLDER", help="Folder tujuan.")] = Path("."),
    kind: Kind = "tpi",
    period: Period = None,
    as_of: AsOf = None,
    framework: Framework = None,
) -> None:
    """Tulis buku kerja LKE per unit, terisi jawaban terakhir yang tersimpan."""
    if (unit is None) == (instansi is None):
        fail("sebutkan --unit KODE atau --instansi KODE (salah satu)")
    scope = _scope(framework, kind, as_of, period, "zi lke template")
    out.mkdir(parents=True, exist_ok=True)
    with default_unit_of_work() as uow:
        try:
            units = _units(uow, unit, instansi)
        except NotFoundInData as error:
            fail(str(error))
        say("Buku kerja LKE per unit:")
        with progress("Menulis buku kerja LKE", len(units)) as steps:
            for chosen in units:
                try:
                    path = write_unit_workbook(uow, unit=chosen, folder=out, scope=scope)
                except IntakeRefused as refusal:
                    fail(str(refusal))
                print_path(None, path)
                steps.advance()
    print_path(f"{len(units)} buku kerja LKE ditulis di folder:", out)


def _units(uow: UnitOfWork, unit: str | None, instansi: str | None) -> list[UnitKerja]:
    if unit is not None:
        return [find_unit(uow, unit, instansi)]
    owner = find_instansi(uow, instansi or "")
    assert owner.id is not None
    return uow.units.list_units(instansi_id=owner.id)


@lke_app.command("import")
def lke_import(
    paths: Annotated[
        list[Path],
        typer.Argument(
            metavar="BERKAS", help="Buku kerja .xlsx, folder berisi buku kerja, atau CSV."
        ),
    ],
    kind: Kind = "tpi",
    period: Period = None,
    instansi: Annotated[
        str | None,
        typer.Option("--instansi", metavar="KODE", help="Kode instansi (untuk CSV panjang)."),
    ] = None,
    as_of: AsOf = None,
    framework: Framework = None,
) -> None:
    """Impor LKE yang telah diisi: tiap berkas menjadi versi baru penilaian unitnya.

    CSV panjang `unit,code,answer` (atau dengan ;) memuat banyak unit sekaligus.
    """
    scope = _scope(framework, kind, as_of, period, "zi lke import")
    files = _files(paths)
    refused = 0
    with progress("Mengimpor LKE", len(files)) as steps:
        for file in files:
            if file.suffix.lower() == ".csv":
                refused += _import_long_csv(file, instansi, scope)
            else:
                refused += _import_workbook(file, scope)
            steps.advance()
    if len(files) > 1:
        say(f"{len(files) - refused} berkas diterima, {refused} ditolak.")
    if refused:
        raise typer.Exit(BAD_INPUT)


def _files(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(
                p
                for p in path.iterdir()
                if p.suffix.lower() in (".xlsx", ".csv") and not p.name.startswith(("~$", "."))
            )
        elif path.exists():
            files.append(path)
        else:
            fail(f"{path}: berkas atau folder tidak ada")
    if not files:
        fail(f"{', '.join(map(str, paths))}: tidak ada berkas .xlsx atau .csv")
    return files


def _import_workbook(file: Path, scope: IntakeScope) -> int:
    """One workbook; 1 when refused (every problem printed), 0 when stored."""
    with default_unit_of_work() as uow:
        try:
            intake = import_workbook(uow, path=file, scope=scope)
        except IntakeRefused as refusal:
            errors.print(
                f"[red]Ditolak:[/] {shown(bounded(str(refusal)), lines=True)}", highlight=False
            )
            return 1
    _print_imported(file.name, intake.unit, intake.imported)
    if intake.closed_items:
        say(f"  {intake.closed_items} butir rencana kerja ditutup")
    return 0


def _import_long_csv(file: Path, instansi: str | None, scope: IntakeScope) -> int:
    from zi_cli.answers_file import AnswersFileError, read_long_answers_file

    if instansi is None:
        fail(f"{file}: CSV panjang memerlukan --instansi KODE")
    try:
        read = read_long_answers_file(file)
    except AnswersFileError as error:
        errors.print(f"[red]Ditolak:[/] {shown(bounded(str(error)), lines=True)}", highlight=False)
        return 1
    say(f"{clean(file.name)}: pemisah {read.delimiter_words}, {len(read.rows)} jawaban")
    rows = angka(len(read.rows), 0)
    with default_unit_of_work() as uow, progress(f"Menilai {rows} jawaban", None, at_least=0):
        try:
            owner = find_instansi(uow, instansi)
            imported = import_long_answers(
                uow, instansi=owner, rows=read.rows, source=file.name, scope=scope
            )
        except NotFoundInData as error:
            fail(str(error))
        except IntakeRefused as refusal:
            errors.print(
                f"[red]Ditolak:[/] {shown(bounded(str(refusal)), lines=True)}", highlight=False
            )
            return 1
    for unit, outcome in imported[:50]:
        _print_imported(file.name, unit, outcome)
    if len(imported) > 50:
        say(f"  ... dan {len(imported) - 50} unit lainnya")
    changed = sum(1 for _, i in imported if i.created)
    say(
        f"{clean(file.name)}: {len(imported)} unit, {changed} versi baru, "
        f"{len(imported) - changed} tetap"
    )
    return 0


def _print_imported(source: str, unit: UnitKerja, imported: ImportedAssessment) -> None:
    met = [name for name, ok in imported.meets.items() if ok]
    floors = f"memenuhi {', '.join(met)}" if met else "belum memenuhi batas"
    if not imported.created:
        change = f"tidak berubah (versi {imported.version})"
    elif imported.previous_total is None:
        change = f"versi {imported.version} (pertama)"
    else:
        delta = shown_difference(imported.total, imported.previous_total)
        change = f"versi {imported.version}, {'+' if delta >= 0 else '−'}{angka(abs(delta))}"
    say(f"{clean(source)}: {clean(unit.code)} total {angka(imported.total)}, {floors}; {change}")
    for note in imported.survey_notes:
        errors.print(f"  [yellow]Peringatan:[/] {shown(note)}", highlight=False, soft_wrap=True)


# --- the inbox ----------------------------------------------------------------------------------


def inbox(
    as_of: AsOf = None,
    framework: Framework = None,
    server: Annotated[
        bool,
        typer.Option(
            "--server", help="Jalankan deployment di server Prefect (PREFECT_API_URL) dan tunggu."
        ),
    ] = False,
) -> None:
    """Terima berkas dari kotak masuk (ZI_INBOX_DIR) sekarang: buku kerja LKE, responden survei
    (survei/) dan arsip bukti dukung (bukti/), seperti flow `penerimaan-lke` tiap 15 menit di
    bawah `zi serve`."""
    from config.settings import get_settings
    from zi_cli.stages import INBOX, run_stage

    folder = get_settings().inbox
    folder.mkdir(parents=True, exist_ok=True)
    result = run_stage(INBOX, {"as_of": day(as_of), "framework": framework}, server=server)
    for name in result["accepted"]:
        say(f"Diterima: {clean(name)}")
    for name, problems in result["refused"].items():
        errors.print(f"[yellow]Ditolak:[/] {shown(name)}", highlight=False)
        for problem in problems:
            errors.print(f"  {shown(problem)}", highlight=False)
    say(
        f"Kotak masuk: {len(result['accepted'])} diterima, "
        f"{len(result['refused'])} ditolak; {result['sent']} e-mail terkirim."
    )
    print_path("Folder kotak masuk:", folder)
