"""Benchmark: proposal packages for 100 units, per step, beside bare Typst and openpyxl.

A unit's package (`reports.proposal_package.unit_package`, written by
`reports.package_store.store_package` as the proposal service does) is four documents' data
rendered to PDF by Typst templates, the LKE workbook, a manifest, and the folder and zip on
disk. Each is timed apart, unit by unit, over dossiers built in memory (no database): varied
answers scored as the proposal service scores them, 15 weekly snapshots, 60 evidence documents
and a Tabel 5 checklist that is met. The instansi's letter listing every unit is timed too.

Floors, measured in the same run on the same inputs: a bare Typst compiler of its own
(`typst.Compiler(font_paths=..., ignore_system_fonts=True).compile(template, sys_inputs=...)`,
the data as plain `json.dumps`, no creation date, the same untagged PDF) for the same templates
and data, in alternating order with our PDF step unit by unit; and openpyxl writing the same
cell values into an unstyled workbook (`Workbook.save`), against our workbook step.

Then the same packages again with `reports.proposal_package.unit_packages`: `--workers`
processes at once (2, one per core; workers replaced every `--replace-every` packages), each
package stored by this process as it comes; beside it the floors above (bare Typst on the same
documents, bare openpyxl on the same cells) in the same kind of pool. The one-process run gives
its CPU time too: on a shared machine the CPU time per package is what the code costs, the wall
clock also what the machine's other work left over.

Before anything is timed, the same unit's dossier is built twice and packaged and stored twice:
the bytes must be identical (the run also serves as warm-up); the pool's first package must be
those bytes too.

    python bench/packages.py [--units 100] [--workers 2] [--replace-every 50]
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import io
import json
import multiprocessing
import os
import resource
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from unittest import mock

import openpyxl
import typst
from openpyxl import Workbook
from pypdf import PdfReader

from config.framework_files import load_framework
from reports import proposal_package
from reports.lke_workbook import lke_workbook
from reports.package_store import StoredPackage, store_package
from reports.pdf import DATA, TEMPLATES, Document, fonts, render_pdf
from reports.proposal_documents import (
    InstansiLetter,
    ProposedUnit,
    UnitDossier,
    letter_document,
    sptjm_document,
)
from reports.proposal_package import (
    PackageFiles,
    instansi_package,
    unit_documents,
    unit_package,
    unit_packages,
)
from zi_domain.evidence import EvidenceDocument, evidence_index
from zi_domain.file_names import safe_file_name
from zi_domain.framework import Framework
from zi_domain.prerequisites import InstansiStanding, UnitStanding, prerequisite_checklist
from zi_domain.unit_score import score_answers

FRAMEWORK = "permenpanrb-90-2021"
YEAR = 2027
AS_OF = date(YEAR, 4, 15)
PREDICATE = "WBK"
INSTANSI = "Kementerian Keuangan Republik Indonesia"
HISTORY_POINTS = 15
EVIDENCE_PER_UNIT = 60
MIB = 2**20

INSTANSI_STANDING = InstansiStanding(
    kind="kementerian_lembaga", bpk_opinion="WTP", sakip_grade="A", indeks_rb="BB", spip_level=3
)
UNIT_STANDING = UnitStanding(
    follow_up_findings_percent=100.0,
    lhkpn_percent=100.0,
    lhkasn_percent=100.0,
    internal_sakip_grade="A",
    building_since=date(YEAR - 2, 1, 1),
    core_service=True,
    significant_public_impact=True,
    priority_regional_service=False,
)


# --- the dossiers -------------------------------------------------------------------------------


def top_answers(framework: Framework) -> dict[str, str]:
    """Every item at its top answer (as `tests/domain/worksheets.top_answers`)."""
    answers = {q.code: q.answer_type.top_answer for q in framework.questions}
    answers |= {item.code: item.answer_type.top_answer for item in framework.hasil_items}
    return answers


def unit_answers(framework: Framework, number: int) -> dict[str, str]:
    """The top answers with 2 to 7 questions a step lower (a percentage at 85 %), IPAK between
    3,60 and 4,00, IPKP between 3,40 and 4,00, and one question in ten units left unanswered."""
    answers = top_answers(framework)
    questions = framework.questions
    for step in range(2 + number % 6):
        question = questions[(number * 17 + step * 29) % len(questions)]
        kind = question.answer_type
        if kind.kind == "choice":
            ranked = sorted(kind.values, key=lambda k: kind.values[k], reverse=True)
            answers[question.code] = ranked[1]
        else:
            answers[question.code] = "85%"
    answers["B.I.a"] = f"{3.60 + number % 5 * 0.10:.2f}".replace(".", ",")
    answers["B.II.a"] = f"{3.40 + number % 7 * 0.10:.2f}".replace(".", ",")
    if number % 10 == 9:
        del answers[questions[number % len(questions)].code]
    return answers


def evidence(framework: Framework, number: int, unit_code: str) -> list[EvidenceDocument]:
    """60 documents over the LKE's questions; one in twelve dated before the window."""
    questions = framework.questions
    documents = []
    for k in range(EVIDENCE_PER_UNIT):
        question = questions[(number * 7 + k * 11) % len(questions)]
        year = YEAR - 3 if k % 12 == 11 else YEAR - 1 - k % 2
        documents.append(
            EvidenceDocument(
                code=question.code,
                title=f"Dokumen pendukung {question.code} nomor {k + 1} tahun {year}",
                year=year,
                sha256=hashlib.sha256(f"{unit_code}/{k}".encode()).hexdigest(),
                location=f"bukti/{unit_code}/{year}/{k + 1:03d}-{question.code}.pdf",
            )
        )
    return documents


def dossier(framework: Framework, number: int) -> UnitDossier:
    """Unit `number`'s dossier, as `services.proposals.unit_dossier` gathers it."""
    code = f"UK-{number + 1:03d}"
    answers = unit_answers(framework, number)
    scored = score_answers(answers, framework)  # as `services.proposals.unit_dossier`
    assert scored.errors == (), scored.errors
    values, scores, report = scored.values, scored.scores, scored.report
    rise = 0.3 + (number % 4) * 0.15
    history = tuple(
        (
            AS_OF - timedelta(weeks=HISTORY_POINTS - 1 - week),
            max(round(report.total - (HISTORY_POINTS - 1 - week) * rise, 2), 0.0),
        )
        for week in range(HISTORY_POINTS)
    )
    checklist = prerequisite_checklist(
        PREDICATE, instansi=INSTANSI_STANDING, unit=UNIT_STANDING, as_of=AS_OF
    )
    assert all(item.holds for item in checklist)
    return UnitDossier(
        instansi=INSTANSI,
        unit_code=code,
        unit_name=f"Kantor Pelayanan Pajak Pratama Wilayah {number + 1}",
        unit_head=f"Kepala Kantor {number + 1}",
        year=YEAR,
        predicate=PREDICATE,
        revision=1,
        dated=AS_OF,
        framework=framework,
        report=report,
        answers=answers,
        values=values,
        scores=scores,
        history=history,
        evidence=evidence_index(framework, evidence(framework, number, code), year=YEAR),
        checklist=checklist,
        waived=frozenset(),
    )


# --- the steps ----------------------------------------------------------------------------------


@dataclass
class Steps:
    """Seconds of one unit's package, step by step, and of its floors."""

    documents: float = 0.0  # the documents' data (`unit_documents`)
    pdf: float = 0.0
    pdf_documents: list[float] = field(default_factory=list)  # per PDF, `UNIT_DOCUMENTS` order
    workbook: float = 0.0
    manifest: float = 0.0  # the rest of `unit_package`: the manifest and its file hashes
    store: float = 0.0  # zip + folder + zip file on disk
    floor_pdf: float = 0.0
    floor_workbook: float = 0.0
    cpu: float = 0.0  # CPU seconds of this process over (a)-(d)
    bytes_on_disk: int = 0

    @property
    def total(self) -> float:
        return self.documents + self.pdf + self.workbook + self.manifest + self.store


@contextmanager
def timed_inside_package(steps: Steps) -> Iterator[None]:
    """`unit_package` as it is, with its calls of `render_pdf` and `lke_workbook` timed."""

    def timed_pdf(document: Document) -> bytes:
        started = time.perf_counter()
        try:
            return render_pdf(document)
        finally:
            steps.pdf_documents.append(time.perf_counter() - started)
            steps.pdf += steps.pdf_documents[-1]

    def timed_workbook(*args: Any, **kwargs: Any) -> bytes:
        started = time.perf_counter()
        try:
            return lke_workbook(*args, **kwargs)
        finally:
            steps.workbook += time.perf_counter() - started

    with (
        mock.patch.object(proposal_package, "render_pdf", timed_pdf),
        mock.patch.object(proposal_package, "lke_workbook", timed_workbook),
    ):
        yield


def store(package: PackageFiles, unit: UnitDossier, data_dir: Path) -> StoredPackage:
    """Where and how `services.proposals._store_unit_package` writes a unit's package."""
    unit_name = safe_file_name(f"{unit.unit_code} {unit.unit_name}")
    folder = data_dir / "usulan" / str(unit.year) / safe_file_name(unit.instansi) / unit_name
    name = f"{unit.predicate}-r{unit.revision}"
    top = f"{unit_name}-{unit.year}-{name}"
    return store_package(
        package.files, folder=folder / name, zip_path=folder / f"{top}.zip", top=top
    )


def ours(
    unit: UnitDossier, data_dir: Path, steps: Steps
) -> tuple[dict[str, Document], PackageFiles]:
    cpu = time.process_time()
    started = time.perf_counter()
    documents = unit_documents(unit)
    steps.documents = time.perf_counter() - started
    started = time.perf_counter()
    with timed_inside_package(steps):
        package = unit_package(unit, documents=documents)
    steps.manifest = time.perf_counter() - started - steps.pdf - steps.workbook
    started = time.perf_counter()
    stored = store(package, unit, data_dir)
    steps.store = time.perf_counter() - started
    steps.cpu = time.process_time() - cpu
    steps.bytes_on_disk = stored.zip_path.stat().st_size + sum(map(len, package.files.values()))
    return documents, package


PRINTED: dict[str, int] = {}  # printed pages of each PDF, last unit seen
_FLOOR: list[typst.Compiler] = []  # the floor's own compiler, made once


def bare_pdf(document: Document) -> bytes:
    """The floor of one PDF: a bare compiler on the same template and data (plain JSON), no
    creation date, no lock, no cleaning of strings."""
    if not _FLOOR:
        _FLOOR.append(typst.Compiler(font_paths=fonts(), ignore_system_fonts=True))
    pdf = _FLOOR[0].compile(
        input=TEMPLATES / document.template,
        format="pdf",
        sys_inputs={DATA: json.dumps(document.data, ensure_ascii=False)},
        pdf_tags=False,
    )
    assert isinstance(pdf, bytes)
    return pdf


def bare_pdfs(documents: Mapping[str, Document]) -> float:
    """The floor of a package's PDFs, document by document (pages counted, not timed)."""
    total = 0.0
    for name, document in documents.items():
        started = time.perf_counter()
        pdf = bare_pdf(document)
        total += time.perf_counter() - started
        PRINTED[name] = len(PdfReader(io.BytesIO(pdf)).pages)
    return total


Cells = list[tuple[str, list[tuple[int, int, Any]]]]


def workbook_cells(xlsx: bytes) -> Cells:
    """Each sheet's non-empty cells (row, column, value) of our workbook (not timed)."""
    book = openpyxl.load_workbook(io.BytesIO(xlsx))
    return [
        (
            sheet.title,
            [
                (cell.row, cell.column, cell.value)
                for row in sheet.iter_rows()
                for cell in row
                if cell.value is not None
            ],
        )
        for sheet in book.worksheets
    ]


def bare_workbook(cells: Cells) -> float:
    """The floor: openpyxl writing the same values into the same cells, no styling."""
    started = time.perf_counter()
    book = Workbook()
    del book[book.sheetnames[0]]
    for title, found in cells:
        sheet = book.create_sheet(title)
        for row, column, value in found:
            sheet.cell(row, column, value)
    book.save(io.BytesIO())
    return time.perf_counter() - started


# --- the pool -----------------------------------------------------------------------------------


@dataclass
class PoolRun:
    seconds: float  # wall clock, first package asked for to last stored
    floor_seconds: float


def floor_package(unit: UnitDossier, cells: Cells) -> None:
    """The floors of one package in a worker: bare Typst on its documents, bare openpyxl on its
    workbook's cells."""
    bare_pdfs(unit_documents(unit))
    bare_workbook(cells)


def pool_run(
    units: list[UnitDossier],
    cells: list[Cells],
    data_dir: Path,
    reference: PackageFiles,
    *,
    workers: int,
    replace_every: int,
) -> PoolRun:
    """Every unit's package from `unit_packages`, stored here as it comes; then the floors in
    a pool of the same size (the workers are the fork server's children, not this process's:
    their CPU time is not counted here)."""
    started = time.perf_counter()
    packages = unit_packages(units, workers=workers, replace_every=replace_every)
    for number, (unit, package) in enumerate(zip(units, packages, strict=True)):
        store(package, unit, data_dir)
        if number == 0:
            assert package.files == reference.files, "the pool's build differs"
    seconds = time.perf_counter() - started

    started = time.perf_counter()
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(
        workers, mp_context=context, max_tasks_per_child=replace_every
    ) as pool:
        list(pool.map(floor_package, units, cells))
    return PoolRun(seconds, time.perf_counter() - started)


# --- the run ------------------------------------------------------------------------------------


def maxrss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def check_determinism(framework: Framework, number: int, root: Path) -> PackageFiles:
    """The same dossier built twice gives the same files and the same zip, byte for byte."""
    built = []
    for attempt in range(2):
        unit = dossier(framework, number)
        package = unit_package(unit)
        stored = store(package, unit, root / f"determinism-{attempt}")
        built.append((package.files, stored.zip_path.read_bytes(), stored.zip_sha256))
    (files, archive, sha), (files_again, archive_again, sha_again) = built
    assert files.keys() == files_again.keys()
    for name in files:
        assert files[name] == files_again[name], f"{name} differs between two builds"
    assert archive == archive_again and sha == sha_again
    return PackageFiles(files=files)


@dataclass
class Letter:
    seconds: list[float] = field(default_factory=list)  # html + package + store, per repeat
    data: list[float] = field(default_factory=list)
    floor: list[float] = field(default_factory=list)
    bytes_on_disk: int = 0


def measure_letter(units: list[UnitDossier], data_dir: Path, repeat: int) -> Letter:
    """The instansi's letter listing every unit: data, its PDF and the SPTJM's + manifest, folder
    and zip; the floor: bare Typst on the same two documents."""
    measured = Letter()
    letters: list[bytes] = []
    for attempt in range(repeat):
        started = time.perf_counter()
        letter = InstansiLetter(
            instansi=INSTANSI,
            year=YEAR,
            dated=AS_OF,
            units=tuple(
                ProposedUnit(u.unit_code, u.unit_name, u.predicate, u.report.total) for u in units
            ),
            head_name="Menteri Keuangan",
        )
        document = letter_document(letter)
        measured.data.append(time.perf_counter() - started)
        package = instansi_package(letter, revision=1)
        folder = data_dir / "usulan" / str(YEAR) / safe_file_name(INSTANSI)
        top = f"surat-pengajuan-{safe_file_name(INSTANSI)}-{YEAR}-r1"
        stored = store_package(
            package.files,
            folder=folder / f"surat-pengajuan-r1-{attempt}",
            zip_path=folder / f"{top}-{attempt}.zip",
            top=top,
        )
        measured.seconds.append(time.perf_counter() - started)
        letters.append(stored.zip_path.read_bytes())
        started = time.perf_counter()
        bare_pdf(document)
        bare_pdf(sptjm_document(letter))
        measured.floor.append(time.perf_counter() - started)
        measured.bytes_on_disk = stored.zip_path.stat().st_size + sum(
            map(len, package.files.values())
        )
    assert all(letter == letters[0] for letter in letters), "the letter differs between builds"
    return measured


def traced_package(unit: UnitDossier, data_dir: Path) -> float:
    """tracemalloc's peak, MiB, over one more package (data to zip), traced apart."""
    tracemalloc.start()
    ours(unit, data_dir, Steps())
    peak = tracemalloc.get_traced_memory()[1] / MIB
    tracemalloc.stop()
    return peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--units", type=int, default=100)
    parser.add_argument("--letter-repeat", type=int, default=3)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--replace-every", type=int, default=50)
    args = parser.parse_args()
    framework = load_framework(FRAMEWORK)
    rss_start = maxrss_mib()

    started = time.perf_counter()
    units = [dossier(framework, n) for n in range(args.units)]
    setup = time.perf_counter() - started
    meets = sum(u.report.meets[PREDICATE] for u in units)
    totals = [u.report.total for u in units]

    with tempfile.TemporaryDirectory(prefix="zi-bench-packages-") as temporary:
        root = Path(temporary)
        reference = check_determinism(framework, 0, root)  # also the warm-up of every step
        bare_pdfs(unit_documents(units[0]))
        rss_before = maxrss_mib()

        results: list[Steps] = []
        unit_cells: list[Cells] = []
        cells_per_workbook = 0
        data_bytes = 0
        started_all = time.perf_counter()
        for number, unit in enumerate(units):
            steps = Steps()
            data_dir = root / "data"
            if number % 2 == 0:  # the floor first for even units, ours first for odd ones
                steps.floor_pdf = bare_pdfs(unit_documents(unit))
                documents, package = ours(unit, data_dir, steps)
            else:
                documents, package = ours(unit, data_dir, steps)
                steps.floor_pdf = bare_pdfs(documents)
            cells = workbook_cells(package.files[proposal_package.WORKBOOK])
            unit_cells.append(cells)
            steps.floor_workbook = bare_workbook(cells)
            cells_per_workbook = sum(len(found) for _, found in cells)
            data_bytes = sum(len(d.json().encode()) for d in documents.values())
            if number == 0:
                assert package.files == reference.files, "the timed build differs"
            results.append(steps)
            del package
            if (number + 1) % 10 == 0:
                print(
                    f"  {number + 1} units, {time.perf_counter() - started_all:.0f} s", flush=True
                )
        rss_units = maxrss_mib()
        letter = measure_letter(units, root / "data", args.letter_repeat)
        print(f"  the same {args.units} packages in a pool of {args.workers}", flush=True)
        pooled = pool_run(
            units,
            unit_cells,
            root / "pool",
            reference,
            workers=args.workers,
            replace_every=args.replace_every,
        )
        gc.collect()
        traced = traced_package(units[0], root / "traced")

    report(
        args.units,
        results,
        letter,
        setup=setup,
        meets=meets,
        totals=totals,
        cells=cells_per_workbook,
        data_bytes=data_bytes,
        memory=(rss_start, rss_before, rss_units, maxrss_mib(), traced),
        pooled=(args.workers, args.replace_every, pooled),
    )


def report(
    n: int,
    results: list[Steps],
    letter: Letter,
    *,
    setup: float,
    meets: int,
    totals: list[float],
    cells: int,
    data_bytes: int,
    memory: tuple[float, float, float, float, float],
    pooled: tuple[int, int, PoolRun],
) -> None:
    rss_start, rss_before, rss_units, rss_end, traced = memory
    total = sum(s.total for s in results)
    pdf = sum(s.pdf for s in results)
    floor_pdf = sum(s.floor_pdf for s in results)
    print(
        f"\nunits: {n}, dossiers built in {setup:.1f} s; TPI totals {min(totals):.2f}"
        f"-{max(totals):.2f}, meeting {PREDICATE} floors: {meets}; per unit: 4 documents "
        f"({data_bytes / 1024:.0f} KiB of JSON), {HISTORY_POINTS} snapshots, "
        f"{EVIDENCE_PER_UNIT} evidence documents, a workbook of {cells:,} cells; "
        f"{statistics.median(s.bytes_on_disk for s in results) / 1024:.0f} KiB on disk "
        f"(folder + zip)"
    )
    print("determinism: the same dossier built twice gives identical files and zip (asserted)")
    header = f"{'step':<46}{'total s':>9}{'ms/pkg':>9}{'median ms':>11}{'share':>8}{'x floor':>9}"
    print(header)

    def line(
        name: str, values: list[float], share: bool = True, floor: float | None = None
    ) -> None:
        spent = sum(values)
        ratio = f"{spent / floor:>9.2f}" if floor else f"{'':>9}"
        share_text = f"{spent / total:>8.1%}" if share else f"{'':>8}"
        print(
            f"{name:<46}{spent:>9.2f}{spent / len(values) * 1000:>9.1f}"
            f"{statistics.median(values) * 1000:>11.1f}{share_text}{ratio}"
        )

    line("(a) documents' data (unit_documents)", [s.documents for s in results])
    line("(b) PDF, 4 documents (render_pdf)", [s.pdf for s in results], floor=floor_pdf)
    for index, name in enumerate(proposal_package.UNIT_DOCUMENTS):
        line(f"    {name} ({PRINTED[name]} p.)", [s.pdf_documents[index] for s in results])
    line("    floor: bare Typst, same documents", [s.floor_pdf for s in results], share=False)
    floor_workbook = sum(s.floor_workbook for s in results)
    line("(c) workbook (lke_workbook)", [s.workbook for s in results], floor=floor_workbook)
    line(
        "    floor: openpyxl unstyled, same cells",
        [s.floor_workbook for s in results],
        share=False,
    )
    line("(d) manifest (rest of unit_package)", [s.manifest for s in results])
    line("(d) zip + folder + zip file (store_package)", [s.store for s in results])
    line("unit packages, (a)-(d)", [s.total for s in results])
    named = f"(e) instansi letter, {n} units (median of {len(letter.seconds)})"
    print(
        f"{named:<46}"
        f"{statistics.median(letter.seconds):>9.2f}{'':>9}{'':>11}{'':>8}"
        f"{statistics.median(letter.seconds) / statistics.median(letter.floor):>9.2f}"
    )
    print(
        f"    of which data {statistics.median(letter.data) * 1000:.1f} ms; floor: bare "
        f"Typst {statistics.median(letter.floor):.2f} s; "
        f"{letter.bytes_on_disk / 1024:.0f} KiB on disk"
    )
    with_letter = total + statistics.median(letter.seconds)
    print(
        f"packages per minute: {n / total * 60:.1f} ({n} packages in {total:.1f} s; "
        f"{n / with_letter * 60:.1f} with the letter, {with_letter:.1f} s)"
    )
    print(
        f"PDF share: {pdf / total:.1%} of the unit packages' time, the rest {1 - pdf / total:.1%}"
    )
    ratios = [s.pdf / s.floor_pdf for s in results]
    print(
        f"PDF / floor: {pdf / floor_pdf:.3f}x on the sums, median of per-unit ratios "
        f"{statistics.median(ratios):.3f}x (floor run first: {statistics.median(ratios[0::2]):.3f}x"
        f", ours first: {statistics.median(ratios[1::2] or ratios):.3f}x)"
    )
    print(
        f"memory: ru_maxrss {rss_start:.0f} MiB after imports, {rss_before:.0f} MiB after the "
        f"dossiers and warm-up, {rss_units:.0f} MiB after {n} packages, {rss_end:.0f} MiB at the "
        f"end; tracemalloc peak of one package {traced:.1f} MiB"
    )
    cpu = sum(s.cpu for s in results)
    print(
        f"CPU: {cpu:.1f} s for the {n} packages ({cpu / n * 1000:.0f} ms a package: "
        f"{n / cpu * 60:.1f} packages per CPU-minute); wall clock / CPU {total / cpu:.2f}"
    )
    workers, replace_every, run = pooled
    print(
        f"pool of {workers} (workers replaced every {replace_every} packages): {n} packages in "
        f"{run.seconds:.1f} s, {n / run.seconds * 60:.1f} packages per minute; floor (bare "
        f"Typst + bare openpyxl, same pool) {run.floor_seconds:.1f} s; ours / floor "
        f"{run.seconds / run.floor_seconds:.2f}x"
    )


if __name__ == "__main__":
    main()
