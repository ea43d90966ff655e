"""IPAK and IPKP from their respondents: a respondent file in, the index stored with its source,
n and coverage, and the index recorded as the unit's LKE answer (B.I.a / B.II.a), in one
transaction. A file with any problem writes nothing and comes back with every problem.

Who ran the survey decides what the index feeds:
- `mandiri` (the unit's own self-survey): the unit's self-assessment of the period;
- `tpi`: the TPI's assessment of the period, the one that counts for proposals;
- `tpn` (TPN through BPS or a third party, for a unit whose proposal is with TPN): TPN's result
  replaces the TPI's for TPN's outcome (Lampiran II Bab II), so it goes to the proposal's TPN
  scores (the points, the index, and the total of the TPI's LKE with TPN's survey in place of the
  TPI's), never into the TPI's own assessment.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from persistence.tables import (
    AssessmentKind,
    AssessmentPeriod,
    Proposal,
    SurveyKind,
    SurveyRespondentCreate,
    SurveyResult,
    SurveyResultCreate,
    SurveySource,
    UnitKerja,
)
from persistence.unit_of_work import UnitOfWork
from services.assessments import (
    SURVEY_SOURCE_OF,
    AnswersRejected,
    AssessmentImport,
    ImportedAssessment,
    period_on,
    store_assessments,
    stored_answers,
)
from services.lookup import NotFoundInData, find_unit
from spreadsheets.survey_form import read_respondent_file
from zi_domain.framework import Framework
from zi_domain.proposal import TPN_STAGES, ProposalState
from zi_domain.surveys import (
    LKE_ITEM,
    Respondent,
    SurveyContext,
    SurveyIndex,
    SurveyMethod,
    SurveyProblem,
    answer_text,
    compute_index,
    read_respondents,
    respondents_digest,
    sample_problems,
    survey_points,
)
from zi_domain.unit_score import UnitScore, score_answers

SOURCES: Mapping[str, SurveySource] = {s.value: s for s in SurveySource}
ASSESSMENT_OF: Mapping[SurveySource, AssessmentKind] = {
    source: kind for kind, source in SURVEY_SOURCE_OF.items()
}
WITH_TPN = frozenset({ProposalState.SUBMITTED, *TPN_STAGES})
"""A proposal TPN holds: a TPN survey is run for a unit past its pre-evaluation."""


class SurveyRefused(ValueError):
    """A survey that cannot be stored; `problems` lists every one with its place."""

    def __init__(self, source: str, problems: list[SurveyProblem] | list[str]) -> None:
        self.source = source
        self.problems = [str(p) for p in problems]
        listed = "\n".join(f"  {source}: {p}" for p in self.problems)
        super().__init__(f"{len(self.problems)} masalah, tidak ada yang disimpan:\n{listed}")


@dataclass(frozen=True)
class SurveyRequest:
    """What an import is: which survey of which unit, by whom, for which period (by name, or
    the one that `as_of` falls in), with which method and LKE framework."""

    kind: SurveyKind
    source: SurveySource
    unit_code: str
    method: SurveyMethod
    framework: Framework
    as_of: date
    actor: str
    instansi: str | None = None
    period_name: str | None = None
    justification: str | None = None
    mapping: Path | None = None


@dataclass(frozen=True)
class ImportedSurvey:
    """The stored survey (or the one already stored when the respondents are the same), its
    points, and the unit's score with it: the LKE version it made (mandiri, tpi) or the TPN
    proposal it went to (tpn)."""

    unit: UnitKerja
    period: AssessmentPeriod
    survey: SurveyResult
    result: SurveyIndex
    points: float
    created: bool
    lke_item: str
    score: UnitScore
    assessment: ImportedAssessment | None = None
    proposal: Proposal | None = None


def import_survey(uow: UnitOfWork, *, path: Path, request: SurveyRequest) -> ImportedSurvey:
    """Reads, checks, computes and stores one respondent file, and commits; SurveyRefused
    (nothing written) with every problem otherwise."""
    instrument = request.method.instrument(request.kind.value)
    try:
        unit = find_unit(uow, request.unit_code, request.instansi)
    except NotFoundInData as error:
        raise SurveyRefused("--unit", [str(error)]) from error
    period = survey_period(uow, unit, request.period_name, request.as_of)
    read = read_respondent_file(path, instrument=instrument, mapping=request.mapping)
    if read.problems:
        raise SurveyRefused(read.source, read.problems)
    context = SurveyContext(
        unit_code=unit.code,
        service_types=tuple(unit.service_types),
        starts_on=period.starts_on,
        ends_on=period.ends_on,
    )
    respondents, problems = read_respondents(
        read.rows, method=request.method, instrument=instrument, context=context
    )
    problems += sample_problems(
        respondents, method=request.method, context=context, justification=request.justification
    )
    proposal = _tpn_proposal(uow, unit, period) if request.source == SurveySource.TPN else None
    if request.source == SurveySource.TPN and proposal is None:
        problems.append(
            SurveyProblem(
                f"survei TPN hanya untuk unit yang usulannya sedang di TPN; {unit.code} tidak "
                f"mempunyai usulan tahun {period.year} yang telah dikirim ke TPN"
            )
        )
    if problems:
        raise SurveyRefused(read.source, problems)
    result = compute_index(
        respondents,
        method=request.method,
        instrument=instrument,
        service_types=context.service_types,
    )
    weight = next(
        i.weight for i in request.framework.hasil_items if i.code == LKE_ITEM[result.kind]
    )
    points = survey_points(result.index, weight=weight, index_max=request.method.index_max)
    digest = respondents_digest(respondents)
    assert unit.id is not None and period.id is not None
    latest = uow.surveys.latest_survey(
        unit_id=unit.id, period_id=period.id, kind=request.kind, source=request.source
    )
    unchanged = (
        latest is not None
        and latest.sha256 == digest
        and latest.method == result.method
        and (latest.justification or None) == (request.justification or None)
    )
    survey = latest if unchanged and latest is not None else None
    created = survey is None
    if survey is None:
        survey = _store(uow, unit, period, request, path, result, digest, respondents)
    answers = _lke_answers(uow, unit, period, request.source, result)
    assessment = None
    if request.source in ASSESSMENT_OF:
        assessment = _record_in_lke(uow, unit, period, request, answers, survey, result)
        survey.assessment_version = assessment.version
    score = score_answers(answers, request.framework).report
    if proposal is not None:
        _record_for_tpn(proposal, result, points, score)
    uow.commit()
    return ImportedSurvey(
        unit=unit,
        period=period,
        survey=survey,
        result=result,
        points=points,
        created=created,
        lke_item=LKE_ITEM[result.kind],
        score=score,
        assessment=assessment,
        proposal=proposal,
    )


def survey_period(
    uow: UnitOfWork, unit: UnitKerja, name: str | None, as_of: date
) -> AssessmentPeriod:
    """The named period of the unit's instansi, or the one `as_of` falls in."""
    periods = uow.assessments.periods(instansi_id=unit.instansi_id)
    if name is None:
        found = period_on(uow, instansi_id=unit.instansi_id, day=as_of)
        if found is None:
            raise SurveyRefused(
                "--period", ["belum ada periode penilaian; buka dengan `zi period open`"]
            )
        return found
    named = [p for p in periods if p.name == name]
    if named:
        return named[-1]
    known = ", ".join(repr(p.name) for p in periods) or "belum ada"
    raise SurveyRefused("--period", [f"periode {name!r} tidak ada ({known})"])


def _tpn_proposal(uow: UnitOfWork, unit: UnitKerja, period: AssessmentPeriod) -> Proposal | None:
    """The unit's proposal of the period's year that TPN holds, the newest revision."""
    held = [
        proposal
        for proposal, of in uow.proposals.proposals_of(
            instansi_id=unit.instansi_id, year=period.year
        )
        if of.id == unit.id and ProposalState(proposal.state) in WITH_TPN
    ]
    return max(held, key=lambda p: (p.predicate == "WBBM", p.revision), default=None)


def _store(
    uow: UnitOfWork,
    unit: UnitKerja,
    period: AssessmentPeriod,
    request: SurveyRequest,
    path: Path,
    result: SurveyIndex,
    digest: str,
    respondents: list[Respondent],
) -> SurveyResult:
    assert unit.id is not None and period.id is not None
    survey = uow.surveys.add_survey(
        result=SurveyResultCreate(
            unit_id=unit.id,
            year=period.year,
            kind=request.kind,
            index=result.index,
            respondents=result.respondents,
            period_id=period.id,
            source=request.source,
            method=result.method,
            coverage=dict(result.coverage),
            aspect_means=dict(result.aspect_means),
            ikm=result.ikm,
            justification=(request.justification or "").strip() or None,
            sha256=digest,
            source_file=path.name[-500:],
            actor=request.actor,
        )
    )
    assert survey.id is not None
    uow.surveys.add_respondents(
        respondents=[
            SurveyRespondentCreate(
                survey_id=survey.id,
                row=r.row,
                respondent=r.respondent,
                service_type=r.service_type,
                served_on=r.served_on,
                answers=dict(r.answers),
            )
            for r in respondents
        ]
    )
    return survey


def _lke_answers(
    uow: UnitOfWork,
    unit: UnitKerja,
    period: AssessmentPeriod,
    source: SurveySource,
    result: SurveyIndex,
) -> dict[str, str]:
    """The LKE answers the index goes into (the self-assessment's for mandiri, the TPI's
    otherwise: TPN's survey replaces the TPI's in TPN's view), with the index in its item."""
    assert unit.id is not None and period.id is not None
    kind = ASSESSMENT_OF.get(source, AssessmentKind.TPI)
    given = dict(stored_answers(uow, unit_id=unit.id, period_id=period.id, kind=kind))
    if source == SurveySource.TPN:  # TPN's earlier survey of the other index counts too
        for other in SurveyKind:
            found = uow.surveys.latest_survey(
                unit_id=unit.id, period_id=period.id, kind=other, source=source
            )
            if other.value != result.kind and found is not None:
                given[LKE_ITEM[other.value]] = answer_text(found.index)
    return given | {LKE_ITEM[result.kind]: answer_text(result.index)}


def _record_in_lke(
    uow: UnitOfWork,
    unit: UnitKerja,
    period: AssessmentPeriod,
    request: SurveyRequest,
    answers: Mapping[str, str],
    survey: SurveyResult,
    result: SurveyIndex,
) -> ImportedAssessment:
    """A new version of the assessment whose source names the survey (unchanged when the
    index is already the answer)."""
    assert unit.id is not None and period.id is not None
    label = (
        f"survei {result.kind.upper()} {request.source.value} #{survey.id} "
        f"({result.method}, n={result.respondents}): {survey.source_file}"
    )
    context = AssessmentImport(
        period.id, ASSESSMENT_OF[request.source], request.framework, label, request.actor
    )
    try:
        (imported,) = store_assessments(uow, context=context, answers=_rows(answers, unit.id))
    except AnswersRejected as refusal:  # stored answers the framework no longer accepts
        raise SurveyRefused(label, [str(e) for e in refusal.errors]) from refusal
    return imported


def _rows(answers: Mapping[str, str], unit_id: int) -> pd.DataFrame:
    frame = pd.DataFrame(list(answers.items()), columns=["code", "answer"])
    return frame.assign(unit=unit_id, row=range(1, len(frame) + 1))


def _record_for_tpn(
    proposal: Proposal, result: SurveyIndex, points: float, score: UnitScore
) -> None:
    """TPN's survey in the proposal's TPN scores: its points and index, and the total of the
    TPI's LKE with it (and any earlier TPN survey) in place of the TPI's."""
    scores: dict[str, Any] = dict(proposal.tpn_scores)
    scores |= {
        result.kind: points,
        f"{result.kind}_index": result.index,
        "total_with_tpn_survey": score.total,
    }
    proposal.tpn_scores = scores
