"""The TPI's pages: the instansi dashboard, a unit's review (accepting the team's answers into
the TPI's assessment, one or all, each audited; comments), the proposals, the monitoring button;
each page refuses a unit team (403) and anyone of another instansi (404). On SQLite and
PostgreSQL (the monitoring run, which starts Prefect, on SQLite only)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, func, select
from starlette.testclient import TestClient

from persistence.tables import (
    AssessmentKind,
    AuditEntry,
    ProposalCreate,
    ProposalEventCreate,
    ScoreSnapshot,
)
from persistence.unit_of_work import SqlUnitOfWork
from tests.builders import candidate_instansi
from tests.portal.portal_world import PortalWorld, form_token, portal_world
from tests.portal.test_unit_pages import answer
from zi_domain.predicates import Predicate

NewUow = Callable[[], SqlUnitOfWork]
TPI = "rina@uji.go.id"


@pytest.fixture
def world(new_uow: NewUow, data_dir: Path) -> PortalWorld:
    return portal_world(new_uow)


def tpi_version(
    new_uow: NewUow, world: PortalWorld, unit_id: int
) -> tuple[int, float, dict[str, str]]:
    """The TPI assessment's latest version: number, total, answers."""
    with new_uow() as uow:
        found = uow.assessments.get_assessment(
            unit_id=unit_id, period_id=world.agency.period_id, kind=AssessmentKind.TPI
        )
        assert found is not None and found.id is not None
        latest = uow.assessments.latest_version(assessment_id=found.id)
    assert latest is not None
    return latest.version, latest.total, dict(latest.answers)


def post(browser: TestClient, page: str, action: str, **data: str) -> str:
    """Posts a form of `page` (with its token) and returns the page it leads to."""
    token = form_token(browser.get(page).text)
    done = browser.post(action, data={"csrf": token, **data}, follow_redirects=True)
    assert done.status_code == 200, done.text
    return str(done.text)


def test_the_dashboard_lists_every_unit_with_its_stage_and_links(world: PortalWorld) -> None:
    rina = world.sign_in(TPI)
    units = world.agency.units

    page = rina.get(f"/instansi/{world.agency.instansi_id}")

    assert page.status_code == 200
    for code in ("DPMPTSP", "DUKCAPIL", "RSUD"):
        assert code in page.text
        assert f'href="/unit/{units[code]}/tinjau"' in page.text
    assert "Pencanangan" in page.text  # the stage, by its label
    assert "2 butir" in page.text  # DPMPTSP's two work items (February, April) are late
    assert "Jalankan pemantauan sekarang" in page.text


def test_accepting_one_answer_then_all_makes_tpi_versions_with_audit(
    world: PortalWorld, new_uow: NewUow
) -> None:
    unit_id = world.agency.units["DPMPTSP"]
    siti = world.sign_in("siti@uji.go.id")
    answer(siti, unit_id, "A.I.1.i.a", **{"A.I.1.i.a": "Ya"})
    answer(siti, unit_id, "A.I.1.i.b", **{"A.I.1.i.b": "B"})
    rina = world.sign_in(TPI)
    review = f"/unit/{unit_id}/tinjau"
    page = rina.get(review).text
    assert "2</strong> jawaban tim berbeda" in page and 'class="question tpi-q differs"' in page

    # A.I.1.i (weight 0,50), two questions: Ya (1) and nothing: 0,50 x 1/2 = 0,25.
    one = post(rina, review, f"{review}/A.I.1.i.a/terima")
    assert "A.I.1.i.a diterima; nilai TPI 0,25" in one
    assert tpi_version(new_uow, world, unit_id)[:2] == (1, 0.25)

    # Then B (0,5) too: 0,50 x 1,5/2 = 0,375 → 0,38, as one more version.
    every = post(rina, review, f"{review}/terima-semua")
    assert "1 jawaban tim diterima; nilai TPI 0,38" in every
    version, total, answers = tpi_version(new_uow, world, unit_id)
    assert (version, round(total, 3)) == (2, 0.375)
    assert answers == {"A.I.1.i.a": "Ya", "A.I.1.i.b": "B"}
    assert "0</strong> jawaban tim berbeda" in every
    with new_uow() as uow:
        audit = uow.audit.of_unit(unit_id=unit_id)
    assert [(e.subject, e.old_value, e.new_value, e.actor) for e in audit[:2]] == [
        ("Jawaban TPI A.I.1.i.b", None, "B", TPI),
        ("Jawaban TPI A.I.1.i.a", None, "Ya", TPI),
    ]
    again = post(rina, review, f"{review}/terima-semua")
    assert "Tidak ada jawaban tim yang berbeda" in again
    assert tpi_version(new_uow, world, unit_id)[0] == 2


def test_a_comment_is_stored_audited_and_shown_escaped(world: PortalWorld, new_uow: NewUow) -> None:
    unit_id = world.agency.units["DUKCAPIL"]
    rina = world.sign_in(TPI)
    review = f"/unit/{unit_id}/tinjau"

    shown = post(
        rina, review, f"{review}/A.I.1.i.a/komentar", komentar="<script>alert(1)</script> cek SK"
    )

    assert "Komentar A.I.1.i.a tersimpan" in shown
    assert "&lt;script&gt;alert(1)&lt;/script&gt; cek SK" in shown
    assert "<script>alert(1)" not in shown
    with new_uow() as uow:
        (comment,) = uow.comments.of_unit(unit_id=unit_id, period_id=world.agency.period_id)
        (entry,) = uow.audit.of_unit(unit_id=unit_id)
    assert (comment.code, comment.author) == ("A.I.1.i.a", TPI)
    assert (entry.subject, entry.actor) == ("Komentar TPI A.I.1.i.a", TPI)
    empty = post(rina, review, f"{review}/A.I.1.i.a/komentar", komentar="   ")
    assert "Komentar kosong tidak disimpan" in empty


def test_the_proposals_page_shows_each_proposal_with_its_history(
    world: PortalWorld, new_uow: NewUow
) -> None:
    rina = world.sign_in(TPI)
    usulan = f"/instansi/{world.agency.instansi_id}/usulan"
    assert "Belum ada usulan" in rina.get(usulan).text
    with new_uow() as uow:
        proposal = uow.proposals.add_proposal(
            proposal=ProposalCreate(
                unit_id=world.agency.units["DPMPTSP"],
                year=2026,
                predicate=Predicate.WBK,
                state="draft",
                tpi_total=78.5,
            ),
            actor="TPI (pemantauan terjadwal)",
        )
        assert proposal.id is not None
        uow.proposals.move_proposal(
            event=ProposalEventCreate(
                proposal_id=proposal.id, from_state="draft", to_state="submitted", actor=TPI
            )
        )
        uow.commit()

    page = rina.get(usulan).text

    assert "WBK tahun 2026 · revisi 1 · <strong>Dikirim ke TPN</strong>" in page
    assert "Nilai TPI 78,50" in page
    assert "Draf (menunggu tanda tangan pimpinan)" in page  # its history, oldest first
    assert page.index("Draf (menunggu") < page.index(f"oleh {TPI}")


def test_the_tpi_pages_refuse_unit_teams_and_other_instansi(
    world: PortalWorld, new_uow: NewUow
) -> None:
    instansi_id, own = world.agency.instansi_id, world.agency.units["DPMPTSP"]
    with new_uow() as uow:
        other = candidate_instansi(
            uow, name="Kota Lain", standing_years=(2026,), units={"LAIN": True}, unit_year=2026
        )
    siti = world.sign_in("siti@uji.go.id")
    rina = world.sign_in(TPI)
    token = form_token(siti.get(f"/unit/{own}").text)

    for path in (f"/instansi/{instansi_id}", f"/instansi/{instansi_id}/usulan"):
        assert siti.get(path).status_code == 403
    assert siti.get(f"/unit/{own}/tinjau").status_code == 403
    accepted = siti.post(f"/unit/{own}/tinjau/terima-semua", data={"csrf": token})
    assert accepted.status_code == 403
    monitored = siti.post(f"/instansi/{instansi_id}/pemantauan", data={"csrf": token})
    assert monitored.status_code == 403
    for browser in (siti, rina):
        assert browser.get(f"/instansi/{other['instansi']}").status_code == 404
        assert browser.get(f"/instansi/{other['instansi']}/usulan").status_code == 404
        assert browser.get(f"/unit/{other['LAIN']}/tinjau").status_code == 404
    assert rina.get(f"/unit/{own}/tinjau").status_code == 200
    assert rina.get(f"/unit/{own}/tinjau/A.I.1.i.a/terima").status_code == 405


def test_a_form_without_its_token_is_refused(world: PortalWorld, new_uow: NewUow) -> None:
    unit_id = world.agency.units["DPMPTSP"]
    rina = world.sign_in(TPI)
    review = f"/unit/{unit_id}/tinjau"

    for action in (f"{review}/terima-semua", f"{review}/A.I.1.i.a/komentar"):
        assert rina.post(action, data={"komentar": "x"}).status_code == 403
    assert rina.post(f"/instansi/{world.agency.instansi_id}/pemantauan").status_code == 403
    with new_uow() as uow:
        assert uow.comments.of_unit(unit_id=unit_id, period_id=world.agency.period_id) == []


@pytest.fixture
def prefect(engine: Engine) -> Iterator[None]:
    """A temporary Prefect API, as tests/flows has (the button runs the real flow); on SQLite
    only, the flows' own database here (the run is slow enough to test once)."""
    if engine.dialect.name != "sqlite":
        pytest.skip("the monitoring run is tested once, on SQLite")
    os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="zi-prefect-"))
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings
    from prefect.testing.utilities import prefect_test_harness

    with (
        prefect_test_harness(server_startup_timeout=120),
        temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}),
    ):
        yield


def test_the_monitoring_button_runs_the_weekly_monitoring(
    world: PortalWorld, engine: Engine, prefect: None
) -> None:
    unit_id = world.agency.units["DPMPTSP"]
    rina = world.sign_in(TPI)
    review = f"/unit/{unit_id}/tinjau"
    siti = world.sign_in("siti@uji.go.id")
    answer(siti, unit_id, "A.I.1.i.a", **{"A.I.1.i.a": "Ya"})
    post(rina, review, f"{review}/A.I.1.i.a/terima")
    dashboard = f"/instansi/{world.agency.instansi_id}"

    done = post(rina, dashboard, f"{dashboard}/pemantauan")

    assert "selesai: 1 periode" in done
    with Session(engine) as session:
        snapshots = session.exec(select(func.count()).select_from(ScoreSnapshot)).one()
        (stage,) = session.exec(select(AuditEntry).where(AuditEntry.action == "stage")).all()
    assert snapshots == 1
    assert (stage.actor, stage.subject) == (TPI, "Pemantauan TPI dijalankan dari portal")
    assert stage.new_value is not None and "selesai: 1 periode" in stage.new_value
