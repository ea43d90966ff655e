"""The unit's one-page survey report (its latest survey of each kind and source in a period),
and where its LKE's IPAK and IPKP come from; both read the surveys of the period in one query.

Every date they show comes from the data (the respondents' last service day, the period, or the
date the caller's document is dated by), never from the clock, so the same data give the same
report on any day."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date

import pandas as pd

from config.survey_methods import installed_methods, load_survey_method
from persistence.repositories import FieldedSurvey
from persistence.tables import AssessmentPeriod, SurveyKind, SurveySource, UnitKerja
from persistence.unit_of_work import UnitOfWork
from reports.survey_report import SurveyReport, SurveySection, bars
from services.lookup import NotFoundInData, find_unit
from services.surveys import SurveyRefused, survey_period
from zi_domain.framework import Framework
from zi_domain.surveys import (
    LKE_ITEM,
    SOURCE_WORDS,
    IndexInLke,
    StoredSurvey,
    SurveyMethod,
    index_in_lke,
    survey_points,
)

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
    """The latest survey of each kind by each source in the period (`as_of` picks it when it is
    not named), dated by its data."""
    try:
        unit = find_unit(uow, unit_code, instansi)
    except NotFoundInData as error:
        raise SurveyRefused("--unit", [str(error)]) from error
    period = survey_period(uow, unit, period_name, as_of)
    return period_survey_report(uow, unit=unit, period=period, framework=framework)


def period_survey_report(
    uow: UnitOfWork,
    *,
    unit: UnitKerja,
    period: AssessmentPeriod,
    framework: Framework,
    dated: date | None = None,
) -> SurveyReport:
    """The unit's latest survey of each kind by each source in `period` (no section when it has
    none), dated `dated` (a package's proposal date) or else by its data: the last day a
    respondent was served, or the period's end without one."""
    owner = uow.instansi.get_instansi(instansi_id=unit.instansi_id)
    assert unit.id is not None and period.id is not None and owner is not None
    sections = survey_sections(
        uow.surveys.period_surveys(period_id=period.id, unit_id=unit.id), framework
    )
    served = [s.last_served for s in sections if s.last_served is not None]
    return SurveyReport(
        instansi=owner.name,
        unit_code=unit.code,
        unit_name=unit.name,
        period=period.name,
        year=period.year,
        dated=dated or max(served, default=period.ends_on),
        sections=sections,
    )


def period_surveys_by_unit(uow: UnitOfWork, *, period_id: int) -> dict[int, list[FieldedSurvey]]:
    """Every unit's surveys of the period, oldest first, from one query."""
    found: dict[int, list[FieldedSurvey]] = {}
    for fielded in uow.surveys.period_surveys(period_id=period_id):
        found.setdefault(fielded.survey.unit_id, []).append(fielded)
    return found


def survey_sections(
    surveys: Iterable[FieldedSurvey],
    framework: Framework,
    methods: Callable[[str], SurveyMethod | None] | None = None,
) -> tuple[SurveySection, ...]:
    """One section per kind and source (IPAK before IPKP; the unit's own, the TPI's, TPN's):
    the newest of `surveys` (one unit's, oldest first). `methods` reads a stored method label,
    shared by the callers that build many units' sections."""
    method_of = methods or method_reader()
    latest = {(f.survey.kind, f.survey.source): f for f in surveys}
    weights = {item.code: item.weight for item in framework.hasil_items}
    return tuple(
        _section(latest[kind, source], method_of, weights[LKE_ITEM[kind.value]])
        for kind in SurveyKind
        for source in SurveySource
        if (kind, source) in latest
    )


def _section(
    fielded: FieldedSurvey, method_of: Callable[[str], SurveyMethod | None], weight: float
) -> SurveySection:
    found = fielded.survey
    kind = SurveyKind(found.kind)
    method = method_of(found.method)
    instrument = method.instrument(kind.value) if method else None
    names = {a.key: a.name for a in instrument.aspects} if instrument else {}
    return SurveySection(
        title=instrument.title if instrument else KIND_TITLES[kind],
        source=SOURCE_WORDS[SurveySource(found.source).value],
        method=found.method or "tidak dicatat",
        last_served=fielded.last_served,
        respondents=found.respondents,
        minimum=method.min_respondents if method else 30,
        justification=found.justification,
        index=found.index,
        ikm=found.ikm,
        lke_item=LKE_ITEM[kind.value],
        points=survey_points(found.index, weight=weight),
        coverage=tuple(found.coverage.items()),
        aspects=bars(
            {str(k): float(v) for k, v in found.aspect_means.items()},
            names,
            method.scale_max if method else 4,
        ),
    )


def method_reader() -> Callable[[str], SurveyMethod | None]:
    """The installed method a stored label ('ipak-ipkp-2024 versi 2024.1') names, when it is
    still installed at that version; each label read once per reader."""
    read: dict[str, SurveyMethod | None] = {}

    def method(label: str) -> SurveyMethod | None:
        if label not in read:
            name = label.split(" versi ")[0]
            loaded = load_survey_method(name) if name in installed_methods() else None
            read[label] = loaded if loaded is not None and loaded.label == label else None
        return read[label]

    return method


def stored_surveys(surveys: Iterable[FieldedSurvey]) -> tuple[StoredSurvey, ...]:
    """The surveys as `index_in_lke` weighs them, in the same order."""
    return tuple(
        StoredSurvey(
            kind=SurveyKind(f.survey.kind).value,
            source=SurveySource(f.survey.source).value,
            index=f.survey.index,
            respondents=f.survey.respondents,
            last_served=f.last_served,
        )
        for f in surveys
    )


def indices_in_lke(
    values: Mapping[str, float | None], surveys: Sequence[StoredSurvey], framework: Framework
) -> tuple[IndexInLke, ...]:
    """IPAK and IPKP of one unit's TPI answers (`values`: LKE code -> value 0..1, as scored),
    each with the survey it comes from, or said to be typed in the LKE."""
    items = {item.code: item for item in framework.hasil_items}
    return tuple(
        index_in_lke(
            kind.value,
            values.get(LKE_ITEM[kind.value]),
            weight=items[LKE_ITEM[kind.value]].weight,
            index_max=items[LKE_ITEM[kind.value]].answer_type.maximum,
            surveys=surveys,
        )
        for kind in SurveyKind
        if LKE_ITEM[kind.value] in items
    )


def indices_by_unit(
    values: pd.DataFrame,
    surveys: Mapping[int, Sequence[FieldedSurvey]],
    framework: Framework,
) -> dict[int, tuple[IndexInLke, ...]]:
    """`indices_in_lke` of every unit of a scored period (`values`: a row of LKE values per unit
    id) with its surveys (`period_surveys_by_unit`): a few column reads, no query."""
    codes = list(LKE_ITEM.values())
    rows = values.reindex(columns=codes).to_numpy(dtype=float).tolist()
    return {
        int(unit): indices_in_lke(
            dict(zip(codes, row, strict=True)),
            stored_surveys(surveys.get(int(unit), ())),
            framework,
        )
        for unit, row in zip(values.index, rows, strict=True)
    }
