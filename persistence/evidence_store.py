"""The evidence store: the evidence files themselves, kept under the data folder by their SHA-256
(`<data_dir>/bukti/ab/abcdef…`), so that the same content is kept once whoever hands it in and
whatever it is called. The database rows name the file by its path inside the store.

A file appears whole or not at all: it is copied (and hashed while it is copied) under a
temporary name in the store, then renamed to its checksum. Nothing is written outside the store.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

STORE_FOLDER = "bukti"
_CHUNK = 1 << 20


class EvidenceFileMissing(LookupError):
    """A stored evidence file that is gone from the store, or whose content changed."""


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
            descriptor, staging = tempfile.mkstemp(prefix=".masuk-", dir=self.root)
            try:
                sha256, size = _copy(read, descriptor)
                stored_path = f"{sha256[:2]}/{sha256}"
                target = self.root / stored_path
                if target.exists():
                    os.unlink(staging)
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
