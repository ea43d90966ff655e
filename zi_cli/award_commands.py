"""`zi award`, `zi revoke`, `zi wbk-mandiri`, `zi annul`, `zi complaint`, `zi calendar deadline`,
`zi post-award-report`: the lifecycle after a proposal, as the regulation has it.

They run the services directly on the configured database (no Prefect server needed). A refusal
is the lifecycle's message about the user's data, in Indonesian, with exit status 2.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer
from rich.table import Table

from config.settings import get_settings
from persistence.unit_of_work import default_unit_of_work
from services.after_award import (
    add_complaint,
    award_wbk_mandiri,
    record_post_award_report,
    revoke_predicate,
)
from services.calendar import move_proposal_deadline
from services.lifecycle import Decree
from services.lookup import find_instansi, find_unit
from services.proposals import TpnScore, annul_proposals, record_tpn_result
from zi_cli.help_text import ZiTyper
from zi_cli.output import (
    FIRST_YEAR,
    LAST_YEAR,
    AsOf,
    InstansiCode,
    any_day,
    clean,
    console,
    day,
    fail,
    print_path,
    say,
    shown,
)
from zi_domain.indonesian import tanggal
from zi_domain.lifecycle import STATE_LABELS, Transition, UnitState, proposable_again_on
from zi_domain.predicates import PREDICATES

UnitCode = Annotated[str, typer.Option("--unit", metavar="KODE", help="Kode unit kerja.")]
OptionalInstansi = Annotated[
    str | None,
    typer.Option("--instansi", metavar="KODE", help="Kode instansi (bila kode unit tidak unik)."),
]
DecreeNumber = Annotated[
    str, typer.Option("--decree", metavar="NOMOR", help="Nomor surat keputusan.")
]
DecreeDate = Annotated[
    datetime,
    typer.Option(
        "--decree-date", parser=any_day, metavar="YYYY-MM-DD", help="Tanggal surat keputusan."
    ),
]
ValidUntil = Annotated[
    datetime | None,
    typer.Option(
        "--valid-until",
        parser=any_day,
        metavar="YYYY-MM-DD",
        help="Berlaku sampai (bila SK menyebutnya).",
    ),
]
Year = Annotated[
    int | None,
    typer.Option(
        min=FIRST_YEAR, max=LAST_YEAR, metavar="TAHUN", help="Tahun usulan; bawaan: tahun --as-of."
    ),
]
Pengungkit = Annotated[
    float | None,
    typer.Option(min=0, max=100, metavar="NILAI", help="Nilai pengungkit hasil evaluasi TPN."),
]
Hasil = Annotated[
    float | None,
    typer.Option(min=0, max=100, metavar="NILAI", help="Nilai hasil (survei, kinerja) dari TPN."),
]

complaint_app = ZiTyper(help="Pengaduan maladministrasi atas unit kerja.")
calendar_app = ZiTyper(help="Kalender ZI yang tersimpan.")

# The components of TPN's score that `--score` may carry, as `zi score` names them.
_COMPONENTS = ("pengungkit", "hasil")


def _decree(number: str, dated: datetime, valid_until: datetime | None) -> Decree:
    if not number.strip():
        fail("--decree: nomor surat keputusan kosong")
    return Decree(
        number=number.strip(),
        dated=dated.date(),
        valid_until=valid_until.date() if valid_until is not None else None,
    )


def _moved(name: str, moved: Transition) -> None:
    say(f"{clean(name)}: {STATE_LABELS[moved.from_state]} → {STATE_LABELS[moved.to_state]}")


def tpn_result(
    unit: UnitCode,
    result: Annotated[
        str,
        typer.Option(
            metavar="HASIL",
            help="tpn_administrative, tpn_desk, tpn_field, tpn_panel, awarded atau rejected.",
        ),
    ],
    instansi: OptionalInstansi = None,
    predicate: Annotated[str, typer.Option(metavar="PREDIKAT", help="WBK atau WBBM.")] = "WBK",
    year: Year = None,
    as_of: AsOf = None,
    note: Annotated[
        str | None, typer.Option(metavar="TEKS", help="Catatan (mis. nomor surat TPN).")
    ] = None,
    score: Annotated[
        float | None,
        typer.Option(
            "--score", min=0, max=100, metavar="NILAI", help="Nilai total hasil evaluasi TPN."
        ),
    ] = None,
    pengungkit: Pengungkit = None,
    hasil: Hasil = None,
    decree: Annotated[
        str | None,
        typer.Option("--decree", metavar="NOMOR", help="Nomor Keputusan Menteri (penetapan)."),
    ] = None,
    decree_date: Annotated[
        datetime | None,
        typer.Option(
            "--decree-date",
            parser=any_day,
            metavar="YYYY-MM-DD",
            help="Tanggal Keputusan Menteri.",
        ),
    ] = None,
    valid_until: ValidUntil = None,
) -> None:
    """Catat hasil TPN untuk usulan unit kerja: tahap yang dicapai, penetapan, atau penolakan.

    Nilai TPN (--score, --pengungkit, --hasil) menggantikan nilai TPI untuk usulan itu. Penetapan
    (awarded) memerlukan --decree dan --decree-date; unit WBK lalu melanjutkan pembangunan menuju
    WBBM sejak tanggal keputusan. Unit yang ditolak kembali ke pembangunan.
    """
    on = day(as_of)
    if predicate not in PREDICATES:
        fail(f"--predicate {predicate!r}: pilih {' atau '.join(PREDICATES)}")
    if (decree is None) != (decree_date is None):
        fail("--decree dan --decree-date disebut bersama")
    if score is None and (pengungkit is not None or hasil is not None):
        fail("--pengungkit/--hasil memerlukan --score (nilai total TPN)")
    components = {
        name: value for name, value in zip(_COMPONENTS, (pengungkit, hasil), strict=True) if value
    }
    with default_unit_of_work() as uow:
        try:
            found = find_unit(uow, unit, instansi)
            assert found.id is not None
            moved = record_tpn_result(
                uow,
                unit_id=found.id,
                year=year or on.year,
                predicate=predicate,
                result=result,
                as_of=on,
                actor="TPN (dicatat koordinator ZI)",
                note=note,
                decree=(
                    _decree(decree, decree_date, valid_until)
                    if decree is not None and decree_date is not None
                    else None
                ),
                score=TpnScore(total=score, components=components) if score is not None else None,
            )
        # Unknown unit or proposal (LookupError); unknown result or a move refused (ValueError:
        # IllegalProposalMove and IllegalTransition among them).
        except (LookupError, ValueError) as error:
            fail(str(error))
        _moved(found.name, moved)
        if found.state != moved.to_state:
            say(f"  lalu: {STATE_LABELS[moved.to_state]} → {STATE_LABELS[UnitState(found.state)]}")


def award(
    unit: UnitCode,
    decree: DecreeNumber,
    decree_date: DecreeDate,
    predicate: Annotated[str, typer.Option(metavar="PREDIKAT", help="WBK atau WBBM.")] = "WBK",
    instansi: OptionalInstansi = None,
    year: Year = None,
    as_of: AsOf = None,
    valid_until: ValidUntil = None,
    score: Annotated[
        float | None,
        typer.Option("--score", min=0, max=100, metavar="NILAI", help="Nilai total TPN."),
    ] = None,
) -> None:
    """Catat penetapan predikat oleh Menteri atas usulan unit (Keputusan Menteri PANRB).

    Sama dengan `zi tpn-result --result awarded`: unit WBK melanjutkan pembangunan menuju WBBM
    sejak tanggal keputusan, dan laporan TPI pasca penetapan jatuh tempo dua tahun kemudian.
    """
    tpn_result(
        unit=unit,
        result="awarded",
        instansi=instansi,
        predicate=predicate,
        year=year,
        as_of=as_of,
        note=None,
        score=score,
        pengungkit=None,
        hasil=None,
        decree=decree,
        decree_date=decree_date,
        valid_until=valid_until,
    )


def revoke(
    unit: UnitCode,
    decree: DecreeNumber,
    decree_date: DecreeDate,
    reason: Annotated[
        str,
        typer.Option("--reason", metavar="ALASAN", help="Alasan (mis. laporan TPI, temuan TPN)."),
    ],
    instansi: OptionalInstansi = None,
    as_of: AsOf = None,
) -> None:
    """Catat pencabutan predikat oleh Menteri.

    Unit boleh terus membangun, tetapi baru dapat diusulkan lagi dua tahun setelah tanggal
    keputusan pencabutan.
    """
    on = day(as_of)
    with default_unit_of_work() as uow:
        try:
            found = find_unit(uow, unit, instansi)
            moved = revoke_predicate(
                uow,
                unit=found,
                decree=_decree(decree, decree_date, None),
                as_of=on,
                actor="Koordinator ZI (zi revoke)",
                reason=reason,
            )
        except (LookupError, ValueError) as error:
            fail(str(error))
        _moved(found.name, moved)
        again = proposable_again_on(decree_date.date())
        say(f"  Pembangunan dapat dilanjutkan; dapat diusulkan lagi mulai {tanggal(again)}.")


def wbk_mandiri(
    unit: UnitCode,
    decree: Annotated[
        str, typer.Option("--decree", metavar="NOMOR", help="Nomor keputusan pimpinan instansi.")
    ],
    decree_date: DecreeDate,
    instansi: OptionalInstansi = None,
    as_of: AsOf = None,
    valid_until: ValidUntil = None,
) -> None:
    """Catat predikat Menuju WBK hasil evaluasi mandiri instansi (PermenPANRB 5/2024).

    Setara dengan WBK dari TPN: unit lalu membangun menuju WBBM. Evaluasi TPI tahun keputusan
    harus memenuhi batas nilai WBK.
    """
    on = day(as_of)
    with default_unit_of_work() as uow:
        try:
            found = find_unit(uow, unit, instansi)
            moved = award_wbk_mandiri(
                uow,
                unit=found,
                decree=_decree(decree, decree_date, valid_until),
                as_of=on,
                actor="Pimpinan instansi (zi wbk-mandiri)",
            )
        except (LookupError, ValueError) as error:
            fail(str(error))
        _moved(found.name, moved)
        now = STATE_LABELS[UnitState(found.state)]
        say(f"  lalu: {STATE_LABELS[moved.to_state]} → {now} menuju WBBM")


def annul(
    instansi: InstansiCode,
    reason: Annotated[
        str,
        typer.Option("--reason", metavar="ALASAN", help="Perbuatan melanggar hukum terkait KKN."),
    ],
    year: Year = None,
    as_of: AsOf = None,
) -> None:
    """Gugurkan usulan yang telah disampaikan ke TPN karena pelanggaran hukum terkait KKN.

    Semua usulan instansi pada tahun pengajuan itu yang sedang di TPN digugurkan; unitnya kembali
    ke pembangunan dan dapat diusulkan lagi pada tahun berikutnya.
    """
    on = day(as_of)
    with default_unit_of_work() as uow:
        try:
            owner = find_instansi(uow, instansi)
            assert owner.id is not None
            done = annul_proposals(
                uow,
                instansi_id=owner.id,
                year=year or on.year,
                as_of=on,
                actor="Koordinator ZI (zi annul)",
                reason=reason,
            )
        except (LookupError, ValueError) as error:
            fail(str(error))
    if not done.annulled:
        say(f"Tidak ada usulan {clean(owner.name)} tahun {year or on.year} yang sedang di TPN.")
    else:
        annulled = ", ".join(map(clean, done.annulled))
        say(f"Usulan digugurkan: {annulled}; unitnya kembali ke pembangunan.")


@complaint_app.command("add")
def complaint_add(
    unit: UnitCode,
    summary: Annotated[
        str, typer.Option("--summary", metavar="TEKS", help="Isi pengaduan, singkat.")
    ],
    received: Annotated[
        datetime | None,
        typer.Option(
            "--received",
            parser=any_day,
            metavar="YYYY-MM-DD",
            help="Tanggal diterima; bawaan: hari ini.",
        ),
    ] = None,
    source: Annotated[
        str | None, typer.Option(metavar="SUMBER", help="Sumber (mis. SP4N-LAPOR!, TPN).")
    ] = None,
    instansi: OptionalInstansi = None,
) -> None:
    """Catat pengaduan maladministrasi atas unit kerja; tampil di laporan pemantauan TPI."""
    on = day(received)
    with default_unit_of_work() as uow:
        try:
            found = find_unit(uow, unit, instansi)
            complaint = add_complaint(
                uow,
                unit=found,
                received_on=on,
                summary=summary,
                source=source,
                actor="TPI (zi complaint add)",
            )
        except (LookupError, ValueError) as error:
            fail(str(error))
        count = len(uow.units.complaints(instansi_id=found.instansi_id, unit_id=found.id))
    say(
        f"Pengaduan #{complaint.id} atas {clean(found.name)} ({tanggal(on)}) dicatat; "
        f"{count} pengaduan tercatat untuk unit ini."
    )


@complaint_app.command("list")
def complaint_list(
    instansi: InstansiCode,
    unit: Annotated[
        str | None, typer.Option("--unit", metavar="KODE", help="Hanya unit ini.")
    ] = None,
) -> None:
    """Daftar pengaduan maladministrasi instansi (atau satu unit), terlama dahulu."""
    with default_unit_of_work() as uow:
        try:
            owner = find_instansi(uow, instansi)
            assert owner.id is not None
            one = find_unit(uow, unit, instansi) if unit is not None else None
        except LookupError as error:
            fail(str(error))
        units = {u.id: u for u in uow.units.list_units(instansi_id=owner.id)}
        rows = uow.units.complaints(
            instansi_id=owner.id, unit_id=one.id if one is not None else None
        )
    table = Table(title=f"Pengaduan maladministrasi: {shown(owner.name)}")
    for column in ("No.", "Diterima", "Unit", "Sumber", "Isi"):
        table.add_column(column)
    for row in rows:
        table.add_row(
            str(row.id),
            tanggal(row.received_on),
            shown(units[row.unit_id].code),
            shown(row.source or "-"),
            shown(row.summary),
        )
    console.print(table)


@calendar_app.command("deadline")
def calendar_deadline(
    year: Annotated[
        int, typer.Option(min=FIRST_YEAR, max=LAST_YEAR, metavar="TAHUN", help="Tahun usulan.")
    ],
    on: Annotated[
        datetime,
        typer.Option(
            "--date",
            parser=any_day,
            metavar="YYYY-MM-DD",
            help="Batas pengusulan yang diumumkan TPN.",
        ),
    ],
    instansi: Annotated[
        str | None,
        typer.Option("--instansi", metavar="KODE", help="Hanya instansi ini; bawaan: semua."),
    ] = None,
) -> None:
    """Ubah batas waktu pengusulan ke TPN tahun itu (tanggal yang diumumkan TPN).

    Tonggak yang tersimpan, pengingatnya, dan periode penilaian yang berakhir pada tanggal lama
    ikut berpindah.
    """
    if on.year != year:
        fail(f"--date {on.date().isoformat()} tidak jatuh pada tahun {year}")
    with default_unit_of_work() as uow:
        try:
            owner = find_instansi(uow, instansi) if instansi is not None else None
        except LookupError as error:
            fail(str(error))
        moved = move_proposal_deadline(
            uow, year=year, due_on=on.date(), instansi_id=owner.id if owner else None
        )
    where = clean(owner.name) if owner is not None else "semua instansi"
    say(
        f"Batas pengusulan {year} ({where}): {tanggal(on.date())}; "
        f"{moved.milestones} tonggak dan {moved.periods} periode penilaian dipindahkan."
    )


def post_award_report(
    unit: UnitCode,
    summary: Annotated[
        str, typer.Option("--summary", metavar="TEKS", help="Catatan/kesimpulan TPI.")
    ],
    instansi: OptionalInstansi = None,
    as_of: AsOf = None,
) -> None:
    """Buat laporan monitoring dan evaluasi TPI atas unit yang berpredikat (Gambar 10).

    Surat pimpinan instansi kepada Menteri (PDF) dari nilai TPI terakhir, pengaduan sejak
    laporan atau penetapan terakhir, dan catatan TPI. Laporan dibuat paling sedikit dua tahun
    sekali: yang berikutnya jatuh tempo dua tahun kemudian dan diingatkan.
    """
    on = day(as_of)
    with default_unit_of_work() as uow:
        try:
            found = find_unit(uow, unit, instansi)
            if found.predicate is None:
                fail(
                    f"{clean(found.name)} tidak berpredikat; "
                    "laporan pasca penetapan tidak diperlukan"
                )
            reported = record_post_award_report(
                uow,
                unit=found,
                on=on,
                actor="TPI (zi post-award-report)",
                summary=summary,
                data_dir=get_settings().data_dir,
            )
        except (LookupError, ValueError) as error:
            fail(str(error))
    verdict = "masih memenuhi" if reported.still_meets else "tidak memenuhi"
    say(f"Laporan TPI atas {clean(found.name)}: {verdict} kriteria {found.predicate}.")
    print_path("Surat laporan (untuk ditandatangani pimpinan instansi):", reported.pdf)
    say(f"Laporan berikutnya paling lambat {tanggal(reported.next_due)}.")
