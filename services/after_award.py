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

from datetime import date

from persistence.tables import (
    Complaint,
    ComplaintCreate,
    DeadlineCreate,
    LifecycleEventCreate,
    UnitKerja,
)
from persistence.unit_of_work import UnitOfWork
from services.lifecycle import Decree, at_noon, build_on, move, unit_facts
from zi_domain.lifecycle import Action, Transition, UnitState, years_after
from zi_domain.predicates import WBK

POST_AWARD_REPORT = "post_award_report"  # the deadline kind of the TPI's two-yearly report
POST_AWARD_REPORT_YEARS = 2  # "paling sedikit 2 (dua) tahun sekali" (Lampiran II Bab III A)


def revoke_predicate(
    uow: UnitOfWork, *, unit: UnitKerja, decree: Decree, as_of: date, actor: str, reason: str
) -> Transition:
    """Records the Minister's revocation of the unit's predicate; the unit goes on building,
    but it may not be proposed for two years from the decree's date. Committed."""
    facts = unit_facts(uow, unit=unit, year=decree.dated.year, as_of=as_of)
    transition = move(
        uow,
        unit=unit,
        action=Action.REVOKE,
        facts=facts,
        year=decree.dated.year,
        actor=actor,
        note=reason,
        decree=decree,
    )
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
    year = decree.dated.year
    facts = unit_facts(uow, unit=unit, year=year, as_of=as_of)
    transition = move(
        uow,
        unit=unit,
        action=Action.AWARD_MANDIRI,
        facts=facts,
        year=year,
        actor=actor,
        predicate=WBK,
        note="predikat Menuju WBK hasil evaluasi mandiri instansi",
        decree=decree,
    )
    after_award(uow, unit=unit, decree=decree, actor=actor)
    uow.commit()
    return transition


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


def record_post_award_report(
    uow: UnitOfWork, *, unit: UnitKerja, on: date, actor: str, summary: str
) -> date:
    """Records that the TPI reported on the awarded unit; the next report falls due two years
    later. Returns that date. Committed."""
    assert unit.id is not None
    uow.units.record_event(
        event=_event(unit, kind=POST_AWARD_REPORT, on=on, actor=actor, note=summary)
    )
    _close_post_award_reports(uow, unit=unit, after=on)
    _schedule_post_award_report(uow, unit=unit, after=on)
    uow.commit()
    return years_after(on, POST_AWARD_REPORT_YEARS)


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
