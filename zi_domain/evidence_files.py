"""Evidence files (data dukung) as a unit hands them in, and as a proposal package carries them.

A unit gives a folder of files: laid out by LKE code (a folder named by an indicator or question
code, `A.I.1.i/SK Tim ZI 2024-01-05.pdf`), or listed by a manifest CSV at the folder's root
(`code,title,date,file`). Each file's title is the manifest's, else its name without extension;
its date the manifest's, else a `YYYY-MM-DD` in its name; a file without one is a problem to fix
(the regulation sets no date window, but the date is what flags an old document).

In a package each file stands under its indicator (`bukti/A.I.1.i/<safe name>`); a package over a
size limit is split into volumes (jilid), the evidence spread over them in LKE order.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import PurePosixPath

from zi_domain.evidence import EvidenceDocument, indicator_of
from zi_domain.file_names import safe_file_name
from zi_domain.framework import Framework

MANIFEST_NAME = "manifest.csv"
MANIFEST_COLUMNS = ("code", "title", "date", "file")
PACKAGE_FOLDER = "bukti"
IGNORED_NAMES = frozenset({"thumbs.db", "desktop.ini", ".ds_store"})
"""Files that file managers leave in folders; never evidence."""
FIRST_YEAR, LAST_YEAR = 2000, 2100  # the years an evidence row may hold
TITLE_LENGTH = 500
NAME_LENGTH = 500

_CODE = re.compile(r"^[A-Z](?:\.[A-Za-z0-9]+)+$")
_DATE_IN_NAME = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
_SHORT_SHA = 8
_SUFFIX = re.compile(r"\.[A-Za-z0-9]{1,10}")


def looks_like_code(name: str) -> bool:
    """Whether a folder name is written like an LKE code ("A.I.1.i", "A.I.1.i.a")."""
    return bool(_CODE.match(name))


def evidence_codes(framework: Framework) -> frozenset[str]:
    """The codes evidence may be filed under: the LKE's pengungkit indicators and questions,
    and its hasil items (B.I.b, capaian kinerja, is shown by documents too)."""
    return frozenset(
        {i.code for i in framework.indicators}
        | {q.code for q in framework.questions}
        | {i.code for i in framework.hasil_items}
    )


def is_ignored(name: str) -> bool:
    """A hidden file or a file manager's leftover (Thumbs.db, desktop.ini, .DS_Store)."""
    return name.startswith(".") or name.lower() in IGNORED_NAMES


def date_in_name(name: str) -> date | None:
    """The first real date written YYYY-MM-DD in a file name, within 2000..2100."""
    for match in _DATE_IN_NAME.finditer(name):
        found = _real_date(*(int(part) for part in match.groups()))
        if found is not None:
            return found
    return None


def _real_date(year: int, month: int, day: int) -> date | None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_document_date(text: str) -> date:
    """A manifest's date, YYYY-MM-DD within 2000..2100; ValueError in words otherwise."""
    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text.strip())
    found = _real_date(*(int(part) for part in match.groups())) if match else None
    if found is None:
        raise ValueError(
            f"tanggal {text!r} bukan tanggal YYYY-MM-DD antara {FIRST_YEAR} dan {LAST_YEAR}"
        )
    return found


def title_from_name(name: str) -> str:
    """A file's name without its extension, as the document's title."""
    stem = PurePosixPath(name).stem.strip()
    return stem or name


def code_of_path(relative: PurePosixPath) -> str | None:
    """The LKE code of a file in a folder laid out by code: the deepest folder of its path
    written like a code (`A.I.1.i/rapat/notulen.pdf` → A.I.1.i); None when no folder is."""
    for part in reversed(relative.parent.parts):
        if looks_like_code(part):
            return part
    return None


@dataclass(frozen=True)
class EvidenceFile:
    """A file of the folder, checked and ready to be read: where it is, what it evidences."""

    relative: str  # its path inside the folder, with '/'
    code: str
    title: str
    document_date: date
    size_bytes: int


# --- in a package -------------------------------------------------------------------------


def with_package_paths(documents: Iterable[EvidenceDocument]) -> list[EvidenceDocument]:
    """The documents, those with a stored file placed in the package (their `location` becomes
    `bukti/<indicator>/<safe name>`): the same content of one indicator has one place, and two
    files of the same name are told apart by the start of their SHA-256. Deterministic: the same
    documents always give the same places."""
    placed: dict[tuple[str, str], str] = {}  # (indicator, sha256) → path
    taken: set[str] = set()  # the paths given, in lower case (unzipped on Windows, "A" is "a")
    result: list[EvidenceDocument] = []
    for document in sorted(documents, key=_order):
        if document.stored_path is None:
            result.append(document)
            continue
        folder = safe_file_name(indicator_of(document.code))
        key = (folder, document.sha256)
        if key not in placed:
            placed[key] = _free_path(folder, document, taken)
            taken.add(placed[key].lower())
        result.append(replace(document, location=placed[key]))
    return result


def _order(document: EvidenceDocument) -> tuple[str, int, str, str, str]:
    return (document.code, document.year, document.title, document.sha256, document.location)


def package_name(original: str) -> str:
    """A file's name made safe for a package, its extension kept ("Notulen (final).pdf" →
    "Notulen-final.pdf")."""
    pure = PurePosixPath(original.replace("\\", "/"))
    suffix = pure.suffix if _SUFFIX.fullmatch(pure.suffix) else ""
    stem = safe_file_name(pure.name.removesuffix(suffix), fallback="dokumen")
    return f"{stem}{suffix}"


def _free_path(folder: str, document: EvidenceDocument, taken: set[str]) -> str:
    name = package_name(document.original_name or document.title)
    path = f"{PACKAGE_FOLDER}/{folder}/{name}"
    if path.lower() not in taken:
        return path
    pure = PurePosixPath(name)
    return f"{PACKAGE_FOLDER}/{folder}/{pure.stem}-{document.sha256[:_SHORT_SHA]}{pure.suffix}"


ENTRY_OVERHEAD = 128
"""Bytes a zip spends on one entry beyond its content and (twice) its name: its local header,
its central directory record, and a margin."""
MANIFEST_ENTRY_BYTES = 400
"""What one file's entry in manifest.json may take (path, size, SHA-256, volume)."""


def zip_cost(name: str, size: int) -> int:
    """At most what one file adds to a zip: deflate never grows data by more than about 0.03 %
    (5 bytes per 16 KiB block), counted here as 0.1 %."""
    return size + size // 1000 + ENTRY_OVERHEAD + 2 * len(name.encode("utf-8"))


def split_volumes(
    first: int, files: Sequence[tuple[str, int]], limit: int | None
) -> list[list[str]]:
    """The evidence `files` (name, size), in their order, spread over volumes of at most
    `limit` bytes each; the first volume already holds `first` bytes (the package's documents
    and manifest). Without a limit: one volume. A file larger than the limit gets a volume of
    its own (it cannot be split); so do the package's documents when they alone exceed it."""
    volumes: list[list[str]] = [[]]
    used = first
    for name, size in files:
        cost = zip_cost(name, size)
        if limit is not None and used + cost > limit and (used > 0 or volumes[-1]):
            volumes.append([])
            used = 0
        volumes[-1].append(name)
        used += cost
    return volumes
