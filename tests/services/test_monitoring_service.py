"""A monitoring run through the real unit of work (SQLite and PostgreSQL): who moves, who newly
meets a predicate, who is held back and why, that a rerun changes nothing, and which evidence is
missing or flagged as old."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine, func, select

from persistence.tables import (
    AssessmentKind,
    BpkOpinion,
    EvidenceDocumentCreate,
    InstansiCreate,
    InstansiKind,
    InstansiPrerequisiteCreate,
    LifecycleEvent,
    LifecycleEventCreate,
    ScoreSnapshot,
    UnitKerjaCreate,
)
from persistence.unit_of_work import SqlUnitOfWork
from reports.monitoring import UnitMonitoringRow, monitoring_summary
from services.after_award import add_complaint
from services.assessments import record_answers
from services.monitoring import ACTOR, MonitoringOutcome, monitor_period
from tests.database_fixtures import tpi_period, unit_standing
from tests.domain.worksheets import lke, top_answers
from zi_domain.predicates import Predicate

NewUow = Callable[[], SqlUnitOfWork]
YEAR = 2027
FIRST = date(YEAR, 3, 1)
WEEK_LATER = date(YEAR, 3, 8)
# IPKP 3,40 meets WBK's pelayanan prima floor (14,00) but not WBBM's (15,75).
WBK_ONLY = top_answers() | {"B.II.a": "3,40"}


def bottom_answers() -> dict[str, str]:
    framework = lke()
    answers = {
        q.code: (
            min(q.answer_type.values, key=lambda k: q.answer_type.values[k])
            if q.answer_type.kind == "choice"
            else "0%"
        )
        for q in framework.questions
    }
    return answers | {"B.I.a": "2,00", "B.I.b": "E", "B.II.a": "2,00"}


def noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


# code: (answers, LHKPN %, predicate held, state)
UNITS: dict[str, tuple[dict[str, str], float, Predicate | None, str]] = {
    "SIAP": (WBK_ONLY, 100.0, None, "developing"),
    "LHKPN": (WBK_ONLY, 97.5, None, "developing"),
    "PUNCAK": (top_answers(), 100.0, None, "developing"),
    "WBK": (top_answers(), 100.0, Predicate.WBK, "developing"),
    "RENDAH": (bottom_answers(), 100.0, None, "developing"),
    "USUL": (WBK_ONLY, 100.0, None, "proposed"),
}


def unit_history(
    instansi_id: int, unit_id: int, held: Predicate | None
) -> list[LifecycleEventCreate]:
    steps = [("designate", "declared", "designated", date(YEAR - 1, 1, 20))]
    if held is not None:  # awarded WBK, then building toward WBBM for more than a year
        steps = [
            ("designate", "declared", "designated", date(YEAR - 3, 1, 20)),
            ("award", "tpn_panel", "awarded_wbk", date(YEAR - 2, 12, 9)),
            ("resume_development", "awarded_wbk", "developing", date(YEAR - 2, 12, 20)),
        ]
    return [
        LifecycleEventCreate(
            instansi_id=instansi_id,
            unit_id=unit_id,
            year=day.year,
            kind=kind,
            from_state=source,
            to_state=target,
            actor="setup",
            occurred_at=noon(day),
        )
        for kind, source, target, day in steps
    ]


@pytest.fixture
def period(new_uow: NewUow) -> tuple[int, dict[str, int]]:
    """A ministry declared for the year, its units with their answers and standing."""
    with new_uow() as uow:
        instansi = uow.instansi.add_instansi(
            instansi=InstansiCreate(name="Kementerian Uji", kind=InstansiKind.KEMENTERIAN_LEMBAGA)
        )
        assert instansi.id is not None
        uow.instansi.set_prerequisites(
            prerequisites=InstansiPrerequisiteCreate(
                instansi_id=instansi.id,
                year=YEAR,
                bpk_opinion=BpkOpinion.WTP,
                sakip_grade="BB",
                indeks_rb="BB",
                spip_level=3,
            )
        )
        uow.units.record_event(
            event=LifecycleEventCreate(
                instansi_id=instansi.id,
                year=YEAR,
                kind="declaration",
                to_state="declared",
                actor="kepala",
                occurred_at=noon(date(YEAR, 1, 5)),
            )
        )
        added = uow.assessments.add_period(period=tpi_period(instansi.id, YEAR))
        assert added.id is not None
        ids: dict[str, int] = {}
        for code, (_, lhkpn, held, state) in UNITS.items():
            unit = uow.units.add_unit(
                unit=UnitKerjaCreate(
                    instansi_id=instansi.id,
                    code=code,
                    name=f"Unit {code}",
                    core_service=True,
                    high_corruption_risk=True,
                    wide_public_impact=True,
                    predicate=held,
                    state=state,
                )
            )
            assert unit.id is not None
            ids[code] = unit.id
            for event in unit_history(instansi.id, unit.id, held):
                uow.units.record_event(event=event)
            set_lhkpn(uow, unit.id, lhkpn)
        uow.commit()
    for code, (answers, *_) in UNITS.items():
        rows = pd.DataFrame(list(answers.items()), columns=["code", "answer"])
        with new_uow() as uow:
            record_answers(
                uow,
                unit_id=ids[code],
                period_id=added.id,
                kind=AssessmentKind.TPI,
                framework=lke(),
                rows=rows.assign(row=range(2, len(rows) + 2)),
            )
    return added.id, ids


def set_lhkpn(uow: SqlUnitOfWork, unit_id: int, lhkpn: float) -> None:
    uow.units.set_prerequisites(prerequisites=unit_standing(unit_id, YEAR, lhkpn=lhkpn, grade="BB"))


def run(new_uow: NewUow, period_id: int, as_of: date, tmp_path: Path) -> MonitoringOutcome:
    with new_uow() as uow:
        return monitor_period(
            uow, period_id=period_id, framework=lke(), as_of=as_of, report_dir=tmp_path
        )


def counts(engine: Engine) -> tuple[int, int]:
    with engine.connect() as connection:
        events = connection.execute(select(func.count()).select_from(LifecycleEvent)).scalar_one()
        snapshots = connection.execute(select(func.count()).select_from(ScoreSnapshot))
        return int(events), int(snapshots.scalar_one())


def test_a_first_run_a_rerun_and_the_next_week(
    new_uow: NewUow, engine: Engine, period: tuple[int, dict[str, int]], tmp_path: Path
) -> None:
    period_id, ids = period
    code_of = {unit_id: code for code, unit_id in ids.items()}
    before = counts(engine)

    first = run(new_uow, period_id, FIRST, tmp_path)
    rows = {row.code: row for row in first.report.units}
    assert {(code_of[c.unit_id], c.predicate) for c in first.crossings} == {
        ("SIAP", "WBK"),
        ("PUNCAK", "WBK"),
        ("WBK", "WBBM"),
    }
    assert {code: row.state_label for code, row in rows.items()} == {
        "SIAP": "Evaluasi TPI",
        "LHKPN": "Evaluasi TPI",
        "PUNCAK": "Evaluasi TPI",
        "WBK": "Evaluasi TPI",
        "RENDAH": "Evaluasi TPI",
        "USUL": "Diusulkan ke TPN",
    }
    assert counts(engine) == (before[0] + 5, before[1] + 6)  # five moved, six scored
    with new_uow() as uow:
        events = uow.units.events(instansi_id=instansi_of(uow, ids["SIAP"]))
    moves = [e for e in events if e.actor == ACTOR]
    assert sorted(code_of[e.unit_id] for e in moves if e.unit_id) == sorted(
        ["SIAP", "LHKPN", "PUNCAK", "WBK", "RENDAH"]
    )
    assert {(e.from_state, e.to_state, e.occurred_at) for e in moves} == {
        ("developing", "under_tpi_evaluation", noon(FIRST))
    }
    held_back = [c for c in rows["LHKPN"].changes if "belum dapat diusulkan" in c]
    assert len(held_back) == 1 and "prasyarat pengusulan WBK" in held_back[0]
    assert any(
        "WBBM hanya untuk unit yang telah berpredikat WBK" in c for c in rows["PUNCAK"].changes
    )
    assert any("siap diusulkan" in c for c in rows["SIAP"].changes)
    assert not any("diusulkan" in c for c in rows["USUL"].changes)
    assert rows["RENDAH"].shortfalls and not rows["RENDAH"].meets["WBK"]

    again = run(new_uow, period_id, FIRST, tmp_path)
    assert again.crossings == ()
    assert counts(engine) == (before[0] + 5, before[1] + 6)

    with new_uow() as uow:
        set_lhkpn(uow, ids["LHKPN"], 100.0)
        uow.commit()
    later = run(new_uow, period_id, WEEK_LATER, tmp_path)
    assert [(code_of[c.unit_id], c.predicate) for c in later.crossings] == [("LHKPN", "WBK")]
    rows = {row.code: row for row in later.report.units}
    assert rows["SIAP"].previous_total == pytest.approx(rows["SIAP"].total)
    assert [total for _, total in rows["SIAP"].history] == pytest.approx([rows["SIAP"].total] * 2)
    assert counts(engine) == (before[0] + 5, before[1] + 12)


def instansi_of(uow: SqlUnitOfWork, unit_id: int) -> int:
    unit = uow.units.get_unit(unit_id=unit_id)
    assert unit is not None
    return unit.instansi_id


def add_evidence(new_uow: NewUow, unit_id: int, documents: list[tuple[str, int]]) -> None:
    with new_uow() as uow:
        for code, year in documents:
            title = f"Bukti {code} {year}"
            uow.evidence.add_document(
                document=EvidenceDocumentCreate(
                    unit_id=unit_id,
                    code=code,
                    title=title,
                    location=f"arsip://{code}/{year}.pdf",
                    year=year,
                    sha256=hashlib.sha256(title.encode()).hexdigest(),
                )
            )
        uow.commit()


def test_old_evidence_counts_and_is_flagged_only_under_the_policy_age(
    new_uow: NewUow, period: tuple[int, dict[str, int]], tmp_path: Path
) -> None:
    """PermenPANRB 90/2021 sets no date window for data dukung (Lampiran II): a document of
    any year covers its indicator; `evidence_max_age_years` only flags the old ones."""
    period_id, ids = period
    indicators = len(lke().indicators)
    # A.I.1.i from a 2020 document (seven years before 2027), A.I.1.ii from one of 2027 itself;
    # a code of no LKE indicator covers nothing.
    add_evidence(
        new_uow, ids["SIAP"], [("A.I.1.i.a", YEAR - 7), ("A.I.1.ii.a", YEAR), ("Z.9.9.z.a", 2026)]
    )

    def siap(outcome: MonitoringOutcome) -> UnitMonitoringRow:
        return next(row for row in outcome.report.units if row.code == "SIAP")

    with new_uow() as uow:
        off = siap(
            monitor_period(
                uow, period_id=period_id, framework=lke(), as_of=FIRST, report_dir=tmp_path
            )
        )
    with new_uow() as uow:
        on = siap(
            monitor_period(
                uow,
                period_id=period_id,
                framework=lke(),
                as_of=WEEK_LATER,
                report_dir=tmp_path,
                evidence_max_age_years=2,
            )
        )

    for row in (off, on):
        assert row.evidence_problems == indicators - 2, "a document of any year covers"
        # The indicators without evidence are named, in LKE order: A.I.1.i and A.I.1.ii are
        # covered, A.I.1.iii is the first gap.
        assert len(row.evidence_missing) == indicators - 2
        assert row.evidence_missing[0] == "A.I.1.iii Pemantauan dan Evaluasi Pembangunan"
        assert not any(m.startswith(("A.I.1.i ", "A.I.1.ii ")) for m in row.evidence_missing)
        assert f"{indicators - 2} indikator tanpa bukti dukung" in row.changes
    pages = [path.read_text(encoding="utf-8") for path in tmp_path.glob("pemantauan-*.html")]
    assert pages and all(
        "<li>A.I.1.iii Pemantauan dan Evaluasi Pembangunan</li>" in page for page in pages
    )
    assert all(f"dan {indicators - 2 - 10} indikator lainnya" in page for page in pages)
    assert not any("lama" in change for change in off.changes)
    assert "1 dokumen bukti dukung ditandai lama (lebih dari 2 tahun)" in on.changes


def test_complaints_about_an_awarded_unit_appear_in_the_report(
    new_uow: NewUow, period: tuple[int, dict[str, int]], tmp_path: Path
) -> None:
    """90/2021 Lampiran II Bab III: the TPI handles complaints of maladministration about an
    awarded unit; proven, they are the ground of its report that the unit no longer meets its
    predicate. The unit "WBK" holds WBK (awarded 9 December two years ago): its complaints
    count from the award on; "SIAP" holds none: only this year's count."""
    period_id, ids = period
    with new_uow() as uow:
        for code, received in (("WBK", date(YEAR, 2, 10)), ("WBK", date(YEAR, 2, 20)),
                               ("SIAP", date(YEAR, 2, 11)), ("WBK", date(YEAR, 3, 9)),
                               ("WBK", date(YEAR - 2, 12, 1)), ("WBK", date(YEAR - 1, 6, 1)),
                               ("SIAP", date(YEAR - 1, 6, 1))):  # fmt: skip
            unit = uow.units.get_unit(unit_id=ids[code])
            assert unit is not None
            add_complaint(
                uow,
                unit=unit,
                received_on=received,
                summary="pungutan di loket",
                source=None,
                actor="TPI",
            )
    outcome = run(new_uow, period_id, FIRST, tmp_path)
    rows = {row.code: row for row in outcome.report.units}
    # The complaint of 9 March comes after the run of 1 March: not counted yet; WBK's of
    # 1 December two years ago came before its award.
    assert (rows["WBK"].complaints, rows["SIAP"].complaints) == (3, 1)
    assert (
        "3 pengaduan maladministrasi sejak penetapan WBK: bila terbukti setelah klarifikasi, "
        "TPI melaporkan bahwa unit tidak lagi memenuhi kriteria (dasar pencabutan)"
    ) in rows["WBK"].changes
    assert "1 pengaduan maladministrasi tahun ini" in rows["SIAP"].changes
    assert monitoring_summary(outcome.report).complaints == 4
    page = outcome.report_path.read_text(encoding="utf-8") if outcome.report_path else ""
    assert "Pengaduan maladministrasi" in page and "dasar pencabutan" in page
