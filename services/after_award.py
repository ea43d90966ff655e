"""After the award: WBK mandiri, what follows an award, revocation, complaints of
maladministration, the TPI's two-yearly report.

Regulation: PermenPANRB 90/2021 Lampiran II Bab III (after the award: the TPI accompanies the
unit, handles complaints and reports at least every two years, Gambar 10; the Minister revokes,
and a revoked unit waits two years from the revocation decree before it is proposed again);
Bab IV (a proposal with TPN is dropped after a KKN offence in the proposal year); 5/2024 Bab II B
(WBK mandiri, equal to TPN's WBK on the way to WBBM). The annulment of a year's proposals is a
proposal's end, in `services.proposals`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from persistence.tables import (
    Complaint,
    ComplaintCreate,
    DeadlineCreate,
    LifecycleEventCreate,
    UnitKerja,
)
from persistence.unit_of_work import UnitOfWork
from reports.post_award_report import Complaint as ReportedComplaint
from reports.post_award_report import PostAwardReport, post_award_report_pdf
from services.lifecycle import Decree, at_noon, build_on, move, unit_facts
from zi_domain.file_names import safe_file_name
from zi_domain.lifecycle import AWARDED_STATES, Action, Transition, UnitState, years_after
from zi_domain.predicates import WBK, Predicate, predicates_met

POST_AWARD_REPORT = "post_award_report"  # the deadline kind of the TPI's two-yearly report
POST_AWARD_REPORT_YEARS = 2  # "paling sedikit 2 (dua) tahun sekali" (Lampiran II Bab III A)


def revoke_predicate(
    uow: UnitOfWork, *, unit: UnitKerja, decree: Decree, as_of: date, actor: str, reason: str
) -> Transition:
    """Records the Minister's revocation of the unit's predicate; the unit goes on building,
    but it may not be proposed for two years from the decree's date. Committed."""
    transition = _decreed(uow, unit, Action.REVOKE, decree, as_of, actor, note=reason)
    build_on(
        uow,
        unit=unit,
        year=decree.dated.year,
        on=decree.dated,
        actor=actor,
        note="predikat dicabut: pembangunan dapat dilanjutkan",
    )
    _close_post_award_reports(uow, unit=unit, after=decree.dated)
    uow.commit()
    return transition


def award_wbk_mandiri(
    uow: UnitOfWork, *, unit: UnitKerja, decree: Decree, as_of: date, actor: str
) -> Transition:
    """Records WBK awarded by the instansi itself (evaluasi mandiri): the TPI evaluation of the
    year must meet WBK's floors; the unit then builds toward WBBM as after TPN's WBK. Committed."""
    note = "predikat Menuju WBK hasil evaluasi mandiri instansi"
    transition = _decreed(
        uow, unit, Action.AWARD_MANDIRI, decree, as_of, actor, note=note, predicate=WBK
    )
    after_award(uow, unit=unit, decree=decree, actor=actor)
    uow.commit()
    return transition


def _decreed(
    uow: UnitOfWork,
    unit: UnitKerja,
    action: Action,
    decree: Decree,
    as_of: date,
    actor: str,
    *,
    note: str,
    predicate: str | None = None,
) -> Transition:
    """The action that a decree makes, in the decree's year (not committed)."""
    year = decree.dated.year
    return move(
        uow,
        unit=unit,
        action=action,
        facts=unit_facts(uow, unit=unit, year=year, as_of=as_of),
        year=year,
        actor=actor,
        predicate=predicate,
        note=note,
        decree=decree,
    )


def after_award(uow: UnitOfWork, *, unit: UnitKerja, decree: Decree, actor: str) -> None:
    """What follows an award (not committed): a WBK unit builds on toward WBBM from the
    decree's date, and the TPI's first two-yearly report falls due."""
    if unit.state == UnitState.AWARDED_WBK:
        build_on(
            uow,
            unit=unit,
            year=decree.dated.year,
            on=decree.dated,
            actor=actor,
            note="berpredikat WBK: melanjutkan pembangunan menuju WBBM",
        )
    _schedule_post_award_report(uow, unit=unit, after=decree.dated)


def _schedule_post_award_report(uow: UnitOfWork, *, unit: UnitKerja, after: date) -> None:
    assert unit.id is not None
    uow.deadlines.add_deadline(
        deadline=DeadlineCreate(
            instansi_id=unit.instansi_id,
            unit_id=unit.id,
            kind=POST_AWARD_REPORT,
            title=f"Laporan monitoring TPI pasca penetapan: {unit.name}",
            due_on=years_after(after, POST_AWARD_REPORT_YEARS),
        )
    )


def _close_post_award_reports(uow: UnitOfWork, *, unit: UnitKerja, after: date) -> None:
    """A revoked unit owes no more post-award reports: its pending ones are moved to the
    revocation date, so they read as past, never as due."""
    for deadline in uow.deadlines.deadlines(instansi_id=unit.instansi_id):
        if (
            deadline.unit_id == unit.id
            and deadline.kind == POST_AWARD_REPORT
            and deadline.due_on > after
        ):
            deadline.due_on = after


@dataclass(frozen=True)
class PostAwardReported:
    pdf: Path  # the letter of Gambar 10, for the head of the instansi to sign
    still_meets: bool
    next_due: date


POST_AWARD_FOLDER = "laporan-pasca-penetapan"
"""Under the data folder: laporan-pasca-penetapan/<year>/<unit>-<date>.pdf."""


def record_post_award_report(
    uow: UnitOfWork, *, unit: UnitKerja, on: date, actor: str, summary: str, data_dir: Path
) -> PostAwardReported:
    """The TPI's report on the awarded unit (Gambar 10): written as the head's letter on the
    TPI's latest score of the unit, the complaints since the last report (or the award) and the
    TPI's conclusion; recorded, with the next report due two years later. Committed."""
    assert unit.id is not None and unit.predicate is not None
    report = _post_award_report(uow, unit=unit, on=on, notes=summary)
    folder = data_dir / POST_AWARD_FOLDER / str(on.year)
    folder.mkdir(parents=True, exist_ok=True)
    pdf = folder / f"{safe_file_name(f'{unit.code} {unit.name}')}-{on.isoformat()}.pdf"
    pdf.write_bytes(post_award_report_pdf(report))
    uow.units.record_event(
        event=_event(unit, kind=POST_AWARD_REPORT, on=on, actor=actor, note=summary)
    )
    _close_post_award_reports(uow, unit=unit, after=on)
    _schedule_post_award_report(uow, unit=unit, after=on)
    try:
        uow.commit()
    except BaseException:
        pdf.unlink(missing_ok=True)
        raise
    return PostAwardReported(
        pdf=pdf,
        still_meets=report.still_meets,
        next_due=years_after(on, POST_AWARD_REPORT_YEARS),
    )


def _post_award_report(
    uow: UnitOfWork, *, unit: UnitKerja, on: date, notes: str
) -> PostAwardReport:
    from services.proposals import instansi_head  # proposals builds on this module

    assert unit.id is not None and unit.predicate is not None
    instansi = uow.instansi.get_instansi(instansi_id=unit.instansi_id)
    assert instansi is not None
    scored = [s for s in uow.snapshots.snapshots(unit_id=unit.id) if s.as_of <= on]
    latest = scored[-1] if scored else None
    since = _reported_since(uow, unit=unit)
    held = Predicate(unit.predicate)
    head = instansi_head(uow, instansi)
    return PostAwardReport(
        instansi=instansi.name,
        unit_name=unit.name,
        predicate=held,
        year=on.year,
        dated=on,
        total=latest.total if latest else None,
        pengungkit=latest.pengungkit if latest else None,
        hasil=latest.hasil if latest else None,
        scored_on=latest.as_of if latest else None,
        still_meets=latest is not None
        and predicates_met(wbk=latest.meets_wbk, wbbm=latest.meets_wbbm)[held],
        complaints=tuple(
            ReportedComplaint(c.received_on, c.summary)
            for c in uow.units.complaints(
                instansi_id=unit.instansi_id, unit_id=unit.id, since=since
            )
            if c.received_on <= on
        ),
        notes=notes,
        head=head,
        head_title=head.title or f"Pimpinan {instansi.name}",
    )


def _reported_since(uow: UnitOfWork, *, unit: UnitKerja) -> date | None:
    """The day the period of the report starts: the last report, or the last award."""
    assert unit.id is not None
    steps = uow.units.steps(instansi_id=unit.instansi_id, unit_ids=[unit.id])[unit.id]
    starts = [
        e.effective_on
        for e in steps
        if e.kind == POST_AWARD_REPORT or e.to_state in AWARDED_STATES.values()
    ]
    return starts[-1] if starts else None


def add_complaint(
    uow: UnitOfWork,
    *,
    unit: UnitKerja,
    received_on: date,
    summary: str,
    source: str | None,
    actor: str,
) -> Complaint:
    """Records a complaint of maladministration about the unit. Committed."""
    assert unit.id is not None
    if not summary.strip():
        raise ValueError("isi pengaduan kosong")
    complaint = uow.units.add_complaint(
        complaint=ComplaintCreate(
            instansi_id=unit.instansi_id,
            unit_id=unit.id,
            received_on=received_on,
            summary=summary.strip(),
            source=source,
            actor=actor,
        )
    )
    uow.commit()
    return complaint


def _event(unit: UnitKerja, *, kind: str, on: date, actor: str, note: str) -> LifecycleEventCreate:
    return LifecycleEventCreate(
        instansi_id=unit.instansi_id,
        unit_id=unit.id,
        year=on.year,
        kind=kind,
        to_state=unit.state,
        actor=actor,
        occurred_at=at_noon(on),
        note=note,
    )
