"""Delivery over real SMTP: aiosmtpd servers on 127.0.0.1, started here; no mocked client.

The outbox is the real one (`SqlOutbox`) on SQLite and PostgreSQL (`engine` is parametrized over
both), except where a test is about SMTP alone and uses the in-memory `FakeOutbox`; the outbox
contract below runs against both, so the fake cannot drift from the real thing.

Messages are built here with `email.message.EmailMessage` (text, HTML, an .ics attachment), the
shape `notifications.messages` produces.
"""

from __future__ import annotations

import asyncio
import base64
import email
import email.policy
import hashlib
import ipaddress
import logging
import os
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from pydantic import SecretStr
from sqlalchemy import Engine

from notifications.delivery import (
    DeliveryReport,
    SmtpConfig,
    SmtpTransport,
    address_problem,
    deliver,
)
from notifications.sink import MaildirHandler, MailSink, sink_process, smtp_target, start_sink
from persistence.database import make_engine
from persistence.outbox import (
    ClaimRequest,
    FailedMark,
    Outbox,
    OutboxFailure,
    SentMark,
    SqlOutbox,
    read_reason,
    stored_reason,
    unique_sorted,
)
from persistence.sqltypes import utc_now
from persistence.tables import Notification, NotificationStatus

REPO = Path(__file__).resolve().parents[2]
SENDER = "Tim ZI Kabupaten Contoh <zi@contoh.go.id>"
PASSWORD = "rahasia-Sangat-P4njang!"
UNITS = (
    "Dinas Kependudukan dan Pencatatan Sipil",
    "Badan Pendapatan Daerah",
    "RSUD “Sehat Sentosa”",
    "Bagian Organisasi & Tata Laksana",
)


# --- messages --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Letter:
    """A rendered reminder, shaped like `notifications.messages.OutgoingMessage`."""

    idempotency_key: str
    recipient: str
    recipient_name: str
    kind: str
    subject: str
    text: str
    html: str
    ics: bytes

    @property
    def message_id(self) -> str:
        digest = hashlib.sha256(self.idempotency_key.encode()).hexdigest()[:32]
        return f"<{digest}@zi-orchestrator.contoh.go.id>"


def letter(number: int, *, recipient: str | None = None, batch: str = "2027-05-24") -> Letter:
    unit = UNITS[number % len(UNITS)]
    address = f"anggota{number:05d}@contoh.go.id" if recipient is None else recipient
    subject = f"Pengingat H-7: LKE {unit} — tenggat Senin, 31 Mei 2027"
    text = (
        f"Yth. Anggota Tim ZI {unit},\n\nLembar Kerja Evaluasi harus lengkap paling lambat "
        "Senin, 31 Mei 2027. Mohon lengkapi bukti dukung yang masih kosong.\n"
    )
    html = f"<p>Yth. Anggota Tim ZI <b>{unit}</b>,</p><p>Tenggat: Senin, 31 Mei 2027.</p>"
    ics = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//zi-orchestrator//ID\r\nBEGIN:VEVENT\r\n"
        f"UID:{number}@zi-orchestrator\r\nDTSTART;VALUE=DATE:20270531\r\n"
        f"SUMMARY:Tenggat LKE {unit}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode()
    return Letter(
        idempotency_key=f"{address}|lke|reminder|2027-05-31|{batch}",
        recipient=address,
        recipient_name=f"Anggota {number}",
        kind="deadline_reminder",
        subject=subject,
        text=text,
        html=html,
        ics=ics,
    )


def letters(count: int, **options: Any) -> list[Letter]:
    return [letter(number, **options) for number in range(count)]


def render(message: Letter, sender: str) -> EmailMessage:
    email_message = EmailMessage()
    email_message["From"] = sender
    email_message["To"] = Address(message.recipient_name, addr_spec=message.recipient)
    email_message["Subject"] = message.subject
    email_message["Message-ID"] = message.message_id
    email_message.set_content(message.text)
    email_message.add_alternative(message.html, subtype="html")
    email_message.add_attachment(
        message.ics, maintype="text", subtype="calendar", filename="tenggat.ics"
    )
    return email_message


def _as_sent(message: Letter) -> EmailMessage:
    raw = render(message, SENDER).as_bytes(policy=email.policy.SMTP)
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def message_ids(sink: MailSink | MaildirHandler) -> Counter[str]:
    return Counter(str(message["Message-ID"]) for message in sink.messages())


def config_for(sink: MailSink, **options: Any) -> SmtpConfig:
    """Small timeouts and backoff: the tests wait for real servers, not for the clock."""
    values: dict[str, Any] = {
        "sender": SENDER,
        "timeout": 5.0,
        "concurrency": 3,
        "max_attempts": 4,
        "backoff_base": 0.01,
        "backoff_cap": 0.05,
        "claim_batch": 8,
    }
    values.update(options)
    return sink.smtp_config(SmtpConfig(**values))


def send(batch: list[Letter], config: SmtpConfig, outbox: Outbox, **options: Any) -> DeliveryReport:
    return asyncio.run(deliver(batch, config=config, outbox=outbox, render=render, **options))


# --- an aiosmtpd server with faults ----------------------------------------------------------


class FaultyHandler(MaildirHandler):
    """A sink that misbehaves on purpose, by Message-ID and by recipient.

    drop: the connection is cut after DATA, before the message is accepted (first try only);
    busy: 421 after DATA (first try only); reject: 550 at RCPT; greylist: 451 at RCPT always;
    hold_after: once that many messages are stored, every DATA waits for `release()` and is
    then refused with 451 (nothing stored): a server stalled while the client dies.
    """

    def __init__(
        self,
        folder: Path,
        *,
        drop: frozenset[str] = frozenset(),
        busy: frozenset[str] = frozenset(),
        reject: frozenset[str] = frozenset(),
        greylist: frozenset[str] = frozenset(),
        hold_after: int | None = None,
    ) -> None:
        super().__init__(folder)
        self.drop, self.busy, self.reject, self.greylist = drop, busy, reject, greylist
        self.hold_after = hold_after
        self.tries: Counter[str] = Counter()
        self.peers: set[Any] = set()
        self.stored = 0
        self.holding = 0
        self._released = threading.Event()

    def release(self) -> None:
        self.hold_after = None
        self._released.set()

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        if address in self.reject:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        if address in self.greylist:
            return "451 4.7.1 Greylisted, please try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.peers.add(session.peer)
        content = envelope.original_content or b""
        assert isinstance(content, bytes)
        message_id = _header(content, b"Message-ID")
        self.tries[message_id] += 1
        first = self.tries[message_id] == 1
        if first and message_id in self.drop:
            assert server.transport is not None
            server.transport.close()
            return "451 4.3.0 dropped"
        if first and message_id in self.busy:
            return "421 4.3.2 Service not available, closing transmission channel"
        if self.hold_after is not None and self.stored >= self.hold_after:
            self.holding += 1
            try:  # aiosmtpd cancels this when the client's connection goes away
                while not self._released.is_set():
                    await asyncio.sleep(0.01)
            finally:
                self.holding -= 1
            return "451 4.3.0 held and refused"
        self.store(envelope)
        self.stored += 1
        return "250 2.0.0 OK"


def _header(content: bytes, name: bytes) -> str:
    for line in content.split(b"\n"):
        if line.lower().startswith(name.lower() + b":"):
            return line.split(b":", 1)[1].strip().decode()
    return ""


@pytest.fixture
def mail_folder(tmp_path: Path) -> Path:
    return tmp_path / "mail"


@pytest.fixture
def sink(mail_folder: Path) -> Iterator[MailSink]:
    with start_sink(mail_folder) as running:
        yield running


# --- the in-memory outbox and a clock ----------------------------------------------------------


class Clock:
    """An aware UTC clock that tests move forward, instead of sleeping past a claim timeout."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return utc_now() + self.offset

    def advance(self, **delta: float) -> None:
        self.offset += timedelta(**delta)


@dataclass
class _Row:
    recipient: str
    kind: str
    subject: str
    status: NotificationStatus
    claimed_at: datetime
    error: str | None = None
    message_id: str | None = None


@dataclass
class FakeOutbox:
    """The outbox's rules over a dict, for unit tests that are about SMTP, not the database."""

    claim_timeout: timedelta = timedelta(minutes=15)
    clock: Callable[[], datetime] = utc_now
    rows: dict[str, _Row] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def claim(self, key: str, recipient: str, kind: str, subject: str) -> bool:
        return key in self.claim_many([ClaimRequest(key, recipient, kind, subject)])

    def claim_many(self, requests: Any) -> dict[str, datetime]:
        now = self.clock()
        claimed: dict[str, datetime] = {}
        with self.lock:
            for request in unique_sorted(requests):
                row = self.rows.get(request.key)
                if row is None or self._reclaimable(row, now):
                    self.rows[request.key] = _Row(
                        request.recipient, request.kind, request.subject[:500],
                        NotificationStatus.CLAIMED, now,
                    )  # fmt: skip
                    claimed[request.key] = now
        return claimed

    def _reclaimable(self, row: _Row, now: datetime) -> bool:
        if row.status is NotificationStatus.FAILED:
            return not read_reason(row.error)[1]
        stale = now - self.claim_timeout
        return row.status is NotificationStatus.CLAIMED and row.claimed_at < stale

    def renew(self, key: str, claimed_at: datetime) -> datetime | None:
        with self.lock:
            row = self.rows.get(key)
            if row is None or row.status is not NotificationStatus.CLAIMED:
                return None
            if row.claimed_at != claimed_at:
                return None
            row.claimed_at = self.clock()
            return row.claimed_at

    def mark_sent(self, key: str, message_id: str) -> None:
        self.settle([SentMark(key, message_id)], [])

    def mark_failed(self, key: str, reason: str, permanent: bool) -> None:
        self.settle([], [FailedMark(key, reason, permanent)])

    def settle(self, sent: Any, failed: Any) -> None:
        with self.lock:
            for mark in sent:
                if (row := self.rows.get(mark.key)) is not None:
                    row.status, row.message_id, row.error = (
                        NotificationStatus.SENT, mark.message_id, None,
                    )  # fmt: skip
            for mark in failed:
                row = self.rows.get(mark.key)
                if row is None or row.status is not NotificationStatus.CLAIMED:
                    continue
                if mark.claimed_at is not None and row.claimed_at != mark.claimed_at:
                    continue
                row.status = NotificationStatus.FAILED
                row.error = stored_reason(mark.reason, permanent=mark.permanent)

    def failures(self, since: datetime) -> list[OutboxFailure]:
        with self.lock:
            found = [
                OutboxFailure(key, row.recipient, row.kind, row.subject, *read_reason(row.error),
                              row.claimed_at)
                for key, row in self.rows.items()
                if row.status is NotificationStatus.FAILED and row.claimed_at >= since
            ]  # fmt: skip
        return sorted(found, key=lambda failure: (failure.at, failure.key))

    def states(self, keys: Any) -> dict[str, NotificationStatus]:
        with self.lock:
            return {key: self.rows[key].status for key in keys if key in self.rows}


def statuses(engine: Engine) -> Counter[str]:
    query = sa.select(Notification.status)  # type: ignore[call-overload]
    with engine.connect() as connection:
        return Counter(str(status) for status in connection.execute(query).scalars())


def wait_until(condition: Callable[[], bool], *, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.02)


# --- the outbox contract: the SQL outbox on both databases, and the fake ------------------------


def _req(number: int) -> ClaimRequest:
    return ClaimRequest(f"key-{number}", f"a{number}@contoh.go.id", "deadline_reminder", "Subjek")


def check_claims_once(outbox: Outbox, clock: Clock) -> None:
    assert outbox.claim("key-1", "a@contoh.go.id", "deadline_reminder", "Pengingat")
    assert not outbox.claim("key-1", "a@contoh.go.id", "deadline_reminder", "Pengingat")
    outbox.mark_sent("key-1", "<1@x>")
    clock.advance(days=2)
    assert not outbox.claim("key-1", "a@contoh.go.id", "deadline_reminder", "Pengingat")


def check_claim_many_takes_only_what_is_free(outbox: Outbox, clock: Clock) -> None:
    first = outbox.claim_many([_req(1), _req(2)])
    assert set(first) == {"key-1", "key-2"}
    second = outbox.claim_many([_req(2), _req(3), _req(3)])  # a key twice in one chunk
    assert set(second) == {"key-3"}


def check_transient_failure_is_claimable_again(outbox: Outbox, clock: Clock) -> None:
    assert outbox.claim("key-1", "a@contoh.go.id", "k", "s")
    outbox.mark_failed("key-1", "ditolak server (421): sibuk", permanent=False)
    assert outbox.claim("key-1", "a@contoh.go.id", "k", "s")
    assert not outbox.claim("key-1", "a@contoh.go.id", "k", "s")


def check_permanent_failure_is_never_claimed(outbox: Outbox, clock: Clock) -> None:
    since = clock() - timedelta(seconds=1)
    assert outbox.claim("key-1", "x@contoh.go.id", "deadline_reminder", "Pengingat")
    outbox.mark_failed("key-1", "penerima ditolak server (550): User unknown", permanent=True)
    clock.advance(days=30)
    assert not outbox.claim("key-1", "x@contoh.go.id", "deadline_reminder", "Pengingat")
    [failure] = outbox.failures(since)
    assert failure.key == "key-1" and failure.recipient == "x@contoh.go.id"
    assert failure.permanent and failure.reason.startswith("penerima ditolak server (550)")


def check_stale_claim_is_reclaimed_once(outbox: Outbox, clock: Clock) -> None:
    first = outbox.claim_many([_req(1)])
    clock.advance(minutes=14)
    assert not outbox.claim_many([_req(1)]), "a claim younger than the timeout is respected"
    clock.advance(minutes=2)
    second = outbox.claim_many([_req(1)])
    assert set(second) == {"key-1"}
    assert not outbox.claim_many([_req(1)])
    # The first run wakes up: its claim is gone, it may neither renew nor fail the row.
    assert outbox.renew("key-1", first["key-1"]) is None
    outbox.settle([], [FailedMark("key-1", "terlambat", False, first["key-1"])])
    assert not outbox.claim_many([_req(1)]), "the second run's claim still stands"
    assert outbox.renew("key-1", second["key-1"]) is not None


def check_failure_does_not_undo_a_send(outbox: Outbox, clock: Clock) -> None:
    outbox.claim_many([_req(1)])
    outbox.mark_sent("key-1", "<1@x>")
    outbox.mark_failed("key-1", "terlambat", permanent=False)
    assert not outbox.claim_many([_req(1)])
    assert outbox.failures(clock() - timedelta(days=1)) == []


def check_failures_since(outbox: Outbox, clock: Clock) -> None:
    outbox.claim_many([_req(1)])
    outbox.mark_failed("key-1", "lama", permanent=True)
    clock.advance(days=1)
    since = clock()
    outbox.claim_many([_req(2), _req(3)])
    outbox.settle(
        [SentMark("key-3", "<3@x>")], [FailedMark("key-2", "gagal sementara: 421", False)]
    )
    [failure] = outbox.failures(since)
    assert (failure.key, failure.permanent, failure.reason) == (
        "key-2", False, "gagal sementara: 421",
    )  # fmt: skip


CONTRACT = [
    check_claims_once,
    check_claim_many_takes_only_what_is_free,
    check_transient_failure_is_claimable_again,
    check_permanent_failure_is_never_claimed,
    check_stale_claim_is_reclaimed_once,
    check_failure_does_not_undo_a_send,
    check_failures_since,
]


@pytest.mark.parametrize("check", CONTRACT, ids=lambda check: check.__name__[6:])
def test_sql_outbox_contract(engine: Engine, check: Callable[[Outbox, Clock], None]) -> None:
    clock = Clock()
    check(SqlOutbox(engine, clock=clock), clock)


def test_leftovers_can_be_one_instansis_people_only(engine: Engine) -> None:
    """`zi remind --instansi` sends the leftovers to that instansi's people only; the
    addresses are compared trimmed and lower-cased, as the keys and failures are."""
    clock = Clock()
    outbox = SqlOutbox(engine, clock=clock)
    ours = ClaimRequest("k-1", " Kepala@Sukamaju.go.id", "k", "s", payload="untuk kami")
    theirs = ClaimRequest("k-2", "kepala@lain.go.id", "k", "s", payload="untuk instansi lain")
    outbox.claim_many([ours, theirs])
    for key in ("k-1", "k-2"):
        outbox.mark_failed(key, "ditolak server (421): sibuk", permanent=False)

    assert outbox.leftovers(recipients=frozenset({"kepala@sukamaju.go.id"})) == ["untuk kami"]
    assert outbox.leftovers(recipients=frozenset()) == []
    assert sorted(outbox.leftovers()) == ["untuk instansi lain", "untuk kami"]
    assert outbox.leftovers(exclude=["k-1"]) == ["untuk instansi lain"]


@pytest.mark.parametrize("check", CONTRACT, ids=lambda check: check.__name__[6:])
def test_fake_outbox_contract(check: Callable[[Outbox, Clock], None]) -> None:
    clock = Clock()
    check(FakeOutbox(clock=clock), clock)


def test_two_reruns_racing_for_stale_claims_split_them(engine: Engine) -> None:
    """The reclaim is a compare-and-set: two runs after a crash never both get a row."""
    clock = Clock()
    requests = [_req(number) for number in range(300)]
    SqlOutbox(engine, clock=clock).claim_many(requests)
    clock.advance(hours=1)
    engines = [make_engine(engine.url), make_engine(engine.url)]
    barrier = threading.Barrier(2)
    results: list[set[str]] = []

    def rerun(own: Engine) -> None:
        outbox = SqlOutbox(own, clock=clock)
        barrier.wait()
        got: set[str] = set()
        for start in range(0, len(requests), 20):
            got |= set(outbox.claim_many(requests[start : start + 20]))
        results.append(got)

    threads = [threading.Thread(target=rerun, args=(own,)) for own in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for own in engines:
        own.dispose()
    first, second = results
    assert not first & second
    assert first | second == {request.key for request in requests}


def test_outbox_refuses_keys_and_kinds_that_do_not_fit(engine: Engine) -> None:
    outbox = SqlOutbox(engine)
    with pytest.raises(ValueError, match="idempotency key"):
        outbox.claim("k" * 256, "a@contoh.go.id", "deadline_reminder", "s")
    with pytest.raises(ValueError, match="kind"):
        outbox.claim("k", "a@contoh.go.id", "k" * 33, "s")
    assert statuses(engine) == Counter()


# --- delivery over a plain SMTP server ---------------------------------------------------------


def test_each_message_arrives_once_with_its_headers_parts_and_attachment(
    engine: Engine, sink: MailSink
) -> None:
    batch = letters(24)
    outbox = SqlOutbox(engine)

    report = send(batch, config_for(sink), outbox)

    assert sorted(report.sent) == sorted(m.idempotency_key for m in batch)
    assert report.attempts == 24 and not report.failed_permanent and not report.failed_transient
    assert statuses(engine) == Counter({"sent": 24})
    received = {str(m["Message-ID"]): m for m in sink.messages()}
    assert sorted(received) == sorted(m.message_id for m in batch)
    for original in batch:
        got = received[original.message_id]
        # Non-ASCII, through RFC 2047 and back, as the client's generator folded it (CPython
        # folds this subject before the "—" leaving two spaces where there was one).
        assert got["Subject"] == _as_sent(original)["Subject"]
        assert " ".join(got["Subject"].split()) == original.subject
        assert got["To"].addresses[0].addr_spec == original.recipient
        assert got["Delivered-To"] == original.recipient
        assert got["From"] == SENDER
        body = got.get_body(preferencelist=("plain",))
        html = got.get_body(preferencelist=("html",))
        assert body is not None and body.get_content() == original.text
        assert html is not None and "Senin, 31 Mei 2027" in html.get_content()
        [attachment] = list(got.iter_attachments())
        assert attachment.get_filename() == "tenggat.ics"
        assert attachment.get_content_type() == "text/calendar"
        assert attachment.get_payload(decode=True) == original.ics


def test_a_rerun_sends_nothing_again(engine: Engine, sink: MailSink) -> None:
    batch = letters(10)
    config = config_for(sink)
    send(batch, config, SqlOutbox(engine))

    again = send(batch, config, SqlOutbox(engine))

    assert again.sent == () and sorted(again.already_sent) == sorted(
        m.idempotency_key for m in batch
    )
    assert again.attempts == 0
    assert sink.count() == 10


def test_by_default_messages_are_rendered_by_notifications_messages(sink: MailSink) -> None:
    from notifications.messages import Attachment, OutgoingMessage, message_id_for

    batch = [
        OutgoingMessage(
            idempotency_key=m.idempotency_key,
            recipient=m.recipient,
            recipient_name=m.recipient_name,
            kind="reminder.before",
            subject=m.subject,
            text=m.text,
            html=m.html,
            message_id=message_id_for(m.idempotency_key),
            attachments=(Attachment("tenggat.ics", "text/calendar; method=PUBLISH", m.ics),),
        )
        for m in letters(4)
    ]
    report = asyncio.run(deliver(batch, config=config_for(sink), outbox=FakeOutbox()))
    assert len(report.sent) == 4
    received = {str(m["Message-ID"]): m for m in sink.messages()}
    assert sorted(received) == sorted(m.message_id for m in batch)
    for original in batch:
        [attachment] = list(received[original.message_id].iter_attachments())
        assert attachment.get_payload(decode=True) == original.attachments[0].data


def test_workers_reuse_their_connections(mail_folder: Path) -> None:
    handler = FaultyHandler(mail_folder)
    with start_sink(mail_folder, handler=handler) as sink:
        report = send(letters(30), config_for(sink, concurrency=3), FakeOutbox())
    assert len(report.sent) == 30
    assert len(handler.peers) <= 3, "one SMTP connection per worker for the whole batch"


def test_invalid_addresses_are_reported_never_claimed_and_the_run_goes_on(
    engine: Engine, sink: MailSink
) -> None:
    bad = ["bukan-alamat", "dua@@contoh.go.id", "spasi @contoh.go.id", "a@lokal", ""]
    batch = letters(5) + [letter(100 + n, recipient=address) for n, address in enumerate(bad)]

    report = send(batch, config_for(sink), SqlOutbox(engine))

    assert len(report.sent) == 5 and sink.count() == 5
    assert [failure.recipient for failure in report.invalid_addresses] == bad
    reasons = [failure.reason for failure in report.invalid_addresses]
    assert reasons[0] == "alamat e-mail tanpa tanda '@'"
    assert reasons[1] == "alamat e-mail memuat lebih dari satu '@'"
    assert reasons[2] == "alamat e-mail memuat spasi"
    assert reasons[3] == "domain 'lokal' tidak sah"
    assert reasons[4] == "alamat e-mail kosong"
    assert statuses(engine) == Counter({"sent": 5}), "an invalid address is never claimed"


@pytest.mark.parametrize(
    ("address", "problem"),
    [
        ("budi.santoso@kemenpan.go.id", None),
        ("tim-zi+2027@dinas.kab-contoh.go.id", None),
        ("Budi <budi@contoh.go.id>", "alamat e-mail memuat spasi"),
        ("budi@contoh.go.id.", "domain 'contoh.go.id.' tidak sah"),
        (".budi@contoh.go.id", "bagian sebelum '@' tidak sah"),
        ("budi..s@contoh.go.id", "bagian sebelum '@' tidak sah"),
        ("budi@-contoh.go.id", "domain '-contoh.go.id' tidak sah"),
        ("budi@10.0.0.1", "domain '10.0.0.1' tidak sah"),
        ("bùdi@contoh.go.id", "alamat e-mail memuat huruf di luar ASCII"),
        ("b" * 65 + "@contoh.go.id", "bagian sebelum '@' tidak sah"),
        ("budi@" + "a" * 250 + ".id", "alamat e-mail lebih dari 254 karakter"),
    ],
)
def test_address_problem(address: str, problem: str | None) -> None:
    assert address_problem(address) == problem


def test_a_key_twice_in_one_batch_is_sent_once(sink: MailSink) -> None:
    batch = letters(3)
    report = send([*batch, batch[0]], config_for(sink), FakeOutbox())
    assert len(report.sent) == 3 and report.already_sent == (batch[0].idempotency_key,)
    assert sink.count() == 3


# --- faults ----------------------------------------------------------------------------------


def test_drops_421_and_550_every_good_message_once_the_bad_one_recorded(
    engine: Engine, mail_folder: Path
) -> None:
    batch = letters(40)
    unknown = batch[13]
    handler = FaultyHandler(
        mail_folder,
        drop=frozenset(m.message_id for m in batch[::5]),
        busy=frozenset(m.message_id for m in batch[1::7]),
        reject=frozenset({unknown.recipient}),
    )
    outbox = SqlOutbox(engine)
    since = utc_now() - timedelta(seconds=1)

    with start_sink(mail_folder, handler=handler) as sink:
        report = send(batch, config_for(sink), outbox)
        rerun = send(batch, config_for(sink), outbox)

    good = [m for m in batch if m is not unknown]
    assert sorted(report.sent) == sorted(m.idempotency_key for m in good)
    assert message_ids(handler) == Counter({m.message_id: 1 for m in good})
    assert report.attempts == 40 + len((handler.drop | handler.busy) - {unknown.message_id})
    assert len(handler.peers) > 3, "the workers reconnected after drops and 421s"
    [failure] = report.failed_permanent
    assert failure.key == unknown.idempotency_key and failure.recipient == unknown.recipient
    assert failure.reason.startswith("penerima ditolak server (550): 5.1.1")
    assert "User unknown" in failure.reason
    [recorded] = outbox.failures(since)
    assert recorded.permanent and recorded.reason == failure.reason
    assert statuses(engine) == Counter({"sent": 39, "failed": 1})
    # The next run neither resends the good ones nor retries the permanent failure.
    assert rerun.sent == () and rerun.attempts == 0 and len(rerun.already_sent) == 39
    assert rerun.failed_before == (unknown.idempotency_key,)


def test_a_transient_failure_is_retried_then_left_for_the_next_run(
    engine: Engine, mail_folder: Path
) -> None:
    batch = letters(6)
    busy = batch[2]
    outbox = SqlOutbox(engine)
    handler = FaultyHandler(mail_folder, greylist=frozenset({busy.recipient}))
    with start_sink(mail_folder, handler=handler) as sink:
        report = send(batch, config_for(sink, max_attempts=3), outbox)
    [failure] = report.failed_transient
    assert failure.key == busy.idempotency_key
    assert failure.reason.startswith("gagal sementara setelah 3 percobaan; terakhir: penerima")
    assert "(451)" in failure.reason and report.attempts == 5 + 3

    with start_sink(mail_folder) as healed:
        rerun = send(batch, config_for(healed), outbox)
        assert rerun.sent == (busy.idempotency_key,)
    assert Counter(str(m["Message-ID"]) for m in healed.messages()) == Counter(
        {m.message_id: 1 for m in batch}
    )


def test_an_unreachable_relay_stops_the_run_and_leaves_everything_claimable() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again: nothing listens there
    config = SmtpConfig(
        host="127.0.0.1", port=port, sender=SENDER, concurrency=2, max_attempts=2,
        backoff_base=0.01, backoff_cap=0.02, claim_batch=10, timeout=2.0,
    )  # fmt: skip
    outbox = FakeOutbox()
    batch = letters(100)

    report = asyncio.run(deliver(batch, config=config, outbox=outbox, render=render))

    assert report.sent == ()
    assert report.aborted == "server SMTP tidak dapat dihubungi setelah 2 percobaan"
    assert len(report.failed_transient) + report.not_started == 100
    assert report.failed_transient[0].reason.startswith("gagal sementara setelah 2 percobaan")
    assert 2 <= report.attempts <= 4, "a worker tried its message twice, then the run stopped"
    claimed_again = outbox.claim_many(
        [ClaimRequest(m.idempotency_key, m.recipient, m.kind, m.subject) for m in batch]
    )
    assert len(claimed_again) == 100


# --- crashes and concurrent runs ---------------------------------------------------------------


def test_a_cancelled_run_then_a_rerun_delivers_the_rest_once(
    engine: Engine, mail_folder: Path
) -> None:
    batch = letters(40)
    stored_first = 12
    handler = FaultyHandler(mail_folder, hold_after=stored_first)
    clock = Clock()
    outbox = SqlOutbox(engine, clock=clock)

    with start_sink(mail_folder, handler=handler) as sink:
        config = config_for(sink)

        async def interrupted() -> None:
            task = asyncio.create_task(deliver(batch, config=config, outbox=outbox, render=render))
            while not (handler.holding == 3 and statuses(engine)["sent"] == stored_first):
                await asyncio.sleep(0.02)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task

        asyncio.run(interrupted())
        handler.release()
        wait_until(lambda: handler.holding == 0)
        assert handler.count() == stored_first
        after_cancel = statuses(engine)
        # Sent ones marked; three were at the server (fate unknown: still claimed); the rest of
        # the claims were released at once for the next run.
        assert after_cancel["sent"] == stored_first and after_cancel["claimed"] == 3

        clock.advance(minutes=16)  # past the claim timeout: the three in doubt are reclaimed
        rerun = send(batch, config, outbox)

    assert len(rerun.sent) == 40 - stored_first
    assert len(rerun.already_sent) == stored_first
    assert message_ids(handler) == Counter({m.message_id: 1 for m in batch})
    assert statuses(engine) == Counter({"sent": 40})


def child_main(arguments: list[str]) -> None:
    """Run by `test_a_killed_process...` in its own process: deliver, until it is killed."""
    url, port, count = arguments[0], int(arguments[1]), int(arguments[2])
    config = SmtpConfig(
        host="127.0.0.1", port=port, sender=SENDER, concurrency=3, claim_batch=8,
        backoff_base=0.01, backoff_cap=0.05,
    )  # fmt: skip
    engine = make_engine(url)
    asyncio.run(deliver(letters(count), config=config, outbox=SqlOutbox(engine), render=render))


def test_a_killed_process_then_a_rerun_delivers_the_rest_once(
    engine: Engine, mail_folder: Path
) -> None:
    """SIGKILL, no cleanup at all: claimed rows stay claimed until the claim timeout."""
    count, stored_first = 30, 9
    handler = FaultyHandler(mail_folder, hold_after=stored_first)
    url = engine.url.render_as_string(hide_password=False)
    with start_sink(mail_folder, handler=handler) as sink:
        code = "import sys; from tests.notifications.test_delivery import child_main; "
        code += "child_main(sys.argv[1:])"
        child = subprocess.Popen(
            [sys.executable, "-c", code, url, str(sink.port), str(count)], cwd=REPO
        )
        try:
            wait_until(lambda: handler.holding == 3 and statuses(engine)["sent"] == stored_first)
        finally:
            child.kill()
            child.wait()
        handler.release()
        wait_until(lambda: handler.holding == 0)
        claimed = statuses(engine)["claimed"]
        assert statuses(engine)["sent"] == stored_first and claimed >= 3  # 3 were at the server

        clock = Clock()
        early = send(letters(count), config_for(sink), SqlOutbox(engine, clock=clock))
        # What the dead run never claimed goes now; its claims are respected until they expire.
        assert len(early.sent) == count - stored_first - claimed
        # ... and are not called sent: they are held by the dead run until its claims expire.
        assert len(early.already_sent) == stored_first
        assert len(early.held_elsewhere) == claimed
        clock.advance(minutes=16)
        rerun = send(letters(count), config_for(sink), SqlOutbox(engine, clock=clock))

    assert len(rerun.sent) == claimed
    assert message_ids(handler) == Counter({m.message_id: 1 for m in letters(count)})
    assert statuses(engine) == Counter({"sent": count})


class _RivalTransport:
    """A real SMTP transport; before its first send, a rival run reclaims the batch's last
    message (its claim looks abandoned: the claim timeout here is a millisecond)."""

    def __init__(self, config: SmtpConfig, rival: SqlOutbox, stolen: Letter) -> None:
        self._inner = SmtpTransport(config)
        self._rival, self._stolen, self._done = rival, stolen, False

    async def send(self, message: EmailMessage, *, sender: str, recipient: str) -> None:
        if not self._done:
            self._done = True
            await asyncio.sleep(0.01)
            stolen = self._stolen
            assert self._rival.claim(stolen.idempotency_key, stolen.recipient, "k", "s")
        await self._inner.send(message, sender=sender, recipient=recipient)

    async def close(self) -> None:
        await self._inner.close()


def test_claims_are_renewed_and_a_reclaimed_message_is_left_to_the_rival(
    engine: Engine, sink: MailSink
) -> None:
    """A claim older than half the timeout is renewed (compare-and-set) before each attempt;
    when another run took it meanwhile, this run does not send it."""
    batch = letters(12)
    tiny = timedelta(milliseconds=1)
    rival = SqlOutbox(engine, claim_timeout=tiny)
    config = config_for(sink, concurrency=1, claim_batch=20)

    report = send(
        batch,
        config,
        SqlOutbox(engine, claim_timeout=tiny),
        sender_factory=lambda c: _RivalTransport(c, rival, batch[-1]),
    )

    assert sorted(report.sent) == sorted(m.idempotency_key for m in batch[:-1])
    assert report.already_sent == (batch[-1].idempotency_key,)
    assert message_ids(sink) == Counter({m.message_id: 1 for m in batch[:-1]})
    assert statuses(engine) == Counter({"sent": 11, "claimed": 1}), "the rival holds the last"


def test_the_message_id_is_always_the_one_derived_from_the_key(sink: MailSink) -> None:
    def careless(message: Letter, sender: str) -> EmailMessage:
        email_message = render(message, sender)
        del email_message["Message-ID"]
        email_message["Message-ID"] = "<acak@mana.saja>"
        return email_message

    batch = letters(3)
    asyncio.run(deliver(batch, config=config_for(sink), outbox=FakeOutbox(), render=careless))
    assert message_ids(sink) == Counter({m.message_id: 1 for m in batch})


def test_two_runs_started_together_in_one_loop_send_each_message_once(
    engine: Engine, sink: MailSink
) -> None:
    batch = letters(60)
    config = config_for(sink, claim_batch=5)

    async def both() -> list[DeliveryReport]:
        runs = [
            deliver(batch, config=config, outbox=SqlOutbox(engine), render=render) for _ in range(2)
        ]
        return list(await asyncio.gather(*runs))

    first, second = asyncio.run(both())

    assert not set(first.sent) & set(second.sent)
    assert set(first.sent) | set(second.sent) == {m.idempotency_key for m in batch}
    skipped = (*first.already_sent, *first.held_elsewhere, *second.already_sent)
    assert len(skipped) + len(second.held_elsewhere) == 60
    assert message_ids(sink) == Counter({m.message_id: 1 for m in batch})


def test_two_runs_in_two_threads_with_their_own_loops_send_each_message_once(
    engine: Engine, sink: MailSink
) -> None:
    batch = letters(60)
    config = config_for(sink, claim_batch=5)
    barrier = threading.Barrier(2)
    reports: list[DeliveryReport] = []

    def run() -> None:
        own = make_engine(engine.url)
        try:
            barrier.wait()
            reports.append(send(batch, config, SqlOutbox(own)))
        finally:
            own.dispose()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    first, second = reports
    assert not set(first.sent) & set(second.sent)
    assert len(first.sent) + len(second.sent) == 60
    assert message_ids(sink) == Counter({m.message_id: 1 for m in batch})
    assert statuses(engine) == Counter({"sent": 60})


# --- TLS, AUTH and the password ----------------------------------------------------------------


def _certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, its own CA (the client trusts just this file)."""
    x509 = pytest.importorskip("cryptography.x509", reason="cryptography is not installed")
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def _server_tls(cert: Path, key: Path) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


def _authenticator(*, echo: bool) -> Callable[..., AuthResult]:
    """Accepts user `zi` with PASSWORD; with `echo`, a hostile server that refuses and repeats
    the credentials in its reply, in the clear and in base64."""

    def authenticate(
        server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        assert isinstance(data, LoginPassword)
        if echo:
            blob = base64.b64encode(b"\0" + data.login + b"\0" + data.password).decode()
            message = f"535 5.7.8 kredensial {data.password.decode()} ({blob}) ditolak"
            return AuthResult(success=False, handled=False, message=message)
        ok = data.login == b"zi" and data.password == PASSWORD.encode()
        return AuthResult(success=ok)

    return authenticate


def _assert_no_password(*texts: str) -> None:
    blob = base64.b64encode(b"\0zi\0" + PASSWORD.encode()).decode()
    for text in texts:
        assert PASSWORD not in text and blob not in text


def test_starttls_and_auth(
    tmp_path: Path, mail_folder: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cert, key = _certificate(tmp_path)
    caplog.set_level(logging.DEBUG, logger="notifications")
    with start_sink(
        mail_folder,
        tls_context=_server_tls(cert, key),
        require_starttls=True,
        authenticator=_authenticator(echo=False),
        auth_require_tls=True,
    ) as sink:
        config = SmtpConfig(
            host=sink.host, port=sink.port, starttls=True, username="zi",
            password=SecretStr(PASSWORD), cert_bundle=str(cert), sender=SENDER,
        )  # fmt: skip
        report = send(letters(5), config, FakeOutbox())
        plain = send(letters(2, batch="x"), replace(config, starttls=False), FakeOutbox())
        anonymous = replace(config, starttls=False, username=None, password=None)
        refused = send(letters(2, batch="z"), anonymous, FakeOutbox())
    assert len(report.sent) == 5 and sink.count() == 5
    # Without STARTTLS the server offers no AUTH: a fatal setup error, the run stops at once.
    assert plain.sent == () and plain.aborted is not None
    assert "SMTP AUTH extension is not supported" in plain.aborted
    # Without either, MAIL FROM gets 530: about the session, not the message; no permanent mark.
    assert refused.aborted is not None and refused.failed_permanent == ()
    assert refused.aborted.startswith("pengirim zi@contoh.go.id ditolak server (530)")
    _assert_no_password(repr(report), repr(plain), repr(config), caplog.text)


def test_implicit_tls(tmp_path: Path, mail_folder: Path) -> None:
    cert, key = _certificate(tmp_path)
    with start_sink(mail_folder, ssl_context=_server_tls(cert, key)) as sink:
        config = SmtpConfig(
            host=sink.host, port=sink.port, tls=True, cert_bundle=str(cert), sender=SENDER
        )
        report = send(letters(4), config, FakeOutbox())
        untrusted = send(letters(2, batch="y"), replace(config, cert_bundle=None), FakeOutbox())
    assert len(report.sent) == 4
    assert untrusted.sent == () and untrusted.aborted is not None
    assert untrusted.aborted.startswith("TLS gagal")


def test_a_server_echoing_the_password_never_gets_it_into_reports_logs_or_the_outbox(
    tmp_path: Path, mail_folder: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cert, key = _certificate(tmp_path)
    caplog.set_level(logging.DEBUG, logger="notifications")
    outbox = FakeOutbox()
    with start_sink(
        mail_folder,
        tls_context=_server_tls(cert, key),
        require_starttls=True,
        authenticator=_authenticator(echo=True),
    ) as sink:
        config = SmtpConfig(
            host=sink.host, port=sink.port, starttls=True, username="zi",
            password=SecretStr(PASSWORD), cert_bundle=str(cert), sender=SENDER,
            concurrency=2,
        )  # fmt: skip
        report = send(letters(6), config, outbox)

    assert report.sent == () and sink.count() == 0
    assert report.aborted is not None and report.aborted.startswith("login SMTP ditolak (535)")
    assert "***" in report.aborted, "the echo was there, and scrubbed"
    assert len(report.failed_transient) == 6, "nothing is lost: all claimable on the next run"
    failures = outbox.failures(utc_now() - timedelta(minutes=1))
    _assert_no_password(
        repr(report), report.summary(), caplog.text, repr(failures), *(f.reason for f in failures)
    )


# --- configuration ---------------------------------------------------------------------------


@dataclass
class _Settings:
    smtp_host: str | None = "relay.contoh.go.id"
    smtp_port: int | None = None
    smtp_username: str | None = "zi"
    smtp_password: SecretStr | None = field(default_factory=lambda: SecretStr(PASSWORD))
    smtp_starttls: bool = True
    smtp_tls: bool = False
    smtp_sender: str = SENDER
    smtp_timeout: float = 20.0
    smtp_concurrency: int = 2
    smtp_max_attempts: int = 3


def test_config_from_settings_keeps_the_password_secret() -> None:
    config = SmtpConfig.from_settings(_Settings())
    assert (config.host, config.resolved_port, config.envelope_sender) == (
        "relay.contoh.go.id", 587, "zi@contoh.go.id",
    )  # fmt: skip
    assert config.password is not None and config.password.get_secret_value() == PASSWORD
    _assert_no_password(repr(config), str(config))
    assert SmtpConfig.from_settings(_Settings(smtp_host="")).host is None  # empty: the sink
    assert SmtpConfig(tls=True).resolved_port == 465 and SmtpConfig().resolved_port == 25


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"tls": True, "starttls": True}, "tidak boleh aktif bersamaan"),
        ({"username": "zi"}, "harus diisi berdua"),
        ({"concurrency": 0}, "minimal 1"),
        ({"sender": "bukan alamat"}, "ZI_SMTP_SENDER"),
    ],
)
def test_config_refuses_contradictions(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        SmtpConfig(**changes)


# --- the sink ----------------------------------------------------------------------------------


def test_sink_picks_a_free_port_and_keeps_every_message_as_a_maildir_file(
    mail_folder: Path,
) -> None:
    with start_sink(mail_folder) as first, start_sink(mail_folder) as second:
        assert first.host == "127.0.0.1" and first.port > 0 and first.port != second.port
        config = config_for(first)
        reports = [
            send(letters(5, batch="a"), config, FakeOutbox()),
            send(letters(5, batch="b"), config_for(second), FakeOutbox()),
        ]
        assert [len(report.sent) for report in reports] == [5, 5]
        assert first.count() == second.count() == 10, "one Maildir, written by both servers"
    assert len(list((mail_folder / "new").iterdir())) == 10
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", first.port)) != 0, "stopped: the port is closed"


def test_with_no_host_the_target_is_a_sink_for_the_block(mail_folder: Path) -> None:
    relay = SmtpConfig(host="relay.contoh.go.id", sender=SENDER)
    with smtp_target(relay, mail_folder) as target:
        assert target is relay
    with smtp_target(
        SmtpConfig(sender=SENDER, backoff_base=0.01, backoff_cap=0.05), mail_folder
    ) as target:
        assert target.host == "127.0.0.1" and target.port != 25
        report = send(letters(3), target, FakeOutbox())
    assert len(report.sent) == 3
    assert len(list((mail_folder / "new").iterdir())) == 3


def test_a_sink_process_serves_its_folder_to_smtp_target_for_the_block(mail_folder: Path) -> None:
    config = SmtpConfig(sender=SENDER, backoff_base=0.01, backoff_cap=0.05)
    with sink_process(mail_folder) as serving:
        with smtp_target(config, mail_folder) as target:
            assert (target.host, target.port) == (serving.host, serving.port)
            report = send(letters(3), target, FakeOutbox())
        with smtp_target(config, mail_folder.parent / "lain") as other:
            assert other.port != serving.port, "another folder: a sink of its own"
    assert len(report.sent) == 3
    assert len(list((mail_folder / "new").iterdir())) == 3, "on disk when the block ends"
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", serving.port)) != 0, "stopped with the block"
    with smtp_target(config, mail_folder) as after:
        assert after.port != serving.port, "after the block: a sink for the block again"


def test_a_sink_process_that_cannot_start_says_why(tmp_path: Path) -> None:
    in_the_way = tmp_path / "berkas"
    in_the_way.write_text("bukan folder")
    with (
        pytest.raises(RuntimeError, match=r"penampung e-mail tidak dapat dijalankan: folder .*"),
        sink_process(in_the_way / "mail"),
    ):
        pytest.fail("the block must not run without a sink")


def test_zi_mail_sink_runs_until_ctrl_c(mail_folder: Path) -> None:
    code = "import sys, pathlib; from notifications.sink import run_mail_sink; "
    code += "run_mail_sink(pathlib.Path(sys.argv[1]), 0)"
    child = subprocess.Popen(
        [sys.executable, "-c", code, str(mail_folder)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert child.stdout is not None
        first = child.stdout.readline()
        assert first.startswith("Penampung e-mail berjalan di smtp://127.0.0.1:")
        port = int(first.rsplit(":", 1)[1])
        assert child.stdout.readline().strip() == "Setiap pesan disimpan sebagai berkas di folder:"
        assert child.stdout.readline().rstrip("\n") == str(mail_folder / "new")  # whole, alone
        config = SmtpConfig(host="127.0.0.1", port=port, sender=SENDER)
        assert len(send(letters(2), config, FakeOutbox()).sent) == 2
    finally:
        child.send_signal(signal.SIGINT)
        out, _ = child.communicate(timeout=20)
    assert child.returncode == 0
    assert f"Penampung berhenti; 2 pesan tersimpan di folder:\n{mail_folder}\n" in out


def test_terminated_database_connections_lose_no_message(engine: Engine, sink: MailSink) -> None:
    """PostgreSQL: every connection to the product's database terminated (pg_terminate_backend)
    every 20 ms while a run delivers. The run fails; the reruns deliver every message, and
    resend exactly those that the server had accepted when the failure kept their mark from
    being written (each once more, with its Message-ID), nothing else."""
    if engine.dialect.name != "postgresql":
        pytest.skip("pg_terminate_backend is PostgreSQL's")
    count = 300
    batch = letters(count)
    clock = Clock()
    outbox = SqlOutbox(engine, clock=clock)
    killer = make_engine(engine.url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    outcome: list[BaseException | DeliveryReport] = []

    def deliver_all() -> None:
        try:
            outcome.append(send(batch, config_for(sink, claim_batch=4), outbox))
        except Exception as error:  # what the run died of
            outcome.append(error)

    runner = threading.Thread(target=deliver_all)
    runner.start()
    terminated = 0
    try:
        wait_until(lambda: sink.count() >= 20)
        with killer.connect() as connection:
            while runner.is_alive():
                terminated += len(
                    connection.execute(
                        sa.text(
                            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                            "WHERE datname = :db AND pid <> pg_backend_pid()"
                        ),
                        {"db": engine.url.database},
                    ).all()
                )
                time.sleep(0.02)
    finally:
        runner.join()
        killer.dispose()
    [died] = outcome
    assert isinstance(died, sa.exc.DBAPIError), died
    assert terminated > 0
    at_server = set(message_ids(sink))
    marked = statuses(engine)["sent"]
    in_doubt = len(at_server) - marked  # accepted, the mark lost with the connection
    assert 0 < len(at_server) < count

    clock.advance(minutes=16)  # past the claim timeout: what the dead run held is free again
    rerun = send(batch, config_for(sink), outbox)

    assert statuses(engine) == Counter({"sent": count})
    assert len(rerun.sent) == count - marked and len(rerun.already_sent) == marked
    received = message_ids(sink)
    assert set(received) == {m.message_id for m in batch}
    assert sum(n - 1 for n in received.values()) == in_doubt
