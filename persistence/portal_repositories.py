"""The portal's rows: sign-in links, sessions, the audit of changes, the TPI's comments, and the
TPI's review of evidence documents."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

import sqlalchemy as sa
from sqlmodel import col, func, select

from persistence.repositories import _SqlRepository
from persistence.tables import (
    AuditEntry,
    AuditEntryCreate,
    EvidenceDocument,
    PortalSession,
    PortalSessionCreate,
    PortalSignIn,
    PortalSignInCreate,
    QuestionComment,
    QuestionCommentCreate,
    TeamMember,
)
from zi_domain.agency import address_key


class PortalRepository(Protocol):
    def members_by_email(self, *, email: str) -> list[TeamMember]: ...
    def add_sign_in(self, *, sign_in: PortalSignInCreate) -> PortalSignIn: ...
    def sign_in_by_token(self, *, token_sha256: str) -> PortalSignIn | None: ...
    def use_sign_in(self, *, sign_in_id: int, at: datetime) -> bool: ...
    def sign_ins_since(self, *, email: str, since: datetime) -> int: ...
    def add_session(self, *, session: PortalSessionCreate) -> PortalSession: ...
    def session_by_token(self, *, token_sha256: str) -> PortalSession | None: ...
    def end_session(self, *, session_id: int, at: datetime) -> None: ...
    def review_evidence(
        self,
        *,
        unit_id: int,
        document_id: int,
        review: str,
        reason: str | None,
        by: str,
        at: datetime,
    ) -> EvidenceDocument | None: ...


class AuditRepository(Protocol):
    def record(self, *, entries: Sequence[AuditEntryCreate]) -> None: ...
    def of_unit(self, *, unit_id: int, limit: int = 200) -> list[AuditEntry]: ...


class CommentRepository(Protocol):
    def add_comment(self, *, comment: QuestionCommentCreate) -> QuestionComment: ...
    def of_unit(self, *, unit_id: int, period_id: int) -> list[QuestionComment]: ...
    def written_between(
        self, *, unit_ids: Sequence[int], since: datetime, until: datetime
    ) -> list[QuestionComment]: ...


class SqlPortalRepository(_SqlRepository):
    def members_by_email(self, *, email: str) -> list[TeamMember]:
        """Every team the address is on (compared without case), TPI rows first."""
        query = select(TeamMember).where(func.lower(TeamMember.email) == address_key(email))
        rows = list(self._session.exec(query.order_by(col(TeamMember.id))))
        return sorted(rows, key=lambda m: m.unit_id is not None)

    def add_sign_in(self, *, sign_in: PortalSignInCreate) -> PortalSignIn:
        return self._add(PortalSignIn.model_validate(sign_in))

    def sign_in_by_token(self, *, token_sha256: str) -> PortalSignIn | None:
        query = select(PortalSignIn).where(PortalSignIn.token_sha256 == token_sha256)
        return self._session.exec(query).first()

    def use_sign_in(self, *, sign_in_id: int, at: datetime) -> bool:
        """Marks the link used in one UPDATE that only an unused link matches: of two browsers
        redeeming it at once, one wins."""
        used = self._session.exec(
            sa.update(PortalSignIn)
            .where(col(PortalSignIn.id) == sign_in_id, col(PortalSignIn.used_at).is_(None))
            .values(used_at=at)
        )
        return bool(used.rowcount)

    def sign_ins_since(self, *, email: str, since: datetime) -> int:
        query = select(func.count()).where(
            PortalSignIn.email == email, col(PortalSignIn.created_at) >= since
        )
        return int(self._session.exec(query).one())

    def add_session(self, *, session: PortalSessionCreate) -> PortalSession:
        return self._add(PortalSession.model_validate(session))

    def session_by_token(self, *, token_sha256: str) -> PortalSession | None:
        query = select(PortalSession).where(PortalSession.token_sha256 == token_sha256)
        return self._session.exec(query).first()

    def end_session(self, *, session_id: int, at: datetime) -> None:
        self._session.exec(
            sa.update(PortalSession)
            .where(col(PortalSession.id) == session_id, col(PortalSession.ended_at).is_(None))
            .values(ended_at=at)
        )

    def review_evidence(
        self,
        *,
        unit_id: int,
        document_id: int,
        review: str,
        reason: str | None,
        by: str,
        at: datetime,
    ) -> EvidenceDocument | None:
        """Records the TPI's review of one of the unit's documents (None: the unit has no such
        document)."""
        row = self._session.get(EvidenceDocument, document_id)
        if row is None or row.unit_id != unit_id:
            return None
        row.review, row.review_reason, row.reviewed_by, row.reviewed_at = review, reason, by, at
        return self._add(row)


class SqlAuditRepository(_SqlRepository):
    def record(self, *, entries: Sequence[AuditEntryCreate]) -> None:
        self._session.add_all([AuditEntry.model_validate(e) for e in entries])
        self._session.flush()

    def of_unit(self, *, unit_id: int, limit: int = 200) -> list[AuditEntry]:
        """The unit's latest changes, newest first."""
        query = (
            select(AuditEntry)
            .where(AuditEntry.unit_id == unit_id)
            .order_by(col(AuditEntry.occurred_at).desc(), col(AuditEntry.id).desc())
            .limit(limit)
        )
        return list(self._session.exec(query))


class SqlCommentRepository(_SqlRepository):
    def add_comment(self, *, comment: QuestionCommentCreate) -> QuestionComment:
        return self._add(QuestionComment.model_validate(comment))

    def of_unit(self, *, unit_id: int, period_id: int) -> list[QuestionComment]:
        query = (
            select(QuestionComment)
            .where(QuestionComment.unit_id == unit_id, QuestionComment.period_id == period_id)
            .order_by(col(QuestionComment.created_at), col(QuestionComment.id))
        )
        return list(self._session.exec(query))

    def written_between(
        self, *, unit_ids: Sequence[int], since: datetime, until: datetime
    ) -> list[QuestionComment]:
        """The units' comments written in [since, until), oldest first: a weekly digest carries
        those of the week before it."""
        if not unit_ids:
            return []
        query = (
            select(QuestionComment)
            .where(
                col(QuestionComment.unit_id).in_(list(unit_ids)),
                col(QuestionComment.created_at) >= since,
                col(QuestionComment.created_at) < until,
            )
            .order_by(col(QuestionComment.created_at), col(QuestionComment.id))
        )
        return list(self._session.exec(query))
