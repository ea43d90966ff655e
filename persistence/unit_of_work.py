"""The unit of work: one transaction around a service call, committed only when asked.

    with SqlUnitOfWork(engine) as uow:
        unit = uow.units.add_unit(unit=...)
        uow.assessments.replace_answers(assessment_id=..., answers=[...])
        uow.commit()

Leaving the block without `commit()`, or by an exception, rolls back everything written in it
(cosmicpython's rule: committing is a decision, never a side effect). Services take the
`UnitOfWork` protocol, so that their tests can pass a fake.

The e-mail outbox (the `notification` table) is not in it: `persistence.outbox.SqlOutbox` claims,
marks and reads it in its own short transactions, so that a claim commits before a message is
sent, whatever the unit of work around it does.
"""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING, Protocol, Self

from sqlalchemy import Engine
from sqlmodel import Session

from persistence.database import default_engine
from persistence.portal_repositories import (
    AuditRepository,
    CommentRepository,
    PortalRepository,
    SqlAuditRepository,
    SqlCommentRepository,
    SqlPortalRepository,
)
from persistence.repositories import (
    AssessmentRepository,
    DeadlineRepository,
    EvidenceRepository,
    InstansiRepository,
    MonitoringRepository,
    ProposalRepository,
    SnapshotRepository,
    SqlAssessmentRepository,
    SqlDeadlineRepository,
    SqlEvidenceRepository,
    SqlInstansiRepository,
    SqlMonitoringRepository,
    SqlProposalRepository,
    SqlSnapshotRepository,
    SqlSurveyRepository,
    SqlUnitRepository,
    SqlWorkPlanRepository,
    SurveyRepository,
    UnitRepository,
    WorkPlanRepository,
)


class UnitOfWork(Protocol):
    """What a service needs: the repositories of one transaction, and the decision to commit."""

    @property
    def instansi(self) -> InstansiRepository: ...
    @property
    def units(self) -> UnitRepository: ...
    @property
    def assessments(self) -> AssessmentRepository: ...
    @property
    def snapshots(self) -> SnapshotRepository: ...
    @property
    def evidence(self) -> EvidenceRepository: ...
    @property
    def surveys(self) -> SurveyRepository: ...
    @property
    def deadlines(self) -> DeadlineRepository: ...
    @property
    def proposals(self) -> ProposalRepository: ...
    @property
    def work_plans(self) -> WorkPlanRepository: ...
    @property
    def monitoring(self) -> MonitoringRepository: ...
    @property
    def portal(self) -> PortalRepository: ...
    @property
    def audit(self) -> AuditRepository: ...
    @property
    def comments(self) -> CommentRepository: ...

    def __enter__(self) -> Self: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None: ...
    def commit(self) -> None: ...
    def rollback(self) -> None: ...


class SqlUnitOfWork:
    """A UnitOfWork over one SQLModel session of `engine`; not reentrant, reusable after exit."""

    instansi: SqlInstansiRepository
    units: SqlUnitRepository
    assessments: SqlAssessmentRepository
    snapshots: SqlSnapshotRepository
    evidence: SqlEvidenceRepository
    surveys: SqlSurveyRepository
    deadlines: SqlDeadlineRepository
    proposals: SqlProposalRepository
    work_plans: SqlWorkPlanRepository
    monitoring: SqlMonitoringRepository
    portal: SqlPortalRepository
    audit: SqlAuditRepository
    comments: SqlCommentRepository

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._session: Session | None = None

    def __enter__(self) -> Self:
        if self._session is not None:
            raise RuntimeError("this unit of work is already open; nest services, not blocks")
        # Rows stay readable after commit (a CLI prints what it just saved).
        session = self._session = Session(self._engine, expire_on_commit=False)
        self.instansi = SqlInstansiRepository(session)
        self.units = SqlUnitRepository(session)
        self.assessments = SqlAssessmentRepository(session)
        self.snapshots = SqlSnapshotRepository(session)
        self.evidence = SqlEvidenceRepository(session)
        self.surveys = SqlSurveyRepository(session)
        self.deadlines = SqlDeadlineRepository(session)
        self.proposals = SqlProposalRepository(session)
        self.work_plans = SqlWorkPlanRepository(session)
        self.monitoring = SqlMonitoringRepository(session)
        self.portal = SqlPortalRepository(session)
        self.audit = SqlAuditRepository(session)
        self.comments = SqlCommentRepository(session)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        session, self._session = self._open_session(), None
        # Closing rolls back whatever was not committed, without expiring the rows already read
        # (a rollback would, and a read-only block could then not use what it returned).
        session.close()

    def commit(self) -> None:
        self._open_session().commit()

    def rollback(self) -> None:
        self._open_session().rollback()

    def _open_session(self) -> Session:
        if self._session is None:
            raise RuntimeError("use the unit of work inside a `with` block")
        return self._session


def default_unit_of_work() -> SqlUnitOfWork:
    """A unit of work on the configured database (`ZI_DATABASE_URL`, or SQLite in the data
    folder), as the flows and the CLI use it."""
    return SqlUnitOfWork(default_engine())


if TYPE_CHECKING:

    def _sql_unit_of_work_is_a_unit_of_work(uow: SqlUnitOfWork) -> UnitOfWork:
        return uow  # mypy proves here that the SQL classes satisfy the protocols
