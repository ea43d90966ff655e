"""Files through the portal in a real browser: a unit team member uploads evidence for an
indicator (several files at once), downloads one back byte for byte and sees a disguised file
refused; downloads the unit's LKE workbook, fills it and uploads it, and sees the
self-assessment score; the TPI accepts the team's answers and runs the weekly monitoring from
the dashboard, whose snapshot the unit page then shows. On SQLite and PostgreSQL; screenshots
are artifacts of the run (build/test-artifacts/portal)."""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PIL import Image
from playwright.sync_api import Browser, FilePayload, Page, expect

from config.framework_files import load_framework
from config.settings import today
from persistence.tables import AssessmentKind
from persistence.unit_of_work import SqlUnitOfWork
from services.portal_units import AnswerChange, save_answer
from spreadsheets.lke_form import INSTANSI_CODE_CELL, LKE_SHEET, UNIT_CODE_CELL
from tests.builders import Agency, fill_lke_form
from tests.portal.browser import screenshot, sign_in
from zi_domain.indonesian import tanggal

NewUow = Callable[[], SqlUnitOfWork]
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
MONITORING_WAIT_MS = 120_000  # the first flow run imports and starts Prefect's machinery


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "teal").save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def page(browser: Browser) -> Page:
    return new_page(browser)


def new_page(browser: Browser) -> Page:
    return browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)


@pytest.fixture
def prefect() -> Iterator[None]:
    """A temporary Prefect API for the monitoring flow the button runs. The harness also makes
    its settings the process-wide ones, so the flow run in uvicorn's thread uses it."""
    os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="zi-prefect-"))
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings
    from prefect.testing.utilities import prefect_test_harness

    with (
        prefect_test_harness(server_startup_timeout=120),
        temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}),
    ):
        yield


def test_evidence_is_uploaded_several_at_once_downloaded_and_a_disguised_file_refused(
    portal: tuple[str, Agency], page: Page, data_dir: Path, new_uow: NewUow
) -> None:
    base, agency = portal
    unit_id = agency.units["DPMPTSP"]
    sign_in(page, base, "siti@uji.go.id", data_dir)
    expect(page).to_have_url(f"{base}/unit/{unit_id}")

    page.get_by_role("link", name="Bukti dukung").click()

    expect(page).to_have_url(f"{base}/unit/{unit_id}/bukti")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Bukti dukung Dinas Penanaman Modal dan PTSP"
    )
    section = page.locator("#i-A\\.I\\.1\\.i")
    expect(section).to_contain_text("Belum ada bukti dukung.")
    section.get_by_text("Unggah bukti untuk A.I.1.i").click()
    section.get_by_label("Berkas (boleh beberapa").set_input_files(
        [
            FilePayload(name="SK Tim ZI 2026-01-05.pdf", mimeType="application/pdf", buffer=PDF),
            FilePayload(name="Foto rapat 2026-02-10.png", mimeType="image/png", buffer=png()),
        ]
    )
    section.get_by_role("button", name="Unggah").click()

    expect(page.get_by_role("status")).to_have_text("A.I.1.i: 2 dokumen baru tersimpan")
    section = page.locator("#i-A\\.I\\.1\\.i")
    documents = section.locator("li.doc")
    expect(documents).to_have_count(2)
    sk = documents.filter(has_text="SK Tim ZI 2026-01-05")
    expect(sk).to_contain_text("5 Januari 2026")
    expect(sk).to_contain_text("SK-Tim-ZI-2026-01-05.pdf")
    expect(sk).to_contain_text("Belum ditinjau")
    photo = documents.filter(has_text="Foto rapat 2026-02-10")
    expect(photo).to_contain_text("10 Februari 2026")
    expect(photo).to_contain_text("Foto-rapat-2026-02-10.png")
    expect(page.locator("nav.coverage li.has", has_text="A.I.1.i")).to_contain_text("2")

    with page.expect_download() as downloading:
        sk.get_by_role("link", name="SK Tim ZI 2026-01-05").click()
    download = downloading.value
    assert download.suggested_filename == "SK-Tim-ZI-2026-01-05.pdf"
    assert Path(download.path()).read_bytes() == PDF

    # An HTML page named .pdf: refused by its content, nothing stored, the name in the message.
    section.get_by_text("Unggah bukti untuk A.I.1.i").click()
    section.get_by_label("Berkas (boleh beberapa").set_input_files(
        FilePayload(name="laporan 2026-01-05.pdf", mimeType="application/pdf", buffer=HTML)
    )
    section.get_by_role("button", name="Unggah").click()

    refusal = page.get_by_role("alert")
    expect(refusal).to_contain_text("Tidak ada berkas yang disimpan untuk A.I.1.i")
    expect(refusal).to_contain_text("laporan 2026-01-05.pdf: HTML, SVG atau XML tidak diterima")
    expect(page.locator("#i-A\\.I\\.1\\.i li.doc")).to_have_count(2)
    with new_uow() as uow:
        stored = uow.evidence.documents(unit_id=unit_id)
    assert sorted((d.code, d.original_name) for d in stored) == [
        ("A.I.1.i", "Foto-rapat-2026-02-10.png"),
        ("A.I.1.i", "SK-Tim-ZI-2026-01-05.pdf"),
    ]
    screenshot(page, "bukti")


def test_the_lke_workbook_goes_out_is_filled_and_comes_back_as_the_self_assessment(
    portal: tuple[str, Agency],
    page: Page,
    data_dir: Path,
    new_uow: NewUow,
    tmp_path: Path,
) -> None:
    base, agency = portal
    unit_id = agency.units["DPMPTSP"]
    sign_in(page, base, "siti@uji.go.id", data_dir)
    expect(page.locator('[data-score="Penilaian mandiri"]')).to_contain_text(
        "Tim unit belum mengisi LKE"
    )

    page.get_by_role("link", name="Berkas LKE dan survei").click()
    expect(page).to_have_url(f"{base}/unit/{unit_id}/berkas")
    with page.expect_download() as downloading:
        page.get_by_role("button", name="Unduh LKE").click()
    download = downloading.value

    assert download.suggested_filename.startswith("LKE-DPMPTSP-")
    assert download.suggested_filename.endswith(".xlsx")
    workbook = tmp_path / download.suggested_filename
    download.save_as(workbook)
    sheet = load_workbook(workbook)[LKE_SHEET]
    assert (sheet[UNIT_CODE_CELL].value, sheet[INSTANSI_CODE_CELL].value) == ("DPMPTSP", "KABUJI")
    fill_lke_form(workbook, {"A.I.1.i.a": "Ya", "A.I.1.i.b": "A"})

    page.get_by_label("LKE yang sudah diisi").set_input_files(workbook)
    page.get_by_role("button", name="Unggah LKE").click()

    expect(page.get_by_role("status")).to_have_text("LKE penilaian mandiri tersimpan: versi 1")
    screenshot(page, "berkas")
    page.locator(".crumbs").get_by_role("link", name="Dinas Penanaman Modal dan PTSP").click()
    expect(page).to_have_url(f"{base}/unit/{unit_id}")
    # A.I.1.i (weight 0,50), two questions: Ya (1) and A (1): 0,50 x 2/2 = 0,50.
    expect(page.locator('[data-score="Penilaian mandiri"] .value')).to_have_text("0,50")
    expect(page.locator('[data-score="Nilai TPI"]')).to_contain_text("TPI belum menilai")
    screenshot(page, "berkas-nilai")
    with new_uow() as uow:
        found = uow.assessments.get_assessment(
            unit_id=unit_id, period_id=agency.period_id, kind=AssessmentKind.SELF
        )
        assert found is not None and found.id is not None
        latest = uow.assessments.latest_version(assessment_id=found.id)
    assert latest is not None
    assert (latest.version, latest.total, latest.actor) == (1, 0.5, "siti@uji.go.id")
    assert dict(latest.answers) == {"A.I.1.i.a": "Ya", "A.I.1.i.b": "A"}


def test_the_tpi_accepts_all_and_the_monitoring_run_from_the_dashboard_keeps_the_score(
    portal: tuple[str, Agency],
    page: Page,
    data_dir: Path,
    new_uow: NewUow,
    prefect: None,
) -> None:
    base, agency = portal
    unit_id = agency.units["DPMPTSP"]
    with new_uow() as uow:  # the team's answers, as test 2 uploads them
        unit = uow.units.get_unit(unit_id=unit_id)
        assert unit is not None
        for code, written in (("A.I.1.i.a", "Ya"), ("A.I.1.i.b", "A")):
            save_answer(
                uow,
                unit=unit,
                change=AnswerChange(code, {code: written}),
                framework=load_framework(None),
                actor="siti@uji.go.id",
                day=date(2026, 3, 2),
            )
    sign_in(page, base, "rina@uji.go.id", data_dir)
    page.get_by_role("link", name="Dasbor instansi").click()
    row = page.locator("table.tpi-units tr", has_text="DPMPTSP")
    expect(row).to_contain_text("belum dinilai")

    row.get_by_role("link", name="Tinjau").click()
    expect(page).to_have_url(f"{base}/unit/{unit_id}/tinjau")
    page.get_by_role("button", name="Terima semua (2)").click()

    # A.I.1.i (weight 0,50), two questions: Ya (1) and A (1): 0,50 x 2/2 = 0,50.
    expect(page.get_by_role("status")).to_have_text("2 jawaban tim diterima; nilai TPI 0,50")
    page.locator(".crumbs").get_by_role("link", name="Pemerintah Kabupaten Uji").click()
    expect(page).to_have_url(f"{base}/instansi/{agency.instansi_id}")
    page.get_by_role("button", name="Jalankan pemantauan sekarang").click()

    expect(page.get_by_role("status")).to_contain_text(
        f"Pemantauan {tanggal(today())} selesai: 1 periode", timeout=MONITORING_WAIT_MS
    )
    row = page.locator("table.tpi-units tr", has_text="DPMPTSP")
    expect(row.locator('[data-label="Nilai TPI"] strong')).to_have_text("0,50")
    screenshot(page, "pemantauan")
    row.get_by_role("link", name="Unit", exact=True).click()
    expect(page).to_have_url(f"{base}/unit/{unit_id}")
    expect(page.locator('[data-score="Nilai TPI"] .value')).to_have_text("0,50")
    # The history is the monitoring's snapshot, not the live score.
    expect(page.locator("svg.chart + p")).to_have_text(
        f"Riwayat total: 0,50 ({tanggal(today())}), 1 pemantauan"
    )
    screenshot(page, "pemantauan-unit")
    with new_uow() as uow:
        history = uow.snapshots.snapshots(unit_id=unit_id)
    assert [(s.as_of, s.total) for s in history] == [(today(), 0.5)]
