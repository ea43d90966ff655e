"""The reminders a day composes, through the real unit of work (SQLite and PostgreSQL): after a
TPN administrative rejection nothing speaks of an objection (sanggah), since the regulation sets
no objection window; the unit's other deadlines are still reminded."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest

from persistence.tables import (
    DeadlineCreate,
    EvidenceDocumentCreate,
    InstansiCreate,
    InstansiKind,
    LifecycleEventCreate,
    QuestionCommentCreate,
    TeamMemberCreate,
    UnitKerja,
    UnitKerjaCreate,
    WorkItemCreate,
)
from persistence.unit_of_work import SqlUnitOfWork
from services.after_award import POST_AWARD_REPORT
from services.reminders import deadline_items, mail_for_day
from tests.database_fixtures import tpi_period
from tests.domain.worksheets import lke
from zi_domain.agency import TPI_ROLE, UNIT_HEAD_ROLE
from zi_domain.lifecycle import UnitState
from zi_domain.reminders import ReminderPolicy

NewUow = Callable[[], SqlUnitOfWork]
REJECTED_ON = date(2027, 7, 7)  # a Wednesday
FOLLOW_UP = "Tindak lanjut catatan evaluasi TPN"


@dataclass(frozen=True)
class Rejected:
    instansi_id: int
    unit_id: int


@pytest.fixture
def rejected(new_uow: NewUow) -> Rejected:
    """A unit that TPN rejected at its administrative pre-evaluation, with a head and a TPI
    contact, and one unit milestone due three days later (the control: it is reminded)."""
    with new_uow() as uow:
        instansi = uow.instansi.add_instansi(
            instansi=InstansiCreate(name="Kabupaten Uji", kind=InstansiKind.PEMERINTAH_DAERAH)
        )
        assert instansi.id is not None
        unit = uow.units.add_unit(
            unit=UnitKerjaCreate(
                instansi_id=instansi.id, code="DPMPTSP", name="DPMPTSP", state=UnitState.REJECTED
            )
        )
        assert unit.id is not None
        uow.units.record_event(
            event=LifecycleEventCreate(
                instansi_id=instansi.id,
                unit_id=unit.id,
                year=REJECTED_ON.year,
                kind="reject",
                from_state=UnitState.TPN_ADMINISTRATIVE,
                to_state=UnitState.REJECTED,
                actor="TPN",
                occurred_at=datetime.combine(REJECTED_ON, datetime.min.time(), UTC),
            )
        )
        for unit_id, name, role, email in (
            (unit.id, "Kepala DPMPTSP", UNIT_HEAD_ROLE, "kepala@dpmptsp.uji.go.id"),
            (None, "Auditor TPI", TPI_ROLE, "tpi@inspektorat.uji.go.id"),
        ):
            uow.units.add_team_member(
                member=TeamMemberCreate(
                    instansi_id=instansi.id, unit_id=unit_id, name=name, role=role, email=email
                )
            )
        uow.deadlines.add_deadline(
            deadline=DeadlineCreate(
                instansi_id=instansi.id,
                unit_id=unit.id,
                kind="work_plan",
                title=FOLLOW_UP,
                due_on=REJECTED_ON + timedelta(days=3),
            )
        )
        uow.commit()
    return Rejected(instansi_id=instansi.id, unit_id=unit.id)


def test_no_objection_deadline_follows_an_administrative_rejection(
    new_uow: NewUow, rejected: Rejected
) -> None:
    # PermenPANRB 90/2021 (Lampiran II) and 5/2024 set no objection (sanggah) window.
    with new_uow() as uow:
        instansi = uow.instansi.get_instansi(instansi_id=rejected.instansi_id)
        assert instansi is not None
        units = {u.id: u for u in uow.units.list_units(instansi_id=rejected.instansi_id)}
        items, _ = deadline_items(
            uow, instansi_id=rejected.instansi_id, units=units, as_of=REJECTED_ON
        )
        days = [REJECTED_ON + timedelta(days=n) for n in range(22)]
        mails = [
            mail_for_day(
                uow, instansi=instansi, as_of=day, policy=ReminderPolicy(), framework=lke()
            )
            for day in days
        ]

    assert [(i.kind, i.title) for i in items] == [("work_plan", FOLLOW_UP)]
    messages = [m for mail in mails for m in mail.messages]
    # The control: the unit's own milestone is reminded to its head (T−1, the day, then late).
    assert any(
        FOLLOW_UP in m.subject and m.recipient == "kepala@dpmptsp.uji.go.id" for m in messages
    )
    for message in messages:
        assert "sanggah" not in f"{message.subject} {message.text} {message.html}".lower()
        assert "sanggah" not in message.idempotency_key


def test_the_post_award_report_is_reminded_to_the_tpi(new_uow: NewUow, rejected: Rejected) -> None:
    # 90/2021 Lampiran II Bab III A: the TPI reports on an awarded unit at least every two years.
    due = REJECTED_ON + timedelta(days=7)
    with new_uow() as uow:
        uow.deadlines.add_deadline(
            deadline=DeadlineCreate(
                instansi_id=rejected.instansi_id,
                unit_id=rejected.unit_id,
                kind=POST_AWARD_REPORT,
                title="Laporan monitoring TPI pasca penetapan: DPMPTSP",
                due_on=due,
            )
        )
        uow.commit()
        instansi = uow.instansi.get_instansi(instansi_id=rejected.instansi_id)
        assert instansi is not None
        mail = mail_for_day(
            uow, instansi=instansi, as_of=due, policy=ReminderPolicy(), framework=lke()
        )
    reminded = [m.recipient for m in mail.messages if "pasca penetapan" in m.text]
    assert "tpi@inspektorat.uji.go.id" in reminded


def test_the_tpi_summary_counts_late_items_as_the_monitoring_report_does(
    new_uow: NewUow, rejected: Rejected
) -> None:
    # The rejected unit is not building, and its plan is of 2025: the daily reminders leave it
    # alone, but it is late all the same, and the report (`overdue_counts`) counts it. Of its
    # three items on Monday 12 July 2027: one due 2025-05-20 and open (late), one due 2025-05-20
    # and completed 2025-06-01 (done), one due 2027-07-12, the day itself (not late yet).
    monday = date(2027, 7, 12)
    with new_uow() as uow:
        uow.work_plans.add_items(
            items=[
                WorkItemCreate(
                    unit_id=rejected.unit_id,
                    year=year,
                    code=code,
                    title=title,
                    due_on=due,
                    completed_on=done,
                )
                for year, code, title, due, done in (
                    (2025, "A.I.1", "Penyusunan Tim Kerja", date(2025, 5, 20), None),
                    (2025, "A.I.2", "Rencana Pembangunan", date(2025, 5, 20), date(2025, 6, 1)),
                    (2027, "A.I.3", "Pemantauan", monday, None),
                )
            ]
        )
        uow.commit()
        instansi = uow.instansi.get_instansi(instansi_id=rejected.instansi_id)
        assert instansi is not None
        report_count = uow.work_plans.overdue_counts(unit_ids=[rejected.unit_id], as_of=monday)
        mail = mail_for_day(
            uow, instansi=instansi, as_of=monday, policy=ReminderPolicy(), framework=lke()
        )
    assert report_count == {rejected.unit_id: 1}
    (summary,) = [m for m in mail.messages if m.kind == "summary.tpi"]
    assert summary.subject.endswith(": 1 unit, 1 butir terlambat")
    text = " ".join(summary.text.split())
    assert "DPMPTSP · Penyusunan Tim Kerja · 20 Mei 2025" in text
    assert "Rencana Pembangunan" not in text and "· Pemantauan ·" not in text
    assert "- DPMPTSP · Ditolak · — · belum · belum · 1" in text  # the unit's row: 1 late


def building_unit(uow: SqlUnitOfWork, instansi_id: int) -> UnitKerja:
    """A unit in development (its team gets the weekly digest), with its head on the team."""
    unit = uow.units.add_unit(
        unit=UnitKerjaCreate(
            instansi_id=instansi_id,
            code="DISDUK",
            name="Dinas Kependudukan",
            state=UnitState.DEVELOPING,
        )
    )
    assert unit.id is not None
    uow.units.add_team_member(
        member=TeamMemberCreate(
            instansi_id=instansi_id,
            unit_id=unit.id,
            name="Kepala Disduk",
            role=UNIT_HEAD_ROLE,
            email="kepala@disduk.uji.go.id",
        )
    )
    return unit


def test_the_digest_names_the_indicators_without_evidence(
    new_uow: NewUow, rejected: Rejected
) -> None:
    # A building unit with one document, for A.I.1.i: the Monday digest to its head names the
    # other 41 of the LKE's 42 indicators, the first 30 of them with the rest counted.
    monday = date(2027, 7, 12)
    with new_uow() as uow:
        unit = building_unit(uow, rejected.instansi_id)
        uow.evidence.add_document(
            document=EvidenceDocumentCreate(
                unit_id=unit.id,
                code="A.I.1.i.a",
                title="SK Tim Kerja",
                location="bukti://sk",
                year=2027,
                sha256="ab" * 32,
            )
        )
        uow.commit()
        instansi = uow.instansi.get_instansi(instansi_id=rejected.instansi_id)
        assert instansi is not None
        mail = mail_for_day(
            uow, instansi=instansi, as_of=monday, policy=ReminderPolicy(), framework=lke()
        )
    (digest,) = [m for m in mail.messages if m.kind == "digest.unit"]
    text = " ".join(digest.text.split())
    assert "INDIKATOR LKE TANPA BUKTI DUKUNG (41)" in text
    assert "- A.I.1.ii Rencana Pembangunan Zona Integritas" in text
    assert "- A.I.1.i Penyusunan Tim Kerja" not in text
    assert "… dan 11 indikator lainnya." in text
    assert "Rencana Pembangunan Zona Integritas" in digest.html


def test_the_digest_links_to_the_portal_and_carries_the_weeks_tpi_comments(
    new_uow: NewUow, rejected: Rejected
) -> None:
    # Monday 12 July 2027: the week before runs from Monday 5 July 00:00 WIB to Monday 00:00.
    monday = date(2027, 7, 12)
    wib = timedelta(hours=7)
    with new_uow() as uow:
        unit = building_unit(uow, rejected.instansi_id)
        uow.work_plans.add_items(  # a reminder on the Monday, 7 days before it is due
            items=[
                WorkItemCreate(
                    unit_id=unit.id,
                    year=2027,
                    code="A.I.1.i",
                    title="Penyusunan Tim Kerja",
                    due_on=monday + timedelta(days=7),
                )
            ]
        )
        period = uow.assessments.add_period(period=tpi_period(rejected.instansi_id, 2027))
        assert period.id is not None
        for code, body, written in (
            ("A.I.1.i.a", "SK tim belum ditandatangani.", datetime(2027, 7, 5) - wib),  # 00:00
            ("A.I.1.ii.a", "Rencana kerja <b>tanpa</b> target.", datetime(2027, 7, 11, 23) - wib),
            ("A.I.2.i.a", "Terlalu lama.", datetime(2027, 7, 4, 23, 59) - wib),  # the week before
            ("A.I.3.i.a", "Pagi ini.", datetime(2027, 7, 12, 7) - wib),  # the next digest's
        ):
            uow.comments.add_comment(
                comment=QuestionCommentCreate(
                    unit_id=unit.id,
                    period_id=period.id,
                    code=code,
                    author="tpi@inspektorat.uji.go.id",
                    body=body,
                    created_at=written.replace(tzinfo=UTC),
                )
            )
        uow.commit()
        instansi = uow.instansi.get_instansi(instansi_id=rejected.instansi_id)
        assert instansi is not None
        linked = mail_for_day(
            uow,
            instansi=instansi,
            as_of=monday,
            policy=ReminderPolicy(),
            framework=lke(),
            portal_url="https://zi.uji.go.id/",
        )
        plain = mail_for_day(
            uow, instansi=instansi, as_of=monday, policy=ReminderPolicy(), framework=lke()
        )
    (digest,) = [m for m in linked.messages if m.kind == "digest.unit"]
    text = " ".join(digest.text.split())
    assert f"Halaman unit di portal: https://zi.uji.go.id/unit/{unit.id}" in text
    assert f'href="https://zi.uji.go.id/unit/{unit.id}"' in digest.html
    assert "CATATAN TPI MINGGU INI" in text
    assert (
        "- A.I.1.i.a: SK tim belum ditandatangani. (tpi@inspektorat.uji.go.id, 5 Juli 2027)" in text
    )
    assert "A.I.1.ii.a" in text and "Rencana kerja &lt;b&gt;tanpa&lt;/b&gt; target." in digest.html
    assert "Terlalu lama." not in text and "Pagi ini." not in text
    (without,) = [m for m in plain.messages if m.kind == "digest.unit"]
    assert "portal" not in without.text.lower()
    reminders = [m for m in linked.messages if m.kind == "reminder.daily"]
    assert reminders
    for reminder in reminders:
        assert f"di portal: https://zi.uji.go.id/unit/{unit.id}" in " ".join(reminder.text.split())
