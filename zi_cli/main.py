"""`zi`: score LKE answers, list frameworks, set up the database, run the demo.

Exit status 2 means bad input (the message names the file, row and problem); scripts rely on
`zi score --json` exactly as documented in the README. Exit status 2 also covers what the operator
must fix around the command: a database that cannot be reached or a URL that cannot be used, a
data folder that is read-only or full. Those are turned into one Indonesian message in one place
(`ZiGroup`, which every command runs under), never with a password; anything else unexpected
stays a traceback (exit 1), so that a bug is not hidden behind a message.
"""

from __future__ import annotations

import csv
import errno
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import pandas as pd
import typer
from sqlalchemy.exc import InterfaceError, OperationalError

# Typer carries its own copy of Click; its exceptions are the ones raised while parsing options.
from typer._click import exceptions as click_errors

from config.framework_files import installed_frameworks, load_framework
from config.settings import get_settings
from zi_cli import (
    award_commands,
    intake_commands,
    lifecycle_commands,
    survey_commands,
    web_commands,
    work_pool,
)
from zi_cli.answers_file import AnswersFileError, read_answers_file
from zi_cli.evidence_commands import evidence_app
from zi_cli.help_text import HelpGroup, ZiTyper, plain_number
from zi_cli.output import (
    FIRST_YEAR,
    LAST_YEAR,
    MAX_LISTED,
    AsOf,
    clean,
    console,
    errors,
    fail,
    print_path,
    progress,
    quoting,
    say,
    shown,
)
from zi_cli.output import day as _day
from zi_cli.score_view import (
    FIX_FIRST_SHOWN,
    aim,
    fix_first_json,
    print_fix_first,
    print_unit_score,
)
from zi_domain.answers import AnswerError, read_answers
from zi_domain.framework import Framework
from zi_domain.framework_data import FrameworkError
from zi_domain.gaps import fix_first
from zi_domain.indonesian import angka
from zi_domain.predicates import PREDICATES
from zi_domain.scoring import score_units
from zi_domain.unit_score import unit_score

if TYPE_CHECKING:
    from persistence.tables import UnitKerja
    from persistence.unit_of_work import SqlUnitOfWork

# --- errors of the environment and of the command line, in one place -----------------------

# What the operator fixes on the machine, not a bug: no space, a read-only or forbidden folder.
DISK_ERRNOS = frozenset(
    {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.EFBIG, errno.EMFILE}
)


@contextmanager
def environment_errors() -> Iterator[None]:
    """Turns what the operator must fix (database, disk, command line) into `fail` (exit 2)."""
    from persistence.database import DatabaseUnavailable

    try:
        yield
    except click_errors.NoArgsIsHelpError:
        raise  # `zi` alone prints its help, as Click does
    except click_errors.UsageError as error:
        fail(usage_message(error))
    except DatabaseUnavailable as error:
        fail(str(error))
    except (OperationalError, InterfaceError) as error:
        fail(database_message(error))
    except csv.Error as error:
        fail(f"berkas CSV tidak dapat dibaca: {csv_problem(error)}")
    except OSError as error:
        if error.errno not in DISK_ERRNOS:
            raise
        fail(disk_message(error))


class ZiGroup(HelpGroup):
    """The `zi` command group: every subcommand is parsed and run inside `environment_errors`."""

    def make_context(
        self, info_name: str | None, args: list[str], parent: Any = None, **extra: Any
    ) -> Any:
        with environment_errors():
            return super().make_context(info_name, args, parent=parent, **extra)

    def invoke(self, ctx: Any) -> Any:
        with environment_errors():
            return super().invoke(ctx)


def database_message(error: OperationalError | InterfaceError) -> str:
    """The configured database (password masked) and the driver's first line (redacted)."""
    from persistence.database import redact, safe_url

    url = get_settings().database_url_value()
    lines = str(error.orig if error.orig is not None else error).strip().splitlines()
    reason = redact(lines[0], url) if lines else type(error).__name__
    return (
        f"basis data {safe_url(url)} tidak dapat dihubungi atau dipakai: {reason}. Periksa "
        "ZI_DATABASE_URL dan apakah server basis data berjalan, lalu jalankan ulang perintahnya."
    )


def disk_message(error: OSError) -> str:
    where = f" {error.filename}" if error.filename else ""
    why = {
        errno.ENOSPC: "ruang disk habis",
        errno.EDQUOT: "kuota disk habis",
        errno.EROFS: "folder hanya-baca",
        errno.EACCES: "tidak ada izin",
        errno.EPERM: "tidak ada izin",
        errno.EFBIG: "berkas terlalu besar",
        errno.EMFILE: "terlalu banyak berkas terbuka",
    }.get(error.errno or 0, error.strerror or type(error).__name__)
    return (
        f"tidak dapat menulis{where}: {why}. Periksa folder data (ZI_DATA_DIR), lalu jalankan "
        "ulang perintahnya."
    )


def csv_problem(error: csv.Error) -> str:
    text = str(error)
    if "field larger than field limit" in text:
        return f"ada sel yang lebih panjang dari {angka(csv.field_size_limit(), 0)} karakter"
    return "susunan tanda kutip atau pemisahnya rusak"


def usage_message(error: click_errors.UsageError) -> str:
    """Click's usage errors in Indonesian, naming the option and the value."""
    command = error.ctx.command_path if error.ctx is not None else "zi"
    hint = f" (lihat `{command} --help`)"
    if isinstance(error, click_errors.MissingParameter):
        return f"{_parameter(error.param, error.param_hint)} wajib diisi{hint}"
    if isinstance(error, click_errors.BadParameter):
        name = _parameter(error.param, error.param_hint)
        return f"nilai tidak sah untuk {name}: {_value_problem(error)}{hint}"
    if isinstance(error, click_errors.NoSuchOption):
        maybe = (
            f"; maksudnya {' atau '.join(sorted(error.possibilities))}?"
            if error.possibilities
            else ""
        )
        return f"opsi tidak dikenal: {error.option_name}{maybe}{hint}"
    if isinstance(error, click_errors.BadOptionUsage):
        if "requires" in error.message:
            return f"opsi {error.option_name} memerlukan nilai{hint}"
        if "does not take a value" in error.message:
            return f"opsi {error.option_name} tidak menerima nilai{hint}"
        return f"opsi {error.option_name} tidak dapat dipakai seperti itu{hint}"
    message = error.message
    if message.startswith("No such command"):
        # Typer adds its guesses: "No such command 'scor'. Did you mean 'score'?"
        name, _, guesses = message.removeprefix("No such command ").partition(". Did you mean ")
        maybe = (
            f"; maksudnya {guesses.removesuffix('?').replace(', ', ' atau ')}?" if guesses else ""
        )
        return f"perintah tidak dikenal: {name.removesuffix('.')}{maybe}{hint}"
    if message.startswith("Got unexpected extra argument"):
        extra = message.removeprefix("Got unexpected extra argument(s) ")[1:-1]
        return f"argumen berlebih: {extra}{hint}"
    if message.startswith("Missing command"):
        return f"sebutkan perintahnya{hint}"
    return f"perintah tidak dapat dibaca{hint}"


def _parameter(param: Any, hint: Sequence[str] | str | None) -> str:
    """'--as-of' for an option, 'ANSWERS' for an argument."""
    if hint:
        return hint if isinstance(hint, str) else " / ".join(hint)
    if param is None:
        return "parameter"
    opts = [o for o in getattr(param, "opts", []) if o.startswith("--")]
    if opts and getattr(param, "param_type_name", "") == "option":
        return f"opsi {' / '.join(opts)}"
    return f"argumen {str(param.name or '').upper()}"


def _value_problem(error: click_errors.BadParameter) -> str:
    """What is wrong with the value, from the validation that refused it."""
    from pydantic import ValidationError

    cause = error.__cause__
    if not isinstance(cause, ValidationError) or not cause.errors():
        return "nilai tidak dikenal"
    first = cause.errors()[0]
    kind, value, limits = first["type"], first.get("input"), first.get("ctx") or {}
    shown_value = repr(value) if isinstance(value, str) else str(value)
    if kind == "value_error":
        problem = str(limits.get("error", ""))
        if "does not match the format" in problem:
            return f"{shown_value} bukan tanggal YYYY-MM-DD"
        return problem or f"{shown_value} tidak sah"
    if kind.startswith("int_"):
        return f"{shown_value} bukan bilangan bulat"
    if kind.startswith("float_") or kind == "finite_number":
        return f"{shown_value} bukan angka"
    if kind in ("greater_than_equal", "greater_than"):
        least = plain_number(limits.get("ge", limits.get("gt")))
        return f"{value} terlalu kecil; paling kecil {least}"
    if kind in ("less_than_equal", "less_than"):
        most = plain_number(limits.get("le", limits.get("lt")))
        return f"{value} terlalu besar; paling besar {most}"
    if kind == "bool_parsing":
        return f"{shown_value} bukan ya/tidak (true/false)"
    if kind in ("enum", "literal_error"):
        return f"{shown_value} bukan pilihan yang sah; pilih {limits.get('expected', '')}"
    return f"{shown_value} tidak sah"


app = ZiTyper(
    cls=ZiGroup,
    help="zi-orchestrator: Zona Integritas (WBK/WBBM) dari LKE sampai usulan ke TPN.",
    no_args_is_help=True,
    add_completion=False,
)


@app.command()
def score(
    answers: Annotated[
        Path,
        typer.Argument(
            metavar="BERKAS",
            help="CSV UTF-8 berkepala 'code,answer' (atau ;), atau buku kerja LKE.",
        ),
    ],
    framework: Annotated[
        str | None, typer.Option(metavar="NAMA", help="Nama kerangka LKE (lihat `zi frameworks`).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Keluaran satu objek JSON.")] = False,
    held: Annotated[
        str | None,
        typer.Option(
            "--berpredikat",
            metavar="PREDIKAT",
            help="Predikat yang sudah dimiliki unit (WBK: perbaikan menuju WBBM); bawaan: "
            "belum berpredikat (menuju WBK).",
        ),
    ] = None,
    fixes: Annotated[
        int,
        typer.Option(
            "--perbaikan",
            min=0,
            metavar="JUMLAH",
            help="Butir 'yang perlu diperbaiki lebih dulu' yang ditampilkan; 0 = semua.",
        ),
    ] = FIX_FIRST_SHOWN,
) -> None:
    """Hitung nilai LKE satu unit kerja dari berkas jawaban.

    Lalu butir LKE yang perlu diperbaiki lebih dulu: yang menutup kekurangan batas nilai
    predikat berikutnya lebih dulu, lalu menurut tambahan poin total (--json memuat semuanya).
    """
    if held is not None and held not in PREDICATES:
        fail(f"--berpredikat {held!r}: pilih {' atau '.join(PREDICATES)}")
    try:
        lke = load_framework(framework)
        rows, unreadable = _score_input(answers, lke)
    except (FrameworkError, AnswersFileError) as error:
        fail(str(error))
    sheet = read_answers(rows, lke)
    if sheet.warnings:  # every value kept within 0..100 %, named, even when the file is refused
        errors.print(
            f"[yellow]Peringatan:[/] {len(sheet.warnings)} jawaban dibaca tidak persis seperti "
            f"tertulis:\n{shown(_listed(answers, sheet.warnings), lines=True)}",
            highlight=False,
            soft_wrap=True,
        )
    # Rows that could not be split into two cells and answers that could not be read: all of
    # them, in the order of the file, so that one run lists everything to fix.
    problems = sorted([*unreadable, *sheet.errors], key=lambda problem: problem.row)
    if problems:
        fail(f"{len(problems)} jawaban tidak dapat dibaca:\n{_listed(answers, problems)}")
    # A file with a header only, or only empty answers, is valid: every question is unanswered.
    values = sheet.values if len(sheet.values) else sheet.values.reindex(["unit"])
    scores = score_units(values, lke)
    unanswered = values.iloc[0]
    missing = [str(code) for code in unanswered.index[unanswered.isna()]]
    result = unit_score(scores.iloc[0], missing, lke)
    toward = aim(held, lke)
    ranking = fix_first(unanswered, scores.iloc[0], lke, toward)
    if as_json:
        out = result.to_json() | {"fix_first": fix_first_json(ranking, lke, toward)}
        typer.echo(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        print_unit_score(console, result, lke, title=answers.name)
        print_fix_first(console, ranking, lke, predicate=toward, missing=missing, shown_items=fixes)


def _score_input(path: Path, lke: Framework) -> tuple[pd.DataFrame, Sequence[AnswerError]]:
    """The answers of a CSV (`,` or `;`, reported on stderr) or of a filled LKE workbook, and
    the CSV's rows that could not be read as two cells."""
    if path.suffix.lower() == ".xlsx":
        from spreadsheets.lke_form import LkeFormError, read_lke_form

        try:
            content = read_lke_form(path, framework=lke)
        except LkeFormError as error:
            raise AnswersFileError(str(error)) from error
        if content.problems:
            listed = _listed(path, content.problems)
            raise AnswersFileError(f"{len(content.problems)} masalah:\n{listed}")
        return content.answers.assign(unit="unit"), ()
    read = read_answers_file(path)
    errors.print(f"{shown(path.name)}: pemisah {read.delimiter_words}", highlight=False)
    return read.rows, read.problems


def _listed(path: Path, problems: Sequence[object]) -> str:
    """The first problems, one line each with the file's name, and how many more there are."""
    lines = [f"  {clean(path)}: {clean(p)}" for p in problems[:MAX_LISTED]]
    if len(problems) > MAX_LISTED:
        lines.append(f"  ... dan {len(problems) - MAX_LISTED} masalah lain")
    return "\n".join(lines)


@app.command()
def frameworks() -> None:
    """Daftar kerangka LKE yang terpasang."""
    from rich.table import Table

    table = Table(title="Kerangka LKE terpasang")
    table.add_column("Nama", overflow="fold")
    table.add_column("Judul", ratio=1)
    table.add_column("Pertanyaan", justify="right", no_wrap=True)
    listed = installed_frameworks()
    for installed in listed:
        try:
            lke = load_framework(installed.name)
        except FrameworkError as error:
            table.add_row(shown(installed.name), f"[red]tidak sah: {shown(error)}[/]", "-")
            continue
        items = f"{len(lke.questions)} + {len(lke.hasil_items)}"
        table.add_row(shown(lke.name), shown(lke.title), items)
    console.print(table)
    # Paths whole, outside the table, so that they can be copied.
    for installed in listed:
        print_path(f"Berkas {installed.name}:", installed.path)


# --- the lifecycle by codes -----------------------------------------------------------------

app.command("declare")(lifecycle_commands.declare)
app.command("designate")(lifecycle_commands.designate)
app.command("develop")(lifecycle_commands.develop)
app.command("monitor")(lifecycle_commands.monitor)
app.command("remind")(lifecycle_commands.remind)
app.command("status")(lifecycle_commands.status)
app.add_typer(lifecycle_commands.period_app, name="period", no_args_is_help=True)

# --- an agency's own data in ---------------------------------------------------------------

app.add_typer(intake_commands.agency_app, name="agency", no_args_is_help=True)
app.add_typer(intake_commands.lke_app, name="lke", no_args_is_help=True)
app.add_typer(survey_commands.survey_app, name="survey", no_args_is_help=True)
app.command("inbox")(intake_commands.inbox)

# --- the portal ------------------------------------------------------------------------------

app.command("web")(web_commands.web)
app.command("web-link")(web_commands.web_link)
app.command("deploy")(work_pool.deploy)
app.command("worker")(work_pool.worker)

db = ZiTyper(help="Basis data produk.", no_args_is_help=True)
app.add_typer(db, name="db")


@db.command("upgrade")
def db_upgrade() -> None:
    """Buat atau perbarui skema basis data (migrasi Alembic) tanpa menghapus data."""
    from persistence.database import DatabaseUnavailable, safe_url
    from persistence.migrate import upgrade_database

    url = get_settings().database_url_value()
    try:
        upgrade_database(url)
    except DatabaseUnavailable as error:
        fail(str(error))
    print_path("Skema basis data mutakhir:", safe_url(url))


@app.command()
def demo() -> None:
    """Demo: satu tahun ZI kabupaten fiktif, minggu demi minggu, melalui flow yang sebenarnya."""
    import time

    from zi_cli.demo import run_demo
    from zi_cli.stages import quiet_prefect

    quiet_prefect()  # Prefect's own log lines would bury the story; warnings and errors show

    started = time.perf_counter()
    console.print("Menyiapkan Prefect (mode tertanam) dan basis data demo ...")
    run_demo(load_framework(), get_settings().data_dir, console)
    console.print(f"Selesai dalam {angka(time.perf_counter() - started, 1)} detik.")


@app.command("serve")
def serve_command() -> None:
    """Layani flow sebagai deployment Prefect sampai dihentikan (Ctrl+C).

    Pemantauan TPI berjalan sesuai jadwal cron (ZI_MONITOR_CRON, zona waktu Asia/Jakarta atau
    ZI_TIMEZONE); periode yang unitnya memenuhi batas nilai dan menunggu usulan memicu
    deployment usulan-tpn-periode, yang menjalankan usulan-tpn untuk setiap unit itu.
    Tanpa PREFECT_API_URL, server Prefect lokal dinyalakan (UI di http://127.0.0.1:4200,
    datanya di folder data) dan dihentikan bersama perintah ini.
    """
    from zi_cli.serve import ServerStartError, serve_all

    try:
        serve_all(get_settings())
    except ServerStartError as error:
        fail(str(error))


@app.command("server")
def server_command(
    port: Annotated[
        int, typer.Option(min=1, max=65535, metavar="PORT", help="Port server (UI dan API).")
    ] = 4200,
) -> None:
    """Jalankan server Prefect (`prefect server start`) di latar depan sampai Ctrl+C.

    UI di http://127.0.0.1:4200; basis data Prefect di folder `prefect` di bawah folder data.
    Lalu arahkan `zi serve` ke sana dengan PREFECT_API_URL=http://127.0.0.1:4200/api.
    """
    from zi_cli.serve import prefect_home, run_server_foreground, ui_url

    home = prefect_home(get_settings().data_dir)
    say(f"Server Prefect: UI di {ui_url(port)}")
    print_path("Data server Prefect:", home)
    raise typer.Exit(run_server_foreground(get_settings().data_dir, port))


@app.command("mail-sink")
def mail_sink(
    folder: Annotated[
        Path | None, typer.Option(metavar="FOLDER", help="Folder Maildir; bawaan: <data_dir>/mail.")
    ] = None,
    port: Annotated[
        int,
        typer.Option(
            min=0, max=65535, metavar="PORT", help="Port SMTP di 127.0.0.1; 0 = pilih port bebas."
        ),
    ] = 2525,
) -> None:
    """Jalankan penampung SMTP lokal yang menyimpan setiap e-mail sebagai berkas Maildir."""
    from notifications.sink import default_folder, run_mail_sink

    run_mail_sink(folder or default_folder(get_settings().data_dir), port)


# --- proposals to TPN ---------------------------------------------------------------------------

Year = Annotated[
    int | None,
    typer.Option(
        min=FIRST_YEAR, max=LAST_YEAR, metavar="TAHUN", help="Tahun usulan; bawaan: tahun --as-of."
    ),
]
InstansiName = Annotated[
    str | None, typer.Option("--instansi", metavar="NAMA", help="Nama (atau nomor) instansi.")
]


@app.command()
def propose(
    unit: Annotated[
        str | None, typer.Option("--unit", metavar="KODE", help="Kode (atau nomor) unit kerja.")
    ] = None,
    instansi: InstansiName = None,
    year: Year = None,
    as_of: AsOf = None,
    predicate: Annotated[
        str | None,
        typer.Option(metavar="PREDIKAT", help="WBK atau WBBM; bawaan: predikat berikutnya unit."),
    ] = None,
    new_revision: Annotated[
        bool, typer.Option("--revisi-baru", help="Buat ulang paket draf sebagai revisi baru.")
    ] = False,
) -> None:
    """Usulkan unit kerja ke TPN dan buat paket usulannya (surat, SPTJM, rekap LKE, ...).

    --unit KODE: satu unit. --instansi NAMA --year TAHUN: semua unit yang sedang dievaluasi TPI;
    unit yang belum memenuhi batas nilai atau prasyarat dilewati dengan alasannya.
    """
    from services.proposals import ProposalLocked, ProposalRefused
    from zi_cli import proposals as cli

    if unit is None and instansi is None:
        fail("sebutkan --unit KODE, atau --instansi NAMA dengan --year TAHUN")
    if predicate is not None and predicate not in PREDICATES:
        fail(f"--predicate {predicate!r}: pilih WBK atau WBBM")
    on = _day(as_of)
    with cli.unit_of_work() as uow:
        try:
            chosen = (
                [cli.find_unit(uow, unit, instansi)]
                if unit is not None
                else cli.candidates(uow, cli.find_instansi(uow, instansi or ""))
            )
        except cli.NotFoundInData as error:
            fail(str(error))
        if not chosen:
            console.print("Tidak ada unit kerja yang sedang dievaluasi TPI.")
        refused = 0
        # A package takes a few seconds (its PDFs): a whole instansi shows its progress.
        with progress("Membuat paket usulan", len(chosen)) as steps:
            for found in chosen:
                before = _proposal_ids(uow, found, year or on.year)
                try:
                    start = cli.propose_one(
                        uow,
                        found,
                        year=year or on.year,
                        as_of=on,
                        predicate=predicate,
                        new_revision=new_revision,
                    )
                except OSError as error:
                    if error.errno not in DISK_ERRNOS:
                        raise
                    _not_written(uow, found, year or on.year, before, error)
                except (ProposalRefused, ProposalLocked) as refusal:
                    refused += 1
                    errors.print(
                        f"[yellow]Tidak diusulkan:[/] {quoting(refusal, found.name, found.code)}",
                        highlight=False,
                    )
                else:
                    cli.print_start(console, found, start)
                steps.advance()
        if len(chosen) > 1:
            console.print(f"{len(chosen) - refused} diusulkan, {refused} belum dapat diusulkan.")
    if unit is not None and refused:
        raise typer.Exit(1)


def _proposal_ids(uow: SqlUnitOfWork, unit: UnitKerja, year: int) -> set[int]:
    return {
        p.id
        for p, of in uow.proposals.proposals_of(instansi_id=unit.instansi_id, year=year)
        if of.id == unit.id and p.id is not None
    }


def _not_written(
    uow: SqlUnitOfWork, unit: UnitKerja, year: int, before: set[int], error: OSError
) -> NoReturn:
    """A full or read-only data folder while proposing: says whether the proposal was saved (its
    package was, then the instansi's letter failed) or not (nothing kept), and what to rerun."""
    uow.rollback()
    saved = [
        p
        for p, of in uow.proposals.proposals_of(instansi_id=unit.instansi_id, year=year)
        if of.id == unit.id and p.id is not None and p.id not in before
    ]
    problem = disk_message(error).removesuffix(", lalu jalankan ulang perintahnya.")
    if not saved:
        fail(f"usulan {unit.name} ({unit.code}) tidak disimpan: {problem}, lalu jalankan ulang.")
    proposal = saved[-1]
    fail(
        f"usulan {proposal.predicate.value} {unit.name} ({unit.code}) tahun {year} revisi "
        f"{proposal.revision} TERSIMPAN dengan paketnya ({proposal.package_path}), tetapi surat "
        f"pengajuan instansi tidak dapat ditulis: {problem}. Setelah itu jalankan ulang "
        f"`zi propose --unit {unit.code}`: drafnya tetap, suratnya dibuat ulang."
    )


@app.command("proposals")
def proposals_command(
    instansi: InstansiName = None,
    year: Annotated[
        int | None,
        typer.Option(min=FIRST_YEAR, max=LAST_YEAR, metavar="TAHUN", help="Hanya tahun ini."),
    ] = None,
    history: Annotated[
        bool, typer.Option("--riwayat", help="Tampilkan revisi lama dan setiap perubahan status.")
    ] = False,
) -> None:
    """Daftar usulan ke TPN dengan status, nilai TPI dan paketnya."""
    from zi_cli import proposals as cli

    with cli.unit_of_work() as uow:
        try:
            owner = cli.find_instansi(uow, instansi) if instansi is not None else None
        except cli.NotFoundInData as error:
            fail(str(error))
        table, packages = cli.proposals_table(uow, instansi=owner, year=year, history=history)
        console.print(table)
        for label, package in packages:
            print_path(label, package)


@app.command()
def submit(
    instansi: Annotated[
        str, typer.Option("--instansi", metavar="NAMA", help="Nama (atau nomor) instansi.")
    ],
    year: Year = None,
    as_of: AsOf = None,
) -> None:
    """Catat bahwa surat usulan yang telah ditandatangani dikirim ke TPN (semua draf tahun itu)."""
    from services.proposals import submit_proposals
    from zi_cli import proposals as cli

    on = _day(as_of)
    with cli.unit_of_work() as uow:
        try:
            owner = cli.find_instansi(uow, instansi)
        except cli.NotFoundInData as error:
            fail(str(error))
        assert owner.id is not None
        submission = submit_proposals(
            uow,
            instansi_id=owner.id,
            year=year or on.year,
            as_of=on,
            actor="Koordinator ZI (zi submit)",
            data_dir=get_settings().data_dir,
        )
    say(f"{len(submission.sent)} usulan dikirim ke TPN.")
    print_path("Surat pengajuan:", submission.letter)


# --- TPN's outcome and after the award ---------------------------------------------------------

app.command("tpn-result")(award_commands.tpn_result)
app.command("award")(award_commands.award)
app.command("revoke")(award_commands.revoke)
app.command("wbk-mandiri")(award_commands.wbk_mandiri)
app.command("annul")(award_commands.annul)
app.command("post-award-report")(award_commands.post_award_report)
app.add_typer(award_commands.complaint_app, name="complaint", no_args_is_help=True)
app.add_typer(award_commands.calendar_app, name="calendar", no_args_is_help=True)
app.add_typer(evidence_app, name="evidence", no_args_is_help=True)


if __name__ == "__main__":
    app()
