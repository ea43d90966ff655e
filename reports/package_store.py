"""Packages on disk: one folder of files and one zip beside it, each appearing whole or not at
all (written under a temporary name in the same directory, then renamed into place)."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from reports.archive import reproducible_zip, sha256_hex


@dataclass(frozen=True)
class StoredPackage:
    folder: Path
    zip_path: Path
    zip_sha256: str


def store_package(
    files: Mapping[str, bytes], *, folder: Path, zip_path: Path, top: str
) -> StoredPackage:
    """Writes `files` into `folder` and, under the directory `top`, into `zip_path`; an older
    package at the same place (left by a build that did not commit) is replaced."""
    archive = reproducible_zip({f"{top}/{name}": content for name, content in files.items()})
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        for name, content in files.items():
            (staging / name).write_bytes(content)
        staging.chmod(0o755)  # mkdtemp makes it private; a package is for sharing
        if folder.exists():
            shutil.rmtree(folder)
        os.replace(staging, folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _write_whole(zip_path, archive)
    return StoredPackage(folder=folder, zip_path=zip_path, zip_sha256=sha256_hex(archive))


def remove_package(stored: StoredPackage) -> None:
    """Undoes `store_package` when the database refused what the package records."""
    shutil.rmtree(stored.folder, ignore_errors=True)
    stored.zip_path.unlink(missing_ok=True)


def _write_whole(path: Path, content: bytes) -> None:
    descriptor, staging = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(descriptor, "wb") as out:
            out.write(content)
        os.chmod(staging, 0o644)  # mkstemp makes it private
        os.replace(staging, path)
    except BaseException:
        Path(staging).unlink(missing_ok=True)
        raise
