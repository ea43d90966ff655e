"""The files a unit hands in through the portal, and the TPI's word on its evidence.

Evidence: the uploaded files of one LKE code are written, with safe names and a manifest giving
each its title and date, into a scratch folder under the data folder, and imported from there by
`services.evidence.import_evidence` (every check of `zi evidence import`, the content-addressed
store, the same content kept once); each file is first held to the size limit and its kind told
by its content (`services.file_kinds`). Each new document gets its audit entry in the import's
transaction. A document is taken out by `remove_evidence`, reviewed (accepted, or rejected with
a reason) by the TPI, and served back with a safe name and the media type of its content.

Workbooks and surveys: the LKE workbook of the unit out, a filled one in (`import_workbook`,
refused when it is another unit's), and a survey respondent file in (`import_survey`).
"""

from __future__ import annotations

import csv
import hashlib
import io
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from config.survey_methods import load_survey_method
from persistence.evidence_store import EvidenceFileMissing, EvidenceStore
from persistence.tables import (
    AssessmentKind,
    AuditEntryCreate,
    EvidenceDocument,
    SurveyKind,
    SurveySource,
    UnitKerja,
)
from persistence.unit_of_work import UnitOfWork
from services.audit import unit_change
from services.evidence import (
    EvidenceRefused,
    EvidenceRequest,
    import_evidence,
    remove_evidence,
    unit_evidence,
)
from services.file_kinds import FileKind, KindRefused, media_type, sniff, with_extension
from services.inbox_files import scratch_folder
from services.lke_intake import (
    IntakeRefused,
    IntakeScope,
    WorkbookIntake,
    import_workbook,
    write_unit_workbook,
)
from services.portal_units import ChangeRefused, current_period
from services.surveys import ImportedSurvey, SurveyRefused, SurveyRequest, import_survey
from spreadsheets.lke_form import LkeFormError, read_lke_form
from zi_domain.evidence import EvidenceDocument as IndexedDocument
from zi_domain.evidence import EvidenceIndex
from zi_domain.evidence_files import (
    MANIFEST_COLUMNS,
    MANIFEST_NAME,
    TITLE_LENGTH,
    date_in_name,
    evidence_codes,
    package_name,
    parse_document_date,
    title_from_name,
)
from zi_domain.framework import Framework
from zi_domain.indonesian import angka, tanggal, ukuran
from zi_domain.plain_text import one_line

ACCEPTED, REJECTED = "accepted", "rejected"
REVIEW_WORDS = {ACCEPTED: "diterima", REJECTED: "ditolak"}
REASON_LENGTH = 500
SHOWN_NAME_LENGTH = 120
_CHUNK = 1 << 20


class UploadRefused(ValueError):
    """Files that were not taken; `problems` lists every one, each naming its file."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


class DocumentMissing(LookupError):
    """No such document on this unit (or its file is gone from the store)."""


@dataclass(frozen=True)
class Upload:
    """A file as the browser sent it: its name is never trusted, its content is read once."""

    name: str
    content: BinaryIO


@dataclass(frozen=True)
class FileRules:
    framework: Framework
    data_dir: Path
    max_bytes: int  # the largest file taken
    max_age_years: int | None = None


@dataclass(frozen=True)
class EvidenceUpload:
    code: str  # the LKE indicator or question the files evidence
    title: str  # "" → each file's name without its extension
    written_date: str  # YYYY-MM-DD; "" → the date written in each file's name
    files: Sequence[Upload]


@dataclass(frozen=True)
class UploadedEvidence:
    added: int  # new documents
    already: int  # files whose content the unit already had under the code


@dataclass(frozen=True)
class ShownDocument:
    row: EvidenceDocument
    old: bool  # flagged by the policy age

    @property
    def review_words(self) -> str:
        return REVIEW_WORDS.get(self.row.review or "", "belum ditinjau")


@dataclass(frozen=True)
class EvidenceGroup:
    code: str
    name: str
    documents: tuple[ShownDocument, ...]
    choices: tuple[str, ...]  # the codes a file may be uploaded under here (none: listed only)


@dataclass(frozen=True)
class EvidenceView:
    index: EvidenceIndex
    groups: tuple[EvidenceGroup, ...]

    @property
    def covered(self) -> int:
        return len(self.index.indicators) - len(self.index.gaps)


@dataclass(frozen=True)
class DocumentFile:
    name: str  # safe, with the extension of its kind
    media_type: str
    content: bytes


# --- evidence: reading --------------------------------------------------------------------------


def evidence_view(uow: UnitOfWork, *, unit: UnitKerja, rules: FileRules, day: date) -> EvidenceView:
    """The unit's evidence by indicator (gaps included), then the hasil items and the documents
    of no LKE code, each document with its review."""
    assert unit.id is not None
    index = unit_evidence(uow, request=_request(uow, unit, rules, day, actor="portal")).index
    rows = {d.id: d for d in uow.evidence.documents(unit_id=unit.id)}
    framework = rules.framework

    def shown(documents: Sequence[IndexedDocument]) -> tuple[ShownDocument, ...]:
        return tuple(
            ShownDocument(rows[d.number], index.is_old(d)) for d in documents if d.number in rows
        )

    hasil = {i.code: i for i in index.hasil}
    groups = [
        EvidenceGroup(i.code, i.name, shown(i.documents), _choices(framework, i.code))
        for i in index.indicators
    ]
    groups += [
        EvidenceGroup(
            h.code, h.text, shown(hasil[h.code].documents) if h.code in hasil else (), (h.code,)
        )
        for h in framework.hasil_items
    ]
    if index.without_indicator:
        groups.append(EvidenceGroup("", "Tanpa kode LKE", shown(index.without_indicator), ()))
    return EvidenceView(index, tuple(groups))


def _choices(framework: Framework, indicator: str) -> tuple[str, ...]:
    questions = [q.code for q in framework.questions if q.code.startswith(indicator + ".")]
    return (indicator, *questions)


def document_file(
    uow: UnitOfWork, *, unit: UnitKerja, document_id: int, data_dir: Path
) -> DocumentFile:
    """The stored file of one of the unit's documents, checked against its SHA-256."""
    document = _document(uow, unit, document_id)
    if document.stored_path is None:
        raise DocumentMissing("dokumen ini hanya tercatat; berkasnya tidak tersimpan")
    try:
        content = EvidenceStore(data_dir).read(document.stored_path, document.sha256)
    except EvidenceFileMissing as error:
        raise DocumentMissing(str(error)) from error
    try:
        kind: FileKind | None = sniff(io.BytesIO(content))
    except KindRefused:
        kind = None
    name = package_name(document.original_name or document.title)
    return DocumentFile(with_extension(name, kind) if kind else name, media_type(kind), content)


def _document(uow: UnitOfWork, unit: UnitKerja, document_id: int) -> EvidenceDocument:
    assert unit.id is not None
    found = {d.id: d for d in uow.evidence.documents(unit_id=unit.id)}.get(document_id)
    if found is None:
        raise DocumentMissing(f"dokumen #{document_id} tidak ada pada unit ini")
    return found


# --- evidence: changes ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Placed:
    shown: str  # the name as sent, for messages
    relative: str  # "<code>/<safe name>" in the scratch folder
    title: str
    document_date: date
    sha256: str
    size_bytes: int


def upload_evidence(
    uow: UnitOfWork,
    *,
    unit: UnitKerja,
    upload: EvidenceUpload,
    rules: FileRules,
    actor: str,
    day: date,
) -> UploadedEvidence:
    """Stores the files as the unit's documents under the code and commits, with an audit entry
    per new document; UploadRefused (nothing stored) with every problem otherwise."""
    assert unit.id is not None
    problems = _upload_problems(upload, rules.framework)
    if problems:
        raise UploadRefused(problems)
    with scratch_folder(rules.data_dir) as folder:
        placed, problems = _place_all(folder, upload, rules.max_bytes)
        if problems:
            raise UploadRefused(problems)
        _write_manifest(folder, upload.code, placed)
        entries = _upload_entries(uow, unit, upload.code, placed, actor)
        uow.audit.record(entries=entries)  # committed by the import, with the documents
        try:
            import_evidence(
                uow,
                folder=folder,
                request=_request(uow, unit, rules, day, actor),
                data_dir=rules.data_dir,
            )
        except EvidenceRefused as refusal:
            uow.rollback()
            raise UploadRefused(_named(refusal.problems, placed)) from refusal
    return UploadedEvidence(len(entries), len(placed) - len(entries))


def _upload_problems(upload: EvidenceUpload, framework: Framework) -> list[str]:
    problems = []
    if upload.code not in evidence_codes(framework):
        problems.append(f"kode {upload.code!r} bukan indikator atau pertanyaan LKE")
    if not [f for f in upload.files if f.name]:
        problems.append("pilih paling sedikit satu berkas")
    if upload.written_date:
        try:
            parse_document_date(upload.written_date)
        except ValueError as error:
            problems.append(f"tanggal dokumen: {error}")
    if len(upload.title) > TITLE_LENGTH:
        problems.append(f"judul lebih dari {TITLE_LENGTH} karakter")
    return problems


def _place_all(
    folder: Path, upload: EvidenceUpload, max_bytes: int
) -> tuple[list[_Placed], list[str]]:
    """Every file written under `folder/<code>/` with its safe name, or every problem."""
    (folder / upload.code).mkdir()
    placed: list[_Placed] = []
    problems: list[str] = []
    taken: set[str] = set()
    for number, file in enumerate(f for f in upload.files if f.name):
        shown = shown_name(file.name)
        try:
            placed.append(_place(folder, upload, file, number, taken, max_bytes))
        except UploadRefused as refusal:
            problems += [f"{shown}: {problem}" for problem in refusal.problems]
    return placed, problems


def _place(
    folder: Path,
    upload: EvidenceUpload,
    file: Upload,
    number: int,
    taken: set[str],
    max_bytes: int,
) -> _Placed:
    base = PurePosixPath(file.name.replace("\\", "/")).name
    written, kind = receive_file(file, folder / upload.code / f".masuk-{number}", max_bytes)
    day = parse_document_date(upload.written_date) if upload.written_date else date_in_name(base)
    if day is None:
        raise UploadRefused(
            [
                "tanpa tanggal dokumen: isi Tanggal dokumen, atau tulis tanggal YYYY-MM-DD di nama "
                "berkasnya"
            ]
        )
    name = _free_name(with_extension(package_name(base), kind), taken)
    stored = written.rename(written.with_name(name))
    title = one_line(upload.title) or one_line(title_from_name(base))
    return _Placed(
        shown=shown_name(file.name),
        relative=f"{upload.code}/{name}",
        title=title[:TITLE_LENGTH],
        document_date=day,
        sha256=_sha256(stored),
        size_bytes=stored.stat().st_size,
    )


def shown_name(name: str) -> str:
    """A sent file name as a message may quote it (one line, bounded)."""
    return one_line(name)[:SHOWN_NAME_LENGTH] or "(tanpa nama)"


def receive_file(file: Upload, target: Path, max_bytes: int) -> tuple[Path, FileKind]:
    """Copies the upload to `target` (at most `max_bytes`) and tells its kind by its content;
    UploadRefused (the copy removed) otherwise."""
    size = 0
    with target.open("wb") as out:
        while chunk := file.content.read(_CHUNK):
            size += len(chunk)
            if size > max_bytes:
                break
            out.write(chunk)
    try:
        if size > max_bytes:
            raise UploadRefused([f"lebih besar dari batas {ukuran(max_bytes)} per berkas"])
        with target.open("rb") as written:
            return target, sniff(written)
    except KindRefused as refusal:
        target.unlink()
        raise UploadRefused([str(refusal)]) from refusal
    except UploadRefused:
        target.unlink()
        raise


def _free_name(name: str, taken: set[str]) -> str:
    """`name`, or `name-2`, `-3`... when a file of this upload already has it."""
    pure = PurePosixPath(name)
    candidate, number = name, 1
    while candidate.lower() in taken:
        number += 1
        candidate = f"{pure.stem}-{number}{pure.suffix}"
    taken.add(candidate.lower())
    return candidate


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as read:
        while chunk := read.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _write_manifest(folder: Path, code: str, placed: Sequence[_Placed]) -> None:
    with (folder / MANIFEST_NAME).open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(MANIFEST_COLUMNS)
        for file in placed:
            writer.writerow([code, file.title, file.document_date.isoformat(), file.relative])


def _upload_entries(
    uow: UnitOfWork, unit: UnitKerja, code: str, placed: Sequence[_Placed], actor: str
) -> list[AuditEntryCreate]:
    """An entry per file whose content the unit does not have under `code` yet (the import
    stores no row for the others)."""
    assert unit.id is not None
    known = {d.sha256 for d in uow.evidence.documents(unit_id=unit.id, code=code)}
    entries = []
    for file in placed:
        if file.sha256 in known:
            continue
        known.add(file.sha256)
        name = PurePosixPath(file.relative).name
        entries.append(
            unit_change(
                unit,
                actor=actor,
                action="evidence.upload",
                subject=f"Bukti dukung {code}: {file.title}",
                new=f"{name} ({ukuran(file.size_bytes)}, {tanggal(file.document_date)})",
            )
        )
    return entries


def _named(problems: Sequence[str], placed: Sequence[_Placed]) -> list[str]:
    """The import's problems with the manifest's rows named by their files."""
    renamed = list(problems)
    for row, file in reversed(list(enumerate(placed, start=2))):
        place = f"{MANIFEST_NAME} baris {row}"
        renamed = [p.replace(place, file.shown) for p in renamed]
    return renamed


def remove_document(
    uow: UnitOfWork, *, unit: UnitKerja, document_id: int, rules: FileRules, actor: str, day: date
) -> EvidenceDocument:
    """Takes one of the unit's documents out, with its audit entry, and commits."""
    document = _document(uow, unit, document_id)
    uow.audit.record(
        entries=[
            unit_change(
                unit,
                actor=actor,
                action="evidence.remove",
                subject=f"Bukti dukung {document.code}: {document.title}",
                old=document.original_name or document.title,
                new=None,
            )
        ]
    )
    remove_evidence(
        uow,
        request=_request(uow, unit, rules, day, actor),
        document_ids=[document_id],
        codes=[],
        data_dir=rules.data_dir,
    )
    return document


def review_document(
    uow: UnitOfWork,
    *,
    unit: UnitKerja,
    document_id: int,
    review: str,
    reason: str,
    actor: str,
    at: datetime,
) -> EvidenceDocument:
    """The TPI's review of one of the unit's documents, with its audit entry, committed;
    ChangeRefused for an unknown decision, or a rejection without a reason or with one too
    long."""
    assert unit.id is not None
    reason = reason.strip()
    if review not in REVIEW_WORDS:
        raise ChangeRefused("Pilih terima atau tolak.")
    if review == REJECTED and not reason:
        raise ChangeRefused("Tulis alasan penolakan dokumen.")
    if len(reason) > REASON_LENGTH:
        raise ChangeRefused(f"Alasan paling banyak {REASON_LENGTH} karakter.")
    document = _document(uow, unit, document_id)
    before = _review_text(document.review, document.review_reason)
    kept = reason if review == REJECTED else None
    reviewed = uow.portal.review_evidence(
        unit_id=unit.id, document_id=document_id, review=review, reason=kept, by=actor, at=at
    )
    assert reviewed is not None
    uow.audit.record(
        entries=[
            unit_change(
                unit,
                actor=actor,
                action="evidence.review",
                subject=f"Tinjauan bukti dukung {reviewed.code}: {reviewed.title}",
                old=before,
                new=_review_text(review, kept),
            )
        ]
    )
    uow.commit()
    return reviewed


def _review_text(review: str | None, reason: str | None) -> str | None:
    if review is None:
        return None
    words = REVIEW_WORDS.get(review, review)
    return f"{words}: {reason}" if reason else words


# --- workbooks and surveys -----------------------------------------------------------------------

XLSX_MEDIA_TYPE = media_type(FileKind.XLSX)


def unit_workbook(
    uow: UnitOfWork, *, unit: UnitKerja, scope: IntakeScope, data_dir: Path
) -> DocumentFile:
    """The unit's LKE workbook prefilled with its latest answers of the scope's kind (written in
    a scratch folder, removed at once); IntakeRefused when no period is open."""
    with scratch_folder(data_dir) as folder:
        path = write_unit_workbook(uow, unit=unit, folder=folder, scope=scope)
        return DocumentFile(path.name, XLSX_MEDIA_TYPE, path.read_bytes())


def upload_workbook(
    uow: UnitOfWork, *, unit: UnitKerja, file: Upload, scope: IntakeScope, rules: FileRules
) -> WorkbookIntake:
    """A filled LKE workbook of this unit imported as a new version of the scope's assessment,
    with its audit entry; UploadRefused with every problem otherwise (another unit's workbook
    too)."""
    with scratch_folder(rules.data_dir) as folder:
        path = _received_as(file, folder, {FileKind.XLSX: ".xlsx"}, rules.max_bytes)
        _check_owner(uow, unit, path, scope.framework)
        try:
            intake = import_workbook(uow, path=path, scope=scope)
        except IntakeRefused as refusal:
            uow.rollback()
            raise UploadRefused(refusal.problems) from refusal
    words = "penilaian TPI" if scope.kind == AssessmentKind.TPI else "penilaian mandiri"
    uow.audit.record(
        entries=[
            unit_change(
                unit,
                actor=scope.actor,
                action="workbook.upload",
                subject=f"LKE {words} dari berkas {path.name}",
                new=f"versi {intake.imported.version}, nilai {angka(intake.imported.total)}",
            )
        ]
    )
    uow.commit()
    return intake


def _check_owner(uow: UnitOfWork, unit: UnitKerja, path: Path, framework: Framework) -> None:
    """Refuses a workbook written for another unit (the import takes the unit from the file)."""
    try:
        content = read_lke_form(path, framework=framework)
    except LkeFormError as error:
        raise UploadRefused([str(error)]) from error
    instansi = uow.instansi.get_instansi(instansi_id=unit.instansi_id)
    assert instansi is not None
    mine = (unit.code, instansi.code or instansi.name)
    if content.unit_code and (content.unit_code, content.instansi_code) != mine:
        raise UploadRefused(
            [
                f"berkas ini LKE unit {content.unit_code} ({content.instansi_code}), bukan "
                f"{unit.code}; unduh LKE unit ini dari halaman ini lalu isi"
            ]
        )


@dataclass(frozen=True)
class SurveyUpload:
    kind: SurveyKind
    source: SurveySource
    file: Upload
    justification: str | None = None  # why fewer respondents than the method's minimum


def upload_survey(
    uow: UnitOfWork,
    *,
    unit: UnitKerja,
    upload: SurveyUpload,
    rules: FileRules,
    actor: str,
    day: date,
) -> ImportedSurvey:
    """A survey respondent file (CSV or XLSX) imported as `zi survey import` does, with its
    audit entry; UploadRefused with every problem otherwise."""
    request = SurveyRequest(
        kind=upload.kind,
        source=upload.source,
        unit_code=unit.code,
        method=load_survey_method(None),
        framework=rules.framework,
        as_of=day,
        actor=actor,
        instansi=_instansi_key(uow, unit),
        justification=upload.justification or None,
    )
    suffixes = {FileKind.TEXT: ".csv", FileKind.XLSX: ".xlsx"}
    with scratch_folder(rules.data_dir) as folder:
        path = _received_as(upload.file, folder, suffixes, rules.max_bytes)
        try:
            imported = import_survey(uow, path=path, request=request)
        except SurveyRefused as refusal:
            uow.rollback()
            raise UploadRefused(refusal.problems) from refusal
    result = imported.result
    uow.audit.record(
        entries=[
            unit_change(
                unit,
                actor=actor,
                action="survey.upload",
                subject=(
                    f"Survei {result.kind.upper()} {upload.source.value} dari berkas {path.name}"
                ),
                new=f"n = {result.respondents}, indeks {angka(result.index)}",
            )
        ]
    )
    uow.commit()
    return imported


def _received_as(file: Upload, folder: Path, suffixes: dict[FileKind, str], max_bytes: int) -> Path:
    """The upload written into `folder` under its safe name ending as its kind needs; refused
    when its kind is not one of `suffixes`."""
    shown = shown_name(file.name)
    if not file.name:
        raise UploadRefused(["pilih berkasnya"])
    try:
        written, kind = receive_file(file, folder / ".masuk", max_bytes)
    except UploadRefused as refusal:
        raise UploadRefused([f"{shown}: {p}" for p in refusal.problems]) from refusal
    if kind not in suffixes:
        wanted = " atau ".join(s.removeprefix(".").upper() for s in suffixes.values())
        raise UploadRefused([f"{shown}: bukan berkas {wanted}"])
    name = PurePosixPath(package_name(PurePosixPath(file.name.replace("\\", "/")).name))
    target = folder / f"{name.stem}{suffixes[kind]}"
    shutil.move(written, target)
    return target


# --- shared --------------------------------------------------------------------------------------


def _request(
    uow: UnitOfWork, unit: UnitKerja, rules: FileRules, day: date, actor: str
) -> EvidenceRequest:
    period = current_period(uow, instansi_id=unit.instansi_id, day=day)
    return EvidenceRequest(
        unit_code=unit.code,
        framework=rules.framework,
        year=period.year if period is not None else day.year,
        actor=actor,
        instansi=_instansi_key(uow, unit),
        max_age_years=rules.max_age_years,
    )


def _instansi_key(uow: UnitOfWork, unit: UnitKerja) -> str:
    """How `find_unit` names the unit's instansi: its code, else its number."""
    instansi = uow.instansi.get_instansi(instansi_id=unit.instansi_id)
    assert instansi is not None and instansi.id is not None
    return instansi.code or str(instansi.id)
