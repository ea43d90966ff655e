"""The LKE inbox at the service level, without Prefect (SQLite and PostgreSQL): which dropped
files are taken, where each is filed, and the receipts each unit team gets, once per content."""

# The agency and its period come from the intake tests' `agency` fixture, imported by name.

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path

from sqlalchemy import Engine, func, select

from persistence.tables import Assessment, AssessmentKind, AssessmentVersion
from persistence.unit_of_work import SqlUnitOfWork
from services.inbox import DroppedFile, InboxOutcome, file_away, settled_files, take_in
from services.lke_intake import IntakeScope
from spreadsheets.lke_form import answer_rows
from tests.builders import INTAKE_ANSWERS as ANSWERS
from tests.builders import INTAKE_SCOPE, Agency, blank_form, fill_lke_form, zi_domain_total
from zi_domain.indonesian import angka

NewUow = Callable[[], SqlUnitOfWork]
FRAMEWORK = INTAKE_SCOPE.framework
DAY = date(2026, 5, 4)
# The flow's scope: the kind is the folder's (the inbox itself: mandiri; tpi/: TPI).
SCOPE = IntakeScope(
    framework=FRAMEWORK, kind=AssessmentKind.SELF, as_of=DAY, actor="Kotak masuk LKE"
)
NOW = 1_800_000_000.0  # the scan's clock, in seconds since the epoch
DPMPTSP_TEAM = {"siti@uji.go.id", "agus@uji.go.id"}


def dropped_at(path: Path, seconds_ago: float, content: bytes = b"PK\x03\x04 isi") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    os.utime(path, (NOW - seconds_ago, NOW - seconds_ago))
    return path


def drop(source: Path, inbox: Path, name: str) -> DroppedFile:
    """A filled workbook copied into the inbox (or its tpi/ folder), settled."""
    target = inbox / name
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    kind = AssessmentKind.TPI if target.parent.name == "tpi" else AssessmentKind.SELF
    return DroppedFile(target, kind)


def filled(new_uow: NewUow, folder: Path, answers: dict[str, str]) -> Path:
    return fill_lke_form(blank_form(new_uow, folder), answers)


def count(engine: Engine, model: type[Assessment | AssessmentVersion]) -> int:
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(model)).scalar_one())


def keys(outcome: InboxOutcome) -> set[str]:
    return {m.idempotency_key for m in outcome.messages}


# --- what is taken --------------------------------------------------------------------------


def test_only_settled_workbooks_are_taken_and_tpi_ones_as_tpi(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    dropped_at(inbox / "DPMPTSP.xlsx", seconds_ago=600)
    dropped_at(inbox / "RSUD.XLSX", seconds_ago=600)
    dropped_at(inbox / "masih-disalin.xlsx", seconds_ago=5)
    dropped_at(inbox / "~$DPMPTSP.xlsx", seconds_ago=600)
    dropped_at(inbox / ".tersembunyi.xlsx", seconds_ago=600)
    dropped_at(inbox / "catatan.txt", seconds_ago=600)
    dropped_at(inbox / "kosong.xlsx", seconds_ago=600, content=b"")
    dropped_at(inbox / "tpi" / "DUKCAPIL.xlsx", seconds_ago=600)
    dropped_at(inbox / "tpi" / "~$DUKCAPIL.xlsx", seconds_ago=600)
    dropped_at(inbox / "diterima" / "lama.xlsx", seconds_ago=600)

    found = settled_files(inbox, settle_seconds=60, now=NOW)
    assert [(f.path.relative_to(inbox).as_posix(), f.kind) for f in found] == [
        ("DPMPTSP.xlsx", AssessmentKind.SELF),
        ("RSUD.XLSX", AssessmentKind.SELF),
        ("tpi/DUKCAPIL.xlsx", AssessmentKind.TPI),
    ]
    later = settled_files(inbox, settle_seconds=60, now=NOW + 60)
    assert inbox / "masih-disalin.xlsx" in [f.path for f in later]
    assert settled_files(tmp_path / "belum-ada", settle_seconds=60, now=NOW) == []


# --- accepted and refused -------------------------------------------------------------------


def test_an_accepted_workbook_is_stored_filed_and_answered_to_its_team(
    new_uow: NewUow,
    agency: Agency,
    engine: Engine,
    tmp_path: Path,
) -> None:
    inbox = tmp_path / "inbox"
    dropped = drop(filled(new_uow, tmp_path / "tim", ANSWERS), inbox, "LKE DPMPTSP.xlsx")
    outcome = take_in(new_uow, dropped, SCOPE)

    total = angka(zi_domain_total(ANSWERS))
    assert outcome.accepted and outcome.problems == ()
    assert outcome.summary == f"LKE DPMPTSP.xlsx: DPMPTSP diterima (versi 1), total {total}"
    assert dropped.path.exists(), "the file stays until its receipts are in the outbox"
    with new_uow() as uow:
        assessment = uow.assessments.get_assessment(
            unit_id=agency.units["DPMPTSP"], period_id=agency.period_id, kind=AssessmentKind.SELF
        )
        assert assessment is not None, "a workbook dropped in the inbox itself is mandiri"

    assert {m.recipient for m in outcome.messages} == DPMPTSP_TEAM
    for message in outcome.messages:
        assert message.kind == "lke.accepted"
        assert message.subject == f"[ZI] LKE Dinas Penanaman Modal dan PTSP diterima: total {total}"
        assert "LKE DPMPTSP.xlsx" in message.text and total in message.text

    filed = file_away(outcome, day=DAY)
    assert filed == inbox / "diterima" / "2026-05-04_LKE DPMPTSP.xlsx"
    assert filed.is_file() and not dropped.path.exists()
    assert not filed.with_name(filed.name + ".alasan.txt").exists()


def test_a_workbook_in_tpi_is_the_tpi_evaluation(
    new_uow: NewUow,
    agency: Agency,
    tmp_path: Path,
) -> None:
    inbox = tmp_path / "inbox"
    dropped = drop(filled(new_uow, tmp_path / "tpi", ANSWERS), inbox, "tpi/DPMPTSP.xlsx")
    assert take_in(new_uow, dropped, SCOPE).accepted
    with new_uow() as uow:
        kinds = {
            kind
            for kind in AssessmentKind
            if uow.assessments.get_assessment(
                unit_id=agency.units["DPMPTSP"], period_id=agency.period_id, kind=kind
            )
        }
    assert kinds == {AssessmentKind.TPI}


def test_a_refused_workbook_is_filed_with_its_reasons_and_answered_with_its_cells(
    new_uow: NewUow,
    agency: Agency,
    engine: Engine,
    tmp_path: Path,
) -> None:
    inbox = tmp_path / "inbox"
    bad = ANSWERS | {"A.I.1.i.b": "Z", "B.I.a": "4,5"}
    dropped = drop(filled(new_uow, tmp_path / "tim", bad), inbox, "DPMPTSP.xlsx")
    outcome = take_in(new_uow, dropped, SCOPE)

    rows = answer_rows(FRAMEWORK)
    cells = [f"LKE!F{rows['A.I.1.i.b']}", f"LKE!F{rows['B.I.a']}"]
    assert not outcome.accepted
    assert [p.split(":")[0] for p in outcome.problems] == cells
    assert outcome.summary == "DPMPTSP.xlsx: ditolak, 2 masalah"
    assert count(engine, Assessment) == 0 and count(engine, AssessmentVersion) == 0

    assert {m.recipient for m in outcome.messages} == DPMPTSP_TEAM
    for message in outcome.messages:
        assert message.kind == "lke.refused"
        assert message.subject == "[ZI] LKE Dinas Penanaman Modal dan PTSP ditolak: 2 masalah"
        assert "DITOLAK" in message.text and "tidak ada jawaban yang disimpan" in message.text
        for problem in outcome.problems:
            assert problem in message.text

    filed = file_away(outcome, day=DAY)
    assert filed == inbox / "ditolak" / "2026-05-04_DPMPTSP.xlsx"
    assert filed.is_file() and not dropped.path.exists()
    reasons = filed.with_name("2026-05-04_DPMPTSP.xlsx.alasan.txt")
    assert reasons.read_text(encoding="utf-8").splitlines() == list(outcome.problems)


def test_a_workbook_whose_unit_cannot_be_told_is_filed_without_a_receipt(
    new_uow: NewUow,
    agency: Agency,
    tmp_path: Path,
) -> None:
    inbox = tmp_path / "inbox"
    dropped = DroppedFile(dropped_at(inbox / "rusak.xlsx", seconds_ago=600), AssessmentKind.SELF)
    outcome = take_in(new_uow, dropped, SCOPE)
    assert not outcome.accepted and outcome.messages == ()
    (problem,) = outcome.problems
    assert "tidak dapat dibuka sebagai buku kerja Excel (.xlsx)" in problem
    filed = file_away(outcome, day=DAY)
    assert filed.parent == inbox / "ditolak"
    assert filed.with_name(filed.name + ".alasan.txt").read_text(encoding="utf-8") == problem + "\n"


# --- one receipt per content ----------------------------------------------------------------


def test_the_same_content_dropped_twice_has_the_same_receipt_keys(
    new_uow: NewUow,
    agency: Agency,
    engine: Engine,
    tmp_path: Path,
) -> None:
    inbox = tmp_path / "inbox"
    source = filled(new_uow, tmp_path / "tim", ANSWERS)
    first = take_in(new_uow, drop(source, inbox, "DPMPTSP.xlsx"), SCOPE)
    first_filed = file_away(first, day=DAY)
    again = take_in(new_uow, drop(source, inbox, "DPMPTSP.xlsx"), SCOPE)

    assert keys(again) == keys(first) and len(keys(first)) == 2
    assert "tidak berubah" in again.summary
    assert count(engine, AssessmentVersion) == 1
    second_filed = file_away(again, day=DAY)
    assert second_filed == inbox / "diterima" / "2026-05-04_2_DPMPTSP.xlsx"
    assert first_filed.is_file(), "never filed over another file"

    other = filled(new_uow, tmp_path / "lain", ANSWERS | {"B.II.a": "3,80"})
    changed = take_in(new_uow, drop(other, inbox, "DPMPTSP.xlsx"), SCOPE)
    assert changed.accepted and keys(changed).isdisjoint(keys(first))
    assert count(engine, AssessmentVersion) == 2


def test_a_refused_content_dropped_twice_has_the_same_receipt_keys(
    new_uow: NewUow,
    agency: Agency,
    tmp_path: Path,
) -> None:
    inbox = tmp_path / "inbox"
    source = filled(new_uow, tmp_path / "tim", ANSWERS | {"A.I.1.i.b": "Z"})
    first = take_in(new_uow, drop(source, inbox, "a.xlsx"), SCOPE)
    again = take_in(new_uow, drop(source, inbox, "b.xlsx"), SCOPE)
    assert keys(first) == keys(again) and len(keys(first)) == 2
    good = take_in(
        new_uow, drop(filled(new_uow, tmp_path / "baik", ANSWERS), inbox, "c.xlsx"), SCOPE
    )
    assert keys(good).isdisjoint(keys(first))
