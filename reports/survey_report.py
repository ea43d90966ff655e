"""The one-page survey report of a unit: for each survey of the period (IPAK, IPKP; by the unit,
the TPI or TPN), n, the respondents per service type, each aspect's mean as a bar, the index and
the LKE points it gives, and the method it was computed with. HTML (Jinja2, `survei.html.j2`),
or PDF (Typst, `survei.typ`; reproducible: the same data and date give the same bytes). The
monitoring page shows the same sections (`_survei.html.j2`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from reports.pdf import Document, render_pdf
from reports.rendering import environment
from zi_domain.indonesian import angka, tanggal


@dataclass(frozen=True)
class AspectBar:
    name: str
    mean: float
    percent: float  # the bar's length: the mean as a share of the scale's top


@dataclass(frozen=True)
class SurveySection:
    title: str  # "Survei Persepsi Kualitas Pelayanan (IPKP), unsur SKM"
    source: str  # who ran it, in words
    method: str
    last_served: date | None  # its respondents' last service day (None: none stored)
    respondents: int
    minimum: int
    justification: str | None
    index: float
    ikm: float | None
    lke_item: str
    points: float
    coverage: tuple[tuple[str, int], ...]
    aspects: tuple[AspectBar, ...]


@dataclass(frozen=True)
class SurveyReport:
    instansi: str
    unit_code: str
    unit_name: str
    period: str
    year: int
    dated: date
    sections: tuple[SurveySection, ...]


def bars(means: dict[str, float], names: dict[str, str], scale_max: int) -> tuple[AspectBar, ...]:
    return tuple(
        AspectBar(names.get(key, key), mean, round(100 * mean / scale_max, 1))
        for key, mean in means.items()
    )


def survey_report_html(report: SurveyReport) -> str:
    return environment().get_template("survei.html.j2").render(r=report)


def survey_report_document(report: SurveyReport) -> Document:
    """The report as the PDF's template reads it: the HTML's sections, numbers as shown."""
    return Document(
        "survei.typ",
        {
            "title": f"Laporan Survei {report.unit_name} {report.year}",
            "footer": f"Laporan survei IPAK/IPKP {report.unit_code} · {report.period}",
            "subtitle": (
                f"{report.unit_name} ({report.unit_code}) · {report.instansi} · periode "
                f"{report.period} · {tanggal(report.dated)}"
            ),
            "sections": [
                {
                    "heading": f"{s.title} — {s.source}",
                    "tiles": [
                        [
                            angka(s.index),
                            "indeks (0–4)" + ("" if s.ikm is None else f"\nIKM {angka(s.ikm)}"),
                            None,
                        ],
                        [
                            angka(s.points),
                            f"nilai {s.lke_item} ({angka(s.index)} / 4 × 17,50)",
                            None,
                        ],
                        [str(s.respondents), f"responden (minimal {s.minimum})", None],
                    ],
                    "justification": s.justification or None,
                    "coverage": [[name, count] for name, count in s.coverage],
                    "aspects": [[a.name, a.percent, angka(a.mean)] for a in s.aspects],
                    "note": (
                        f"Sumber: {s.source}, n={s.respondents}"
                        + (
                            f", responden terakhir dilayani {tanggal(s.last_served)}"
                            if s.last_served
                            else ""
                        )
                        + f". Metode {s.method}; rata-rata per aspek pada skala jawaban."
                    ),
                }
                for s in report.sections
            ],
        },
        dated=report.dated,
    )


def survey_report_pdf(report: SurveyReport) -> bytes:
    return render_pdf(survey_report_document(report))
