"""A proposal package as files in memory: the unit's documents (the TPI's LHE among them), or
the instansi's letter with its one SPTJM (PermenPANRB 5/2024, Gambar 6 and 7), plus a
`manifest.json` of every file's sha256. Writing them to disk is the proposal service's job.

The same dossier gives the same bytes, file for file, and so the same zip: every document is
dated by the data (the proposal's date), never by the clock.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib import metadata

from reports.archive import manifest_json
from reports.lke_workbook import lke_workbook
from reports.pdf import render_pdf
from reports.proposal_documents import (
    InstansiLetter,
    UnitDossier,
    checklist_html,
    evidence_index_html,
    letter_html,
    lhe_html,
    score_report_html,
    sptjm_html,
)

MANIFEST = "manifest.json"
LETTER = "surat-pengajuan-evaluasi.pdf"
# Since PermenPANRB 5/2024 the SPTJM is the instansi's, one for all its units (Gambar 7): it goes
# with the letter, and a unit's package has none.
SPTJM = "sptjm.pdf"
LHE = "laporan-hasil-evaluasi.pdf"
UNIT_PAGES: Mapping[str, Callable[[UnitDossier], str]] = {
    LHE: lhe_html,
    "laporan-nilai.pdf": score_report_html,
    "indeks-bukti-dukung.pdf": evidence_index_html,
    "daftar-periksa-syarat.pdf": checklist_html,
}
WORKBOOK = "rekap-lke.xlsx"


@dataclass(frozen=True)
class PackageFiles:
    """The files of one package, by name inside it, manifest included."""

    files: Mapping[str, bytes]

    @property
    def manifest(self) -> bytes:
        return self.files[MANIFEST]


def unit_pages(dossier: UnitDossier) -> dict[str, str]:
    """The HTML of each PDF of the unit's package (rendering is timed apart by the benchmark)."""
    return {name: page(dossier) for name, page in UNIT_PAGES.items()}


def unit_package(dossier: UnitDossier, *, pages: Mapping[str, str] | None = None) -> PackageFiles:
    html = pages if pages is not None else unit_pages(dossier)
    files = {name: render_pdf(page, dated=dossier.dated) for name, page in html.items()}
    files[WORKBOOK] = lke_workbook(
        dossier.framework,
        instansi_name=dossier.instansi,
        unit_code=dossier.unit_code,
        unit_name=dossier.unit_name,
        year=dossier.year,
        predicate=dossier.predicate,
        answers=dossier.answers,
        values=dossier.values,
        scores=dossier.scores,
        report=dossier.report,
    )
    about = {
        "jenis": "usulan unit kerja",
        "instansi": dossier.instansi,
        "unit_kerja": {"kode": dossier.unit_code, "nama": dossier.unit_name},
        "tahun": dossier.year,
        "predikat": dossier.predicate,
        "revisi": dossier.revision,
        "tanggal": dossier.dated.isoformat(),
        "nilai_tpi": round(dossier.report.total, 6),
        "memenuhi_batas": dossier.report.meets[dossier.predicate],
        "ketua_tpi": dossier.tpi_chair.name if dossier.tpi_chair else None,
        "kerangka": dossier.framework.name,
        "dibuat_oleh": _producer(),
    }
    return PackageFiles(files={**files, MANIFEST: manifest_json(files, about=about)})


def instansi_package(letter: InstansiLetter, *, revision: int) -> PackageFiles:
    """The letter and the SPTJM that completes it ("dilengkapi dengan Surat Pernyataan Tanggung
    Jawab Mutlak", PermenPANRB 5/2024, Lampiran II Bab II)."""
    files = {
        LETTER: render_pdf(letter_html(letter), dated=letter.dated),
        SPTJM: render_pdf(sptjm_html(letter), dated=letter.dated),
    }
    about = {
        "jenis": "surat pengajuan evaluasi instansi",
        "instansi": letter.instansi,
        "tahun": letter.year,
        "revisi": revision,
        "tanggal": letter.dated.isoformat(),
        "pimpinan": letter.head_name,
        "unit_diusulkan": [
            {
                "kode": u.code,
                "nama": u.name,
                "predikat": u.predicate,
                "nilai_tpi": round(u.total, 6),
                "nilai_tpi_per": u.scored_on.isoformat() if u.scored_on else None,
            }
            for u in letter.units
        ],
        "dibuat_oleh": _producer(),
    }
    return PackageFiles(files={**files, MANIFEST: manifest_json(files, about=about)})


def _producer() -> str:
    try:
        return f"zi-orchestrator {metadata.version('zi-orchestrator')}"
    except metadata.PackageNotFoundError:
        return "zi-orchestrator"
