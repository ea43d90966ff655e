"""`zi declare`, `zi designate`, `zi develop`, `zi period`, `zi monitor`, `zi remind`, `zi status`.

Every command names the instansi by its code, as the agency workbook does; the stages run their
flows (see `zi_cli.stages`), the period and the status read and write through the services.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

import typer
from rich.table import Table

from persistence.unit_of_work import default_unit_of_work
from services.lookup import NotFoundInData, find_instansi
from services.pending_proposals import ProposalsPending
from services.status import UnitStatus, instansi_status
from zi_cli.help_text import ZiTyper
from zi_cli.output import (
    FIRST_YEAR,
    LAST_YEAR,
    AsOf,
    InstansiCode,
    OptionalInstansi,
    any_day,
    clean,
    console,
    day,
    errors,
    fail,
    print_path,
    say,
    shown,
)
from zi_cli.stages import (
    DECLARE,
    DESIGNATE,
    DEVELOP,
    MONITOR,
    REMIND,
    Stage,
    StageFailed,
    known_instansi,
    run_stage,
)
from zi_domain.indonesian import angka, tanggal
from zi_domain.lifecycle import ACTION_VERBS, STATE_LABELS, UnitState
from zi_domain.plain_text import shortened
from zi_domain.predicates import PREDICATES

Server = Annotated[
    bool,
    typer.Option(
        "--server",
        help="Jalankan deployment di server Prefect (PREFECT_API_URL, `zi serve`) dan tunggu "
        "hasilnya; bawaan: langsung di proses ini.",
    ),
]
Year = Annotated[
    int | None,
    typer.Option(
        min=FIRST_YEAR, max=LAST_YEAR, metavar="TAHUN", help="Tahun; bawaan: tahun --as-of."
    ),
]


def _run(stage_name: str, stage: Stage, parameters: dict[str, Any], server: bool) -> dict[str, Any]:
    try:
        return run_stage(stage, parameters, server=server)
    except (StageFailed, NotFoundInData) as error:
        fail(f"{stage_name}: {error}")


def declare(
    instansi: InstansiCode,
    year: Year = None,
    as_of: AsOf = None,
    pakta: Annotated[
        str,
        typer.Option(metavar="TEKS", help="Catatan Pakta Integritas (siapa yang menandatangani)."),
    ] = "Pakta Integritas ditandatangani seluruh pegawai",
    unit: Annotated[
        str | None,
        typer.Option(
            "--unit",
            metavar="KODE",
            help="Pencanangan oleh kepala unit kerja ini, untuk unitnya.",
        ),
    ] = None,
    withdraw: Annotated[
        str | None,
        typer.Option(
            "--withdraw",
            metavar="ALASAN",
            help="Cabut pencanangan pimpinan instansi, dengan alasannya.",
        ),
    ] = None,
    server: Server = False,
) -> None:
    """Pencanangan: pimpinan instansi (atau kepala unit) mencanangkan ZI.

    Satu pencanangan berlaku sampai dicabut; mencanangkan lagi hanya menambah kalender tahun
    yang belum ada.
    """
    code, on = known_instansi(instansi), day(as_of)
    if unit is not None or withdraw is not None:
        _declaration_of_record(code, on, unit=unit, withdraw=withdraw, pakta=pakta)
        return
    result = _run(
        "zi declare",
        DECLARE,
        {"instansi": code, "year": year or on.year, "as_of": on, "pakta_integritas": pakta},
        server,
    )
    if result["created"]:
        say(
            f"Pencanangan {clean(code)} dicatat; {result['milestones']} tonggak "
            f"{year or on.year} dibuat."
        )
    elif result["milestones"]:
        made = f"{result['milestones']} tonggak {year or on.year} dibuat"
        say(f"Pencanangan {clean(code)} sudah berlaku; {made}.")
    else:
        say(
            f"Pencanangan {clean(code)} dan kalender {year or on.year} sudah ada; "
            "tidak ada perubahan."
        )


def _declaration_of_record(
    code: str, on: date, *, unit: str | None, withdraw: str | None, pakta: str
) -> None:
    """A unit head's declaration, or the withdrawal of the instansi's: recorded directly."""
    from services.lifecycle import declare_unit, withdraw_declaration
    from services.lookup import find_unit

    with default_unit_of_work() as uow:
        try:
            if withdraw is not None:
                owner = find_instansi(uow, code)
                assert owner.id is not None
                event = withdraw_declaration(
                    uow, instansi_id=owner.id, on=on, actor="Pimpinan instansi", reason=withdraw
                )
                say(
                    f"Pencanangan {clean(code)} dicabut per {tanggal(on)}."
                    if event is not None
                    else f"Tidak ada pencanangan {clean(code)} yang berlaku; tidak ada perubahan."
                )
                return
            assert unit is not None
            found = find_unit(uow, unit, code)
            declared = declare_unit(
                uow, unit=found, declared_on=on, actor="Kepala unit kerja", pakta_integritas=pakta
            )
        except NotFoundInData as error:
            fail(str(error))
    verb = "dicatat" if declared.created else "sudah berlaku; tidak ada perubahan"
    say(f"Pencanangan oleh kepala unit {clean(found.name)} ({clean(found.code)}) {verb}.")


def designate(
    instansi: InstansiCode,
    sk: Annotated[
        str | None,
        typer.Option("--sk", metavar="NOMOR", help="Nomor SK penetapan (kebiasaan, tidak wajib)."),
    ] = None,
    unit: Annotated[
        list[str] | None,
        typer.Option(
            "--unit",
            metavar="KODE",
            help="Kode unit calon (boleh berulang); bawaan: semua unit baru.",
        ),
    ] = None,
    year: Year = None,
    as_of: AsOf = None,
    server: Server = False,
) -> None:
    """Penetapan: unit kerja calon ditetapkan (dengan satu SK bila ada).

    Kriteria penetapan ditimbang, bukan syarat mutlak: unit yang belum memenuhi sebagian kriteria
    tetap ditetapkan dan kekurangannya dicatat, kecuali kebijakan instansi
    (ZI_DESIGNATION_REQUIRES_ALL_CRITERIA) menolaknya.
    """
    code, on = known_instansi(instansi), day(as_of)
    candidates = unit or _declared_units(code)
    if not candidates:
        fail(f"instansi {code}: tidak ada unit pada tahap Pencanangan; sebutkan --unit")
    result = _run(
        "zi designate",
        DESIGNATE,
        {
            "instansi": code,
            "candidates": candidates,
            "sk_number": sk,
            "year": year or on.year,
            "as_of": on,
        },
        server,
    )
    under = f" dengan SK {clean(sk)}" if sk else ""
    say(f"Ditetapkan{under}: {', '.join(map(clean, result['designated'])) or '-'}")
    for noted, note in result.get("noted", {}).items():
        say(f"  {clean(noted)}: {clean(note)}")
    for refused, reason in result["refused"].items():
        errors.print(f"[yellow]Ditolak:[/] {shown(refused)}: {shown(reason)}", highlight=False)


def _declared_units(instansi: str) -> list[str]:
    with default_unit_of_work() as uow:
        owner = find_instansi(uow, instansi)
        assert owner.id is not None
        return [
            u.code for u in uow.units.list_units(instansi_id=owner.id, state=UnitState.DECLARED)
        ]


def develop(
    instansi: InstansiCode, year: Year = None, as_of: AsOf = None, server: Server = False
) -> None:
    """Pembangunan: unit yang ditetapkan mulai membangun dengan rencana kerjanya; periode
    penilaian tahun itu dibuka bila belum ada."""
    code, on = known_instansi(instansi), day(as_of)
    result = _run(
        "zi develop", DEVELOP, {"instansi": code, "year": year or on.year, "as_of": on}, server
    )
    say(f"Pembangunan dimulai: {', '.join(map(clean, result['developing'])) or '-'}")
    if result.get("period"):
        say(f"Periode penilaian dibuka: {clean(result['period'])}")
    for refused, reason in result["refused"].items():
        errors.print(f"[yellow]Tidak dimulai:[/] {shown(refused)}: {shown(reason)}")


def monitor(instansi: OptionalInstansi = None, as_of: AsOf = None, server: Server = False) -> None:
    """Pemantauan TPI: nilai semua unit pada periode aktif, laporan, dan usulan unit yang siap."""
    code = known_instansi(instansi) if instansi else None
    on = day(as_of)
    # With a server the proposal deployment's trigger proposes; embedded, the flow does.
    parameters = {"instansi": code, "as_of": on, "propose_directly": not server}
    try:
        result = _run("zi monitor", MONITOR, parameters, server)
    except ProposalsPending as stopped:
        fail(str(stopped))
    if not result["periods"]:
        say(f"Tidak ada periode penilaian pada {tanggal(on)}; buka dengan `zi period open`.")
    for crossing in result["crossings"]:
        say(f"Unit {clean(crossing['unit_id'])} memenuhi batas {clean(crossing['predicate'])}")
    crossed, listed = result["crossing_count"], len(result["crossings"])
    if crossed > listed:
        say(f"... dan {angka(crossed - listed, 0)} unit lainnya; semuanya ada di laporan.")
    say(f"Pemantauan {tanggal(on)}: {result['periods']} periode, {angka(crossed, 0)} unit "
        "baru memenuhi batas nilai.")  # fmt: skip
    for pending in result["pending"]:
        say(f"Usulan tertunda: {pending}")
    waiting = result["pending_count"] - len(result["pending"])
    if waiting > 0:
        say(f"... dan {angka(waiting, 0)} usulan tertunda lainnya; semuanya ada di laporan.")
    for report in result["reports"]:
        print_path("Laporan pemantauan:", report)


def remind(
    instansi: OptionalInstansi = None,
    as_of: AsOf = None,
    days: Annotated[
        int,
        typer.Option(
            min=1, max=366, metavar="HARI", help="Susun juga hari-hari sebelumnya (susulan)."
        ),
    ] = 1,
    server: Server = False,
) -> None:
    """Pengingat: e-mail batas waktu, ringkasan mingguan dan ringkasan TPI, masing-masing sekali."""
    code = known_instansi(instansi) if instansi else None
    on = day(as_of)
    result = _run("zi remind", REMIND, {"instansi": code, "as_of": on, "days": days}, server)
    say(
        f"Pengingat {tanggal(on)}: {result['composed']} pesan disusun, {result['sent']} terkirim, "
        f"{result['already_sent']} sudah terkirim sebelumnya, {result['failed']} gagal, "
        f"{result['invalid']} alamat tidak sah."
    )


# --- periods --------------------------------------------------------------------------------


period_app = ZiTyper(help="Periode penilaian (pengisian LKE dan pemantauan TPI).")


@period_app.command("open")
def period_open(
    instansi: InstansiCode,
    start: Annotated[
        datetime, typer.Option("--start", parser=any_day, metavar="YYYY-MM-DD", help="Mulai.")
    ],
    end: Annotated[
        datetime, typer.Option("--end", parser=any_day, metavar="YYYY-MM-DD", help="Selesai.")
    ],
    name: Annotated[
        str | None, typer.Option(metavar="NAMA", help="Nama; bawaan: 'Penilaian TPI <tahun>'.")
    ] = None,
    year: Annotated[
        int | None,
        typer.Option(
            min=FIRST_YEAR, max=LAST_YEAR, metavar="TAHUN", help="Tahun; bawaan: tahun --start."
        ),
    ] = None,
) -> None:
    """Buka periode penilaian instansi (tidak boleh bertumpang tindih dengan periode lain)."""
    from services.assessments import PeriodRefused, open_period

    chosen_year = year or start.year
    chosen_name = name or f"Penilaian TPI {chosen_year}"
    with default_unit_of_work() as uow:
        try:
            owner = find_instansi(uow, instansi)
            assert owner.id is not None
            opened = open_period(
                uow,
                instansi_id=owner.id,
                year=chosen_year,
                name=chosen_name,
                starts_on=start.date(),
                ends_on=end.date(),
            )
        except (NotFoundInData, PeriodRefused) as error:
            fail(str(error))
        uow.commit()
    verb = "dibuka" if opened.created else "sudah ada (tidak diubah)"
    say(
        f"Periode {clean(chosen_name)!r} {tanggal(start.date())} s.d. {tanggal(end.date())} {verb}."
    )


@period_app.command("list")
def period_list(instansi: InstansiCode) -> None:
    """Daftar periode penilaian instansi."""
    table = Table(title="Periode penilaian")
    for column in ("Tahun", "Nama", "Mulai", "Selesai"):
        table.add_column(column)
    with default_unit_of_work() as uow:
        try:
            owner = find_instansi(uow, instansi)
        except NotFoundInData as error:
            fail(str(error))
        assert owner.id is not None
        for p in uow.assessments.periods(instansi_id=owner.id):
            table.add_row(str(p.year), shown(p.name), tanggal(p.starts_on), tanggal(p.ends_on))
    console.print(table)


# --- status ---------------------------------------------------------------------------------


def status(instansi: OptionalInstansi = None, as_of: AsOf = None) -> None:
    """Satu tabel unit: tahap, nilai TPI terakhir, batas nilai, batas waktu berikutnya, dan apa
    yang menahan langkah berikutnya."""
    on = day(as_of)
    with default_unit_of_work() as uow:
        try:
            chosen = [find_instansi(uow, instansi)] if instansi else uow.instansi.all_instansi()
        except NotFoundInData as error:
            fail(str(error))
        if not chosen:
            say("Belum ada instansi; mulai dengan `zi agency template` dan `zi agency import`.")
        for owner in chosen:
            rows = instansi_status(uow, instansi=owner, as_of=on)
            console.print(_status_table(owner.code or owner.name, owner.name, rows, on))


def _status_table(code: str, name: str, rows: list[UnitStatus], on: date) -> Table:
    """One row per unit, fitting 80 columns: codes fold, words wrap, the numbers and marks keep
    their width; the next deadline and what holds the next step share the widest column."""
    table = Table(
        title=f"{shown(name)} ({shown(code)}) per {tanggal(on)}",
        show_lines=True,
        expand=True,
        caption=f"{len(rows)} unit; ✓ = batas nilai terpenuhi pada nilai TPI terakhir",
    )
    table.add_column("Unit", overflow="fold", ratio=2)
    table.add_column("Tahap", ratio=2)
    table.add_column("Nilai TPI", justify="right", no_wrap=True)
    for predicate in PREDICATES:
        table.add_column(predicate, justify="center", no_wrap=True)
    table.add_column("Berikutnya: batas waktu, yang menahan", ratio=5)
    for row in rows:
        table.add_row(
            shown(row.code),
            STATE_LABELS[row.state] + (f" ({row.predicate_held})" if row.predicate_held else ""),
            angka(row.total) if row.total is not None else "-",
            *(_mark(row.meets.get(predicate)) for predicate in PREDICATES),
            "\n".join(_next(row)) or "-",
        )
    return table


def _next(row: UnitStatus) -> list[str]:
    """The next deadline, the overdue items, and what holds the next step (or that it is ready)."""
    lines = []
    if row.next_deadline:
        title = shown(shortened(row.next_deadline.title, 60))
        lines.append(f"{tanggal(row.next_deadline.due_on)}: {title}")
    if row.overdue:
        lines.append(f"[red]{row.overdue} butir terlambat[/]")
    lines += [f"• {shown(b)}" for b in row.blockers] or [_ready(row)]
    return [line for line in lines if line != "-"]


def _ready(row: UnitStatus) -> str:
    if row.next_action is None:
        return "-"
    return f"[green]siap {ACTION_VERBS[row.next_action]}[/]"


def _mark(met: bool | None) -> str:
    return "-" if met is None else ("[green]✓[/]" if met else "[red]✗[/]")
