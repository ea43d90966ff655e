"""Names of files and folders made from data (unit and instansi names) that are safe to write
and to unpack anywhere, and still readable.

A unit's name is typed by people: it may hold slashes, "..", control characters, quotes, or a
name that Windows reserves. What comes out is one path segment of letters, digits, '-', '_' and
'.', never empty, never hidden, never a reserved device name, at most `MAX_LENGTH` characters.
"""

from __future__ import annotations

import re
import unicodedata

MAX_LENGTH = 80
_UNSAFE = re.compile(r"[^\w.\-]+", re.ASCII)
_DASHES = re.compile(r"[.\-]*-[.\-]*|\.{2,}")  # runs of dots and dashes, and "..", become one dash
_WINDOWS_RESERVED = frozenset(
    {
        "CON",
        "PRN",
        "AUX",
        "NUL",
        *(f"COM{i}" for i in range(1, 10)),
        *(f"LPT{i}" for i in range(1, 10)),
    }
)


def safe_file_name(text: str, *, fallback: str = "tanpa-nama") -> str:
    """`text` as one safe path segment: accents folded to ASCII, anything else becomes '-'."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    name = _DASHES.sub("-", _UNSAFE.sub("-", folded))
    name = name.strip("-._")[:MAX_LENGTH].rstrip("-._")
    if not name:
        return fallback
    if name.split(".")[0].upper() in _WINDOWS_RESERVED:
        return f"_{name}"
    return name
