"""The evidence (data dukung) that a proposal presents, indexed per LKE indicator.

PermenPANRB 90/2021 sets no date window for data dukung (Lampiran II: TPN's desk evaluation
checks that the building of ZI "telah dilengkapi dengan data dukung yang sesuai"; 5/2024 adds
none): every document of an LKE indicator counts, whatever its year. An operator may set a policy
age (`evidence_max_age_years`, off by default); a document older than that many years before the
assessment year is then flagged as old, and still listed and counted, never left out.

An indicator with no document is a gap: TPN's desk evaluation finds it first. A document of no
LKE indicator is listed apart.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from zi_domain.framework import Framework

_INDICATOR_PARTS = 4  # "A.I.1.i.a": its first four parts ("A.I.1.i") name its indicator


def indicator_of(code: str) -> str:
    """The indicator code of a question code (an indicator code is its own indicator)."""
    return ".".join(code.split(".")[:_INDICATOR_PARTS])


def check_max_age(max_age_years: int | None) -> None:
    if max_age_years is not None and max_age_years < 0:
        raise ValueError(f"evidence_max_age_years must be ≥ 0 or unset: {max_age_years}")


def oldest_recent_year(year: int, max_age_years: int | None) -> int | None:
    """The earliest document year not flagged as old for an assessment in `year`; None when no
    policy age is set (nothing is old)."""
    check_max_age(max_age_years)
    return None if max_age_years is None else year - max_age_years


def is_old(document_year: int, year: int, max_age_years: int | None) -> bool:
    """Dated more than `max_age_years` years before the assessment `year` (a policy flag, not a
    rule of the regulation); never with no policy age."""
    oldest = oldest_recent_year(year, max_age_years)
    return oldest is not None and document_year < oldest


@dataclass(frozen=True)
class EvidenceDocument:
    code: str  # the LKE question (or indicator) it supports
    title: str
    year: int
    sha256: str
    location: str
    size_bytes: int | None = None  # the file's size, when the file itself was imported
    original_name: str | None = None  # its name as it was imported ("SK Tim ZI 2024-01-05.pdf")
    stored_path: str | None = None  # its place in the evidence store; None: only indexed
    document_date: date | None = None  # the date on the document, when it was imported
    number: int | None = None  # its number as `zi evidence list` shows it (to remove it)


@dataclass(frozen=True)
class IndicatorEvidence:
    code: str
    name: str
    area_number: int
    documents: tuple[
        EvidenceDocument, ...
    ]  # all of them, whatever their year; by code, year, title

    @property
    def gap(self) -> bool:
        return not self.documents

    @property
    def size_bytes(self) -> int:
        """The size of the indicator's imported files (a document only indexed counts 0)."""
        return sum(d.size_bytes or 0 for d in self.documents)


@dataclass(frozen=True)
class EvidenceIndex:
    year: int  # the assessment year
    indicators: tuple[IndicatorEvidence, ...]  # in LKE order
    without_indicator: tuple[EvidenceDocument, ...]  # documents of no LKE indicator
    max_age_years: int | None = None  # the policy age that flags old documents; None: no flag
    hasil: tuple[IndicatorEvidence, ...] = ()  # the hasil items (B.I.b...) that have documents

    @property
    def documents(self) -> tuple[EvidenceDocument, ...]:
        """Every document of the index: the indicators', the hasil items', then the others."""
        return (
            *(d for i in self.indicators for d in i.documents),
            *(d for i in self.hasil for d in i.documents),
            *self.without_indicator,
        )

    def is_old(self, document: EvidenceDocument) -> bool:
        """Flagged as old by the policy age (listed and counted all the same)."""
        return is_old(document.year, self.year, self.max_age_years)

    @property
    def gaps(self) -> tuple[IndicatorEvidence, ...]:
        return tuple(i for i in self.indicators if i.gap)

    @property
    def flagged(self) -> tuple[EvidenceDocument, ...]:
        """The documents of LKE indicators and hasil items flagged as old, in LKE order."""
        listed = (*self.indicators, *self.hasil)
        return tuple(d for i in listed for d in i.documents if self.is_old(d))

    @property
    def document_count(self) -> int:
        return sum(len(i.documents) for i in self.indicators)


def evidence_index(
    framework: Framework,
    documents: Iterable[EvidenceDocument],
    *,
    year: int,
    max_age_years: int | None = None,
) -> EvidenceIndex:
    """Every indicator of the LKE with all the unit's documents, gaps included; with
    `max_age_years`, the documents older than that before `year` are flagged (`is_old`)."""
    check_max_age(max_age_years)
    known = {i.code for i in framework.indicators}
    by_indicator: dict[str, list[EvidenceDocument]] = {code: [] for code in known}
    by_hasil: dict[str, list[EvidenceDocument]] = {i.code: [] for i in framework.hasil_items}
    without_indicator: list[EvidenceDocument] = []
    for document in documents:
        indicator = indicator_of(document.code)
        # PermenPANRB 90/2021 sets no date window for data dukung (Lampiran II): no document
        # is left out for its year.
        if indicator in known:
            by_indicator[indicator].append(document)
        elif document.code in by_hasil:
            by_hasil[document.code].append(document)
        else:
            without_indicator.append(document)
    return EvidenceIndex(
        year=year,
        indicators=tuple(
            IndicatorEvidence(
                code=i.code,
                name=i.name,
                area_number=i.area_number,
                documents=tuple(sorted(by_indicator[i.code], key=_document_order)),
            )
            for i in framework.indicators
        ),
        without_indicator=tuple(sorted(without_indicator, key=_document_order)),
        max_age_years=max_age_years,
        hasil=tuple(
            IndicatorEvidence(
                code=i.code,
                name=i.text,
                area_number=0,
                documents=tuple(sorted(by_hasil[i.code], key=_document_order)),
            )
            for i in framework.hasil_items
            if by_hasil[i.code]
        ),
    )


def _document_order(document: EvidenceDocument) -> tuple[str, int, str, str]:
    return (document.code, document.year, document.title, document.sha256)
