"""Evidence (data dukung) from a folder of files: each file checked, copied into the evidence store
(kept once by its SHA-256) and recorded under its LKE code for the unit, in one transaction.

A folder with any problem stores nothing and comes back with every problem, each with its file
or manifest row: a file in no code folder or under a code the LKE does not have, a file without
a document date, an empty file, a symbolic link, a path that leaves the folder. When the
transaction fails, the files this import put in the store are removed again.

The same content filed again under the same code for the same unit stores nothing new. A document
is taken back out by `remove_evidence`, or replaced by importing its code's folder again with
`replace`; a store file no document names any more is then discarded (`clean_evidence_store`
also finds those left by anything else).
"""

from __future__ import annotations

import csv
import os
import stat
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path, PurePosixPath

from persistence.evidence_store import Discarded, EvidenceStore, StoredFile
from persistence.tables import EvidenceDocument as StoredDocument
from persistence.tables import EvidenceDocumentCreate, UnitKerja
from persistence.unit_of_work import UnitOfWork
from services.lookup import NotFoundInData, find_unit
from zi_domain.evidence import EvidenceDocument, EvidenceIndex, evidence_index
from zi_domain.evidence_files import (
    MANIFEST_COLUMNS,
    MANIFEST_NAME,
    NAME_LENGTH,
    TITLE_LENGTH,
    EvidenceFile,
    code_of_path,
    date_in_name,
    evidence_codes,
    is_ignored,
    parse_document_date,
    title_from_name,
)
from zi_domain.framework import Framework

NO_DATE = (
    "tanpa tanggal dokumen: tulis tanggal YYYY-MM-DD di nama berkas "
    f"atau di kolom date {MANIFEST_NAME}"
)
LINK_REFUSED = "tautan simbolik (symlink) ditolak; salin berkasnya sendiri ke dalam folder"


class EvidenceRefused(ValueError):
    """A folder that cannot be imported; `problems` lists every one with its file or row."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        listed = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"{source}: {len(problems)} masalah, tidak ada yang disimpan:\n{listed}")


@dataclass(frozen=True)
class EvidenceRequest:
    unit_code: str
    framework: Framework
    year: int  # the assessment year: documents older than the policy age before it are old
    actor: str
    instansi: str | None = None
    max_age_years: int | None = None


@dataclass(frozen=True)
class ScannedFolder:
    files: list[EvidenceFile]
    problems: list[str]
    unlisted: int  # files in a manifest's folder that its manifest does not name (not imported)
    manifest: bool


@dataclass(frozen=True)
class ImportedEvidence:
    unit: UnitKerja
    files: int  # the files of the folder
    added: int  # rows stored
    already: int  # files whose content was already stored under the same code
    unlisted: int
    index: EvidenceIndex  # the unit's evidence after the import
    replaced: int = 0  # documents of the folder's codes taken out (import with `replace`)
    discarded: Discarded = field(default_factory=Discarded)  # files no document names now


@dataclass(frozen=True)
class RemovedEvidence:
    unit: UnitKerja
    removed: list[StoredDocument]
    discarded: Discarded
    index: EvidenceIndex  # the unit's evidence after the removal


def import_evidence(
    uow: UnitOfWork,
    *,
    folder: Path,
    request: EvidenceRequest,
    data_dir: Path,
    on_file: Callable[[], None] | None = None,
    replace: bool = False,
) -> ImportedEvidence:
    """Checks the whole folder, then stores its files and rows and commits; EvidenceRefused
    (nothing written) with every problem otherwise. With `replace`, the unit's documents under
    the folder's codes that the folder does not hold again are taken out in the same
    transaction."""
    unit = _unit(uow, request)
    scanned = scan_folder(folder, request.framework)
    if scanned.problems:
        raise EvidenceRefused(str(folder), scanned.problems)
    if not scanned.files:
        raise EvidenceRefused(str(folder), ["tidak ada berkas bukti dukung di folder ini"])
    assert unit.id is not None
    stored_before = uow.evidence.documents(unit_id=unit.id)
    known = {(d.code, d.sha256) for d in stored_before}
    store = EvidenceStore(data_dir)
    created: list[str] = []
    added = 0
    removed: list[StoredDocument] = []
    try:
        placed = []
        for found in scanned.files:
            stored = store.put(folder / found.relative)
            if stored.created:
                created.append(stored.stored_path)
            placed.append((found, stored))
            if on_file is not None:
                on_file()
        if replace:
            removed = _superseded(uow, unit.id, stored_before, placed)
        for found, stored in placed:
            if (found.code, stored.sha256) in known:
                continue
            known.add((found.code, stored.sha256))
            uow.evidence.add_document(
                document=EvidenceDocumentCreate(
                    unit_id=unit.id,
                    code=found.code,
                    title=found.title,
                    location=found.relative,
                    year=found.document_date.year,
                    sha256=stored.sha256,
                    size_bytes=stored.size_bytes,
                    document_date=found.document_date,
                    original_name=PurePosixPath(found.relative).name,
                    stored_path=stored.stored_path,
                )
            )
            added += 1
        uow.commit()
    except BaseException:
        uow.rollback()
        store.remove(created)
        raise
    return ImportedEvidence(
        unit=unit,
        files=len(scanned.files),
        added=added,
        already=len(scanned.files) - added,
        unlisted=scanned.unlisted,
        index=_index(uow, unit, request),
        replaced=len(removed),
        discarded=_discard_unnamed(uow, store, removed),
    )


def _superseded(
    uow: UnitOfWork,
    unit_id: int,
    stored: list[StoredDocument],
    placed: list[tuple[EvidenceFile, StoredFile]],
) -> list[StoredDocument]:
    """Deletes (not committed) the unit's documents under the folder's codes whose content the
    folder does not hold again under that code."""
    incoming = {(found.code, kept.sha256) for found, kept in placed}
    codes = {code for code, _ in incoming}
    gone = [d for d in stored if d.code in codes and (d.code, d.sha256) not in incoming]
    ids = [d.id for d in gone if d.id is not None]
    return uow.evidence.remove_documents(unit_id=unit_id, document_ids=ids) if ids else []


def remove_evidence(
    uow: UnitOfWork,
    *,
    request: EvidenceRequest,
    document_ids: Sequence[int],
    codes: Sequence[str],
    data_dir: Path,
) -> RemovedEvidence:
    """Takes the chosen documents of the unit out (by number as `zi evidence list` shows it, or
    every document under an LKE code) and commits; EvidenceRefused (nothing removed) for a
    number the unit does not have or a code with no document."""
    unit = _unit(uow, request)
    assert unit.id is not None
    stored = uow.evidence.documents(unit_id=unit.id)
    chosen, problems = _chosen(stored, document_ids, codes)
    if problems:
        raise EvidenceRefused(f"bukti dukung unit {unit.code}", problems)
    removed = uow.evidence.remove_documents(unit_id=unit.id, document_ids=chosen)
    uow.commit()
    discarded = _discard_unnamed(uow, EvidenceStore(data_dir), removed)
    return RemovedEvidence(unit, removed, discarded, _index(uow, unit, request))


def _chosen(
    stored: list[StoredDocument], document_ids: Sequence[int], codes: Sequence[str]
) -> tuple[list[int], list[str]]:
    """The ids of the documents chosen by number or by code (a code takes the documents filed
    under it and under its questions), and every choice that names nothing."""
    ids = {d.id for d in stored}
    problems = [
        f"dokumen #{number} tidak ada pada unit ini (lihat `zi evidence list`)"
        for number in document_ids
        if number not in ids
    ]
    under = {code: [d for d in stored if _files_under(d.code, code)] for code in codes}
    problems += [f"kode {code!r}: tidak ada dokumen" for code, found in under.items() if not found]
    chosen = set(document_ids) | {d.id for found in under.values() for d in found}
    return sorted(i for i in chosen if i is not None), problems


def _files_under(document_code: str, code: str) -> bool:
    return document_code == code or document_code.startswith(code + ".")


def clean_evidence_store(uow: UnitOfWork, *, data_dir: Path, now: float | None = None) -> Discarded:
    """Discards every store file no document names (an hour old at least) and the copies an
    interrupted import left behind."""
    store = EvidenceStore(data_dir)
    unnamed = store.discard(
        store.stored_paths(), in_use=uow.evidence.stored_paths_in_use(), now=now
    )
    abandoned = store.discard_abandoned_copies(now=now)
    return Discarded(
        unnamed.files + abandoned.files, unnamed.size_bytes + abandoned.size_bytes, unnamed.fresh
    )


def _discard_unnamed(
    uow: UnitOfWork, store: EvidenceStore, removed: list[StoredDocument]
) -> Discarded:
    """After the commit: the removed documents' files that no document names any more."""
    paths = {d.stored_path for d in removed if d.stored_path is not None}
    if not paths:
        return Discarded()
    return store.discard(paths, in_use=uow.evidence.stored_paths_in_use(among=paths))


def unit_evidence(uow: UnitOfWork, *, request: EvidenceRequest) -> ImportedEvidence:
    """The unit's evidence as it stands: every indicator with its documents, gaps included."""
    unit = _unit(uow, request)
    return ImportedEvidence(
        unit=unit, files=0, added=0, already=0, unlisted=0, index=_index(uow, unit, request)
    )


def evidence_documents(uow: UnitOfWork, *, unit_id: int) -> list[EvidenceDocument]:
    """The unit's stored evidence as the domain reads it."""
    return [
        EvidenceDocument(
            d.code,
            d.title,
            d.year,
            d.sha256,
            d.location,
            size_bytes=d.size_bytes,
            original_name=d.original_name,
            stored_path=d.stored_path,
            document_date=d.document_date,
            number=d.id,
        )
        for d in uow.evidence.documents(unit_id=unit_id)
    ]


def _unit(uow: UnitOfWork, request: EvidenceRequest) -> UnitKerja:
    try:
        return find_unit(uow, request.unit_code, request.instansi)
    except NotFoundInData as error:
        raise EvidenceRefused("--unit", [str(error)]) from error


def _index(uow: UnitOfWork, unit: UnitKerja, request: EvidenceRequest) -> EvidenceIndex:
    assert unit.id is not None
    return evidence_index(
        request.framework,
        evidence_documents(uow, unit_id=unit.id),
        year=request.year,
        max_age_years=request.max_age_years,
    )


# --- reading the folder ----------------------------------------------------------------------


def scan_folder(folder: Path, framework: Framework) -> ScannedFolder:
    """Every file of the folder with its code, title, date and size, or every problem; by a
    manifest at its root when there is one, else by the code folders' layout. Reads no
    content."""
    if not folder.is_dir():
        return ScannedFolder([], [f"{folder}: folder tidak ada"], 0, manifest=False)
    manifest = next((p for p in sorted(folder.iterdir()) if p.name.lower() == MANIFEST_NAME), None)
    if manifest is None:
        return _by_layout(folder, framework)
    if manifest.is_symlink():
        return ScannedFolder([], [f"{manifest.name}: {LINK_REFUSED}"], 0, manifest=True)
    return _by_manifest(folder, manifest, framework)


def _by_layout(folder: Path, framework: Framework) -> ScannedFolder:
    codes = evidence_codes(framework)
    files: list[EvidenceFile] = []
    problems: list[str] = []
    for relative, problem in _walk(folder):
        if problem is not None:
            problems.append(f"{relative}: {problem}")
            continue
        code = code_of_path(relative)
        if code is None:
            problems.append(
                f"{relative}: tidak berada di folder berkode LKE (mis. A.I.1.i/); "
                "pindahkan ke folder indikator atau pertanyaannya"
            )
            continue
        checked = _checked(folder, relative, code, "", None, codes, framework, place=str(relative))
        if isinstance(checked, EvidenceFile):
            files.append(checked)
        else:
            problems.extend(checked)
    return ScannedFolder(files, problems, 0, manifest=False)


def _walk(folder: Path) -> Iterator[tuple[PurePosixPath, str | None]]:
    """Each file below `folder` (relative, with '/') in name order, and a problem with it;
    hidden files and folders and file managers' leftovers are passed over, links never
    followed."""
    for top, folders, names in os.walk(folder, followlinks=False):
        here = Path(top)
        for name in sorted(folders):
            if (here / name).is_symlink():
                yield _relative(folder, here / name), LINK_REFUSED
        folders[:] = sorted(
            f for f in folders if not f.startswith(".") and not (here / f).is_symlink()
        )
        for name in sorted(names):
            if is_ignored(name):
                continue
            path = here / name
            mode = path.lstat().st_mode
            if stat.S_ISLNK(mode):
                yield _relative(folder, path), LINK_REFUSED
            elif not stat.S_ISREG(mode):
                yield _relative(folder, path), "bukan berkas biasa"
            else:
                yield _relative(folder, path), None


def _relative(folder: Path, path: Path) -> PurePosixPath:
    return PurePosixPath(path.relative_to(folder).as_posix())


def _by_manifest(folder: Path, manifest: Path, framework: Framework) -> ScannedFolder:
    codes = evidence_codes(framework)
    files: list[EvidenceFile] = []
    problems: list[str] = []
    listed: set[PurePosixPath] = set()
    try:
        with manifest.open(encoding="utf-8-sig", newline="") as opened:
            rows = list(csv.reader(opened))
    except (UnicodeDecodeError, csv.Error) as error:
        return ScannedFolder(
            [], [f"{manifest.name}: tidak terbaca sebagai CSV UTF-8 ({error})"], 0, True
        )
    header = [cell.strip().lower() for cell in rows[0]] if rows else []
    if header[: len(MANIFEST_COLUMNS)] != list(MANIFEST_COLUMNS):
        written = ",".join(header) or "kosong"
        return ScannedFolder(
            [],
            [f"{manifest.name}: kolomnya harus {','.join(MANIFEST_COLUMNS)} (tertulis: {written})"],
            0,
            True,
        )
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        place = f"{manifest.name} baris {number}"
        code, title, written_date, name = (
            [cell.strip() for cell in row] + [""] * len(MANIFEST_COLUMNS)
        )[: len(MANIFEST_COLUMNS)]
        relative, problem = _manifest_path(folder, name)
        if problem is not None or relative is None:
            problems.append(f"{place}: {problem}")
            continue
        listed.add(relative)
        checked = _checked(
            folder, relative, code, title, written_date, codes, framework, place=place
        )
        if isinstance(checked, EvidenceFile):
            files.append(checked)
        else:
            problems.extend(checked)
    in_folder = {relative for relative, _ in _walk(folder)} - {PurePosixPath(manifest.name)}
    return ScannedFolder(files, problems, len(in_folder - listed), manifest=True)


def _manifest_path(folder: Path, name: str) -> tuple[PurePosixPath | None, str | None]:
    """The file a manifest row names, inside the folder; or why it cannot be read."""
    if not name:
        return None, "kolom file kosong"
    relative = PurePosixPath(name.replace("\\", "/"))
    if relative.is_absolute() or ".." in relative.parts or ":" in relative.parts[0]:
        return None, f"{name!r}: jalur keluar dari folder (.. atau jalur absolut) ditolak"
    for depth in range(1, len(relative.parts) + 1):
        if folder.joinpath(*relative.parts[:depth]).is_symlink():
            return None, f"{name!r}: {LINK_REFUSED}"
    path = folder / relative
    if not path.exists():
        return None, f"{name!r}: berkas tidak ada di folder"
    if not path.is_file():
        return None, f"{name!r}: bukan berkas biasa"
    if not path.resolve().is_relative_to(folder.resolve()):
        return None, f"{name!r}: jalur keluar dari folder ditolak"
    return relative, None


def _checked(
    folder: Path,
    relative: PurePosixPath,
    code: str,
    title: str,
    written_date: str | None,
    codes: frozenset[str],
    framework: Framework,
    *,
    place: str,
) -> EvidenceFile | list[str]:
    """The file ready to import, or every problem with it."""
    problems: list[str] = []
    if not _utf8(relative.as_posix()):
        # A name the file system holds in another encoding cannot be stored or shown as typed.
        place = place.encode("utf-8", "backslashreplace").decode("utf-8")
        return [f"{place}: nama berkas bukan teks UTF-8; ganti namanya"]
    if code not in codes:
        problems.append(
            f"{place}: kode {code!r} bukan indikator, pertanyaan, atau butir hasil LKE "
            f"{framework.name}"
            if code
            else f"{place}: kolom code kosong"
        )
    document_date: date | None = None
    if written_date:
        try:
            document_date = parse_document_date(written_date)
        except ValueError as error:
            problems.append(f"{place}: {error}")
    else:
        document_date = date_in_name(relative.name)
        if document_date is None:
            problems.append(f"{place}: {NO_DATE}")
    size = (folder / relative).stat().st_size
    if size == 0:
        problems.append(f"{place}: berkas kosong (0 byte)")
    chosen_title = title or title_from_name(relative.name)
    if len(chosen_title) > TITLE_LENGTH:
        problems.append(f"{place}: judul lebih dari {TITLE_LENGTH} karakter")
    if len(relative.name) > NAME_LENGTH:
        problems.append(f"{place}: nama berkas lebih dari {NAME_LENGTH} karakter")
    if problems or document_date is None:
        return problems
    return EvidenceFile(
        relative=relative.as_posix(),
        code=code,
        title=chosen_title,
        document_date=document_date,
        size_bytes=size,
    )


def _utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
