"""Unpacking a zip that someone dropped in the inbox, without trusting it.

A zip's names and sizes are written by whoever made it: an entry may be named `../../x` or
`/etc/x`, be a symbolic link, be encrypted, or inflate a few kilobytes into gigabytes (a zip
bomb). Every name is checked before anything is written; while unpacking, the bytes actually
written are counted (the sizes in the headers may lie), per entry against its compressed size
and in total; files are created new, never through a link, and always inside the target folder.
"""

from __future__ import annotations

import os
import stat
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from zi_domain.evidence_files import looks_like_code
from zi_domain.indonesian import ukuran

GIB = 1 << 30
RATIO_FLOOR_BYTES = 1 << 20  # an entry unpacked to less than this is never too compressed
IGNORED_TOP = frozenset({"__MACOSX"})  # the resource forks macOS adds to a zip
MAX_NAME_BYTES = 255  # a file name on the usual file systems
_CHUNK = 1 << 20
_ENCRYPTED = 0x1


class ArchiveRefused(ValueError):
    """A zip that is not unpacked; `problems` lists every one found, with its entry."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


@dataclass(frozen=True)
class ZipLimits:
    """What one archive may hold: entries, bytes unpacked, and how much one entry may inflate
    over its compressed size (above RATIO_FLOOR_BYTES)."""

    max_entries: int = 20_000
    max_bytes: int = 4 * GIB
    max_ratio: float = 100.0


@dataclass(frozen=True)
class Unpacked:
    root: Path  # the folder holding the archive's layout (its one top folder, if it has one)
    files: int
    size_bytes: int


def unpack(archive: Path, into: Path, limits: ZipLimits) -> Unpacked:
    """Unpacks `archive` into the empty folder `into`; ArchiveRefused with every problem
    otherwise (what was written stays in `into`, for the caller to remove)."""
    try:
        with zipfile.ZipFile(archive) as opened:
            entries = _checked_entries(opened.infolist(), limits)
            budget = _Budget(limits.max_bytes)
            for info, target in entries:
                path = into / target
                if not path.resolve().is_relative_to(into.resolve()):
                    raise ArchiveRefused([f"{_shown(info.filename)}: jalur keluar dari folder"])
                _extract(opened, info, path, limits, budget)
    except ArchiveRefused:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, ValueError) as error:
        raise ArchiveRefused([f"arsip zip rusak atau tidak dapat dibuka ({error})"]) from error
    except NotImplementedError as error:
        raise ArchiveRefused(
            [f"metode pemampatan tidak didukung ({error}); buat ulang zip"]
        ) from error
    files = [target for info, target in entries if not info.is_dir()]
    if not files:
        raise ArchiveRefused(["arsip zip tidak berisi berkas"])
    return Unpacked(_layout_root(into, files), len(files), budget.written)


# --- before anything is written ----------------------------------------------------------------


def _checked_entries(
    infos: list[zipfile.ZipInfo], limits: ZipLimits
) -> list[tuple[zipfile.ZipInfo, PurePosixPath]]:
    """Every entry with its safe relative path, or ArchiveRefused with every problem."""
    if len(infos) > limits.max_entries:
        raise ArchiveRefused(
            [f"arsip berisi {len(infos)} entri; paling banyak {limits.max_entries}"]
        )
    declared = sum(info.file_size for info in infos)
    problems = []
    if declared > limits.max_bytes:
        problems.append(
            f"isi arsip {ukuran(declared)} bila dibuka; paling banyak {ukuran(limits.max_bytes)}"
        )
    entries: list[tuple[zipfile.ZipInfo, PurePosixPath]] = []
    seen: dict[str, zipfile.ZipInfo] = {}
    for info in infos:
        target, problem = _safe_path(info)
        if problem is not None:
            problems.append(f"{_shown(info.filename)}: {problem}")
            continue
        if target is None:
            continue  # a folder entry of no name, or macOS's __MACOSX
        # Names that differ only in case would clash when the package is unpacked on Windows.
        key = target.as_posix().casefold()
        other = seen.get(key)
        if other is not None and not (other.is_dir() and info.is_dir()):
            problems.append(
                f"{_shown(info.filename)}: nama ganda (sama dengan {_shown(other.filename)})"
            )
            continue
        seen[key] = info
        entries.append((info, target))
    problems.extend(_file_folder_clashes(entries))
    if problems:
        raise ArchiveRefused(problems)
    return entries


def _safe_path(info: zipfile.ZipInfo) -> tuple[PurePosixPath | None, str | None]:
    """The entry's path made safe (control characters replaced), or why it is refused."""
    name = info.filename.replace("\\", "/")
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return None, "jalur absolut ditolak"
    parts = [part for part in name.split("/") if part not in ("", ".")]
    if ".." in parts:
        return None, "jalur dengan '..' (keluar dari folder) ditolak"
    if info.flag_bits & _ENCRYPTED:
        return None, "entri terenkripsi (berkata sandi) ditolak; buat zip tanpa kata sandi"
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        return None, "tautan simbolik (symlink) ditolak; masukkan berkasnya sendiri"
    if mode and stat.S_IFMT(mode) not in (0, stat.S_IFREG, stat.S_IFDIR):
        return None, "bukan berkas biasa"
    if not parts or parts[0] in IGNORED_TOP:
        return None, None
    safe = [_safe_part(part) for part in parts]
    if any(len(part.encode("utf-8")) > MAX_NAME_BYTES for part in safe):
        return None, f"nama lebih dari {MAX_NAME_BYTES} byte"
    return PurePosixPath(*safe), None


def _safe_part(part: str) -> str:
    """One path segment with control, format (bidi) and NUL characters as '_'."""
    cleaned = "".join("_" if unicodedata.category(c)[0] == "C" else c for c in part)
    return unicodedata.normalize("NFC", cleaned)


def _file_folder_clashes(entries: list[tuple[zipfile.ZipInfo, PurePosixPath]]) -> list[str]:
    """Entries that are a file under one name and a folder under another (`a` and `a/b`)."""
    files = {t.as_posix().casefold(): i.filename for i, t in entries if not i.is_dir()}
    clashes = []
    for info, target in entries:
        for parent in target.parents:
            key = parent.as_posix().casefold()
            if key in files and key != ".":
                clashes.append(
                    f"{_shown(info.filename)}: {files[key]!r} adalah berkas, bukan folder"
                )
                break
    return clashes


def _shown(name: str) -> str:
    return repr(_safe_part(name))[1:-1] if name else "(tanpa nama)"


# --- unpacking -----------------------------------------------------------------------------------


@dataclass
class _Budget:
    """The bytes written so far for the whole archive, against its limit."""

    limit: int
    written: int = 0

    def spend(self, size: int) -> None:
        self.written += size
        if self.written > self.limit:
            raise ArchiveRefused([f"isi arsip lebih dari {ukuran(self.limit)} bila dibuka"])


def _extract(
    opened: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, limits: ZipLimits, budget: _Budget
) -> None:
    """Writes one entry, never through a link nor over a file, counting the bytes actually
    written against its compressed size and the archive's limit."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if info.is_dir():
        target.mkdir(exist_ok=True)
        return
    cap = max(limits.max_ratio * max(info.compress_size, 1), RATIO_FLOOR_BYTES)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    written = 0
    with opened.open(info) as source, os.fdopen(os.open(target, flags, 0o600), "wb") as out:
        while chunk := source.read(_CHUNK):
            written += len(chunk)
            if written > cap:
                raise ArchiveRefused(
                    [
                        f"{_shown(info.filename)}: lebih dari {limits.max_ratio:g} kali ukuran "
                        "mampatnya bila dibuka (bom zip?); arsip tidak dibuka"
                    ]
                )
            budget.spend(len(chunk))
            out.write(chunk)


def _layout_root(into: Path, files: list[PurePosixPath]) -> Path:
    """The folder `zi evidence import` reads: the archive's root, or its one top folder when
    every file is inside that folder and the folder is not itself an LKE code folder."""
    tops = {f.parts[0] for f in files}
    if len(tops) == 1 and all(len(f.parts) > 1 for f in files):
        (top,) = tops
        if not looks_like_code(top):
            return into / top
    return into
