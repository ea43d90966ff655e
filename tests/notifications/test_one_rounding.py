"""Every number a person reads in an e-mail goes through the one LKE rounding: two decimals,
half-up, decimal comma, in the subject, the plain-text part and the HTML part alike.

The numbers are made up and end in 5 at the third decimal with a binary float just below that
half (76.005 is stored as 76.00499999…), so plain formatting (f"{x:.2f}") shows the lower
neighbour while the LKE rounds up. The expected strings are worked by hand.
"""

from __future__ import annotations

import re
from datetime import date

import pytest

from notifications.messages import (
    FixFirst,
    LkeReceipt,
    NearPredicate,
    OutgoingMessage,
    ScoreLine,
    StageCount,
    TpiSummary,
    UnitDigest,
    UnitSummaryRow,
    lke_receipt,
    tpi_summary,
    unit_digest,
)

AS_OF = date(2027, 5, 24)
RECIPIENT = "ani.lestari@pemkab-contoh.go.id"

# (raw value, as the LKE shows it, as plain formatting would show it): worked by hand.
TOTAL = (76.005, "76,01", "76,00")
FIX_A = (2.675, "2,68", "2,67")
FIX_B = (1.005, "1,01", "1,00")
FIX_C = (0.285, "0,29", "0,28")
OTHER_TOTAL = (96.455, "96,46", "96,45")
NEAR_TOTAL = (71.285, "71,29", "71,28")
NUMBERS = (TOTAL, FIX_A, FIX_B, FIX_C, OTHER_TOTAL, NEAR_TOTAL)


@pytest.mark.parametrize("number", NUMBERS)
def test_the_numbers_would_catch_plain_formatting(number: tuple[float, str, str]) -> None:
    raw, lke_shown, plain = number
    assert f"{raw:.2f}".replace(".", ",") == plain != lke_shown


def shows(text: str, number: str) -> bool:
    """Whether `number` (e.g. "2,68") is written in `text` as a number of its own."""
    return re.search(rf"(?<![\d.,]){re.escape(number)}(?![\d])", text) is not None


def assert_rounded_half_up(
    message: OutgoingMessage, numbers: tuple[tuple[float, str, str], ...]
) -> None:
    for part in (message.text, message.html):
        for raw, lke_shown, plain in numbers:
            assert shows(part, lke_shown), (raw, lke_shown)
            assert not shows(part, plain), (raw, plain)


FIXES = (
    FixFirst("A.I.1.i.b", "Penyusunan tim kerja", FIX_A[0]),
    FixFirst("A.II.3.iii.a", "Penurunan pelanggaran disiplin", FIX_B[0]),
    FixFirst("A.I.3.i.b", "Analisis beban kerja", FIX_C[0]),
)


def test_the_unit_digest_rounds_half_up() -> None:
    digest = UnitDigest(
        instansi="Pemerintah Kabupaten Contoh",
        unit_id=3,
        unit_name="Dinas Kependudukan",
        as_of=AS_OF,
        open_items=(),
        score=ScoreLine(as_of=AS_OF, total=TOTAL[0], meets_wbk=True, meets_wbbm=False),
        fix_first=FIXES,
    )
    message = unit_digest(digest, recipient=RECIPIENT, recipient_name="Ani Lestari")
    assert_rounded_half_up(message, (TOTAL, FIX_A, FIX_B, FIX_C))
    assert "Total 76,01 (penilaian TPI, 24 Mei 2027)" in message.text
    fix = "1. A.I.1.i.b: Penyusunan tim kerja\n   menuju batas: — · poin total: +2,68"
    assert fix in message.text


def test_the_tpi_summary_rounds_half_up() -> None:
    def row(name: str, total: float | None) -> UnitSummaryRow:
        return UnitSummaryRow(name, "Pembangunan", total, True, False, 0)

    summary = TpiSummary(
        instansi_id=1,
        instansi="Pemerintah Kabupaten Contoh",
        as_of=AS_OF,
        stages=(StageCount("Pembangunan", 3),),
        units=(row("Dinas A", TOTAL[0]), row("Dinas B", OTHER_TOTAL[0]), row("Dinas C", None)),
        overdue=(),
        near=(NearPredicate("Dinas D", "WBK", NEAR_TOTAL[0], ("pengungkit kurang 1,20",)),),
        failed=(),
    )
    message = tpi_summary(summary, recipient=RECIPIENT, recipient_name="Tim TPI")
    assert_rounded_half_up(message, (TOTAL, OTHER_TOTAL, NEAR_TOTAL))
    assert "- Dinas B · Pembangunan · 96,46 · memenuhi · belum · 0" in message.text
    assert "- Dinas D · WBK · 71,29 · pengungkit kurang 1,20" in message.text


def test_the_lke_receipt_rounds_half_up_and_its_change_is_of_the_shown_totals() -> None:
    # Total 76,005 shows 76,01; the previous 75,004 shows 75,00; the change a reader works out
    # from the two is 76,01 − 75,00 = 1,01 (the raw difference 1,001 would show 1,00).
    receipt = LkeReceipt(
        sha256="ab" * 32,
        file_name="lke-dinas.xlsx",
        instansi="Pemerintah Kabupaten Contoh",
        unit_name="Dinas Kependudukan",
        received_on=AS_OF,
        accepted=True,
        version=2,
        total=TOTAL[0],
        previous_total=75.004,
        meets=(("WBK", True), ("WBBM", False)),
        fix_first=FIXES,
    )
    message = lke_receipt(receipt, recipient=RECIPIENT, recipient_name="Ani Lestari")
    assert message.subject == "[ZI] LKE Dinas Kependudukan diterima: total 76,01"
    assert_rounded_half_up(message, (TOTAL, FIX_A, FIX_B, FIX_C))
    assert "Total 76,01 (+1,01 dibanding versi sebelumnya)" in message.text
    assert "(+1,00 dibanding" not in message.text and "(+1,00 dibanding" not in message.html


def test_an_lke_receipt_with_the_same_shown_total_says_no_change() -> None:
    # 75,004 and 74,996 both show 75,00: the change is +0,00 (the raw −0,008 would read −0,01).
    receipt = LkeReceipt(
        sha256="cd" * 32,
        file_name="lke-dinas.xlsx",
        instansi="Pemerintah Kabupaten Contoh",
        unit_name="Dinas Kependudukan",
        received_on=AS_OF,
        accepted=True,
        version=3,
        total=74.996,
        previous_total=75.004,
    )
    message = lke_receipt(receipt, recipient=RECIPIENT, recipient_name="Ani Lestari")
    assert "Total 75,00 (+0,00 dibanding versi sebelumnya)" in message.text
