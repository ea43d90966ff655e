"""The outbox: the guard that lets each e-mail leave the product at most once per idempotency key.

A message is claimed (one row in `notification`, UNIQUE on its key) before it is handed to the
SMTP server and marked sent after the server accepted it. Every call is its own short transaction,
committed at once, so that a claim is visible to a concurrent run before anything is sent, and a
mark survives a crash of the run that made it.

A claimed row can be taken again only

- when it FAILED for a transient reason (the relay was down, a 4xx reply): the next run retries;
- when it stayed CLAIMED longer than the claim timeout: the run that claimed it died between the
  claim and the send. The reclaim is a compare-and-set on `claimed_at`, so two reruns racing for
  the same stale row cannot both win.

A permanent failure (a 5xx reply, e.g. an unknown recipient) is never claimed again. The table
has no column for that distinction, so the stored reason carries it as a prefix (`permanent: ` or
`transient: `); `failures()` strips it again. Rows failed by older code without a prefix count as
transient, as they did before.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

import sqlalchemy as sa
from sqlalchemy import Engine
from sqlalchemy.dialects import postgresql, sqlite

from persistence.sqltypes import utc_now
from persistence.tables import Notification, NotificationStatus
from zi_domain.agency import address_key

DEFAULT_CLAIM_TIMEOUT = timedelta(minutes=15)
"""Longer than any one message's retries take (a few attempts of at most a minute each)."""

PERMANENT = "permanent: "
TRANSIENT = "transient: "

KEY_LENGTH = 255
KIND_LENGTH = 32
SUBJECT_LENGTH = 500
REASON_LENGTH = 2000

_TABLE: sa.Table = Notification.metadata.tables["notification"]
_C = _TABLE.c


@dataclass(frozen=True, slots=True)
class ClaimRequest:
    """What the outbox row records about a message before it is sent."""

    key: str
    recipient: str
    kind: str
    subject: str
    payload: str | None = None  # the message itself, for a later run to send if this one fails


@dataclass(frozen=True, slots=True)
class SentMark:
    key: str
    message_id: str


@dataclass(frozen=True, slots=True)
class FailedMark:
    """A failure to record; with `claimed_at`, only if the claim is still the one made then."""

    key: str
    reason: str
    permanent: bool
    claimed_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class OutboxFailure:
    """A message that was not sent, for the TPI summary; `at` is when it was last claimed."""

    key: str
    recipient: str
    kind: str
    subject: str
    reason: str
    permanent: bool
    at: datetime


class Outbox(Protocol):
    """What delivery needs from the outbox; `SqlOutbox` in the product, a fake in unit tests."""

    @property
    def claim_timeout(self) -> timedelta: ...

    def claim(self, key: str, recipient: str, kind: str, subject: str) -> bool: ...
    def claim_many(self, requests: Sequence[ClaimRequest]) -> dict[str, datetime]: ...
    def renew(self, key: str, claimed_at: datetime) -> datetime | None: ...
    def mark_sent(self, key: str, message_id: str) -> None: ...
    def mark_failed(self, key: str, reason: str, permanent: bool) -> None: ...
    def settle(self, sent: Sequence[SentMark], failed: Sequence[FailedMark]) -> None: ...
    def failures(self, since: datetime) -> list[OutboxFailure]: ...
    def states(self, keys: Sequence[str]) -> dict[str, NotificationStatus]: ...


def stored_reason(reason: str, *, permanent: bool) -> str:
    """The `error` column's text: the kind of failure first, so that a claim can read it."""
    return ((PERMANENT if permanent else TRANSIENT) + reason)[:REASON_LENGTH]


def read_reason(stored: str | None) -> tuple[str, bool]:
    """(reason, permanent) from the `error` column."""
    text = stored or ""
    if text.startswith(PERMANENT):
        return text.removeprefix(PERMANENT), True
    return text.removeprefix(TRANSIENT), False


def check_request(request: ClaimRequest) -> None:
    """Keys and kinds are made by code: one too long is a bug, refused before any row is written."""
    if not request.key or len(request.key) > KEY_LENGTH:
        raise ValueError(f"idempotency key must be 1..{KEY_LENGTH} characters: {request.key!r}")
    if not request.kind or len(request.kind) > KIND_LENGTH:
        raise ValueError(f"notification kind must be 1..{KIND_LENGTH} characters: {request.kind!r}")


def unique_sorted(requests: Iterable[ClaimRequest]) -> list[ClaimRequest]:
    """One request per key, in key order: a key twice in one INSERT ... ON CONFLICT is an error on
    PostgreSQL, and taking row locks in one order keeps two concurrent claims from deadlocking."""
    by_key: dict[str, ClaimRequest] = {}
    for request in requests:
        check_request(request)
        by_key.setdefault(request.key, request)
    return [by_key[key] for key in sorted(by_key)]


class SqlOutbox:
    """The outbox over the `notification` table, on SQLite or PostgreSQL.

    Thread-safe (each call takes its own connection from the engine's pool); the clock is a
    parameter so that tests can age a claim without waiting.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        claim_timeout: timedelta = DEFAULT_CLAIM_TIMEOUT,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        if claim_timeout <= timedelta(0):
            raise ValueError("the claim timeout must be positive")
        self._engine = engine
        self._claim_timeout = claim_timeout
        self._clock = clock

    @property
    def claim_timeout(self) -> timedelta:
        return self._claim_timeout

    def claim(self, key: str, recipient: str, kind: str, subject: str) -> bool:
        """True only for the one caller that got the right to send this key now."""
        return key in self.claim_many([ClaimRequest(key, recipient, kind, subject)])

    def claim_many(self, requests: Sequence[ClaimRequest]) -> dict[str, datetime]:
        """Claim a chunk in one INSERT ... ON CONFLICT DO UPDATE ... WHERE, in one transaction.

        Returns the keys this call claimed, each with its `claimed_at`: the token that `renew`
        and a conditional failure mark compare against.
        """
        rows = unique_sorted(requests)
        if not rows:
            return {}
        now = self._clock()
        insert = self._insert()
        # The row's values come from `excluded` so that one statement serves every row: SQLAlchemy
        # sends the chunk as one multi-row INSERT ("insertmanyvalues"), compiled once and cached.
        statement = insert.on_conflict_do_update(
            index_elements=[_C.idempotency_key],
            set_={
                "status": insert.excluded.status,
                "claimed_at": insert.excluded.claimed_at,
                "subject": insert.excluded.subject,
                "payload": insert.excluded.payload,
                "error": None,
                "message_id": None,
                "sent_at": None,
            },
            where=_reclaimable(stale_before=now - self._claim_timeout),
        ).returning(_C.idempotency_key)
        params = [
            {
                "idempotency_key": row.key,
                "recipient": row.recipient,
                "kind": row.kind,
                "subject": row.subject[:SUBJECT_LENGTH],
                "payload": row.payload,
                "status": NotificationStatus.CLAIMED,
                "claimed_at": now,
                "error": None,
                "message_id": None,
                "sent_at": None,
            }
            for row in rows
        ]
        with self._engine.begin() as connection:
            keys = connection.execute(statement, params).scalars().all()
        return dict.fromkeys(keys, now)

    def renew(self, key: str, claimed_at: datetime) -> datetime | None:
        """Refresh a claim that is still the one made at `claimed_at` (compare-and-set).

        None means another run has reclaimed the row meanwhile: this run must not send it.
        """
        now = self._clock()
        statement = (
            sa.update(_TABLE)
            .where(
                _C.idempotency_key == key,
                _C.status == NotificationStatus.CLAIMED,
                _C.claimed_at == claimed_at,
            )
            .values(claimed_at=now)
        )
        with self._engine.begin() as connection:
            renewed = connection.execute(statement).rowcount == 1
        return now if renewed else None

    def mark_sent(self, key: str, message_id: str) -> None:
        self.settle([SentMark(key, message_id)], [])

    def mark_failed(self, key: str, reason: str, permanent: bool) -> None:
        self.settle([], [FailedMark(key, reason, permanent)])

    def settle(self, sent: Sequence[SentMark], failed: Sequence[FailedMark]) -> None:
        """Record outcomes in one transaction (delivery groups the marks of a busy moment).

        Sent is recorded whatever the row's state: the server has the message. A failure is
        recorded only over a claim (and, given its token, only over that same claim), so that a
        slow run never turns a row that another run has sent back into a claimable failure.
        """
        now = self._clock()
        with self._engine.begin() as connection:
            if sent:
                connection.execute(_MARK_SENT, [_sent_params(mark, now) for mark in sent])
            owned = [mark for mark in failed if mark.claimed_at is not None]
            if owned:
                connection.execute(_MARK_FAILED_OWNED, [_failed_params(mark) for mark in owned])
            anonymous = [mark for mark in failed if mark.claimed_at is None]
            if anonymous:
                connection.execute(_MARK_FAILED, [_failed_params(mark) for mark in anonymous])

    def failures(self, since: datetime) -> list[OutboxFailure]:
        """Messages not sent, last claimed at or after `since`, oldest first."""
        query = (
            sa.select(
                _C.idempotency_key, _C.recipient, _C.kind, _C.subject, _C.error, _C.claimed_at
            )
            .where(_C.status == NotificationStatus.FAILED, _C.claimed_at >= since)
            .order_by(_C.claimed_at, _C.idempotency_key)
        )
        with self._engine.connect() as connection:
            rows = connection.execute(query).all()
        return [
            OutboxFailure(key, recipient, kind, subject, *read_reason(error), at)
            for key, recipient, kind, subject, error, at in rows
        ]

    def states(self, keys: Sequence[str]) -> dict[str, NotificationStatus]:
        """The outbox state of those of `keys` that have a row: why a run could not claim them
        (sent; claimed by a run that may still send them, or that died, when a later run takes
        them after the claim timeout; failed for good)."""
        found: dict[str, NotificationStatus] = {}
        with self._engine.connect() as connection:
            for start in range(0, len(keys), 500):
                query = sa.select(_C.idempotency_key, _C.status).where(
                    _C.idempotency_key.in_(keys[start : start + 500])
                )
                found.update(
                    (key, NotificationStatus(status)) for key, status in connection.execute(query)
                )
        return found

    def leftovers(
        self, *, exclude: Iterable[str] = (), recipients: Collection[str] | None = None
    ) -> list[str]:
        """The kept messages (payloads) that a run may take now: failed for a transient reason,
        or claimed by a run that died. Whatever day composed them; `exclude`: keys this run has
        composed itself; `recipients` (each an `address_key`), if given: only those addressed to
        one of them (one instansi's people). Rows written before messages were kept have no
        payload and are left."""
        skip = set(exclude)
        stale_before = self._clock() - self._claim_timeout
        query = (
            sa.select(_C.idempotency_key, _C.recipient, _C.payload)
            .where(_reclaimable(stale_before=stale_before), _C.payload.is_not(None))
            .order_by(_C.claimed_at, _C.idempotency_key)
        )
        with self._engine.connect() as connection:
            rows = connection.execute(query).all()
        return [
            payload
            for key, recipient, payload in rows
            if key not in skip and (recipients is None or address_key(recipient) in recipients)
        ]

    def _insert(self) -> Any:
        """INSERT ... ON CONFLICT for the dialect in use (SQLite and PostgreSQL spell it alike)."""
        dialect = self._engine.dialect.name
        if dialect == "postgresql":
            return postgresql.insert(_TABLE)
        if dialect == "sqlite":
            return sqlite.insert(_TABLE)
        raise NotImplementedError(f"no outbox for the {dialect} dialect")


def _reclaimable(*, stale_before: datetime) -> sa.ColumnElement[bool]:
    """A transient failure, or a claim left by a run that died before settling it."""
    transient = sa.and_(
        _C.status == NotificationStatus.FAILED,
        sa.or_(_C.error.is_(None), sa.not_(_C.error.startswith(PERMANENT, autoescape=True))),
    )
    abandoned = sa.and_(_C.status == NotificationStatus.CLAIMED, _C.claimed_at < stale_before)
    return sa.or_(transient, abandoned)


_MARK_SENT = (
    sa.update(_TABLE)
    .where(_C.idempotency_key == sa.bindparam("b_key"))
    .values(
        status=NotificationStatus.SENT,
        message_id=sa.bindparam("b_message_id"),
        sent_at=sa.bindparam("b_sent_at"),
        error=None,
    )
)
_MARK_FAILED = (
    sa.update(_TABLE)
    .where(
        _C.idempotency_key == sa.bindparam("b_key"),
        _C.status == NotificationStatus.CLAIMED,
    )
    .values(status=NotificationStatus.FAILED, error=sa.bindparam("b_error"))
)
_MARK_FAILED_OWNED = _MARK_FAILED.where(_C.claimed_at == sa.bindparam("b_claimed_at"))


def _sent_params(mark: SentMark, now: datetime) -> dict[str, Any]:
    return {"b_key": mark.key, "b_message_id": mark.message_id, "b_sent_at": now}


def _failed_params(mark: FailedMark) -> dict[str, Any]:
    params: dict[str, Any] = {
        "b_key": mark.key,
        "b_error": stored_reason(mark.reason, permanent=mark.permanent),
    }
    if mark.claimed_at is not None:
        params["b_claimed_at"] = mark.claimed_at
    return params


if TYPE_CHECKING:

    def _sql_outbox_is_an_outbox(outbox: SqlOutbox) -> Outbox:
        return outbox  # mypy proves here that SqlOutbox satisfies the protocol
