"""The evidence that a proposal may present: documents dated in the two years before the
assessment year (PermenPANRB 90/2021 Lampiran II), indexed per LKE indicator.

An indicator with no document in that window is a gap: TPN's desk evaluation finds it first.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from zi_domain.framework import Framework

EVIDENCE_YEARS = 2
_INDICATOR_PARTS = 4  # "A.I.1.i.a": its first four parts ("A.I.1.i") name its indicator


def evidence_years(year: int) -> range:
    """The years whose documents count as evidence for an assessment in `year`."""
    return range(year - EVIDENCE_YEARS, year)


def in_window(document_year: int, year: int) -> bool:
    return document_year in evidence_years(year)


def indicator_of(code: str) -> str:
    """The indicator code of a question code (an indicator code is its own indicator)."""
    return ".".join(code.split(".")[:_INDICATOR_PARTS])


@dataclass(frozen=True)
class EvidenceDocument:
    code: str  # the LKE question (or indicator) it supports
    title: str
    year: int
    sha256: str
    location: str


@dataclass(frozen=True)
class IndicatorEvidence:
    code: str
    name: str
    area_number: int
    documents: tuple[EvidenceDocument, ...]  # in the window only, ordered by code, year, title

    @property
    def gap(self) -> bool:
        return not self.documents


@dataclass(frozen=True)
class EvidenceIndex:
    year: int  # the assessment year
    indicators: tuple[IndicatorEvidence, ...]  # in LKE order
    left_out: tuple[EvidenceDocument, ...]  # dated outside the window, or of no LKE indicator

    @property
    def gaps(self) -> tuple[IndicatorEvidence, ...]:
        return tuple(i for i in self.indicators if i.gap)

    @property
    def document_count(self) -> int:
        return sum(len(i.documents) for i in self.indicators)


def evidence_index(
    framework: Framework, documents: Iterable[EvidenceDocument], *, year: int
) -> EvidenceIndex:
    """Every indicator of the LKE with the unit's documents in the window, gaps included."""
    known = {i.code for i in framework.indicators}
    by_indicator: dict[str, list[EvidenceDocument]] = {code: [] for code in known}
    left_out: list[EvidenceDocument] = []
    for document in documents:
        indicator = indicator_of(document.code)
        if indicator in known and in_window(document.year, year):
            by_indicator[indicator].append(document)
        else:
            left_out.append(document)
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
        left_out=tuple(sorted(left_out, key=_document_order)),
    )


def _document_order(document: EvidenceDocument) -> tuple[str, int, str, str]:
    return (document.code, document.year, document.title, document.sha256)
