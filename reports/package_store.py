"""Packages on disk: one folder of files and one zip beside it (or, split at a size limit, one zip
a volume), each appearing whole or not at all (written under a temporary name in the same
directory, then renamed into place)."""

from __future__ import annotations

import glob
import hashlib
import os
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from reports.archive import (
    Content,
    FileOnDisk,
    content_size,
    copy_checked,
    write_reproducible_zip,
)

_CHUNK = 1 << 20


@dataclass(frozen=True)
class StoredPackage:
    folder: Path
    zip_path: Path
    zip_sha256: str
    volumes: tuple[Path, ...] = ()  # the zips of volumes 2, 3, ... (`<zip>-jilid-2.zip`)
    total_bytes: int = 0  # every file of the package, all volumes together


def volume_path(zip_path: Path, number: int) -> Path:
    """Where volume `number` (2, 3, ...) of the package `zip_path` is written."""
    return zip_path.with_name(f"{zip_path.stem}-jilid-{number}{zip_path.suffix}")


def store_package(
    files: Mapping[str, Content],
    *,
    folder: Path,
    zip_path: Path,
    top: str,
    volumes: Sequence[Sequence[str]] = (),
) -> StoredPackage:
    """Writes `files` into `folder` (a name with '/' in a subfolder) and, under the directory
    `top`, into `zip_path`; the files of each of `volumes` go instead into a zip of their own
    beside it (`volume_path`), under the same `top`, so that unpacking every volume gives the
    whole folder. A file on disk is copied in chunks and checked against its SHA-256
    (ContentChanged, nothing left behind), and the zips stream from the folder's copy: no
    evidence file is ever held whole in memory. An older package at the same place (left by a
    build that did not commit) is replaced, its extra volumes removed."""
    _place_folder(files, folder)
    placed = {
        name: content
        if isinstance(content, bytes)
        else FileOnDisk(folder / name, content.size, content.sha256)
        for name, content in files.items()
    }
    apart = {name for names in volumes for name in names}
    archives = [
        {name: content for name, content in placed.items() if name not in apart},
        *({name: placed[name] for name in names} for names in volumes),
    ]
    paths = [zip_path, *(volume_path(zip_path, n) for n in range(2, len(archives) + 1))]
    try:
        for stale in zip_path.parent.glob(f"{glob.escape(zip_path.stem)}-jilid-*{zip_path.suffix}"):
            if stale not in paths:
                stale.unlink()
        checksums = [
            _write_zip_whole(path, {f"{top}/{name}": c for name, c in contents.items()})
            for path, contents in zip(paths, archives, strict=True)
        ]
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        for path in paths:
            path.unlink(missing_ok=True)
        raise
    return StoredPackage(
        folder=folder,
        zip_path=zip_path,
        zip_sha256=checksums[0],
        volumes=tuple(paths[1:]),
        total_bytes=sum(content_size(content) for content in files.values()),
    )


def _place_folder(files: Mapping[str, Content], folder: Path) -> None:
    """`files` written into a new folder beside `folder`, then renamed to it."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        for name, content in files.items():
            target = staging / name
            if ".." in Path(name).parts or not target.resolve().is_relative_to(staging.resolve()):
                raise ValueError(f"nama berkas paket tidak aman: {name!r}")
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                target.write_bytes(content)
            else:
                with target.open("wb") as out:
                    copy_checked(content, out)
        for inner in (p for p in staging.rglob("*") if p.is_dir()):
            inner.chmod(0o755)
        staging.chmod(0o755)  # mkdtemp makes it private; a package is for sharing
        if folder.exists():
            shutil.rmtree(folder)
        os.replace(staging, folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def remove_package(stored: StoredPackage) -> None:
    """Undoes `store_package` when the database refused what the package records."""
    shutil.rmtree(stored.folder, ignore_errors=True)
    for path in (stored.zip_path, *stored.volumes):
        path.unlink(missing_ok=True)


def _write_zip_whole(path: Path, files: Mapping[str, Content]) -> str:
    """The reproducible zip of `files` written at `path` whole or not at all; its SHA-256."""
    descriptor, staging = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(descriptor, "w+b") as out:
            write_reproducible_zip(out, files)
            out.seek(0)
            digest = hashlib.sha256()
            while chunk := out.read(_CHUNK):
                digest.update(chunk)
        os.chmod(staging, 0o644)  # mkstemp makes it private
        os.replace(staging, path)
    except BaseException:
        Path(staging).unlink(missing_ok=True)
        raise
    return digest.hexdigest()
