"""Byte-reproducible archives: the same files always give the same zip, so a package's checksum
can be verified years later.

A zip records a date and permissions per entry and the order of its entries; each is fixed here
(1980-01-01, the earliest a zip can hold, 0644, names sorted). Office workbooks are zips too, and
their writers stamp the current time inside: `reproducible_zip_of` rewrites one the same way.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Mapping

FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_FILE_MODE = 0o100644 << 16  # a regular file, rw-r--r--
_COMPRESSION_LEVEL = 6


def sha256_hex(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def reproducible_zip(files: Mapping[str, bytes], *, keep_order: bool = False) -> bytes:
    """A zip of `files` (name inside the zip → content) that depends on nothing but them.

    Names are sorted unless `keep_order` (a workbook's `[Content_Types].xml` must come first).
    """
    names = list(files) if keep_order else sorted(files)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            entry = zipfile.ZipInfo(name, date_time=FIXED_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = _FILE_MODE
            entry.create_system = 3  # Unix, whatever machine builds it
            archive.writestr(entry, files[name], compresslevel=_COMPRESSION_LEVEL)
    return buffer.getvalue()


def reproducible_zip_of(archive_bytes: bytes) -> bytes:
    """`archive_bytes` (any zip, e.g. an .xlsx) rewritten with fixed dates, entry order kept."""
    with zipfile.ZipFile(io.BytesIO(archive_bytes)) as archive:
        files = {info.filename: archive.read(info) for info in archive.infolist()}
    return reproducible_zip(files, keep_order=True)


def manifest_json(
    files: Mapping[str, bytes],
    *,
    about: Mapping[str, object],
    volume_of: Mapping[str, int] | None = None,
) -> bytes:
    """`manifest.json`: what the package is (`about`) and each file's size and sha256; with
    `volume_of` (a package split into volumes), the volume (jilid) each file is in."""
    listed: list[dict[str, object]] = [
        {"path": name, "bytes": len(content), "sha256": sha256_hex(content)}
        for name, content in sorted(files.items())
    ]
    if volume_of is not None:
        for entry in listed:
            entry["jilid"] = volume_of.get(str(entry["path"]), 1)
    document = {**about, "files": listed}
    text = json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True)
    return (text + "\n").encode("utf-8")
