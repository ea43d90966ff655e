"""A proposal package as files in memory: the unit's documents (the TPI's LHE among them), or
the instansi's letter with its one SPTJM (PermenPANRB 5/2024, Gambar 6 and 7), plus a
`manifest.json` of every file's sha256. Writing them to disk is the proposal service's job.

The same dossier gives the same bytes, file for file, and so the same zip: every document is
dated by the data (the proposal's date), never by the clock.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from importlib import metadata

from reports.archive import Content, content_size, manifest_json
from reports.lke_workbook import lke_workbook
from reports.pdf import Document, render_pdf
from reports.proposal_documents import (
    InstansiLetter,
    UnitDossier,
    checklist_document,
    evidence_index_document,
    letter_document,
    lhe_document,
    score_report_document,
    sptjm_document,
)
from reports.survey_report import survey_report_document
from zi_domain.evidence_files import MANIFEST_ENTRY_BYTES, split_volumes, zip_cost

MANIFEST = "manifest.json"
LETTER = "surat-pengajuan-evaluasi.pdf"
# Since PermenPANRB 5/2024 the SPTJM is the instansi's, one for all its units (Gambar 7): it goes
# with the letter, and a unit's package has none.
SPTJM = "sptjm.pdf"
LHE = "laporan-hasil-evaluasi.pdf"
UNIT_DOCUMENTS: Mapping[str, Callable[[UnitDossier], Document]] = {
    LHE: lhe_document,
    "laporan-nilai.pdf": score_report_document,
    "indeks-bukti-dukung.pdf": evidence_index_document,
    "daftar-periksa-syarat.pdf": checklist_document,
}
WORKBOOK = "rekap-lke.xlsx"
SURVEYS = "laporan-survei.pdf"  # when the unit has surveys in the period


@dataclass(frozen=True)
class PackageFiles:
    """The files of one package, by name inside it, manifest included; `volumes` names the
    files of each volume after the first (jilid 2, 3, ...) when a size limit split it."""

    files: Mapping[str, bytes]  # the documents made in memory, and the manifest
    evidence: Mapping[str, Content] = field(default_factory=dict)  # files left on disk till written
    volumes: tuple[tuple[str, ...], ...] = ()

    @property
    def manifest(self) -> bytes:
        return self.files[MANIFEST]

    @property
    def every_file(self) -> dict[str, Content]:
        """Every file of the package by its name inside it, evidence included."""
        return {**self.files, **self.evidence}

    @property
    def total_bytes(self) -> int:
        """The size of every file of the package, all volumes together."""
        return sum(content_size(content) for content in self.every_file.values())


def unit_documents(dossier: UnitDossier) -> dict[str, Document]:
    """The data of each PDF of the unit's package (rendering is timed apart by the benchmark):
    the survey report too when the unit has surveys in the period."""
    documents = {name: document(dossier) for name, document in UNIT_DOCUMENTS.items()}
    if dossier.surveys is not None and dossier.surveys.sections:
        documents[SURVEYS] = survey_report_document(dossier.surveys)
    return documents


def unit_package(
    dossier: UnitDossier,
    *,
    documents: Mapping[str, Document] | None = None,
    evidence: Mapping[str, Content] | None = None,
    max_bytes: int | None = None,
) -> PackageFiles:
    """The unit's documents, and its evidence files (`evidence`: each file's content by its
    place in the package, `bukti/<indicator>/<name>`, as the dossier's index lists it); over
    `max_bytes` the evidence is spread over volumes, the documents and manifest in the first."""
    made = documents if documents is not None else unit_documents(dossier)
    files = {name: render_pdf(document) for name, document in made.items()}
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
    return _with_evidence(files, about, evidence or {}, max_bytes)


def unit_packages(
    dossiers: Iterable[UnitDossier], *, workers: int = 2, replace_every: int = 50
) -> Iterator[PackageFiles]:
    """Each dossier's documents (`unit_package` without evidence), in order, made by `workers`
    processes at once: one per core where one process is not enough. A worker is replaced
    after `replace_every` packages, so no renderer lives long enough to grow. The workers come
    from a fork server that never rendered (a process that ran Typst's threads must not fork),
    and make the same bytes as this process would."""
    if workers <= 1:
        yield from map(unit_package, dossiers)
        return
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__])
    with ProcessPoolExecutor(
        workers, mp_context=context, max_tasks_per_child=replace_every
    ) as pool:
        yield from pool.map(unit_package, dossiers)


def _with_evidence(
    documents: dict[str, bytes],
    about: dict[str, object],
    evidence: Mapping[str, Content],
    max_bytes: int | None,
) -> PackageFiles:
    """The package's files with its evidence and manifest, split into volumes over
    `max_bytes`. The manifest (in the first volume) lists every file of every volume with its
    checksum, and the volume it is in when there are several."""
    files: dict[str, Content] = {**documents, **{name: evidence[name] for name in sorted(evidence)}}
    about = {
        **about,
        "bukti_dukung": {
            "berkas": len(evidence),
            "bytes": sum(content_size(content) for content in evidence.values()),
        },
        "ukuran_total_bytes": sum(content_size(c) for c in files.values()),  # manifest aside
        "batas_bytes_per_jilid": max_bytes,
    }
    first = sum(zip_cost(name, len(content)) for name, content in documents.items())
    # Split, the manifest also names each file's volume (`"jilid": 2,`, under 24 bytes).
    manifest_size = len(manifest_json(files, about=about)) + 24 * len(files) + MANIFEST_ENTRY_BYTES
    volumes = split_volumes(
        first + zip_cost(MANIFEST, manifest_size),
        [(name, content_size(evidence[name])) for name in sorted(evidence)],
        max_bytes,
    )
    volume_of = None
    if len(volumes) > 1:
        volume_of = {name: number for number, names in enumerate(volumes, 1) for name in names}
        about["jilid"] = len(volumes)
    manifest = manifest_json(files, about=about, volume_of=volume_of)
    return PackageFiles(
        files={**documents, MANIFEST: manifest},
        evidence=dict(evidence),
        volumes=tuple(tuple(names) for names in volumes[1:]),
    )


def instansi_package(letter: InstansiLetter, *, revision: int) -> PackageFiles:
    """The letter and the SPTJM that completes it ("dilengkapi dengan Surat Pernyataan Tanggung
    Jawab Mutlak", PermenPANRB 5/2024, Lampiran II Bab II)."""
    files = {
        LETTER: render_pdf(letter_document(letter)),
        SPTJM: render_pdf(sptjm_document(letter)),
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
