"""Byte-reproducible archives: the same files always give the same zip, so a package's checksum
can be verified years later.

A zip records a date and permissions per entry and the order of its entries; each is fixed here
(1980-01-01, the earliest a zip can hold, 0644, names sorted). Office workbooks are zips too, and
their writers stamp the current time inside: `reproducible_zip_of` rewrites one the same way.

Entries are deflated, except a file whose first 64 KiB do not shrink by 5 % at the fastest
level (a scan, a photo, a zip): deflating it again gains nothing and costs most of the
time of writing a package's evidence. The choice depends on the content only, so it is the same
at every build.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO

FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_FILE_MODE = 0o100644 << 16  # a regular file, rw-r--r--
_COMPRESSION_LEVEL = 6
_CHUNK = 1 << 20
_SAMPLE = 1 << 16
_WORTH_DEFLATING = 0.95  # the sample's deflated size over its size, below which it is deflated


def sha256_hex(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


@dataclass(frozen=True)
class FileOnDisk:
    """A file's content left on disk until it is written (an evidence file may be large): its
    path, and the size and SHA-256 it must have."""

    path: Path
    size: int
    sha256: str


Content = bytes | FileOnDisk
"""What a package file holds: bytes made in memory, or a file on disk."""


class ContentChanged(ValueError):
    """A file on disk that no longer has the size or SHA-256 recorded for it."""


def content_size(content: Content) -> int:
    return len(content) if isinstance(content, bytes) else content.size


def content_sha256(content: Content) -> str:
    return sha256_hex(content) if isinstance(content, bytes) else content.sha256


def copy_checked(content: FileOnDisk, out: IO[bytes]) -> None:
    """Copies the file into `out` in chunks; ContentChanged when it is not what was recorded."""
    digest = hashlib.sha256()
    size = 0
    with content.path.open("rb") as source:
        while chunk := source.read(_CHUNK):
            digest.update(chunk)
            out.write(chunk)
            size += len(chunk)
    if size != content.size or digest.hexdigest() != content.sha256:
        raise ContentChanged(f"{content.path}: isinya berubah (ukuran atau SHA-256 tidak cocok)")


def reproducible_zip(files: Mapping[str, bytes], *, keep_order: bool = False) -> bytes:
    """A zip of `files` (name inside the zip → content) that depends on nothing but them.

    Names are sorted unless `keep_order` (a workbook's `[Content_Types].xml` must come first).
    """
    buffer = io.BytesIO()
    write_reproducible_zip(buffer, files, keep_order=keep_order)
    return buffer.getvalue()


def write_reproducible_zip(
    out: IO[bytes], files: Mapping[str, Content], *, keep_order: bool = False
) -> None:
    """`reproducible_zip` written to `out` (seekable), a file on disk streamed in chunks rather
    than read whole: the same entries as `writestr` would make of its bytes."""
    names = list(files) if keep_order else sorted(files)
    with zipfile.ZipFile(out, "w") as archive:
        for name in names:
            entry = zipfile.ZipInfo(name, date_time=FIXED_ZIP_TIME)
            entry.external_attr = _FILE_MODE
            entry.create_system = 3  # Unix, whatever machine builds it
            content = files[name]
            entry.compress_type = _compress_type(content)
            if isinstance(content, bytes):
                archive.writestr(entry, content, compresslevel=_COMPRESSION_LEVEL)
                continue
            # What writestr sets before it writes: the size (it decides ZIP64) and the level.
            entry.file_size = content.size
            setattr(entry, "_compresslevel", _COMPRESSION_LEVEL)  # noqa: B010 (private)
            with archive.open(entry, "w") as dest:
                copy_checked(content, dest)


def _compress_type(content: Content) -> int:
    if isinstance(content, bytes):
        sample = content[:_SAMPLE]
    else:
        with content.path.open("rb") as opened:
            sample = opened.read(_SAMPLE)
    shrinks = len(zlib.compress(sample, 1)) < _WORTH_DEFLATING * len(sample)
    return zipfile.ZIP_DEFLATED if shrinks else zipfile.ZIP_STORED


def reproducible_zip_of(archive_bytes: bytes) -> bytes:
    """`archive_bytes` (any zip, e.g. an .xlsx) rewritten with fixed dates, entry order kept."""
    with zipfile.ZipFile(io.BytesIO(archive_bytes)) as archive:
        files = {info.filename: archive.read(info) for info in archive.infolist()}
    return reproducible_zip(files, keep_order=True)


def manifest_json(
    files: Mapping[str, Content],
    *,
    about: Mapping[str, object],
    volume_of: Mapping[str, int] | None = None,
) -> bytes:
    """`manifest.json`: what the package is (`about`) and each file's size and sha256; with
    `volume_of` (a package split into volumes), the volume (jilid) each file is in."""
    listed: list[dict[str, object]] = [
        {"path": name, "bytes": content_size(content), "sha256": content_sha256(content)}
        for name, content in sorted(files.items())
    ]
    if volume_of is not None:
        for entry in listed:
            entry["jilid"] = volume_of.get(str(entry["path"]), 1)
    document = {**about, "files": listed}
    text = json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True)
    return (text + "\n").encode("utf-8")
