"""A unit's files in the portal: evidence uploaded per indicator (kinds told by content, sizes
held, names made safe, the same content stored once, an audit entry per document), served back
as an attachment, removed, and reviewed by the TPI; the LKE workbook out and in; survey
respondents in. Every page refuses the wrong person and a form without its token. On SQLite and
PostgreSQL."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from openpyxl import load_workbook
from starlette.testclient import TestClient

from config.settings import get_settings
from persistence.tables import AssessmentKind
from persistence.unit_of_work import SqlUnitOfWork
from spreadsheets.lke_form import LKE_SHEET
from tests.builders import INTAKE_SCOPE, blank_form, fill_lke_form, top_answers
from tests.portal.portal_world import PortalWorld, form_token, portal_world
from tests.survey_builders import IPKP_CODES, ipkp_set, respondent_rows, write_respondents

NewUow = Callable[[], SqlUnitOfWork]
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
MINUTES = b"%PDF-1.7\n% notulen rapat tim kerja\n%%EOF\n"
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"


@pytest.fixture
def world(new_uow: NewUow, data_dir: Path) -> PortalWorld:
    return portal_world(new_uow)


def upload(
    browser: TestClient,
    unit_id: int,
    files: list[tuple[str, bytes]],
    *,
    code: str = "A.I.1.i",
    **fields: str,
) -> httpx.Response:
    token = form_token(browser.get(f"/unit/{unit_id}/bukti").text)
    sent: httpx.Response = browser.post(
        f"/unit/{unit_id}/bukti",
        data={"csrf": token, "kode": code, **fields},
        files=[("berkas", (name, content, "application/pdf")) for name, content in files],
    )
    return sent


def documents(new_uow: NewUow, unit_id: int) -> list[tuple[str, str, str | None]]:
    with new_uow() as uow:
        rows = uow.evidence.documents(unit_id=unit_id)
        return sorted((d.code, d.title, d.original_name) for d in rows)


def stored_files(data_dir: Path) -> list[Path]:
    return sorted(p for p in (data_dir / "bukti").glob("??/*") if p.is_file())


def audit_actions(new_uow: NewUow, unit_id: int) -> list[str]:
    with new_uow() as uow:
        return [e.action for e in uow.audit.of_unit(unit_id=unit_id)]


def test_two_pdfs_are_stored_once_each_with_an_audit_entry_each(
    world: PortalWorld, new_uow: NewUow, data_dir: Path
) -> None:
    unit_id = world.agency.units["DPMPTSP"]
    siti = world.sign_in("siti@uji.go.id")

    done = upload(
        siti,
        unit_id,
        [("SK Tim ZI 2026-01-05.pdf", PDF), ("Notulen rapat 2026-02-10.pdf", MINUTES)],
    )

    assert done.status_code == 200
    assert "A.I.1.i: 2 dokumen baru tersimpan" in done.text
    assert documents(new_uow, unit_id) == [
        ("A.I.1.i", "Notulen rapat 2026-02-10", "Notulen-rapat-2026-02-10.pdf"),
        ("A.I.1.i", "SK Tim ZI 2026-01-05", "SK-Tim-ZI-2026-01-05.pdf"),
    ]
    assert len(stored_files(data_dir)) == 2
    assert audit_actions(new_uow, unit_id) == ["evidence.upload", "evidence.upload"]

    # The same content again, under another name and code: one file in the store all the same.
    again = upload(siti, unit_id, [("salinan 2026-03-01.pdf", PDF)], code="A.I.1.ii")
    same = upload(siti, unit_id, [("lagi 2026-03-01.pdf", PDF)])
    assert "1 dokumen baru" in again.text
    assert "0 dokumen baru tersimpan, 1 berkas sudah tersimpan" in same.text
    assert len(documents(new_uow, unit_id)) == 3
    assert len(stored_files(data_dir)) == 2
    page = siti.get(f"/unit/{unit_id}/bukti").text
    assert "SK Tim ZI 2026-01-05" in page and "5 Januari 2026" in page
    assert "Belum ditinjau" in page and 'id="i-A.I.1.i"' in page


def test_a_form_date_and_title_are_used_and_a_file_without_a_date_is_refused(
    world: PortalWorld, new_uow: NewUow
) -> None:
    unit_id = world.agency.units["DPMPTSP"]
    siti = world.sign_in("siti@uji.go.id")

    refused = upload(siti, unit_id, [("SK tim.pdf", PDF)], judul="SK <Tim>")
    dated = upload(siti, unit_id, [("SK tim.pdf", PDF)], tanggal="2026-01-05", judul="SK Tim")

    assert refused.status_code == 400
    assert "SK tim.pdf: tanpa tanggal dokumen" in refused.text
    assert 'value="SK &lt;Tim&gt;"' in refused.text  # what was typed is kept, escaped
    assert dated.status_code == 200
    assert documents(new_uow, unit_id) == [("A.I.1.i", "SK Tim", "SK-tim.pdf")]


def test_html_named_pdf_and_programs_are_refused_by_their_content(
    world: PortalWorld, new_uow: NewUow, data_dir: Path
) -> None:
    unit_id = world.agency.units["DPMPTSP"]
    siti = world.sign_in("siti@uji.go.id")

    page = upload(
        siti,
        unit_id,
        [("laporan 2026-01-05.pdf", HTML), ("alat 2026-01-05.pdf", b"MZ\x90\x00program")],
    )

    assert page.status_code == 400
    text = page.text
    assert "laporan 2026-01-05.pdf: HTML, SVG atau XML tidak diterima" in text
    assert "alat 2026-01-05.pdf: berkas program" in text
    assert "<script>alert(1)" not in text
    assert documents(new_uow, unit_id) == [] and stored_files(data_dir) == []
    assert audit_actions(new_uow, unit_id) == []


def test_an_oversize_file_is_refused(
    new_uow: NewUow, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ZI_WEB_UPLOAD_MAX_BYTES", "2000")
    get_settings.cache_clear()
    world = portal_world(new_uow)
    unit_id = world.agency.units["DPMPTSP"]
    siti = world.sign_in("siti@uji.go.id")

    page = upload(siti, unit_id, [("besar 2026-01-05.pdf", PDF + b"0" * 5000)])

    assert page.status_code == 400
    assert "besar 2026-01-05.pdf: lebih besar dari batas" in page.text
    assert documents(new_uow, unit_id) == []


def test_a_hostile_name_is_stored_safely_and_downloaded_as_an_attachment(
    world: PortalWorld, new_uow: NewUow, data_dir: Path
) -> None:
    unit_id = world.agency.units["DPMPTSP"]
    siti = world.sign_in("siti@uji.go.id")

    upload(siti, unit_id, [("../../etc/passwd.pdf", PDF)], tanggal="2026-01-05")

    with new_uow() as uow:
        (stored,) = uow.evidence.documents(unit_id=unit_id)
    assert stored.original_name == "passwd.pdf" and stored.location == "A.I.1.i/passwd.pdf"
    assert not (data_dir / "etc").exists() and not (data_dir.parent / "etc").exists()
    got = siti.get(f"/unit/{unit_id}/bukti/{stored.id}")
    assert got.status_code == 200 and got.content == PDF
    assert got.headers["content-disposition"] == (
        "attachment; filename=\"passwd.pdf\"; filename*=UTF-8''passwd.pdf"
    )
    assert got.headers["x-content-type-options"] == "nosniff"
    assert got.headers["content-type"] == "application/pdf"


def test_another_units_team_gets_404_and_a_team_403_on_reviewing(
    world: PortalWorld, new_uow: NewUow
) -> None:
    unit_id = world.agency.units["DPMPTSP"]
    siti = world.sign_in("siti@uji.go.id")
    dewi = world.sign_in("dewi@uji.go.id")  # DUKCAPIL's team
    upload(siti, unit_id, [("SK 2026-01-05.pdf", PDF)])
    with new_uow() as uow:
        (stored,) = uow.evidence.documents(unit_id=unit_id)
    token = form_token(siti.get(f"/unit/{unit_id}/bukti").text)
    other = world.agency.units["DUKCAPIL"]
    dewi_token = form_token(dewi.get(f"/unit/{other}/bukti").text)

    for path in (f"/unit/{unit_id}/bukti", f"/unit/{unit_id}/bukti/{stored.id}"):
        assert dewi.get(path).status_code == 404
    assert dewi.get(f"/unit/{unit_id}/berkas").status_code == 404
    assert dewi.get(f"/unit/{unit_id}/berkas/lke").status_code == 404
    assert dewi.get(f"/unit/{other}/bukti/{stored.id}").status_code == 404  # not DUKCAPIL's
    removed = dewi.post(f"/unit/{unit_id}/bukti/{stored.id}/hapus", data={"csrf": dewi_token})
    assert removed.status_code == 404
    reviewed = siti.post(
        f"/unit/{unit_id}/bukti/{stored.id}/tinjau", data={"csrf": token, "keputusan": "terima"}
    )
    assert reviewed.status_code == 403
    assert siti.get(f"/unit/{unit_id}/berkas/lke?jenis=tpi").status_code == 403
    assert "Terima" not in siti.get(f"/unit/{unit_id}/bukti").text
    assert len(documents(new_uow, unit_id)) == 1


def test_the_tpi_rejects_with_a_reason_and_the_team_sees_it(
    world: PortalWorld, new_uow: NewUow
) -> None:
    unit_id = world.agency.units["DPMPTSP"]
    siti = world.sign_in("siti@uji.go.id")
    rina = world.sign_in("rina@uji.go.id")  # the TPI
    upload(siti, unit_id, [("SK 2026-01-05.pdf", PDF)])
    with new_uow() as uow:
        (stored,) = uow.evidence.documents(unit_id=unit_id)
    path = f"/unit/{unit_id}/bukti/{stored.id}/tinjau"
    token = form_token(rina.get(f"/unit/{unit_id}/bukti").text)

    empty = rina.post(path, data={"csrf": token, "keputusan": "tolak", "alasan": " "})
    long = rina.post(path, data={"csrf": token, "keputusan": "tolak", "alasan": "x" * 501})
    assert "Tulis alasan penolakan" in empty.text
    assert "paling banyak 500 karakter" in long.text
    reason = '<b onmouseover="x">SK belum ditandatangani</b>'
    rejected = rina.post(path, data={"csrf": token, "keputusan": "tolak", "alasan": reason})

    assert rejected.status_code == 200 and "ditolak" in rejected.text
    with new_uow() as uow:
        (row,) = uow.evidence.documents(unit_id=unit_id)
    assert (row.review, row.review_reason, row.reviewed_by) == (
        "rejected",
        reason,
        "rina@uji.go.id",
    )
    assert row.reviewed_at is not None
    page = siti.get(f"/unit/{unit_id}/bukti").text
    assert "Ditolak TPI" in page and "<b onmouseover" not in page
    assert "&lt;b onmouseover=&#34;x&#34;&gt;SK belum ditandatangani&lt;/b&gt;" in page
    assert audit_actions(new_uow, unit_id)[0] == "evidence.review"

    accepted = rina.post(path, data={"csrf": token, "keputusan": "terima"})
    assert "diterima" in accepted.text
    with new_uow() as uow:
        (row,) = uow.evidence.documents(unit_id=unit_id)
    assert (row.review, row.review_reason) == ("accepted", None)
    assert "Diterima TPI" in siti.get(f"/unit/{unit_id}/bukti").text


def test_the_team_removes_a_document(world: PortalWorld, new_uow: NewUow, data_dir: Path) -> None:
    unit_id = world.agency.units["DPMPTSP"]
    agus = world.sign_in("agus@uji.go.id")
    upload(agus, unit_id, [("SK 2026-01-05.pdf", PDF)])
    with new_uow() as uow:
        (stored,) = uow.evidence.documents(unit_id=unit_id)
    token = form_token(agus.get(f"/unit/{unit_id}/bukti").text)

    removed = agus.post(f"/unit/{unit_id}/bukti/{stored.id}/hapus", data={"csrf": token})

    assert removed.status_code == 200 and "dihapus dari A.I.1.i" in removed.text
    assert documents(new_uow, unit_id) == []
    assert audit_actions(new_uow, unit_id) == ["evidence.remove", "evidence.upload"]
    again = agus.post(f"/unit/{unit_id}/bukti/{stored.id}/hapus", data={"csrf": token})
    assert again.status_code == 404


def test_forms_without_their_token_are_refused(world: PortalWorld, new_uow: NewUow) -> None:
    unit_id = world.agency.units["DPMPTSP"]
    siti = world.sign_in("siti@uji.go.id")

    posted = siti.post(
        f"/unit/{unit_id}/bukti",
        data={"kode": "A.I.1.i"},
        files=[("berkas", ("SK 2026-01-05.pdf", PDF, "application/pdf"))],
    )
    workbook = siti.post(f"/unit/{unit_id}/berkas/lke", data={"csrf": "0" * 64})

    assert posted.status_code == 403 and workbook.status_code == 403
    assert documents(new_uow, unit_id) == []


def test_the_workbook_goes_out_and_comes_back_as_a_version(
    world: PortalWorld, new_uow: NewUow, tmp_path: Path
) -> None:
    unit_id = world.agency.units["DPMPTSP"]
    siti = world.sign_in("siti@uji.go.id")

    got = siti.get(f"/unit/{unit_id}/berkas/lke")
    assert got.status_code == 200
    assert got.headers["content-disposition"].startswith('attachment; filename="LKE-DPMPTSP-')
    assert LKE_SHEET in load_workbook(io.BytesIO(got.content)).sheetnames
    filled = fill_lke_form(blank_form(new_uow, tmp_path), top_answers(INTAKE_SCOPE.framework))
    token = form_token(siti.get(f"/unit/{unit_id}/berkas").text)

    sent = siti.post(
        f"/unit/{unit_id}/berkas/lke",
        data={"csrf": token, "jenis": "mandiri"},
        files=[("berkas", ("LKE terisi.xlsx", filled.read_bytes(), "application/octet-stream"))],
    )

    assert sent.status_code == 200 and "LKE penilaian mandiri tersimpan: versi 1" in sent.text
    with new_uow() as uow:
        found = uow.assessments.get_assessment(
            unit_id=unit_id, period_id=world.agency.period_id, kind=AssessmentKind.SELF
        )
        assert found is not None and found.id is not None
        latest = uow.assessments.latest_version(assessment_id=found.id)
    assert latest is not None and latest.actor == "siti@uji.go.id"
    assert "workbook.upload" in audit_actions(new_uow, unit_id)


def test_a_bad_workbook_shows_every_problem_and_another_units_is_refused(
    world: PortalWorld, new_uow: NewUow, tmp_path: Path
) -> None:
    unit_id = world.agency.units["DPMPTSP"]
    siti = world.sign_in("siti@uji.go.id")
    bad = fill_lke_form(blank_form(new_uow, tmp_path / "a"), {"A.I.1.i.a": "Z", "A.I.1.i.b": "Q"})
    theirs = fill_lke_form(
        blank_form(new_uow, tmp_path / "b", code="DUKCAPIL"), {"A.I.1.i.a": "Ya"}
    )
    token = form_token(siti.get(f"/unit/{unit_id}/berkas").text)

    def send(path: Path) -> str:
        sent = siti.post(
            f"/unit/{unit_id}/berkas/lke",
            data={"csrf": token},
            files=[("berkas", (path.name, path.read_bytes(), "application/octet-stream"))],
        )
        assert sent.status_code == 400
        return str(sent.text)

    assert "A.I.1.i.a" in (page := send(bad)) and "A.I.1.i.b" in page
    assert "bukan DPMPTSP" in send(theirs)
    not_a_workbook = tmp_path / "catatan.xlsx"
    not_a_workbook.write_bytes(PDF)
    assert "catatan.xlsx: bukan berkas XLSX" in send(not_a_workbook)
    with new_uow() as uow:
        found = uow.assessments.get_assessment(
            unit_id=unit_id, period_id=world.agency.period_id, kind=AssessmentKind.SELF
        )
    assert found is None


def test_survey_respondents_are_imported_as_the_teams_own_survey(
    world: PortalWorld, new_uow: NewUow, tmp_path: Path
) -> None:
    unit_id = world.agency.units["DPMPTSP"]
    siti = world.sign_in("siti@uji.go.id")
    good = write_respondents(tmp_path / "ipkp.csv", respondent_rows(ipkp_set()), IPKP_CODES)
    few = write_respondents(tmp_path / "few.csv", respondent_rows(ipkp_set(count=5)), IPKP_CODES)
    token = form_token(siti.get(f"/unit/{unit_id}/berkas").text)

    def send(path: Path) -> httpx.Response:
        sent: httpx.Response = siti.post(
            f"/unit/{unit_id}/berkas/survei",
            data={"csrf": token, "survei": "ipkp"},
            files=[("berkas", (path.name, path.read_bytes(), "text/csv"))],
        )
        return sent

    refused = send(few)
    accepted = send(good)

    assert refused.status_code == 400
    assert "responden" in refused.text
    assert accepted.status_code == 200
    assert "Survei IPKP tersimpan: 30 responden" in accepted.text
    with new_uow() as uow:
        (survey,) = uow.surveys.surveys(unit_id=unit_id, year=2026)
    assert survey.source.value == "mandiri" and survey.actor == "siti@uji.go.id"
    assert "survey.upload" in audit_actions(new_uow, unit_id)


def test_the_tpi_files_its_own_assessment_and_survey_and_a_team_cannot(
    world: PortalWorld, new_uow: NewUow, tmp_path: Path
) -> None:
    unit_id = world.agency.units["DPMPTSP"]
    rina = world.sign_in("rina@uji.go.id")
    siti = world.sign_in("siti@uji.go.id")
    filled = fill_lke_form(blank_form(new_uow, tmp_path), top_answers(INTAKE_SCOPE.framework))
    survey = write_respondents(tmp_path / "ipkp.csv", respondent_rows(ipkp_set()), IPKP_CODES)
    page = rina.get(f"/unit/{unit_id}/berkas").text
    assert "penilaian TPI" in page and 'name="alasan"' in page
    token = form_token(page)
    workbook = [("berkas", ("LKE.xlsx", filled.read_bytes(), "application/octet-stream"))]

    refused = siti.post(
        f"/unit/{unit_id}/berkas/lke",
        data={"csrf": form_token(siti.get(f"/unit/{unit_id}/berkas").text), "jenis": "tpi"},
        files=workbook,
    )
    sent = rina.post(
        f"/unit/{unit_id}/berkas/lke", data={"csrf": token, "jenis": "tpi"}, files=workbook
    )
    surveyed = rina.post(
        f"/unit/{unit_id}/berkas/survei",
        data={"csrf": token, "survei": "ipkp"},
        files=[("berkas", ("ipkp.csv", survey.read_bytes(), "text/csv"))],
    )

    assert refused.status_code == 403
    assert "LKE penilaian TPI tersimpan: versi 1" in sent.text
    assert "Survei IPKP tersimpan" in surveyed.text
    with new_uow() as uow:
        tpi = uow.assessments.get_assessment(
            unit_id=unit_id, period_id=world.agency.period_id, kind=AssessmentKind.TPI
        )
        mine = uow.assessments.get_assessment(
            unit_id=unit_id, period_id=world.agency.period_id, kind=AssessmentKind.SELF
        )
        (result,) = uow.surveys.surveys(unit_id=unit_id, year=2026)
    assert tpi is not None and mine is None
    assert result.source.value == "tpi" and result.actor == "rina@uji.go.id"
    tpi_workbook = rina.get(f"/unit/{unit_id}/berkas/lke?jenis=tpi")
    assert tpi_workbook.status_code == 200
    assert LKE_SHEET in load_workbook(io.BytesIO(tpi_workbook.content)).sheetnames
