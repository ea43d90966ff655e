"""A unit as its team and the TPI see it in the portal, and the changes the team makes there.

Reads: the period of the day (or the latest), the team's self-assessment and the TPI's answers
with their scores, what to fix first, the score history, the work items and the audit trail.
Writes (each one transaction, each with its audit entry): one answer of the self-assessment (a
new version of it, as an imported file would make), and a work item marked done.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import pandas as pd

from persistence.tables import (
    AssessmentKind,
    AssessmentPeriod,
    AuditEntry,
    Instansi,
    QuestionComment,
    ScoreSnapshot,
    UnitKerja,
    WorkItem,
)
from persistence.unit_of_work import UnitOfWork
from services.assessments import (
    AnswersRejected,
    AssessmentImport,
    ImportedAssessment,
    period_on,
    store_assessments,
    stored_answers,
)
from services.audit import unit_change
from zi_domain.answers import COUNT_SEPARATOR
from zi_domain.framework import Framework
from zi_domain.gaps import Gap, fix_first
from zi_domain.predicates import next_predicate
from zi_domain.unit_score import ScoredAnswers, score_answers

HISTORY_SHOWN = 60  # snapshots in the history chart (about a year of weekly runs)
AUDIT_SHOWN = 100


class ChangeRefused(ValueError):
    """A change the portal cannot make; the message says why, in Indonesian."""


@dataclass(frozen=True)
class UnitView:
    unit: UnitKerja
    instansi: Instansi
    period: AssessmentPeriod | None
    target: str  # the predicate the unit builds toward
    self_answers: Mapping[str, str]
    tpi_answers: Mapping[str, str]
    self_scored: ScoredAnswers | None  # None: nothing answered yet
    tpi_scored: ScoredAnswers | None
    fix_first: tuple[Gap, ...]  # toward `target`, from `fix_first_from`
    fix_first_from: str  # "mandiri" (the team's answers) or "tpi" (none yet: the TPI's)
    history: tuple[ScoreSnapshot, ...]  # oldest first
    work_items: tuple[WorkItem, ...]
    audit: tuple[AuditEntry, ...]  # newest first
    comments: Mapping[str, list[QuestionComment]]  # the TPI's, by question code, oldest first


def current_period(uow: UnitOfWork, *, instansi_id: int, day: date) -> AssessmentPeriod | None:
    """The period `day` falls in, else the latest one opened."""
    found = period_on(uow, instansi_id=instansi_id, day=day)
    if found is not None:
        return found
    periods = uow.assessments.periods(instansi_id=instansi_id)
    return max(periods, key=lambda p: p.starts_on, default=None)


def unit_view(uow: UnitOfWork, *, unit: UnitKerja, framework: Framework, day: date) -> UnitView:
    assert unit.id is not None
    instansi = uow.instansi.get_instansi(instansi_id=unit.instansi_id)
    assert instansi is not None
    period = current_period(uow, instansi_id=unit.instansi_id, day=day)
    mine = _answers(uow, unit, period, AssessmentKind.SELF)
    tpi = _answers(uow, unit, period, AssessmentKind.TPI)
    target = next_predicate(unit.predicate).name
    self_scored = scored(mine, framework)
    year = period.year if period is not None else day.year
    return UnitView(
        unit=unit,
        instansi=instansi,
        period=period,
        target=target,
        self_answers=mine,
        tpi_answers=tpi,
        self_scored=self_scored,
        tpi_scored=scored(tpi, framework),
        fix_first=_fix_first(_key(mine or tpi), framework, target) if mine or tpi else (),
        fix_first_from="mandiri" if mine or not tpi else "tpi",
        history=tuple(uow.snapshots.snapshots(unit_id=unit.id)[-HISTORY_SHOWN:]),
        work_items=tuple(uow.work_plans.items(unit_id=unit.id, year=year)),
        audit=tuple(uow.audit.of_unit(unit_id=unit.id, limit=AUDIT_SHOWN)),
        comments=comments_by_code(uow, unit=unit, period=period),
    )


def comments_by_code(
    uow: UnitOfWork, *, unit: UnitKerja, period: AssessmentPeriod | None
) -> dict[str, list[QuestionComment]]:
    """The period's comments on the unit's questions, oldest first under each code."""
    if unit.id is None or period is None or period.id is None:
        return {}
    found: dict[str, list[QuestionComment]] = {}
    for comment in uow.comments.of_unit(unit_id=unit.id, period_id=period.id):
        found.setdefault(comment.code, []).append(comment)
    return found


def scored(answers: Mapping[str, str], framework: Framework) -> ScoredAnswers | None:
    """The answers' score, None for no answers. A score is pure in the answers, so a page shown
    again, or to the team and the TPI, scores the same answers once (the result is shared: read
    it, never change it)."""
    return _scored(_key(answers), framework) if answers else None


def _key(answers: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(answers.items()))


@lru_cache(maxsize=1024)
def _scored(answers: tuple[tuple[str, str], ...], framework: Framework) -> ScoredAnswers:
    return score_answers(dict(answers), framework)


@lru_cache(maxsize=1024)
def _fix_first(
    answers: tuple[tuple[str, str], ...], framework: Framework, target: str
) -> tuple[Gap, ...]:
    found = _scored(answers, framework)
    return tuple(fix_first(found.values, found.scores, framework, target))


def _answers(
    uow: UnitOfWork, unit: UnitKerja, period: AssessmentPeriod | None, kind: AssessmentKind
) -> Mapping[str, str]:
    if period is None or period.id is None or unit.id is None:
        return {}
    return stored_answers(uow, unit_id=unit.id, period_id=period.id, kind=kind)


@dataclass(frozen=True)
class AnswerChange:
    """One question answered in the portal: its code and what was written (a count question
    gives one value per input, `code:key`)."""

    code: str
    values: Mapping[str, str]  # answer code → text; "" clears it


def save_answer(
    uow: UnitOfWork,
    *,
    unit: UnitKerja,
    change: AnswerChange,
    framework: Framework,
    actor: str,
    day: date,
) -> ImportedAssessment:
    """The self-assessment with this answer changed, as a new version, and its audit entry;
    ChangeRefused (nothing written) for an answer the LKE does not accept."""
    imported = store_answer_changes(
        uow,
        scope=AnswerScope(unit, AssessmentKind.SELF, framework, actor, day),
        changes=[change],
    )
    uow.commit()
    return imported


@dataclass(frozen=True)
class AnswerScope:
    """Whose answers change: one unit's assessment of a kind, by whom, on which day."""

    unit: UnitKerja
    kind: AssessmentKind
    framework: Framework
    actor: str
    day: date


AUDIT_SUBJECT = {AssessmentKind.SELF: "Jawaban mandiri", AssessmentKind.TPI: "Jawaban TPI"}


def store_answer_changes(
    uow: UnitOfWork, *, scope: AnswerScope, changes: Sequence[AnswerChange]
) -> ImportedAssessment:
    """The assessment of the current period with these answers changed, as one new version, and
    an audit entry per question that changed (not committed: the caller may write more). The
    team's answers and the TPI's accepting them both go through here."""
    unit = scope.unit
    assert unit.id is not None
    period = current_period(uow, instansi_id=unit.instansi_id, day=scope.day)
    if period is None or period.id is None:
        raise ChangeRefused("Belum ada periode penilaian; TPI perlu membukanya lebih dulu.")
    before = dict(_answers(uow, unit, period, scope.kind))
    after = before
    for change in changes:
        after = _changed(after, change)
    rows = pd.DataFrame(list(after.items()), columns=["code", "answer"])
    rows = rows.assign(unit=unit.id, row=range(1, len(rows) + 1))
    codes = ", ".join(c.code for c in changes)
    context = AssessmentImport(
        period.id, scope.kind, scope.framework, f"portal: {codes}", scope.actor
    )
    try:
        (imported,) = store_assessments(uow, context=context, answers=rows)
    except AnswersRejected as refusal:
        problems = "; ".join(f"{e.code}: {e.problem}" for e in refusal.errors)
        raise ChangeRefused(problems) from refusal
    stored = _answers(uow, unit, period, scope.kind)  # a survey's index may have won
    entries = [
        unit_change(
            unit,
            actor=scope.actor,
            action="answer",
            subject=f"{AUDIT_SUBJECT[scope.kind]} {change.code}",
            old=old or None,
            new=new or None,
        )
        for change in changes
        if (old := shown_answer(before, change.code)) != (new := shown_answer(stored, change.code))
    ]
    if entries:
        uow.audit.record(entries=entries)
    return imported


def _changed(answers: dict[str, str], change: AnswerChange) -> dict[str, str]:
    replaced = answer_values(answers, change.code)
    kept = {code: text for code, text in answers.items() if code not in replaced}
    written = {code: text.strip() for code, text in change.values.items() if text.strip()}
    return kept | written


def answer_values(answers: Mapping[str, str], code: str) -> dict[str, str]:
    """The question's stored values: its own answer, or a count question's `code:key` inputs."""
    return {
        key: text
        for key, text in answers.items()
        if key == code or key.startswith(code + COUNT_SEPARATOR)
    }


def shown_answer(answers: Mapping[str, str], code: str) -> str:
    """The question's answer as one line (a count question's values joined)."""
    parts = [
        f"{key.partition(COUNT_SEPARATOR)[2] or ''}={text}" if COUNT_SEPARATOR in key else text
        for key, text in sorted(answer_values(answers, code).items())
    ]
    return "; ".join(parts)


def complete_work_item(
    uow: UnitOfWork, *, unit: UnitKerja, item_id: int, actor: str, day: date
) -> WorkItem:
    """Marks one of the unit's work items of the current period's year done (ChangeRefused
    for another unit's or a done one), with its audit entry."""
    assert unit.id is not None
    period = current_period(uow, instansi_id=unit.instansi_id, day=day)
    year = period.year if period is not None else day.year
    item = {i.id: i for i in uow.work_plans.items(unit_id=unit.id, year=year)}.get(item_id)
    if item is None:
        raise ChangeRefused("Butir rencana kerja itu tidak ada pada unit ini.")
    if item.completed_on is not None:
        raise ChangeRefused("Butir rencana kerja itu sudah selesai.")
    uow.work_plans.complete_item(item_id=item_id, on=day, by=actor)
    uow.audit.record(
        entries=[
            unit_change(
                unit,
                actor=actor,
                action="work_item.done",
                subject=f"Rencana kerja {item.code}: {item.title}",
                old="belum selesai",
                new=f"selesai {day.isoformat()}",
            )
        ]
    )
    uow.commit()
    return item
