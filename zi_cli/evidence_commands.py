"""`zi evidence`: a unit's evidence files (data dukung) in, and its coverage by LKE indicator.

`import` reads a folder laid out by LKE code (or listed by its manifest.csv), copies each file
into the evidence store under the data folder and records it; a folder with any problem exits 2
with every problem and stores nothing. `list` shows what covers each indicator, the indicators
without evidence, and (with `evidence_max_age_years` set) the documents flagged as old. `remove`
takes documents back out (by the number `list` shows, or by code), `import --replace` replaces
an indicator's documents, and `clean` discards store files no document names.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from zi_cli.help_text import ZiTyper
from zi_cli.output import bounded, clean, console, errors, fail, progress, say, shown
from zi_domain.indonesian import tanggal, ukuran

if TYPE_CHECKING:
    from persistence.evidence_store import Discarded
    from services.evidence import EvidenceRequest, ImportedEvidence
    from zi_domain.evidence import EvidenceIndex

evidence_app = ZiTyper(help="Bukti dukung (data dukung): impor berkas dan cakupan per indikator.")

Unit = Annotated[str, typer.Option("--unit", metavar="KODE", help="Kode unit kerja.")]
Instansi = Annotated[
    str | None, typer.Option("--instansi", metavar="KODE", help="Kode instansi unit itu.")
]
Year = Annotated[
    int | None,
    typer.Option(
        "--year",
        metavar="TAHUN",
        min=2000,
        max=2100,
        help="Tahun penilaian (menandai dokumen lama); bawaan: tahun ini.",
    ),
]


def _request(unit: str, instansi: str | None, year: int | None, actor: str) -> EvidenceRequest:
    from config.framework_files import load_framework
    from config.settings import get_settings, today
    from services.evidence import EvidenceRequest

    return EvidenceRequest(
        unit_code=unit,
        framework=load_framework(None),
        year=year or today().year,
        actor=actor,
        instansi=instansi,
        max_age_years=get_settings().evidence_max_age_years,
    )


@evidence_app.command("import")
def evidence_import(
    folder: Annotated[
        Path,
        typer.Argument(
            metavar="FOLDER",
            help="Folder berisi subfolder berkode LKE (mis. A.I.1.i/) atau manifest.csv "
            "(code,title,date,file).",
        ),
    ],
    unit: Unit,
    instansi: Instansi = None,
    year: Year = None,
    replace: Annotated[
        bool,
        typer.Option(
            "--replace",
            help="Ganti dokumen tersimpan pada kode-kode yang ada di folder dengan isi folder "
            "(dokumen kode itu yang tidak ada lagi di folder dihapus).",
        ),
    ] = False,
) -> None:
    """Impor berkas bukti dukung unit: periksa, simpan sekali per isi, tampilkan cakupannya."""
    from config.settings import get_settings
    from persistence.unit_of_work import default_unit_of_work
    from services.evidence import EvidenceRefused, import_evidence, scan_folder

    if not folder.is_dir():
        fail(f"{folder}: folder tidak ada")
    request = _request(unit, instansi, year, "zi evidence import")
    count = len(scan_folder(folder, request.framework).files)
    with default_unit_of_work() as uow, progress("Menyimpan bukti dukung", count) as steps:
        try:
            imported = import_evidence(
                uow,
                folder=folder,
                request=request,
                data_dir=get_settings().data_dir,
                on_file=steps.advance,
                replace=replace,
            )
        except EvidenceRefused as refusal:
            errors.print(
                f"[red]Ditolak:[/] {shown(bounded(str(refusal)), lines=True)}", highlight=False
            )
            raise typer.Exit(2) from refusal
    say(
        f"{clean(folder.name or folder)}: {imported.files} berkas untuk unit "
        f"{clean(imported.unit.code)}; {imported.added} baru disimpan, {imported.already} "
        "sudah tersimpan untuk kode yang sama (tidak disimpan lagi)"
    )
    if imported.unlisted:
        say(f"{imported.unlisted} berkas di folder tidak tercantum di manifest.csv (tidak diimpor)")
    if replace:
        say(f"{imported.replaced} dokumen lama pada kode yang sama diganti (dihapus)")
        _print_discarded(imported.discarded)
    _print_coverage(imported, documents=False)


@evidence_app.command("list")
def evidence_list(unit: Unit, instansi: Instansi = None, year: Year = None) -> None:
    """Tampilkan cakupan bukti dukung unit per indikator LKE, dokumen lama ditandai."""
    from persistence.unit_of_work import default_unit_of_work
    from services.evidence import EvidenceRefused, unit_evidence

    request = _request(unit, instansi, year, "zi evidence list")
    with default_unit_of_work() as uow:
        try:
            found = unit_evidence(uow, request=request)
        except EvidenceRefused as refusal:
            fail("\n".join(refusal.problems))
    _print_coverage(found, documents=True)


@evidence_app.command("remove")
def evidence_remove(
    numbers: Annotated[
        list[int] | None,
        typer.Argument(metavar="NOMOR...", help="Nomor dokumen (#) seperti di `zi evidence list`."),
    ] = None,
    unit: Unit = "",
    code: Annotated[
        list[str] | None,
        typer.Option(
            "--code",
            metavar="KODE-LKE",
            help="Hapus semua dokumen di kode ini (dan pertanyaan di bawahnya); boleh berulang.",
        ),
    ] = None,
    instansi: Instansi = None,
) -> None:
    """Hapus dokumen bukti dukung unit (per nomor atau per kode LKE)."""
    from config.settings import get_settings
    from persistence.unit_of_work import default_unit_of_work
    from services.evidence import EvidenceRefused, remove_evidence

    if not unit:
        fail("--unit wajib diisi")
    if not numbers and not code:
        fail("sebutkan nomor dokumen (lihat `zi evidence list`) atau --code KODE-LKE")
    request = _request(unit, instansi, None, "zi evidence remove")
    with default_unit_of_work() as uow:
        try:
            removed = remove_evidence(
                uow,
                request=request,
                document_ids=numbers or [],
                codes=code or [],
                data_dir=get_settings().data_dir,
            )
        except EvidenceRefused as refusal:
            fail("\n".join(refusal.problems))
    for document in removed.removed:
        _wrapped(f"Dihapus: #{document.id} {shown(document.code)} {shown(document.title)}")
    say(f"{len(removed.removed)} dokumen dihapus dari unit {clean(removed.unit.code)}")
    _print_discarded(removed.discarded)


@evidence_app.command("clean")
def evidence_clean() -> None:
    """Buang berkas di penyimpanan bukti dukung yang tidak dipakai dokumen mana pun."""
    from config.settings import get_settings
    from persistence.unit_of_work import default_unit_of_work
    from services.evidence import clean_evidence_store

    with default_unit_of_work() as uow:
        discarded = clean_evidence_store(uow, data_dir=get_settings().data_dir)
    _print_discarded(discarded, nothing="Tidak ada berkas yang perlu dibuang.")


def _print_discarded(discarded: Discarded, *, nothing: str | None = None) -> None:
    if discarded.files:
        say(
            f"{discarded.files} berkas tak terpakai dibuang dari penyimpanan "
            f"({ukuran(discarded.size_bytes)})"
        )
    elif nothing is not None:
        say(nothing)
    if discarded.fresh:
        say(
            f"{discarded.fresh} berkas tak terpakai baru disimpan kurang dari 1 jam lalu: "
            "dibiarkan, dibuang oleh `zi evidence clean` sesudahnya"
        )


def _wrapped(text: str) -> None:
    """A line of data wrapped at the console's width (80 columns off a terminal)."""
    console.print(shown(text), highlight=False)


def _print_coverage(found: ImportedEvidence, *, documents: bool) -> None:
    index = found.index
    covered = [i for i in index.indicators if not i.gap]
    size = sum(i.size_bytes for i in index.indicators)
    _wrapped(
        f"Bukti dukung {clean(found.unit.name)} ({clean(found.unit.code)}), penilaian "
        f"{index.year}: {index.document_count} dokumen ({ukuran(size)}) untuk {len(covered)} "
        f"dari {len(index.indicators)} indikator"
    )
    if index.max_age_years is not None:
        _wrapped(
            f"Dokumen bertahun sebelum {index.year - index.max_age_years} ditandai lama "
            f"(lebih dari {index.max_age_years} tahun): {len(index.flagged)} dokumen; tetap "
            "dihitung"
        )
    if index.hasil:
        hasil = [d for i in index.hasil for d in i.documents]
        _wrapped(
            f"Bukti dukung hasil: {len(hasil)} dokumen "
            f"({ukuran(sum(i.size_bytes for i in index.hasil))}) untuk "
            f"{', '.join(i.code for i in index.hasil)}"
        )
    if covered or index.hasil:
        console.print(_coverage_table(index, documents=documents))
    gaps = [i.code for i in index.gaps]
    if gaps:
        _wrapped(f"Tanpa bukti dukung ({len(gaps)} indikator): {', '.join(gaps)}")
    else:
        _wrapped("Setiap indikator LKE mempunyai bukti dukung.")


def _coverage_table(index: EvidenceIndex, *, documents: bool) -> Table:
    table = Table(title="Cakupan per indikator", expand=True)
    table.add_column("Indikator", overflow="fold", ratio=3)
    table.add_column("Dok.", justify="right", no_wrap=True)
    table.add_column("Ukuran", justify="right", no_wrap=True)
    table.add_column("Lama", justify="right", no_wrap=True)
    for indicator in (*index.indicators, *index.hasil):
        if indicator.gap:
            continue
        old = sum(1 for d in indicator.documents if index.is_old(d))
        table.add_row(
            f"{shown(indicator.code)} {shown(indicator.name)}",
            str(len(indicator.documents)),
            ukuran(indicator.size_bytes),
            str(old) if old else "-",
        )
        if not documents:
            continue
        for document in indicator.documents:
            dated = (
                tanggal(document.document_date) if document.document_date else str(document.year)
            )
            table.add_row(
                f"  #{document.number} {dated}: {shown(document.title)} ({shown(document.code)})",
                "",
                ukuran(document.size_bytes) if document.size_bytes is not None else "-",
                "lama" if index.is_old(document) else "",
            )
    return table
