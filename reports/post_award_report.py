"""The TPI's report on an awarded unit, as the letter of Gambar 10 (PermenPANRB 90/2021,
Lampiran II Bab III A): due at least every two years after the award, it tells the Minister
whether the unit still meets the criteria of its predicate, on the TPI's latest scores and its
monitoring notes (complaints of maladministration among them).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from reports.pdf import Document, render_pdf
from reports.proposal_documents import Signatory, signature_lines
from zi_domain.indonesian import angka, tanggal
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


def post_award_document(report: PostAwardReport) -> Document:
    """The letter as its template reads it: the TPI's three notes worded, numbers as shown."""
    if report.total is None:
        scores = "TPI belum mengevaluasi unit kerja ini dengan LKE pada periode pelaporan;"
    else:
        scored_on = tanggal(report.scored_on) if report.scored_on else ""
        scores = (
            f"capaian nilai evaluasi TPI per {scored_on}: nilai total {angka(report.total)}, "
            f"komponen pengungkit {angka(report.pengungkit or 0.0)} dan komponen hasil "
            f"{angka(report.hasil or 0.0)}, "
            f"{'memenuhi' if report.still_meets else 'belum memenuhi'} batas nilai "
            f"{report.predicate};"
        )
    if report.complaints:
        listed = "; ".join(f"{tanggal(c.received_on)}, {c.summary}" for c in report.complaints)
        complaints = (
            f"terdapat {len(report.complaints)} pengaduan maladministrasi yang diterima dan "
            f"ditangani TPI: {listed};"
        )
    else:
        complaints = "tidak terdapat pengaduan maladministrasi pada periode pelaporan;"
    return Document(
        "laporan_pasca_penetapan.typ",
        {
            "title": f"Laporan Monitoring dan Evaluasi {report.unit_name} {report.year}",
            "instansi": report.instansi,
            "unit_name": report.unit_name,
            "year": str(report.year),
            "dated": tanggal(report.dated),
            "predicate_title": report.predicate_title,
            "verdict": "masih memenuhi" if report.still_meets else "tidak memenuhi",
            "notes": [["1.", scores], ["2.", complaints], ["3.", report.notes]],
            "head": {
                "title": report.head_title,
                "below": signature_lines(report.head.name or "(nama)", report.head),
            },
        },
        dated=report.dated,
    )


def post_award_report_pdf(report: PostAwardReport) -> bytes:
    return render_pdf(post_award_document(report))
