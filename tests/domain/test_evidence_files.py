"""Evidence files in the domain: dates read from names, codes from folders, safe names in a
package, and the evidence spread over volumes (hand-counted sizes)."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import PurePosixPath

import pytest

from zi_domain.evidence import EvidenceDocument
from zi_domain.evidence_files import (
    code_of_path,
    date_in_name,
    package_name,
    parse_document_date,
    split_volumes,
    with_package_paths,
    zip_cost,
)


@pytest.mark.parametrize(
    ("name", "found"),
    [
        ("SK Tim ZI 2026-01-05.pdf", date(2026, 1, 5)),
        ("2025-12-31_notulen.pdf", date(2025, 12, 31)),
        ("nomor 12026-01-05.pdf", None),  # part of a longer number
        ("rapat 2026-02-30 dan 2026-03-01.pdf", date(2026, 3, 1)),  # the first real date
        ("arsip 1999-01-01.pdf", None),  # before 2000: not a date anybody means
        ("tanpa tanggal.pdf", None),
    ],
)
def test_a_date_in_a_file_name(name: str, found: date | None) -> None:
    assert date_in_name(name) == found


def test_a_manifest_date_is_yyyy_mm_dd() -> None:
    assert parse_document_date(" 2026-01-05 ") == date(2026, 1, 5)
    for bad in ("05/01/2026", "2026-13-01", "2101-01-01", ""):
        with pytest.raises(ValueError, match="bukan tanggal YYYY-MM-DD"):
            parse_document_date(bad)


def test_the_code_is_the_deepest_code_folder() -> None:
    assert code_of_path(PurePosixPath("A.I.1.i/rapat/notulen.pdf")) == "A.I.1.i"
    assert code_of_path(PurePosixPath("A.I.1.i/A.I.1.i.b/notulen.pdf")) == "A.I.1.i.b"
    assert code_of_path(PurePosixPath("arsip/notulen.pdf")) is None
    assert code_of_path(PurePosixPath("A.I.1.i.pdf")) is None  # a file, not a folder


def test_package_names_are_safe_and_keep_their_extension() -> None:
    assert package_name("Notulen rapat (final).PDF") == "Notulen-rapat-final.PDF"
    assert package_name("../../etc/passwd") == "passwd"
    assert package_name("CON.pdf") == "_CON.pdf"
    assert package_name("..pdf") == "dokumen.pdf"


def document(code: str, name: str, content: bytes) -> EvidenceDocument:
    sha = hashlib.sha256(content).hexdigest()
    return EvidenceDocument(code, name, 2026, sha, name, 1, name, sha)


def test_each_file_has_one_place_and_names_never_clash_even_by_case() -> None:
    placed = with_package_paths(
        [
            document("A.I.1.i.a", "SK.pdf", b"1"),
            document("A.I.1.i.b", "SK.pdf", b"1"),  # the same file under another question
            document("A.I.1.i.b", "sk.pdf", b"2"),  # another file: "sk.pdf" is "SK.pdf" on Windows
            document("A.I.2.i", "SK.pdf", b"3"),  # another indicator's folder
            EvidenceDocument("A.I.3.i", "Hanya indeks", 2026, "0" * 64, "arsip"),
        ]
    )
    sha2 = hashlib.sha256(b"2").hexdigest()[:8]
    assert [d.location for d in placed] == [
        "bukti/A.I.1.i/SK.pdf",
        "bukti/A.I.1.i/SK.pdf",
        f"bukti/A.I.1.i/sk-{sha2}.pdf",
        "bukti/A.I.2.i/SK.pdf",
        "arsip",  # no file: only indexed, its location as recorded
    ]


def test_volumes_are_filled_in_order_up_to_the_limit() -> None:
    # zip_cost("a", 1000) = 1000 + 1 + 128 + 2 = 1131 bytes at most.
    assert zip_cost("a", 1000) == 1131
    files = [(name, 1000) for name in "abcde"]
    # 3,000 in the first volume leaves 1,500: room for one file (1,131), not two.
    assert split_volumes(3000, files, 4500) == [["a"], ["b", "c", "d"], ["e"]]
    assert split_volumes(3000, files, None) == [list("abcde")]
    # A file larger than the limit alone in its volume; documents over it alone in the first.
    assert split_volumes(0, [("a", 10), ("b", 9000), ("c", 10)], 4500) == [["a"], ["b"], ["c"]]
    assert split_volumes(9000, [("a", 10)], 4500) == [[], ["a"]]
