"""What an uploaded file is, told by its content (its first bytes, its zip parts), never by its
name: a portal takes only the documents evidence is made of, and nothing a browser could run.

Taken: PDF, JPEG, PNG, Office Open XML (DOCX, XLSX, PPTX: a zip with `[Content_Types].xml` and
its word/, xl/ or ppt/ parts), OpenDocument (ODT, ODS: a zip whose `mimetype` says so), and plain
UTF-8 text (CSV, TXT). Refused: programs (Windows, Linux, macOS, scripts), HTML and SVG and any
text with markup a browser would run, documents with macros, other zips, and anything unknown.
"""

from __future__ import annotations

import enum
import re
import zipfile
from dataclasses import dataclass
from typing import BinaryIO

HEAD_BYTES = 8192
_CHUNK = 1 << 20
_CONTENT_TYPES = "[Content_Types].xml"
_MIMETYPE_BYTES = 100


class FileKind(enum.Enum):
    PDF = "pdf"
    JPEG = "jpeg"
    PNG = "png"
    DOCX = "docx"
    XLSX = "xlsx"
    PPTX = "pptx"
    ODT = "odt"
    ODS = "ods"
    TEXT = "text"


@dataclass(frozen=True)
class KindInfo:
    media_type: str  # what a download is served as
    extensions: tuple[str, ...]  # a stored name ends with one of these (the first is added)


KINDS: dict[FileKind, KindInfo] = {
    FileKind.PDF: KindInfo("application/pdf", (".pdf",)),
    FileKind.JPEG: KindInfo("image/jpeg", (".jpg", ".jpeg")),
    FileKind.PNG: KindInfo("image/png", (".png",)),
    FileKind.DOCX: KindInfo(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",)
    ),
    FileKind.XLSX: KindInfo(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",)
    ),
    FileKind.PPTX: KindInfo(
        "application/vnd.openxmlformats-officedocument.presentationml.presentation", (".pptx",)
    ),
    FileKind.ODT: KindInfo("application/vnd.oasis.opendocument.text", (".odt",)),
    FileKind.ODS: KindInfo("application/vnd.oasis.opendocument.spreadsheet", (".ods",)),
    FileKind.TEXT: KindInfo("text/plain; charset=utf-8", (".txt", ".csv")),
}
ACCEPTED_WORDS = "PDF, JPEG, PNG, DOCX, XLSX, PPTX, ODT, ODS, CSV atau TXT"

_PROGRAMS = (b"MZ", b"\x7fELF", b"\xfe\xed\xfa", b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe",
             b"\xca\xfe\xba\xbe", b"#!", b"\x00asm")  # fmt: skip
_SIMPLE = ((b"%PDF-", FileKind.PDF), (b"\xff\xd8\xff", FileKind.JPEG),
           (b"\x89PNG\r\n\x1a\n", FileKind.PNG))  # fmt: skip
_ZIP = b"PK\x03\x04"
_MARKUP = re.compile(
    r"<\s*(?:!doctype|html|head|body|script|svg|iframe|object|embed|meta|\?xml)\b", re.IGNORECASE
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_OPEN_DOCUMENT = {
    b"application/vnd.oasis.opendocument.text": FileKind.ODT,
    b"application/vnd.oasis.opendocument.spreadsheet": FileKind.ODS,
}
_OFFICE_PARTS = (("word/", FileKind.DOCX), ("xl/", FileKind.XLSX), ("ppt/", FileKind.PPTX))
_MACRO_PARTS = re.compile(r"(?:^|/)(?:vbaProject\.bin|Basic/|Scripts/)", re.IGNORECASE)


class KindRefused(ValueError):
    """A file the portal does not take; the message says why, in Indonesian."""


def sniff(opened: BinaryIO) -> FileKind:
    """The kind of the file open at its start (left at an unknown position); KindRefused for a
    program, markup, a document with macros, or anything unknown."""
    head = opened.read(HEAD_BYTES)
    if not head:
        raise KindRefused("berkas kosong (0 byte)")
    if head.startswith(_PROGRAMS):
        raise KindRefused("berkas program (executable atau skrip) tidak diterima")
    for signature, kind in _SIMPLE:
        if head.startswith(signature):
            return kind
    if head.startswith(_ZIP):
        opened.seek(0)
        return _zip_kind(opened)
    opened.seek(0)
    return _text_kind(opened)


def media_type(kind: FileKind | None) -> str:
    return KINDS[kind].media_type if kind is not None else "application/octet-stream"


def with_extension(name: str, kind: FileKind) -> str:
    """`name` ending as its kind does ("laporan.html" holding a PDF → "laporan.html.pdf")."""
    extensions = KINDS[kind].extensions
    return name if name.lower().endswith(extensions) else f"{name}{extensions[0]}"


def _zip_kind(opened: BinaryIO) -> FileKind:
    try:
        with zipfile.ZipFile(opened) as archive:
            names = archive.namelist()
            if any(_MACRO_PARTS.search(name) for name in names):
                raise KindRefused("dokumen bermakro (VBA/skrip) tidak diterima")
            if "mimetype" in names:
                return _open_document(archive.open("mimetype").read(_MIMETYPE_BYTES))
            if _CONTENT_TYPES in names:
                return _office_document(names)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as error:
        raise KindRefused(f"arsip zip atau dokumen Office rusak ({error})") from error
    raise KindRefused(
        f"arsip zip biasa tidak diterima; unggah dokumennya satu per satu ({ACCEPTED_WORDS})"
    )


def _open_document(mimetype: bytes) -> FileKind:
    kind = _OPEN_DOCUMENT.get(mimetype.strip())
    if kind is None:
        raise KindRefused("dokumen OpenDocument selain ODT dan ODS tidak diterima")
    return kind


def _office_document(names: list[str]) -> FileKind:
    for prefix, kind in _OFFICE_PARTS:
        if any(name.startswith(prefix) for name in names):
            return kind
    raise KindRefused("dokumen Office tanpa bagian word/, xl/ atau ppt/ tidak dikenali")


def _text_kind(opened: BinaryIO) -> FileKind:
    """Plain UTF-8 text (a BOM allowed) with no control characters and no markup."""
    import codecs

    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    try:
        while chunk := opened.read(_CHUNK):
            _check_text(decoder.decode(chunk))
        _check_text(decoder.decode(b"", final=True))
    except UnicodeDecodeError as error:
        raise KindRefused(
            f"jenis berkas tidak dikenali; yang diterima: {ACCEPTED_WORDS}"
        ) from error
    return FileKind.TEXT


def _check_text(text: str) -> None:
    if _CONTROL.search(text):
        raise KindRefused(f"jenis berkas tidak dikenali; yang diterima: {ACCEPTED_WORDS}")
    if _MARKUP.search(text):
        raise KindRefused("HTML, SVG atau XML tidak diterima (dapat berisi skrip)")
