"""The TPI's report on an awarded unit, as the letter of Gambar 10 (PermenPANRB 90/2021,
Lampiran II Bab III A): due at least every two years after the award, it tells the Minister
whether the unit still meets the criteria of its predicate, on the TPI's latest scores and its
monitoring notes (complaints of maladministration among them).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from reports.pdf import render_pdf
from reports.proposal_documents import Signatory
from reports.rendering import environment
from zi_domain.predicates import TITLES, Predicate


@dataclass(frozen=True)
class Complaint:
    received_on: date
    summary: str


@dataclass(frozen=True)
class PostAwardReport:
    instansi: str
    unit_name: str
    predicate: Predicate  # the predicate the unit holds
    year: int  # the year of the monitoring and evaluation
    dated: date
    total: float | None  # the TPI's latest total; None: the TPI has not scored the unit
    pengungkit: float | None
    hasil: float | None
    scored_on: date | None
    still_meets: bool  # the latest TPI score meets the floors of the predicate held
    complaints: tuple[Complaint, ...]
    notes: str  # the TPI's own conclusion, as typed
    head: Signatory
    head_title: str

    @property
    def predicate_title(self) -> str:
        return TITLES[self.predicate]


def post_award_report_html(report: PostAwardReport) -> str:
    return (
        environment()
        .get_template("laporan_pasca_penetapan.html.j2")
        .render(report=report, head=report.head)
    )


def post_award_report_pdf(report: PostAwardReport) -> bytes:
    return render_pdf(post_award_report_html(report), dated=report.dated)
