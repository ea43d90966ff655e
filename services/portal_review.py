"""The TPI's side of the portal: an instansi's units at a glance, a unit's answers reviewed
against the TPI's own, the instansi's proposals, and the record of a stage started by hand.

Reads reuse what the weekly monitoring and `zi status` read (`instansi_status`,
`evidence_status`, the stored TPI answers scored in one pass). Writes (each one transaction,
each change with its audit entry): the team's answers accepted into the TPI's assessment (one
new version for all of them, through `store_answer_changes` as the team's own answers are), a
comment on a question, and a stage run started from the portal.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import pandas as pd

from persistence.tables import (
    AssessmentKind,
    AssessmentPeriod,
    AuditEntryCreate,
    Instansi,
    Proposal,
    ProposalEvent,
    QuestionComment,
    QuestionCommentCreate,
    UnitKerja,
)
from persistence.unit_of_work import UnitOfWork
from services.assessments import ImportedAssessment, stored_answers
from services.audit import unit_change
from services.monitoring import evidence_status
from services.portal_units import (
    AnswerChange,
    AnswerScope,
    ChangeRefused,
    answer_values,
    current_period,
    shown_answer,
    store_answer_changes,
)
from services.scoring import stored_tpi_answers
from services.status import UnitStatus, instansi_status
from zi_domain.framework import Framework
from zi_domain.plain_text import printable
from zi_domain.scoring import score_units

COMMENT_MAX_CHARS = 2_000


# --- the instansi dashboard ----------------------------------------------------------------


@dataclass(frozen=True)
class DashboardRow:
    """One unit as the weekly monitoring report shows it, with today's TPI score when the TPI
    has answers in the current period (else the latest snapshot's)."""

    unit_id: int
    status: UnitStatus
    total: float | None
    meets: Mapping[str, bool]
    live: bool  # the total is scored from the stored TPI answers now, not a snapshot
    evidence_gaps: int  # LKE indicators without any evidence


@dataclass(frozen=True)
class Dashboard:
    instansi: Instansi
    period: AssessmentPeriod | None
    rows: tuple[DashboardRow, ...]


def instansi_dashboard(
    uow: UnitOfWork,
    *,
    instansi: Instansi,
    framework: Framework,
    day: date,
    evidence_max_age_years: int | None = None,
) -> Dashboard:
    assert instansi.id is not None
    period = current_period(uow, instansi_id=instansi.id, day=day)
    statuses = instansi_status(uow, instansi=instansi, as_of=day)
    ids = {u.code: u.id for u in uow.units.list_units(instansi_id=instansi.id) if u.id}
    live = _live_scores(uow, period, framework)
    evidence = evidence_status(
        uow,
        unit_ids=list(ids.values()),
        framework=framework,
        year=period.year if period else day.year,
        max_age_years=evidence_max_age_years,
    )
    rows = []
    for status in statuses:
        unit_id = ids[status.code]
        total, meets = live.get(unit_id, (status.total, status.meets))
        rows.append(
            DashboardRow(
                unit_id=unit_id,
                status=status,
                total=total,
                meets=meets,
                live=unit_id in live,
                evidence_gaps=evidence[unit_id].gaps,
            )
        )
    return Dashboard(instansi=instansi, period=period, rows=tuple(rows))


def _live_scores(
    uow: UnitOfWork, period: AssessmentPeriod | None, framework: Framework
) -> dict[int, tuple[float, dict[str, bool]]]:
    """Each unit's TPI total and floors met from its stored answers, scored in one pass; the
    same stored answers (the dashboard shown again, to every TPI member) are scored once."""
    if period is None or period.id is None:
        return {}
    frame = uow.assessments.tpi_answers_frame(period_id=period.id)
    if frame.empty:
        return {}
    key = (period.id, framework.name, int(pd.util.hash_pandas_object(frame).sum()))
    if key not in _LIVE:
        if len(_LIVE) >= LIVE_KEPT:
            _LIVE.pop(next(iter(_LIVE)))
        _LIVE[key] = _scored_live(uow, period.id, framework)
    return _LIVE[key]


LIVE_KEPT = 64  # scored answer sets kept (a few periods of a few instansi)
_LIVE: dict[tuple[int, str, int], dict[int, tuple[float, dict[str, bool]]]] = {}


def _scored_live(
    uow: UnitOfWork, period_id: int, framework: Framework
) -> dict[int, tuple[float, dict[str, bool]]]:
    values = stored_tpi_answers(uow, period_id=period_id, framework=framework).values
    scores = score_units(values, framework)
    names = [p.name for p in framework.predicates]
    return {
        int(str(unit)): (
            float(row["total"]),
            {name: bool(row[f"meets_{name}"]) for name in names},
        )
        for unit, row in scores.iterrows()
    }


# --- reviewing a unit's answers ----------------------------------------------------------


def differs(mine: Mapping[str, str], tpi: Mapping[str, str], code: str) -> bool:
    """The team answered the question and the TPI's answer is another one ("ya" is "Ya")."""
    own = shown_answer(mine, code)
    return bool(own) and own.casefold() != shown_answer(tpi, code).casefold()


def accept_answers(
    uow: UnitOfWork, *, scope: AnswerScope, codes: Sequence[str] | None = None
) -> tuple[ImportedAssessment, tuple[str, ...]]:
    """The team's answers to `codes` (None: every question whose answer differs) become the
    TPI's, as one new version of the TPI's assessment with an audit entry per question; commits.
    Returns the import and the codes taken."""
    assert scope.kind is AssessmentKind.TPI and scope.unit.id is not None
    period = current_period(uow, instansi_id=scope.unit.instansi_id, day=scope.day)
    if period is None or period.id is None:
        raise ChangeRefused("Belum ada periode penilaian; TPI perlu membukanya lebih dulu.")
    mine, tpi = (
        stored_answers(uow, unit_id=scope.unit.id, period_id=period.id, kind=kind)
        for kind in (AssessmentKind.SELF, AssessmentKind.TPI)
    )
    wanted = codes if codes is not None else scope.framework.item_codes
    taken = tuple(code for code in wanted if differs(mine, tpi, code))
    if not taken:
        if codes is not None and len(codes) == 1 and not shown_answer(mine, codes[0]):
            raise ChangeRefused(f"Tim unit belum menjawab {codes[0]}.")
        raise ChangeRefused("Tidak ada jawaban tim yang berbeda dari jawaban TPI.")
    changes = [AnswerChange(code, answer_values(mine, code)) for code in taken]
    imported = store_answer_changes(uow, scope=scope, changes=changes)
    uow.commit()
    return imported, taken


def add_comment(
    uow: UnitOfWork,
    *,
    unit: UnitKerja,
    period: AssessmentPeriod | None,
    code: str,
    body: str,
    author: str,
) -> QuestionComment:
    """A TPI member's comment on one question, kept with its audit entry; commits. The unit
    team sees it under the question and in its next weekly digest."""
    assert unit.id is not None
    text = printable(body).strip()
    if not text:
        raise ChangeRefused("Komentar kosong tidak disimpan.")
    if len(text) > COMMENT_MAX_CHARS:
        raise ChangeRefused(f"Komentar terlalu panjang (paling banyak {COMMENT_MAX_CHARS} huruf).")
    if period is None or period.id is None:
        raise ChangeRefused("Belum ada periode penilaian; TPI perlu membukanya lebih dulu.")
    comment = uow.comments.add_comment(
        comment=QuestionCommentCreate(
            unit_id=unit.id, period_id=period.id, code=code, author=author, body=text
        )
    )
    uow.audit.record(
        entries=[
            unit_change(
                unit, actor=author, action="comment", subject=f"Komentar TPI {code}", new=text
            )
        ]
    )
    uow.commit()
    return comment


# --- proposals --------------------------------------------------------------------------


@dataclass(frozen=True)
class ProposalHistory:
    proposal: Proposal
    unit: UnitKerja
    events: tuple[ProposalEvent, ...]  # oldest first


def instansi_proposals(uow: UnitOfWork, *, instansi_id: int) -> list[ProposalHistory]:
    """Every revision of the instansi's proposals (newest year first) with its state history."""
    return [
        ProposalHistory(
            proposal=proposal,
            unit=unit,
            events=tuple(uow.proposals.proposal_events(proposal_id=proposal.id))
            if proposal.id is not None
            else (),
        )
        for proposal, unit in uow.proposals.proposals_of(instansi_id=instansi_id)
    ]


# --- stages started from the portal --------------------------------------------------------


def record_stage_run(
    uow: UnitOfWork, *, instansi_id: int, actor: str, stage: str, outcome: str
) -> None:
    """Who started a stage from the portal, when, and what it said; commits."""
    uow.audit.record(
        entries=[
            AuditEntryCreate(
                instansi_id=instansi_id,
                unit_id=None,
                actor=actor,
                action="stage",
                subject=stage[:255],
                old_value=None,
                new_value=outcome,
            )
        ]
    )
    uow.commit()
