"""Packages on disk: one folder of files and one zip beside it, each appearing whole or not at
all (written under a temporary name in the same directory, then renamed into place)."""

from __future__ import annotations

import glob
import os
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from reports.archive import reproducible_zip, sha256_hex


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
    files: Mapping[str, bytes],
    *,
    folder: Path,
    zip_path: Path,
    top: str,
    volumes: Sequence[Sequence[str]] = (),
) -> StoredPackage:
    """Writes `files` into `folder` (a name with '/' in a subfolder) and, under the directory
    `top`, into `zip_path`; the files of each of `volumes` go instead into a zip of their own
    beside it (`volume_path`), under the same `top`, so that unpacking every volume gives the
    whole folder. An older package at the same place (left by a build that did not commit) is
    replaced, its extra volumes removed."""
    apart = {name for names in volumes for name in names}
    first = {name: content for name, content in files.items() if name not in apart}
    archives = [first, *({name: files[name] for name in names} for names in volumes)]
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        for name, content in files.items():
            target = staging / name
            if ".." in Path(name).parts or not target.resolve().is_relative_to(staging.resolve()):
                raise ValueError(f"nama berkas paket tidak aman: {name!r}")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        for inner in (p for p in staging.rglob("*") if p.is_dir()):
            inner.chmod(0o755)
        staging.chmod(0o755)  # mkdtemp makes it private; a package is for sharing
        if folder.exists():
            shutil.rmtree(folder)
        os.replace(staging, folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    paths = [zip_path, *(volume_path(zip_path, n) for n in range(2, len(archives) + 1))]
    for stale in zip_path.parent.glob(f"{glob.escape(zip_path.stem)}-jilid-*{zip_path.suffix}"):
        if stale not in paths:
            stale.unlink()
    checksums = []
    for path, contents in zip(paths, archives, strict=True):  # one volume in memory at a time
        archive = reproducible_zip({f"{top}/{name}": content for name, content in contents.items()})
        _write_whole(path, archive)
        checksums.append(sha256_hex(archive))
    return StoredPackage(
        folder=folder,
        zip_path=zip_path,
        zip_sha256=checksums[0],
        volumes=tuple(paths[1:]),
        total_bytes=sum(len(content) for content in files.values()),
    )


def remove_package(stored: StoredPackage) -> None:
    """Undoes `store_package` when the database refused what the package records."""
    shutil.rmtree(stored.folder, ignore_errors=True)
    for path in (stored.zip_path, *stored.volumes):
        path.unlink(missing_ok=True)


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
