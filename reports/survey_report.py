"""The one-page survey report of a unit: for each survey of the period (IPAK, IPKP; by the unit,
the TPI or TPN), n, the respondents per service type, each aspect's mean as a bar, the index and
the LKE points it gives, and the method it was computed with. HTML, or PDF (reproducible: the
same data and date give the same bytes). The monitoring page shows the same sections (the
template's macros in `_survei.html.j2`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from reports.pdf import render_pdf
from reports.rendering import environment


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


def survey_report_pdf(report: SurveyReport) -> bytes:
    return render_pdf(survey_report_html(report), dated=report.dated)
