"""The evidence store: the evidence files themselves, kept under the data folder by their SHA-256
(`<data_dir>/bukti/ab/abcdef…`), so that the same content is kept once whoever hands it in and
whatever it is called. The database rows name the file by its path inside the store.

A file appears whole or not at all: it is copied (and hashed while it is copied) under a
temporary name in the store, then renamed to its checksum. Nothing is written outside the store.

A file no document names any more is discarded, but only when nothing has put it for an hour
(`FRESH_SECONDS`): an import running at the same moment may have put it and not yet committed
the row that names it. `put` of content already kept touches the file for that reason.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

STORE_FOLDER = "bukti"
STAGING_PREFIX = ".masuk-"
FRESH_SECONDS = 3600.0
_CHUNK = 1 << 20


class EvidenceFileMissing(LookupError):
    """A stored evidence file that is gone from the store, or whose content changed."""


@dataclass(frozen=True)
class Discarded:
    """What a clean-up took out of the store, and what it left because it is still fresh."""

    files: int = 0
    size_bytes: int = 0
    fresh: int = 0


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    size_bytes: int
    stored_path: str  # inside the store: "ab/abcdef…"
    created: bool  # False: the same content was already kept


class EvidenceStore:
    def __init__(self, data_dir: Path) -> None:
        self.root = data_dir / STORE_FOLDER

    def path_of(self, stored_path: str) -> Path:
        path = self.root / stored_path
        if not path.resolve().is_relative_to(self.root.resolve()):
            raise EvidenceFileMissing(f"{stored_path}: bukan berkas penyimpanan bukti dukung")
        return path

    def put(self, source: Path) -> StoredFile:
        """Copies `source` (a regular file, never followed through a link) into the store."""
        self.root.mkdir(parents=True, exist_ok=True)
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0)
        with os.fdopen(os.open(source, flags), "rb") as read:
            descriptor, staging = tempfile.mkstemp(prefix=STAGING_PREFIX, dir=self.root)
            try:
                sha256, size = _copy(read, descriptor)
                stored_path = f"{sha256[:2]}/{sha256}"
                target = self.root / stored_path
                if target.exists():
                    os.unlink(staging)
                    os.utime(target)  # fresh again: a clean-up now leaves it alone
                    return StoredFile(sha256, size, stored_path, created=False)
                target.parent.mkdir(exist_ok=True)
                os.chmod(staging, 0o644)  # mkstemp makes it private
                os.replace(staging, target)
                return StoredFile(sha256, size, stored_path, created=True)
            except BaseException:
                Path(staging).unlink(missing_ok=True)
                raise

    def read(self, stored_path: str, sha256: str) -> bytes:
        """The stored file's content, checked against its SHA-256."""
        path = self.path_of(stored_path)
        try:
            content = path.read_bytes()
        except FileNotFoundError as error:
            raise EvidenceFileMissing(
                f"berkas bukti dukung {sha256} tidak ada lagi di penyimpanan ({path})"
            ) from error
        if hashlib.sha256(content).hexdigest() != sha256:
            raise EvidenceFileMissing(
                f"berkas bukti dukung {path} berubah isinya (SHA-256 tidak cocok lagi)"
            )
        return content

    def remove(self, stored_paths: Iterable[str]) -> None:
        """Undoes `put` for the files it created, when the rows naming them were not stored."""
        for stored_path in stored_paths:
            self.path_of(stored_path).unlink(missing_ok=True)

    def stored_paths(self) -> list[str]:
        """Every file kept in the store, as the rows name them."""
        if not self.root.is_dir():
            return []
        return sorted(
            f"{path.parent.name}/{path.name}"
            for path in self.root.glob("??/*")
            if path.is_file() and not path.name.startswith(".")
        )

    def discard(
        self, stored_paths: Iterable[str], *, in_use: Collection[str], now: float | None = None
    ) -> Discarded:
        """Deletes the files of `stored_paths` that are not `in_use` and not fresh."""
        moment = time.time() if now is None else now
        files = size = fresh = 0
        for stored_path in sorted(set(stored_paths) - set(in_use)):
            path = self.path_of(stored_path)
            try:
                found = path.stat()
            except FileNotFoundError:
                continue
            if moment - found.st_mtime < FRESH_SECONDS:
                fresh += 1
                continue
            path.unlink(missing_ok=True)
            files, size = files + 1, size + found.st_size
        return Discarded(files, size, fresh)

    def discard_abandoned_copies(self, *, now: float | None = None) -> Discarded:
        """Deletes the temporary copies an interrupted `put` left behind (not fresh ones: a
        `put` may be copying now)."""
        moment = time.time() if now is None else now
        files = size = 0
        for path in self.root.glob(f"{STAGING_PREFIX}*") if self.root.is_dir() else ():
            found = path.stat()
            if moment - found.st_mtime >= FRESH_SECONDS:
                path.unlink(missing_ok=True)
                files, size = files + 1, size + found.st_size
        return Discarded(files, size)


def _copy(read: BinaryIO, descriptor: int) -> tuple[str, int]:
    """Copies `read` into the open file `descriptor` (closing it); its SHA-256 and size."""
    digest = hashlib.sha256()
    size = 0
    with os.fdopen(descriptor, "wb") as out:
        while chunk := read.read(_CHUNK):
            digest.update(chunk)
            out.write(chunk)
            size += len(chunk)
    return digest.hexdigest(), size
