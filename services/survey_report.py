"""The unit's one-page survey report: its latest survey of each kind and source in a period."""

from __future__ import annotations

from datetime import date

from config.survey_methods import installed_methods, load_survey_method
from persistence.tables import AssessmentPeriod, SurveyKind, SurveySource, UnitKerja
from persistence.unit_of_work import UnitOfWork
from reports.survey_report import SurveyReport, SurveySection, bars
from services.lookup import NotFoundInData, find_unit
from services.surveys import SurveyRefused, survey_period
from zi_domain.framework import Framework
from zi_domain.surveys import LKE_ITEM, SurveyMethod, survey_points

SOURCE_TITLES = {
    SurveySource.MANDIRI: "survei mandiri unit",
    SurveySource.TPI: "survei TPI",
    SurveySource.TPN: "survei TPN",
}
KIND_TITLES = {
    SurveyKind.IPAK: "Survei Persepsi Anti Korupsi (IPAK)",
    SurveyKind.IPKP: "Survei Persepsi Kualitas Pelayanan (IPKP)",
}


def unit_survey_report(
    uow: UnitOfWork,
    *,
    unit_code: str,
    instansi: str | None,
    period_name: str | None,
    as_of: date,
    framework: Framework,
) -> SurveyReport:
    """The latest survey of each kind by each source in the period, dated `as_of`."""
    try:
        unit = find_unit(uow, unit_code, instansi)
    except NotFoundInData as error:
        raise SurveyRefused("--unit", [str(error)]) from error
    period = survey_period(uow, unit, period_name, as_of)
    return period_survey_report(uow, unit=unit, period=period, as_of=as_of, framework=framework)


def period_survey_report(
    uow: UnitOfWork,
    *,
    unit: UnitKerja,
    period: AssessmentPeriod,
    as_of: date,
    framework: Framework,
) -> SurveyReport:
    """The unit's latest survey of each kind by each source in `period`, dated `as_of` (no
    section when it has none)."""
    owner = uow.instansi.get_instansi(instansi_id=unit.instansi_id)
    assert unit.id is not None and period.id is not None and owner is not None
    weights = {item.code: item.weight for item in framework.hasil_items}
    sections = []
    for kind in SurveyKind:
        for source in SurveySource:
            found = uow.surveys.latest_survey(
                unit_id=unit.id, period_id=period.id, kind=kind, source=source
            )
            if found is None:
                continue
            method = _method(found.method)
            names = {a.key: a.name for a in method.instrument(kind.value).aspects} if method else {}
            sections.append(
                SurveySection(
                    title=method.instrument(kind.value).title if method else KIND_TITLES[kind],
                    source=SOURCE_TITLES[source],
                    method=found.method or "tidak dicatat",
                    imported_on=found.imported_at.date(),
                    respondents=found.respondents,
                    minimum=method.min_respondents if method else 30,
                    justification=found.justification,
                    index=found.index,
                    ikm=found.ikm,
                    lke_item=LKE_ITEM[kind.value],
                    points=survey_points(found.index, weight=weights[LKE_ITEM[kind.value]]),
                    coverage=tuple(found.coverage.items()),
                    aspects=bars(
                        {str(k): float(v) for k, v in found.aspect_means.items()},
                        names,
                        method.scale_max if method else 4,
                    ),
                )
            )
    return SurveyReport(
        instansi=owner.name,
        unit_code=unit.code,
        unit_name=unit.name,
        period=period.name,
        year=period.year,
        dated=as_of,
        sections=tuple(sections),
    )


def _method(label: str) -> SurveyMethod | None:
    """The installed method a stored label ('ipak-ipkp-2024 versi 2024.1') names, when it is
    still installed at that version."""
    name = label.split(" versi ")[0]
    if name not in installed_methods():
        return None
    method = load_survey_method(name)
    return method if method.label == label else None
