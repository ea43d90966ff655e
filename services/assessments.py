"""Recording LKE answers: all of them or none, only answers the framework accepts, and every
imported state kept as a version of the assessment.

An import of a file is one transaction: the answers of every unit in it are read and checked
first, then each unit whose answers differ from its latest version gets its answers replaced and
a new version; a unit whose answers are unchanged gets nothing (re-importing a file is a no-op).

B.I.a and B.II.a are the indices of the unit's surveys when it has them (Lampiran III: IPAK and
IPKP come from the survey): in an assessment of a period with a stored survey of its source (the
unit's own survey for the self-assessment, the TPI's for the TPI's), the survey's index is the
answer, whatever the file says; a file that says otherwise gets a note naming the survey.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import pandas as pd

from persistence.tables import (
    AnswerCreate,
    AssessmentCreate,
    AssessmentKind,
    AssessmentPeriod,
    AssessmentPeriodCreate,
    AssessmentVersionCreate,
    SurveyKind,
    SurveyResult,
    SurveySource,
)
from persistence.unit_of_work import UnitOfWork
from zi_domain.answers import COUNT_SEPARATOR, AnswerError, AnswerSheet, read_answers
from zi_domain.framework import Framework
from zi_domain.indonesian import angka, tanggal
from zi_domain.scoring import score_units
from zi_domain.surveys import LKE_ITEM, answer_text

SURVEY_SOURCE_OF: Mapping[AssessmentKind, SurveySource] = {
    AssessmentKind.SELF: SurveySource.MANDIRI,
    AssessmentKind.TPI: SurveySource.TPI,
}
"""Whose survey answers B.I.a / B.II.a of each kind of assessment (TPN's never goes into one)."""


class AnswersRejected(ValueError):
    """Answers that cannot be recorded; nothing was written."""

    def __init__(self, source: str, errors: list[AnswerError]) -> None:
        self.errors = errors
        listed = "\n".join(f"  {source}: {error}" for error in errors)
        super().__init__(f"{len(errors)} jawaban tidak dapat dibaca:\n{listed}")


def record_answers(
    uow: UnitOfWork,
    *,
    unit_id: int,
    period_id: int,
    kind: AssessmentKind,
    framework: Framework,
    rows: pd.DataFrame,
    reviewer: str | None = None,
    source: str = "jawaban",
) -> AnswerSheet:
    """Replaces the unit's answers of the period (`rows`: code, answer, row) and commits.

    Every answer is checked first; a single bad row refuses the whole set, so the stored
    assessment is always one that scores.
    """
    sheet = read_answers(rows.assign(unit=unit_id), framework)
    if sheet.errors:
        raise AnswersRejected(source, sheet.errors)
    scope = AssessmentImport(period_id, kind, framework, source=source, actor=reviewer or "")
    _replace(
        uow, _assessment_id(uow, unit_id, scope), rows, sheet.values.iloc[0].to_dict(), reviewer
    )
    uow.commit()
    return sheet


@dataclass(frozen=True)
class ImportedAssessment:
    """One unit's outcome of an import: its new version, or `created=False` when unchanged."""

    unit_id: int
    version: int
    created: bool
    total: float
    previous_total: float | None
    meets: dict[str, bool]
    missing: int
    survey_notes: tuple[str, ...] = ()  # answers of the file the unit's surveys replaced


@dataclass(frozen=True)
class AssessmentImport:
    """An import's scope: which period and kind of assessment, from which file, by whom."""

    period_id: int
    kind: AssessmentKind
    framework: Framework
    source: str
    actor: str


def import_assessments(
    uow: UnitOfWork, *, context: AssessmentImport, answers: pd.DataFrame
) -> list[ImportedAssessment]:
    """Stores the answers (columns unit = unit id, code, answer, row) of every unit in them as
    new versions, in one transaction; any bad answer refuses the whole file (AnswersRejected)."""
    imported = store_assessments(uow, context=context, answers=answers)
    uow.commit()
    return imported


def store_assessments(
    uow: UnitOfWork, *, context: AssessmentImport, answers: pd.DataFrame
) -> list[ImportedAssessment]:
    """`import_assessments` without the commit, for a caller that writes more in the same
    transaction (a workbook also closes work items)."""
    answers, notes = _with_surveys(uow, context, answers)
    sheet = read_answers(answers, context.framework)
    if sheet.errors:
        raise AnswersRejected(context.source, sheet.errors)
    scores = score_units(sheet.values, context.framework)
    values, points = sheet.values.to_dict("index"), scores.to_dict("index")
    imported = [
        _import_unit(uow, context, unit, group, values[unit], points[unit])
        for unit, group in _by_unit(answers)
    ]
    return [replace(i, survey_notes=notes.get(i.unit_id, ())) for i in imported]


def _with_surveys(
    uow: UnitOfWork, context: AssessmentImport, answers: pd.DataFrame
) -> tuple[pd.DataFrame, dict[int, tuple[str, ...]]]:
    """The answers with each unit's survey indices in B.I.a / B.II.a, and per unit a note for
    every answer of the file that said otherwise."""
    source = SURVEY_SOURCE_OF.get(context.kind)
    if source is None or answers.empty:
        return answers, {}
    units = {int(str(u)) for u in answers["unit"].unique()}
    surveys = _latest_surveys(uow, context.period_id, source, units)
    if not surveys:
        return answers, {}
    codes = answers["code"].astype(str).str.strip()
    replaced = {f"{unit_id} {LKE_ITEM[kind.value]}" for unit_id, kind in surveys}
    kept = answers[~(answers["unit"].astype(str) + " " + codes).isin(replaced)]
    notes: dict[int, list[str]] = {}
    added = []
    for (unit_id, kind), survey in sorted(surveys.items()):
        code, answer = LKE_ITEM[kind.value], answer_text(survey.index)
        given = answers[(answers["unit"] == unit_id) & (codes == code)]["answer"]
        written = [str(a).strip() for a in given if str(a).strip()]
        if written and _canonical(written[-1]) != _canonical(answer):
            notes.setdefault(unit_id, []).append(_survey_note(code, written[-1], kind, survey))
        added.append({"unit": unit_id, "code": code, "answer": answer, "row": 0})
    filled = pd.concat([kept, pd.DataFrame(added)], ignore_index=True)
    return filled, {unit: tuple(lines) for unit, lines in notes.items()}


def _latest_surveys(
    uow: UnitOfWork, period_id: int, source: SurveySource, units: set[int]
) -> dict[tuple[int, SurveyKind], SurveyResult]:
    """Each unit's newest survey of each kind by `source` in the period (one SELECT)."""
    only = next(iter(units)) if len(units) == 1 else None
    newest: dict[tuple[int, SurveyKind], SurveyResult] = {}
    for fielded in uow.surveys.period_surveys(period_id=period_id, unit_id=only):
        survey = fielded.survey
        if survey.source == source and survey.unit_id in units:
            newest[(survey.unit_id, SurveyKind(survey.kind))] = survey  # oldest first: the last
    return newest


def _survey_note(code: str, written: str, kind: SurveyKind, survey: SurveyResult) -> str:
    return (
        f"{code}: nilai di berkas ({written}) tidak dipakai; {code} diisi indeks survei "
        f"{kind.value.upper()} #{survey.id} ({angka(survey.index)}, n={survey.respondents})"
    )


def _by_unit(answers: pd.DataFrame) -> list[tuple[int, pd.DataFrame]]:
    return [(int(str(unit)), rows) for unit, rows in answers.groupby("unit", sort=False)]


def _import_unit(
    uow: UnitOfWork,
    context: AssessmentImport,
    unit_id: int,
    rows: pd.DataFrame,
    values: Mapping[Any, float],
    scores: Mapping[Any, Any],
) -> ImportedAssessment:
    given = _given(rows)
    digest = _digest(given)
    assessment_id = _assessment_id(uow, unit_id, context)
    latest = uow.assessments.latest_version(assessment_id=assessment_id)
    outcome = ImportedAssessment(
        unit_id=unit_id,
        version=latest.version if latest else 0,
        created=False,
        total=float(scores["total"]),
        previous_total=latest.total if latest else None,
        meets={p.name: bool(scores[f"meets_{p.name}"]) for p in context.framework.predicates},
        missing=sum(1 for v in values.values() if math.isnan(v)),
    )
    if latest is not None and latest.sha256 == digest:
        return outcome
    _replace(uow, assessment_id, rows, values, None)
    version = uow.assessments.add_version(
        version=AssessmentVersionCreate(
            assessment_id=assessment_id,
            version=outcome.version + 1,
            sha256=digest,
            answers=given,
            total=outcome.total,
            source=context.source[-500:],
            actor=context.actor,
        )
    )
    return ImportedAssessment(**{**vars(outcome), "version": version.version, "created": True})


def _given(rows: pd.DataFrame) -> dict[str, str]:
    """The answers as given, the identity of a version (the same file gives the same digest)."""
    codes, answers = rows["code"].astype(str).str.strip(), rows["answer"].astype(str).str.strip()
    return dict(sorted(zip(codes, answers, strict=True)))


def _digest(given: dict[str, str]) -> str:
    """The same answers written another way ("3,85" or 3.85, "ya" or "Ya", "87,5%") give the
    same digest: a workbook returned untouched is not a new version."""
    canonical = {code: _canonical(answer) for code, answer in given.items()}
    return hashlib.sha256(json.dumps(canonical, sort_keys=True).encode()).hexdigest()


def _canonical(answer: str) -> str:
    text = answer.strip()
    number = text.rstrip("%").strip().replace(",", ".")
    try:
        value = float(number)
    except ValueError:
        return text.upper()
    return f"{value:.12g}{'%' if text.endswith('%') else ''}"


def _assessment_id(uow: UnitOfWork, unit_id: int, context: AssessmentImport) -> int:
    found = uow.assessments.get_assessment(
        unit_id=unit_id, period_id=context.period_id, kind=context.kind
    )
    if found is None:
        found = uow.assessments.add_assessment(
            assessment=AssessmentCreate(
                unit_id=unit_id,
                period_id=context.period_id,
                kind=context.kind,
                framework=context.framework.name,
            )
        )
    assert found.id is not None
    return found.id


def _replace(
    uow: UnitOfWork,
    assessment_id: int,
    rows: pd.DataFrame,
    values: Mapping[Any, float],
    reviewer: str | None,
) -> None:
    """The assessment's stored answers become `rows` (not committed)."""
    answers = [
        AnswerCreate(
            code=code,
            answer=answer,
            value=None if COUNT_SEPARATOR in code else float(values[code]),
            reviewer=reviewer,
        )
        for code, answer in zip(rows["code"].str.strip(), rows["answer"].str.strip(), strict=True)
    ]
    uow.assessments.replace_answers(assessment_id=assessment_id, answers=answers)


def stored_answers(
    uow: UnitOfWork, *, unit_id: int, period_id: int, kind: AssessmentKind
) -> Mapping[str, str]:
    """The unit's latest answers as given (to prefill its LKE workbook)."""
    found = uow.assessments.get_assessment(unit_id=unit_id, period_id=period_id, kind=kind)
    if found is None or found.id is None:
        return {}
    return {a.code: a.answer for a in uow.assessments.answers(assessment_id=found.id)}


class PeriodRefused(ValueError):
    """An assessment period that cannot be opened; the message says why (Indonesian)."""


@dataclass(frozen=True)
class OpenedPeriod:
    period: AssessmentPeriod
    created: bool


def open_period(
    uow: UnitOfWork, *, instansi_id: int, year: int, name: str, starts_on: date, ends_on: date
) -> OpenedPeriod:
    """Opens the period (not committed); the same name and dates again changes nothing.

    Periods of an instansi do not overlap: monitoring scores every period a day falls in, and
    two at once would score a unit twice.
    """
    if ends_on < starts_on:
        raise PeriodRefused(f"periode {name!r}: tanggal selesai sebelum tanggal mulai")
    for known in uow.assessments.periods(instansi_id=instansi_id):
        if (known.year, known.name) == (year, name):
            if (known.starts_on, known.ends_on) == (starts_on, ends_on):
                return OpenedPeriod(known, created=False)
            raise PeriodRefused(
                f"periode {name!r} {year} sudah ada ({tanggal(known.starts_on)} s.d. "
                f"{tanggal(known.ends_on)}) dengan tanggal lain"
            )
        if known.starts_on <= ends_on and starts_on <= known.ends_on:
            raise PeriodRefused(
                f"periode {name!r} bertumpang tindih dengan {known.name!r} "
                f"({tanggal(known.starts_on)} s.d. {tanggal(known.ends_on)})"
            )
    period = uow.assessments.add_period(
        period=AssessmentPeriodCreate(
            instansi_id=instansi_id, year=year, name=name, starts_on=starts_on, ends_on=ends_on
        )
    )
    return OpenedPeriod(period, created=True)


def period_on(uow: UnitOfWork, *, instansi_id: int, day: date) -> AssessmentPeriod | None:
    """The instansi's assessment period that `day` falls in, or else the latest that started."""
    periods = uow.assessments.periods(instansi_id=instansi_id)
    current = [p for p in periods if p.starts_on <= day <= p.ends_on]
    started = [p for p in periods if p.starts_on <= day]
    chosen = current or started
    return chosen[-1] if chosen else None
