"""A unit's proposal package and the instansi's letter, built in memory and read back with real
readers (pypdf, openpyxl, zipfile): contents, checksums, byte-identical rebuilds, hostile names."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from pypdf import PdfReader

from reports.package_store import store_package
from reports.proposal_documents import InstansiLetter, ProposedUnit, UnitDossier
from reports.proposal_package import (
    LETTER,
    LHE,
    MANIFEST,
    SPTJM,
    WORKBOOK,
    instansi_package,
    unit_package,
)
from tests.domain.worksheets import lke, top_answers
from zi_domain.evidence import EvidenceDocument, evidence_index
from zi_domain.file_names import safe_file_name
from zi_domain.prerequisites import InstansiStanding, UnitStanding, prerequisite_checklist
from zi_domain.unit_score import score_answers

YEAR = 2026
ON = date(2026, 5, 18)
# Every answer at the top but IPKP 3,19: pengungkit 60 + IPAK 17,50 + kinerja 5,00 +
# IPKP 3,19 / 4 × 17,5 = 13,95625 → total 96,45625, shown 96,46; pelayanan prima 13,96 < 14,00
# fails the WBK floor (and WBBM's 15,75).
ANSWERS = top_answers() | {"B.II.a": "3,19"}
TOTAL_SHOWN = "96,46"
HOSTILE = '../../etc/passwd\x07 <b>Unit</b> "Kantor" /root'


def document(code: str, year: int, title: str) -> EvidenceDocument:
    return EvidenceDocument(code, title, year, hashlib.sha256(title.encode()).hexdigest(), "arsip")


def dossier(name: str = "Kantor Pelayanan Uji", **changes: object) -> UnitDossier:
    framework = lke()
    scored = score_answers(ANSWERS, framework)
    documents = [
        document("A.I.1.i.a", 2024, "SK Tim Kerja Pembangunan ZI"),
        document("A.I.1.ii.a", 2025, "Rencana Kerja Pembangunan ZI"),
        document("A.I.1.ii.b", 2023, "Rencana kerja lama (di luar jangka waktu)"),
    ]
    base = UnitDossier(
        instansi="Kementerian Uji",
        unit_code="KPU-01",
        unit_name=name,
        unit_head="Budi Santoso",
        year=YEAR,
        predicate="WBK",
        revision=1,
        dated=ON,
        framework=framework,
        report=scored.report,
        answers=ANSWERS,
        values=scored.values,
        scores=scored.scores,
        history=((date(2026, 3, 2), 71.5), (date(2026, 4, 6), 88.0), (ON, 96.45625)),
        evidence=evidence_index(framework, documents, year=YEAR),
        checklist=prerequisite_checklist(
            "WBK",
            instansi=InstansiStanding("pemerintah_daerah", "WDP", "BB", "B", 3),
            unit=UnitStanding(100, 100, 100, "B", date(2025, 1, 20), True, True, True),
            as_of=ON,
        ),
        waived=frozenset({"bpk_opinion"}),
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def package() -> dict[str, bytes]:
    return dict(unit_package(dossier()).files)


def pdf_text(content: bytes) -> str:
    pages = PdfReader(io.BytesIO(content)).pages
    return " ".join(" ".join((page.extract_text() or "").split()) for page in pages)


def test_the_pdfs_open_and_name_the_unit_and_its_score(package: dict[str, bytes]) -> None:
    report = pdf_text(package["laporan-nilai.pdf"])
    assert "Kantor Pelayanan Uji" in report and TOTAL_SHOWN in report
    assert "Belum memenuhi" in report  # pelayanan prima 13,96 < 14,00
    assert "13,96" in report
    lhe = pdf_text(package[LHE])
    assert "LAPORAN HASIL EVALUASI" in lhe
    assert "Kantor Pelayanan Uji" in lhe and TOTAL_SHOWN in lhe and "18 Mei 2026" in lhe
    # Since PermenPANRB 5/2024 the SPTJM is the instansi's (Gambar 7), not the unit's.
    assert SPTJM not in package


def test_the_evidence_index_lists_every_document_and_marks_gaps(
    package: dict[str, bytes],
) -> None:
    text = pdf_text(package["indeks-bukti-dukung.pdf"])
    assert "SK Tim Kerja Pembangunan ZI" in text and "Rencana Kerja Pembangunan ZI" in text
    # PermenPANRB 90/2021 sets no date window for data dukung (Lampiran II): the 2023 document
    # is listed under its indicator like the others. A.I.1.i and A.I.1.ii are covered: 3
    # documents for 2 of 42 indicators, 40 gaps.
    assert "Rencana kerja lama (di luar jangka waktu)" in text
    assert "3 dokumen untuk 2 dari 42 indikator; 40 indikator tanpa bukti dukung" in text
    assert "KOSONG" in text
    # No policy age: nothing is flagged, and nothing is set apart.
    assert "lebih dari" not in text and "Tanpa indikator LKE" not in text


def test_with_a_policy_age_old_evidence_is_flagged_not_hidden() -> None:
    documents = [
        document("A.I.1.i.a", 2024, "SK Tim Kerja Pembangunan ZI"),
        document("A.I.1.ii.b", 2023, "Rencana kerja lama"),
        document("Z.9.9.z.a", 2025, "Dokumen tanpa kode LKE"),
    ]
    flagged = dossier(evidence=evidence_index(lke(), documents, year=YEAR, max_age_years=2))
    text = pdf_text(dict(unit_package(flagged).files)["indeks-bukti-dukung.pdf"])
    assert "2 dokumen untuk 2 dari 42 indikator; 40 indikator tanpa bukti dukung" in text
    assert "Dokumen bertahun sebelum 2024 ditandai lama (lebih dari 2 tahun): 1 dokumen." in text
    assert "Rencana kerja lama lama (lebih dari 2 tahun)" in text  # its title, then the flag
    assert text.count("lama (lebih dari 2 tahun)") == 2  # the note and the one old document
    assert "Tanpa indikator LKE (1 dokumen)" in text and "Dokumen tanpa kode LKE" in text


def test_the_checklist_shows_met_unmet_and_waived_rules(package: dict[str, bytes]) -> None:
    text = pdf_text(package["daftar-periksa-syarat.pdf"])
    assert "Dikecualikan" in text  # BPK WDP, waived for a priority regional unit
    assert "Terpenuhi" in text


def test_the_workbook_holds_the_scores(package: dict[str, bytes]) -> None:
    book = openpyxl.load_workbook(io.BytesIO(package[WORKBOOK]))
    cells = [c for row in book["LKE"].iter_rows(values_only=True) for c in row]
    assert "Kantor Pelayanan Uji" in cells
    # IPKP points 13,95625 and the total 96,45625 are stored as numbers, as the LKE shows them
    # (half-up to 2 decimals): 13,96 and 96,46.
    assert any(isinstance(c, float) and abs(c - 96.46) < 1e-9 for c in cells)
    assert any(isinstance(c, float) and abs(c - 13.96) < 1e-9 for c in cells)


def test_the_manifest_lists_every_file_with_its_checksum(package: dict[str, bytes]) -> None:
    manifest = json.loads(package[MANIFEST])
    listed = {entry["path"]: entry for entry in manifest["files"]}
    assert set(listed) == set(package) - {MANIFEST}
    for name, entry in listed.items():
        assert entry["sha256"] == hashlib.sha256(package[name]).hexdigest()
        assert entry["bytes"] == len(package[name])
    assert manifest["unit_kerja"]["nama"] == "Kantor Pelayanan Uji"
    assert manifest["tanggal"] == "2026-05-18"


def test_a_second_build_is_byte_identical(package: dict[str, bytes], tmp_path: Path) -> None:
    again = dict(unit_package(dossier()).files)
    assert again == package
    first = store_package(package, folder=tmp_path / "a", zip_path=tmp_path / "a.zip", top="p")
    second = store_package(again, folder=tmp_path / "b", zip_path=tmp_path / "b.zip", top="p")
    assert first.zip_sha256 == second.zip_sha256
    assert (tmp_path / "a.zip").read_bytes() == (tmp_path / "b.zip").read_bytes()


def test_other_data_gives_other_bytes(package: dict[str, bytes]) -> None:
    later = dict(unit_package(dossier(dated=date(2026, 5, 19))).files)
    assert later[LHE] != package[LHE]
    assert "19 Mei 2026" in pdf_text(later[LHE])


def test_a_hostile_unit_name_is_made_safe(tmp_path: Path) -> None:
    hostile = dossier(name=HOSTILE)
    files = dict(unit_package(hostile).files)
    # The name is text in the documents (escaped, not markup) ...
    assert '<b>Unit</b> "Kantor"' in pdf_text(files[LHE])
    # ... and a safe path segment on disk and in the zip.
    top = safe_file_name(f"KPU-01 {HOSTILE}")
    assert top == "KPU-01-etc-passwd-b-Unit-b-Kantor-root"
    stored = store_package(
        files, folder=tmp_path / "pkg" / top, zip_path=tmp_path / "pkg" / f"{top}.zip", top=top
    )
    assert stored.folder.resolve().is_relative_to(tmp_path / "pkg")
    with zipfile.ZipFile(stored.zip_path) as archive:
        for name in archive.namelist():
            assert not name.startswith("/") and ".." not in name.split("/")
            assert all(ord(ch) >= 32 for ch in name)
            assert name.startswith(f"{top}/")


def test_the_instansi_letter_lists_every_unit() -> None:
    letter = InstansiLetter(
        instansi="Pemerintah Kabupaten Uji",
        year=YEAR,
        dated=date(2026, 5, 25),
        units=(
            ProposedUnit("RSUD", "RSUD Uji", "WBK", 91.255),
            ProposedUnit("DPM", "Dinas Penanaman Modal & PTSP", "WBBM", 88.0),
        ),
        head_name="Drs. Budi Santoso",
        head_title="Bupati Uji",
        head_elected=True,
    )
    files = dict(instansi_package(letter, revision=2).files)
    assert set(files) == {LETTER, SPTJM, MANIFEST}
    text = pdf_text(files[LETTER])
    # 91,255 is shown half-up: 91,26 (not banker's 91,25).
    for expected in (
        "RSUD Uji/ Menuju WBK (nilai TPI 91,26)",
        "Dinas Penanaman Modal & PTSP/ Menuju WBBM (nilai TPI 88,00)",
        "Bupati Uji",
        "Drs. Budi Santoso",
    ):
        assert expected in text
    assert "Wilayah Birokrasi Bersih dan Melayani (WBBM)" in text
    assert json.loads(files[MANIFEST])["revisi"] == 2
    assert dict(instansi_package(letter, revision=2).files) == files
