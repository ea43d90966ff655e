"""What data may show people: one definition for the terminal, the e-mails, reports and logs."""

from __future__ import annotations

import pytest

from zi_domain.plain_text import one_line, printable, shortened


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("Dinas\x1b[31m Merah\x1b[0m", "Dinas Merah"),  # a CSI colour sequence, whole
        ("Judul\x1b]0;jendela palsu\x07 unit", "Judul unit"),  # OSC: a window title
        ("Unit\x9b2J bersih", "Unit bersih"),  # the one-byte CSI
        ("gnp\u202e.exe", "gnp.exe"),  # a bidi override
        ("a\u2066b\u2069c", "abc"),  # isolates
        ("nol\x00satu\x07dua\x7ftiga\x85empat", "nolsatuduatigaempat"),  # C0, DEL, C1
        ("baris 1\nbaris 2\tkolom\r\n", "baris 1\nbaris 2\tkolom\r\n"),  # breaks and tabs kept
        ("Badan Pendapatan Daerah", "Badan Pendapatan Daerah"),
    ],
)
def test_printable_drops_what_a_reader_must_not_get(typed: str, shown: str) -> None:
    assert printable(typed) == shown


def test_one_line_folds_white_space_and_breaks() -> None:
    assert one_line("  Dinas\r\nSosial\n\n\tKabupaten  ") == "Dinas Sosial Kabupaten"
    # A line break in a name cannot start a forged log line of its own.
    assert one_line("RSUD\n12:00:00 INFO | Flow run 'x' - Selesai") == (
        "RSUD 12:00:00 INFO | Flow run 'x' - Selesai"
    )
    assert one_line("x\u2028y\x1c\x1dz") == "x y z"  # separators Python counts as space


def test_shortened_is_one_line_within_its_limit() -> None:
    assert shortened("Dinas\nKesehatan", 40) == "Dinas Kesehatan"
    cut = shortened("Rencana kerja pembangunan Zona Integritas 2027", 20)
    assert cut == "Rencana kerja pemba…" and len(cut) == 20
    # A cut that ends on a space does not leave it before the ellipsis.
    assert shortened("Unit kerja A panjang", 12) == "Unit kerja…"
