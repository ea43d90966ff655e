"""The inbox's answers to survey respondent files and evidence archives, in Indonesian.

Like the LKE receipt (`notifications.messages.lke_receipt`): pure, built from what the caller
gives, and keyed by the file's content (with where it was dropped) and no day, so the same file
dropped twice is answered once. One template, `file_receipt`, holds the three answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from notifications.messages import (
    ONCE_PER_FILE,
    RECEIPT_PROBLEMS_SHOWN,
    SUBJECT_NAME_CHARS,
    OutgoingMessage,
    more_than_shown,
    render_message,
)
from zi_domain.indonesian import angka, tanggal, ukuran
from zi_domain.plain_text import shortened

GAPS_SHOWN = 15  # indicators without evidence named in a receipt; the rest are counted
KEY_DIGEST_CHARS = 48


@dataclass(frozen=True)
class ReceivedFile:
    """Which file, for which unit, on which day; `sha256` (of the content and where it was
    dropped) is the receipt's identity."""

    sha256: str
    file_name: str
    instansi: str
    unit_name: str
    received_on: date


@dataclass(frozen=True)
class SurveyReceipt:
    """A respondent file taken in: the index with its source, n, coverage and LKE points."""

    file: ReceivedFile
    kind: str  # "IPAK" or "IPKP"
    source: str  # in words: "survei mandiri unit", "survei TPI"
    respondents: int
    coverage: tuple[tuple[str, int], ...]  # respondents per service type of the unit
    index: float
    ikm: float | None
    lke_item: str  # B.I.a or B.II.a
    points: float
    method: str
    changed: bool  # False: the same respondents were already stored
    total: float | None = None  # the unit's LKE total with it (self-assessment or TPI's)
    version: int | None = None


@dataclass(frozen=True)
class EvidenceReceipt:
    """An evidence archive taken in: its files, what was new, and the unit's coverage."""

    file: ReceivedFile
    files: int
    added: int
    already: int  # files whose content was already stored under the same code
    unlisted: int  # files the archive's manifest.csv does not name (not imported)
    size_bytes: int  # the archive's files, unpacked
    covered: int  # LKE indicators with evidence, after the import
    indicators: int
    gaps: tuple[str, ...]  # "code name" of the indicators without evidence


@dataclass(frozen=True)
class RefusedFile:
    """A survey file or evidence archive refused, with every problem; nothing was stored."""

    file: ReceivedFile
    what: str  # "Survei IPAK", "Bukti dukung"
    key_prefix: str  # "survei" or "bukti": refusals of surveys and archives never share a key
    problems: tuple[str, ...]


def survey_receipt(
    receipt: SurveyReceipt, *, recipient: str, recipient_name: str
) -> OutgoingMessage:
    """The answer to a unit team whose respondent file the inbox stored."""
    kind = "survey.accepted"
    unit = shortened(receipt.file.unit_name, SUBJECT_NAME_CHARS)
    return _receipt(
        receipt.file,
        (recipient, recipient_name),
        kind=kind,
        key_prefix="survei",
        subject=f"[ZI] Survei {receipt.kind} {unit} diterima: indeks {angka(receipt.index)}",
        survey=receipt,
        coverage_rows=[(name, angka(n, 0)) for name, n in receipt.coverage],
        index=angka(receipt.index),
        ikm=None if receipt.ikm is None else angka(receipt.ikm),
        points=angka(receipt.points),
        total=None if receipt.total is None else angka(receipt.total),
    )


def evidence_receipt(
    receipt: EvidenceReceipt, *, recipient: str, recipient_name: str
) -> OutgoingMessage:
    """The answer to a unit team whose evidence archive the inbox stored."""
    kind = "evidence.accepted"
    unit = shortened(receipt.file.unit_name, SUBJECT_NAME_CHARS)
    return _receipt(
        receipt.file,
        (recipient, recipient_name),
        kind=kind,
        key_prefix="bukti",
        subject=f"[ZI] Bukti dukung {unit} diterima: {angka(receipt.files, 0)} berkas",
        evidence=receipt,
        size=ukuran(receipt.size_bytes),
        gap_rows=[(shortened(gap, 200),) for gap in receipt.gaps[:GAPS_SHOWN]],
        more_gaps=more_than_shown(receipt.gaps, GAPS_SHOWN),
    )


def refused_file_receipt(
    refused: RefusedFile, *, recipient: str, recipient_name: str
) -> OutgoingMessage:
    """The answer to a unit team whose survey file or evidence archive the inbox refused."""
    kind = f"{'survey' if refused.key_prefix == 'survei' else 'evidence'}.refused"
    unit = shortened(refused.file.unit_name, SUBJECT_NAME_CHARS)
    count = angka(len(refused.problems), 0)
    return _receipt(
        refused.file,
        (recipient, recipient_name),
        kind=kind,
        key_prefix=refused.key_prefix,
        subject=f"[ZI] {refused.what} {unit} ditolak: {count} masalah",
        refused=refused,
        problem_rows=[(p,) for p in refused.problems[:RECEIPT_PROBLEMS_SHOWN]],
        more_problems=more_than_shown(refused.problems, RECEIPT_PROBLEMS_SHOWN),
    )


def _receipt(
    file: ReceivedFile,
    to: tuple[str, str],
    *,
    kind: str,
    key_prefix: str,
    subject: str,
    **context: Any,
) -> OutgoingMessage:
    """One of the three answers: the same page, keyed by content and kind, never by day."""
    answers: dict[str, Any] = {"survey": None, "evidence": None, "refused": None}
    return render_message(
        "file_receipt",
        to=to,
        kind=kind,
        key=(f"{key_prefix}:{file.sha256[:KEY_DIGEST_CHARS]}", kind, ONCE_PER_FILE),
        subject=subject,
        file=file,
        instansi=file.instansi,
        received_on=tanggal(file.received_on, with_weekday=True),
        **(answers | context),
    )
