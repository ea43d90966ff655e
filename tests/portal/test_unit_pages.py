"""A unit's pages: its team answers the LKE online (each answer a new version, with its audit
entry, the score recomputed), marks work done; every page refuses the wrong person; data is
escaped. On SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from config.framework_files import load_framework
from persistence.tables import AssessmentKind
from persistence.unit_of_work import SqlUnitOfWork
from tests.builders import record_tpi_answers, top_answers
from tests.portal.portal_world import PortalWorld, form_token, portal_world

NewUow = Callable[[], SqlUnitOfWork]
JSON = {"accept": "application/json"}


@pytest.fixture
def world(new_uow: NewUow, data_dir: Path) -> PortalWorld:
    return portal_world(new_uow)


def answer(browser: TestClient, unit_id: int, code: str, **values: str) -> dict[str, object]:
    token = form_token(browser.get(f"/unit/{unit_id}/lke").text)
    saved = browser.post(
        f"/unit/{unit_id}/lke/{code}", data={"csrf": token, **values}, headers=JSON
    )
    result: dict[str, object] = saved.json()
    return result


def test_answering_online_moves_the_score_and_is_audited(
    world: PortalWorld, new_uow: NewUow
) -> None:
    unit_id = world.agency.units["DPMPTSP"]
    siti = world.sign_in("siti@uji.go.id")
    lke = siti.get(f"/unit/{unit_id}/lke")
    assert lke.status_code == 200
    assert 'id="q-A.I.1.i.b"' in lke.text and "Jika tidak di seleksi." in lke.text

    # A.I.1.i (weight 0,50) has two questions; the indicator scores its weight times their mean:
    # Ya (1) and nothing yet (0): 0,50 x 1/2 = 0,25; then B (0,5): 0,50 x 1,5/2 = 0,375 → 0,38.
    first = answer(siti, unit_id, "A.I.1.i.a", **{"A.I.1.i.a": "Ya"})
    second = answer(siti, unit_id, "A.I.1.i.b", **{"A.I.1.i.b": "B"})

    assert first["ok"] is True and first["total"] == "0,25"
    assert second["ok"] is True and second["total"] == "0,38"
    assert "belum memenuhi batas WBK" in str(second["kartu"])
    with new_uow() as uow:
        found = uow.assessments.get_assessment(
            unit_id=unit_id, period_id=world.agency.period_id, kind=AssessmentKind.SELF
        )
        assert found is not None and found.id is not None
        latest = uow.assessments.latest_version(assessment_id=found.id)
        audit = uow.audit.of_unit(unit_id=unit_id)
    assert latest is not None and latest.version == 2 and latest.actor == "siti@uji.go.id"
    assert [(e.subject, e.old_value, e.new_value, e.actor) for e in audit] == [
        ("Jawaban mandiri A.I.1.i.b", None, "B", "siti@uji.go.id"),
        ("Jawaban mandiri A.I.1.i.a", None, "Ya", "siti@uji.go.id"),
    ]
    page = siti.get(f"/unit/{unit_id}").text
    assert "Jawaban mandiri A.I.1.i.b" in page and "Penilaian mandiri" in page
    assert "0,38" in page


def test_an_answer_the_lke_does_not_accept_is_refused_and_nothing_changes(
    world: PortalWorld,
) -> None:
    unit_id = world.agency.units["DPMPTSP"]
    siti = world.sign_in("siti@uji.go.id")

    refused = answer(siti, unit_id, "A.I.1.i.b", **{"A.I.1.i.b": "Z"})

    assert refused["ok"] is False and "A.I.1.i.b" in str(refused["pesan"])
    assert "Belum ada perubahan lewat portal" in siti.get(f"/unit/{unit_id}").text


def test_a_work_item_is_marked_done(world: PortalWorld, new_uow: NewUow) -> None:
    unit_id = world.agency.units["DPMPTSP"]
    agus = world.sign_in("agus@uji.go.id")
    with new_uow() as uow:
        (item, _) = uow.work_plans.items(unit_id=unit_id, year=2026)
    page = agus.get(f"/unit/{unit_id}").text
    assert "Membentuk Tim Kerja ZI" in page

    done = agus.post(
        f"/unit/{unit_id}/pekerjaan/{item.id}/selesai",
        data={"csrf": form_token(page)},
        follow_redirects=True,
    )

    assert "A.I.1.i ditandai selesai" in done.text
    with new_uow() as uow:
        (item, _) = uow.work_plans.items(unit_id=unit_id, year=2026)
    assert item.completed_on is not None and item.completed_by == "agus@uji.go.id"


def test_every_unit_page_refuses_the_wrong_person(world: PortalWorld) -> None:
    mine, other = world.agency.units["DPMPTSP"], world.agency.units["DUKCAPIL"]
    siti = world.sign_in("siti@uji.go.id")  # DPMPTSP's team
    dewi = world.sign_in("dewi@uji.go.id")  # DUKCAPIL's team
    rina = world.sign_in("rina@uji.go.id")  # the TPI of the instansi
    anonymous = TestClient(world.client.app)
    token = form_token(dewi.get(f"/unit/{other}").text)

    for path in (f"/unit/{mine}", f"/unit/{mine}/lke"):
        assert siti.get(path).status_code == 200
        assert rina.get(path).status_code == 200
        assert dewi.get(path).status_code == 404  # another unit: as if it did not exist
        assert anonymous.get(path, follow_redirects=False).headers["location"] == "/masuk"
    posted = dewi.post(f"/unit/{mine}/lke/A.I.1.i.a", data={"csrf": token, "A.I.1.i.a": "Ya"})
    assert posted.status_code == 404
    assert siti.get("/unit/999999").status_code == 404
    assert siti.get("/unit/abc").status_code == 404
    assert siti.get(f"/unit/{mine}/lke").status_code == 200


def test_names_and_answers_are_escaped(world: PortalWorld, new_uow: NewUow) -> None:
    unit_id = world.agency.units["DPMPTSP"]
    with new_uow() as uow:
        unit = uow.units.get_unit(unit_id=unit_id)
        assert unit is not None
        unit.name = '<script>alert("x")</script> & Co'
        uow.units._session.add(unit)  # type: ignore[attr-defined]
        uow.commit()
    siti = world.sign_in("siti@uji.go.id")
    answer(siti, unit_id, "A.II.3.iii.a", **{"A.II.3.iii.a:pelanggaran_tahun_ini": "<b>1</b>"})

    for path in (f"/unit/{unit_id}", f"/unit/{unit_id}/lke"):
        page = siti.get(path).text
        assert "<script>alert" not in page and "&lt;script&gt;alert" in page
        assert "<b>1</b>" not in page


def test_the_team_sees_the_tpis_comments_under_their_questions(world: PortalWorld) -> None:
    unit_id = world.agency.units["DPMPTSP"]
    rina = world.sign_in("rina@uji.go.id")
    token = form_token(rina.get(f"/unit/{unit_id}/tinjau").text)
    rina.post(
        f"/unit/{unit_id}/tinjau/A.I.1.i.b/komentar",
        data={"csrf": token, "komentar": "Lampirkan SK <b>tim</b> yang ditandatangani."},
    )
    siti = world.sign_in("siti@uji.go.id")

    unit_page = siti.get(f"/unit/{unit_id}").text
    lke = siti.get(f"/unit/{unit_id}/lke").text

    assert "TPI memberi 1 catatan" in unit_page
    assert "Tinjau (TPI)" not in unit_page  # the review is the TPI's
    assert "Tinjau (TPI)" in rina.get(f"/unit/{unit_id}").text
    question = lke.split('id="q-A.I.1.i.b"')[1].split("</article>")[0]
    assert "Lampirkan SK &lt;b&gt;tim&lt;/b&gt; yang ditandatangani." in question
    assert "Catatan TPI · rina@uji.go.id" in question


def test_before_the_team_answers_what_to_fix_first_comes_from_the_tpis_answers(
    world: PortalWorld, new_uow: NewUow
) -> None:
    unit_id = world.agency.units["DPMPTSP"]
    framework = load_framework(None)
    # Every answer at the top but A.I.1.i.b at C (0): the one item below its top answer.
    answers = top_answers(framework) | {"A.I.1.i.b": "C"}
    with new_uow() as uow:
        record_tpi_answers(uow, unit_id=unit_id, period_id=world.agency.period_id, answers=answers)
    siti = world.sign_in("siti@uji.go.id")

    page = siti.get(f"/unit/{unit_id}").text

    assert "Menurut jawaban TPI (tim belum mengisi LKE)" in page
    fixes = page.split('<ol class="fixes">')[1].split("</ol>")[0]
    assert fixes.count("<li>") == 3  # A.I.1.i.b and the two survey indices below 4
    assert f'href="/unit/{unit_id}/lke#q-A.I.1.i.b"' in fixes
