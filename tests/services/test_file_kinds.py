"""Uploaded files are told by their content, never by their name: documents are taken,
programs, markup, macros and the unknown refused."""

from __future__ import annotations

import io
import zipfile

import pytest

from services.file_kinds import FileKind, KindRefused, media_type, sniff, with_extension


def zipped(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return out.getvalue()


OFFICE = {"[Content_Types].xml": b"<Types/>", "_rels/.rels": b"<Relationships/>"}


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (b"%PDF-1.7\n%%EOF", FileKind.PDF),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", FileKind.JPEG),
        (b"\x89PNG\r\n\x1a\n\x00\x00", FileKind.PNG),
        (zipped({**OFFICE, "word/document.xml": b"<w/>"}), FileKind.DOCX),
        (zipped({**OFFICE, "xl/workbook.xml": b"<x/>"}), FileKind.XLSX),
        (zipped({**OFFICE, "ppt/presentation.xml": b"<p/>"}), FileKind.PPTX),
        (zipped({"mimetype": b"application/vnd.oasis.opendocument.text"}), FileKind.ODT),
        (zipped({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"}), FileKind.ODS),
        ("kode;nilai\nA.I.1.i;Ya\nÄ é\n".encode(), FileKind.TEXT),
        ("\ufeffcatatan rapat\r\n".encode(), FileKind.TEXT),
    ],
)
def test_documents_are_told_by_their_content(content: bytes, kind: FileKind) -> None:
    assert sniff(io.BytesIO(content)) is kind


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"MZ\x90\x00\x03", "berkas program"),
        (b"\x7fELF\x02\x01", "berkas program"),
        (b"#!/bin/sh\nrm -rf /\n", "berkas program"),
        (b"<!doctype html><p>hai</p>", "HTML, SVG"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>', "HTML, SVG"),
        (b"catatan\n\n<script>alert(1)</script>", "HTML, SVG"),
        (b"\x00\x01\x02\x03binary", "tidak dikenali"),
        (b"\xff\xfet\x00e\x00", "tidak dikenali"),
        (b"", "kosong"),
        (zipped({"a.txt": b"a"}), "arsip zip biasa"),
        (zipped({**OFFICE, "word/document.xml": b"<w/>", "word/vbaProject.bin": b"x"}), "makro"),
        (zipped({"mimetype": b"application/vnd.oasis.opendocument.graphics"}), "OpenDocument"),
        (b"PK\x03\x04broken", "rusak"),
    ],
)
def test_programs_markup_macros_and_the_unknown_are_refused(content: bytes, words: str) -> None:
    with pytest.raises(KindRefused, match=words):
        sniff(io.BytesIO(content))


def test_a_stored_name_ends_as_its_kind_and_a_download_is_typed_by_it() -> None:
    assert with_extension("laporan.html", FileKind.PDF) == "laporan.html.pdf"
    assert with_extension("Foto.JPG", FileKind.JPEG) == "Foto.JPG"
    assert with_extension("data.csv", FileKind.TEXT) == "data.csv"
    assert media_type(FileKind.PDF) == "application/pdf"
    assert media_type(None) == "application/octet-stream"
