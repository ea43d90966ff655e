"""Delivery of rendered messages over SMTP (aiosmtplib), each message at most once per key.

    report = await deliver(messages, config=SmtpConfig.from_settings(settings), outbox=outbox)

The path of one message: its recipient address is checked (an invalid one is reported and never
claimed); it is claimed in the outbox (a chunk at a time, one transaction); one of
`config.concurrency` workers sends it over its own SMTP connection, which it keeps for many
messages and opens again when the server drops it; the outcome is marked in the outbox.
Transient failures (connection refused or dropped, timeouts, 4xx replies) are retried with
exponential backoff up to `config.max_attempts` and then left claimable for the next run;
permanent ones (a 5xx for the recipient or the content, e.g. 550 unknown user) are recorded with
the server's reason at once. A refusal that is about the session rather than the message (login
refused, TLS required, sender refused, certificate not trusted, relay unreachable) stops the run:
what it had claimed is left claimable, nothing is marked permanent.

The outbox is synchronous SQLAlchemy. Its calls run on one worker thread owned by the run (not on
the event loop, where a commit's fsync would stall every SMTP connection, and not on a shared pool,
so that a run's writes stay in order and a SQLite file sees one writer from it). Claims go a
chunk per transaction, ahead of the workers by at most two chunks. Marks are group committed:
the outcomes of the last `SETTLE_LINGER` (20 ms) go in one transaction, which keeps the window of
the one unavoidable resend (the server accepted, the process died before the mark) to the
messages of those 20 ms; each such resend carries the same Message-ID.

The password is a `SecretStr` and is never in a log line, a report, an exception or a repr: every
text that comes from the server or from aiosmtplib is scrubbed of it (and of its AUTH encodings)
before it is kept anywhere.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
import random
import re
import ssl
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.utils import parseaddr
from typing import Any, Generic, NamedTuple, Protocol, TypeVar

import aiosmtplib
from pydantic import SecretStr

from persistence.outbox import ClaimRequest, FailedMark, Outbox, SentMark
from persistence.tables import NotificationStatus

logger = logging.getLogger(__name__)

DEFAULT_SENDER = "Zona Integritas <noreply@zi-orchestrator.localhost>"
REASON_LENGTH = 500
SETTLE_LINGER = 0.02
"""Seconds that marks wait to be committed together. A commit per message would cost as much
CPU as a third of the SMTP work; the price is that a crash may leave this much more accepted
mail unmarked (resent, with the same Message-ID, once its claim times out)."""


# --- configuration ---------------------------------------------------------------------------


class SmtpSettings(Protocol):
    """The `ZI_SMTP_*` fields of `config.settings.Settings` that delivery reads."""

    @property
    def smtp_host(self) -> str | None: ...
    @property
    def smtp_port(self) -> int | None: ...
    @property
    def smtp_username(self) -> str | None: ...
    @property
    def smtp_password(self) -> SecretStr | None: ...
    @property
    def smtp_starttls(self) -> bool: ...
    @property
    def smtp_tls(self) -> bool: ...
    @property
    def smtp_sender(self) -> str: ...
    @property
    def smtp_timeout(self) -> float: ...
    @property
    def smtp_concurrency(self) -> int: ...
    @property
    def smtp_max_attempts(self) -> int: ...


@dataclass(frozen=True)
class SmtpConfig:
    """Where and how to send. `host=None` means the local sink (see `notifications.sink`).

    `port=None` is the usual port of the mode: 465 for implicit TLS, 587 for STARTTLS, else 25.
    `claim_batch` is how many messages are claimed in one transaction, and also how far claims
    may run ahead of sending.
    """

    host: str | None = None
    port: int | None = None
    username: str | None = None
    password: SecretStr | None = field(default=None, repr=False)
    starttls: bool = False
    tls: bool = False
    sender: str = DEFAULT_SENDER
    timeout: float = 30.0
    concurrency: int = 4
    max_attempts: int = 5
    backoff_base: float = 1.0
    backoff_cap: float = 60.0
    claim_batch: int = 50
    validate_certs: bool = True
    cert_bundle: str | None = None
    local_hostname: str | None = None

    def __post_init__(self) -> None:
        if self.tls and self.starttls:
            raise ValueError("ZI_SMTP_TLS dan ZI_SMTP_STARTTLS tidak boleh aktif bersamaan")
        if (self.username is None) != (self.password is None):
            raise ValueError("ZI_SMTP_USERNAME dan ZI_SMTP_PASSWORD harus diisi berdua")
        if self.concurrency < 1 or self.max_attempts < 1 or self.claim_batch < 1:
            raise ValueError("ZI_SMTP_CONCURRENCY dan ZI_SMTP_MAX_ATTEMPTS minimal 1")
        if self.timeout <= 0 or self.backoff_base < 0 or self.backoff_cap < self.backoff_base:
            raise ValueError("batas waktu dan jeda SMTP harus positif")
        if address_problem(self.envelope_sender) is not None:
            raise ValueError(f"ZI_SMTP_SENDER bukan alamat e-mail yang sah: {self.sender!r}")

    @classmethod
    def from_settings(cls, settings: SmtpSettings) -> SmtpConfig:
        return cls(
            host=settings.smtp_host or None,
            port=settings.smtp_port,
            username=settings.smtp_username or None,
            password=settings.smtp_password,
            starttls=settings.smtp_starttls,
            tls=settings.smtp_tls,
            sender=settings.smtp_sender,
            timeout=settings.smtp_timeout,
            concurrency=settings.smtp_concurrency,
            max_attempts=settings.smtp_max_attempts,
        )

    @property
    def envelope_sender(self) -> str:
        """The bare address of `sender` ("Tim ZI <zi@x.go.id>" -> "zi@x.go.id")."""
        return parseaddr(self.sender)[1]

    @property
    def resolved_port(self) -> int:
        if self.port is not None:
            return self.port
        return 465 if self.tls else 587 if self.starttls else 25

    def secret_forms(self) -> tuple[str, ...]:
        """The password and its AUTH PLAIN / LOGIN encodings: what a hostile echo could leak."""
        if self.password is None:
            return ()
        password = self.password.get_secret_value()
        if not password:
            return ()
        user = (self.username or "").encode()
        raw = password.encode()
        encoded = (raw, b"\0" + user + b"\0" + raw, user + b"\0" + user + b"\0" + raw)
        forms = {password, *(base64.b64encode(value).decode() for value in encoded)}
        return tuple(sorted(forms, key=len, reverse=True))


# --- addresses ---------------------------------------------------------------------------------

_LOCAL_PART = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")
_DOMAIN_LABEL = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")


def address_problem(address: str) -> str | None:
    """Why `address` cannot be an envelope recipient, in Indonesian; None when it can.

    A bare `local@domain` in ASCII (RFC 5321 dot-atoms, a domain with a dot): what government
    mail systems accept. Quoted local parts, IP literals and non-ASCII addresses are refused, since
    a relay without SMTPUTF8 would refuse them anyway, one message at a time.
    """
    if not address or not address.strip():
        return "alamat e-mail kosong"
    if any(character.isspace() for character in address):
        return "alamat e-mail memuat spasi"
    if not address.isascii():
        return "alamat e-mail memuat huruf di luar ASCII"
    if len(address) > 254:
        return "alamat e-mail lebih dari 254 karakter"
    local, at, domain = address.rpartition("@")
    if not at:
        return "alamat e-mail tanpa tanda '@'"
    if "@" in local:
        return "alamat e-mail memuat lebih dari satu '@'"
    if not local or len(local) > 64 or not _LOCAL_PART.match(local):
        return "bagian sebelum '@' tidak sah"
    labels = domain.split(".")
    if len(labels) < 2 or not all(_DOMAIN_LABEL.match(label) for label in labels):
        return f"domain '{domain}' tidak sah"
    if labels[-1].isdigit():
        return f"domain '{domain}' tidak sah"
    return None


# --- messages and reports ----------------------------------------------------------------------


class Deliverable(Protocol):
    """What delivery reads of a message (`notifications.messages.OutgoingMessage` has it)."""

    @property
    def idempotency_key(self) -> str: ...
    @property
    def recipient(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def subject(self) -> str: ...
    @property
    def message_id(self) -> str: ...


M = TypeVar("M", bound=Deliverable)
Render = Callable[[M, str], EmailMessage]


class Failure(NamedTuple):
    key: str
    recipient: str
    reason: str


@dataclass(frozen=True)
class DeliveryReport:
    """What one run did. `already_sent` were skipped because a run before sent them,
    `failed_before` because a run before failed them for good, `held_elsewhere` because another
    run holds them unsent (it may be sending now; if it died, a later run sends them after the
    claim timeout); `failed_transient` stay claimable for the next run; `aborted` says why a run
    stopped early (the relay could not be reached, the login was refused), `not_started` how many
    messages it left untouched then."""

    sent: tuple[str, ...] = ()
    already_sent: tuple[str, ...] = ()
    held_elsewhere: tuple[str, ...] = ()
    failed_before: tuple[str, ...] = ()
    failed_permanent: tuple[Failure, ...] = ()
    failed_transient: tuple[Failure, ...] = ()
    invalid_addresses: tuple[Failure, ...] = ()
    attempts: int = 0
    aborted: str | None = None
    not_started: int = 0

    def summary(self) -> str:
        """One line for a log or a flow artifact, in Indonesian."""
        text = (
            f"{len(self.sent)} terkirim, {len(self.already_sent)} sudah dikirim sebelumnya, "
            f"{len(self.held_elsewhere)} belum terkirim dan masih dipegang proses lain, "
            f"{len(self.failed_before)} gagal tetap sebelumnya, "
            f"{len(self.failed_permanent)} gagal tetap, {len(self.failed_transient)} gagal "
            f"sementara, {len(self.invalid_addresses)} alamat tidak sah "
            f"({self.attempts} percobaan SMTP)"
        )
        if self.aborted:
            text += f"; dihentikan: {self.aborted}"
        return text


# --- transport -----------------------------------------------------------------------------------


class MailTransport(Protocol):
    """One SMTP connection's worth of sending; a worker owns one for the whole run."""

    async def send(self, message: EmailMessage, *, sender: str, recipient: str) -> None: ...
    async def close(self) -> None: ...


class ConnectionSetupError(Exception):
    """Connecting, STARTTLS or AUTH failed. `fatal`: retrying cannot help (a refused login, a
    certificate that does not verify), so the run stops instead of failing every message."""

    def __init__(self, reason: str, *, fatal: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.fatal = fatal


class SmtpTransport:
    """An aiosmtplib connection, opened on first use and again after the server dropped it."""

    def __init__(self, config: SmtpConfig) -> None:
        if config.host is None:
            raise ValueError("no SMTP host: start the local sink (notifications.sink) first")
        self._config = config
        self._client: aiosmtplib.SMTP | None = None

    async def send(self, message: EmailMessage, *, sender: str, recipient: str) -> None:
        client = await self._connected()
        try:
            await client.send_message(message, sender=sender, recipients=[recipient])
        except aiosmtplib.SMTPResponseException as error:
            # 421 is the server closing the session; other replies leave it usable (RSET done).
            if error.code == 421 or not client.is_connected:
                self._drop()
            raise
        except BaseException:
            self._drop()  # a timeout or a drop leaves the session in an unknown state
            raise

    async def close(self) -> None:
        client, self._client = self._client, None
        if client is None or not client.is_connected:
            return
        try:
            await client.quit()
        except (aiosmtplib.SMTPException, OSError):
            client.close()

    async def _connected(self) -> aiosmtplib.SMTP:
        if self._client is not None and self._client.is_connected:
            return self._client
        self._drop()
        config = self._config
        client = aiosmtplib.SMTP(
            hostname=config.host,
            port=config.resolved_port,
            username=config.username,
            password=None if config.password is None else config.password.get_secret_value(),
            use_tls=config.tls,
            start_tls=config.starttls,
            timeout=config.timeout,
            validate_certs=config.validate_certs,
            cert_bundle=config.cert_bundle,
            local_hostname=config.local_hostname,
        )
        try:
            await client.connect()
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as error:
            raise ConnectionSetupError(
                _describe(error, config.secret_forms()), fatal=_is_fatal_setup(error)
            ) from None  # the original may hold the server's echo of the credentials
        self._client = client
        return client

    def _drop(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            client.close()


def _is_fatal_setup(error: BaseException) -> bool:
    """Retrying cannot fix a refused login, a certificate that does not verify or a server that
    offers no AUTH; it can fix a refused or dropped connection, a timeout, a 4xx greeting."""
    if isinstance(error, aiosmtplib.SMTPResponseException):
        return error.code >= 500
    if _tls_failure(error) is not None:
        return True
    return not isinstance(error, ConnectionError | TimeoutError)


def _tls_failure(error: BaseException) -> ssl.SSLCertVerificationError | None:
    """The certificate error behind an error (aiosmtplib wraps it in SMTPConnectError)."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, ssl.SSLCertVerificationError):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def _is_permanent(error: BaseException) -> bool:
    """About this message alone: its recipient or its content was refused for good."""
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused):
        return all(refused.code >= 500 for refused in error.recipients)
    if isinstance(error, aiosmtplib.SMTPResponseException):
        return error.code >= 500
    # A relay without SMTPUTF8 or an address aiosmtplib cannot parse: the same every time.
    return isinstance(error, aiosmtplib.SMTPNotSupported | ValueError)


def _describe(error: BaseException, secrets: Sequence[str]) -> str:
    """A short reason in Indonesian, with the server's own words, scrubbed of the password."""
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused) and error.recipients:
        refused = error.recipients[0]
        text = f"penerima ditolak server ({refused.code}): {refused.message}"
    elif isinstance(error, aiosmtplib.SMTPSenderRefused):
        text = f"pengirim {error.sender} ditolak server ({error.code}): {error.message}"
    elif isinstance(error, aiosmtplib.SMTPAuthenticationError):
        text = f"login SMTP ditolak ({error.code}): {error.message}"
    elif isinstance(error, aiosmtplib.SMTPResponseException):
        text = f"ditolak server ({error.code}): {error.message}"
    elif isinstance(error, aiosmtplib.SMTPServerDisconnected):
        text = f"koneksi diputus server: {error}"
    elif (certificate := _tls_failure(error)) is not None:
        text = f"TLS gagal: {certificate.verify_message or certificate}"
    elif isinstance(error, TimeoutError):
        text = f"batas waktu habis: {error}"
    elif isinstance(error, ConnectionRefusedError):
        text = f"koneksi ditolak: {error}"
    elif isinstance(error, OSError | aiosmtplib.SMTPException):
        text = f"galat koneksi SMTP: {error}"
    else:
        text = f"{type(error).__name__}: {error}"
    return scrub(" ".join(text.split()), secrets)[:REASON_LENGTH]


def scrub(text: str, secrets: Sequence[str]) -> str:
    """`text` without any of `secrets` (longest first, so that no part of one survives)."""
    for secret in secrets:
        text = text.replace(secret, "***")
    return text


# --- the run -----------------------------------------------------------------------------------


@dataclass(slots=True)
class _Claimed(Generic[M]):
    message: M
    claimed_at: datetime  # the claim's token in the outbox
    since: float  # monotonic time of the claim or its last renewal


class _Failed(NamedTuple):
    reason: str
    permanent: bool = False
    unreachable: bool = False  # no connection, TLS or login: the message never reached a server
    fatal: bool = False  # retrying cannot help: stop the run


@dataclass
class _Tally:
    sent: list[str] = field(default_factory=list)
    already_sent: list[str] = field(default_factory=list)
    held_elsewhere: list[str] = field(default_factory=list)
    failed_before: list[str] = field(default_factory=list)
    failed_permanent: list[Failure] = field(default_factory=list)
    failed_transient: list[Failure] = field(default_factory=list)
    invalid: list[Failure] = field(default_factory=list)
    attempts: int = 0
    not_started: int = 0


class _Run(Generic[M]):
    """The state of one `deliver` call: a claimer, the workers, and the group committer."""

    def __init__(
        self,
        config: SmtpConfig,
        outbox: Outbox,
        render: Render[M],
        sender_factory: Callable[[SmtpConfig], MailTransport],
        kept: Callable[[M], str | None],
    ) -> None:
        self.config = config
        self.outbox = outbox
        self.render = render
        self.kept = kept
        self.sender_factory = sender_factory
        self.secrets = config.secret_forms()
        self.envelope_sender = config.envelope_sender
        self.renew_after = outbox.claim_timeout.total_seconds() / 2
        if self.renew_after < 5 * config.timeout:
            # Claims are renewed between attempts only; one attempt (connect, TLS, AUTH, MAIL,
            # RCPT, DATA) may take several timeouts, and a rerun must not take its message then.
            logger.warning(
                "batas klaim outbox %.0f detik terlalu pendek untuk batas waktu SMTP %.0f detik",
                outbox.claim_timeout.total_seconds(),
                config.timeout,
            )
        self.tally = _Tally()
        self.aborted: str | None = None
        self.queue: asyncio.Queue[_Claimed[M] | None] = asyncio.Queue(config.claim_batch)
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="zi-outbox")
        self.lock = threading.Lock()  # `held` is written by the outbox thread too
        self.held: dict[str, _Claimed[M]] = {}  # claimed by this run, outcome not yet known
        self.unclaimed: dict[str, NotificationStatus] = {}  # why others' keys were not claimed
        self.in_flight: set[str] = set()  # handed to the server; fate unknown if interrupted
        self.sent_marks: list[SentMark] = []  # outcomes waiting for the next group commit
        self.failed_marks: list[FailedMark] = []
        self.wake = asyncio.Event()
        self.closing = False

    async def run(self, messages: Iterable[M]) -> DeliveryReport:
        try:
            async with asyncio.TaskGroup() as outer:
                outer.create_task(self.settle_loop())
                try:
                    async with asyncio.TaskGroup() as inner:
                        inner.create_task(self.claim_loop(messages))
                        for _ in range(self.config.concurrency):
                            inner.create_task(self.worker())
                finally:
                    self.closing = True
                    self.wake.set()
        except BaseExceptionGroup as group:
            # One failure (the database gone, say) is raised as itself, not as task groups
            # nested around it, so the flow and the CLI can name it.
            leaves = _leaves(group)
            if len(leaves) == 1:
                raise leaves[0] from None
            raise
        finally:
            self.executor.shutdown(wait=True)  # submitted claims and marks finish, even cancelled
            self.settle_leftovers()
        tally = self.tally
        return DeliveryReport(
            sent=tuple(tally.sent),
            already_sent=tuple(tally.already_sent),
            held_elsewhere=tuple(tally.held_elsewhere),
            failed_before=tuple(tally.failed_before),
            failed_permanent=tuple(tally.failed_permanent),
            failed_transient=tuple(tally.failed_transient),
            invalid_addresses=tuple(tally.invalid),
            attempts=tally.attempts,
            aborted=self.aborted,
            not_started=tally.not_started,
        )

    async def outbox_call(self, function: Callable[..., Any], *args: Any) -> Any:
        """Run an outbox call on the run's thread; shielded, so a cancelled run still lets a
        claim or a mark that was already submitted commit (and `settle_leftovers` sees it)."""
        future = asyncio.get_running_loop().run_in_executor(self.executor, function, *args)
        return await asyncio.shield(future)

    # claiming ----------------------------------------------------------------------------------

    async def claim_loop(self, messages: Iterable[M]) -> None:
        iterator = iter(messages)
        for chunk in self.valid_chunks(iterator):
            if self.aborted is not None:
                self.tally.not_started += len(chunk) + sum(1 for _ in iterator)
                break
            claimed = await self.outbox_call(self.claim_chunk, chunk)
            _honour_cancellation()
            for message in chunk:
                item = claimed.get(message.idempotency_key)
                if item is None:
                    self.tally_unclaimed(message.idempotency_key)
                else:
                    await self.queue.put(item)
        for _ in range(self.config.concurrency):
            await self.queue.put(None)  # one end-of-work marker per worker

    def tally_unclaimed(self, key: str) -> None:
        state = self.unclaimed.get(key)
        if state == NotificationStatus.CLAIMED:
            self.tally.held_elsewhere.append(key)
        elif state == NotificationStatus.FAILED:
            self.tally.failed_before.append(key)
        else:
            self.tally.already_sent.append(key)

    def valid_chunks(self, messages: Iterator[M]) -> Iterator[list[M]]:
        """Chunks of messages with a valid, not yet seen key and recipient address."""
        seen: set[str] = set()
        chunk: list[M] = []
        for message in messages:
            key = message.idempotency_key
            if key in seen:
                self.tally.already_sent.append(key)
                continue
            seen.add(key)
            problem = address_problem(message.recipient)
            if problem is not None:
                self.tally.invalid.append(Failure(key, message.recipient, problem))
                logger.warning("alamat tidak sah, tidak dikirim: %s (%s)", key, problem)
                continue
            chunk.append(message)
            if len(chunk) == self.config.claim_batch:
                yield chunk
                chunk = []
        if chunk:
            yield chunk

    def claim_chunk(self, chunk: Sequence[M]) -> dict[str, _Claimed[M]]:
        """On the outbox thread: claim, and hold what was claimed before anyone can await."""
        requests = [
            ClaimRequest(m.idempotency_key, m.recipient, m.kind, m.subject, self.kept(m))
            for m in chunk
        ]
        tokens = self.outbox.claim_many(requests)
        unclaimed = [m.idempotency_key for m in chunk if m.idempotency_key not in tokens]
        if unclaimed:
            self.unclaimed.update(self.outbox.states(unclaimed))
        now = time.monotonic()
        claimed = {
            m.idempotency_key: _Claimed(m, tokens[m.idempotency_key], now)
            for m in chunk
            if m.idempotency_key in tokens
        }
        with self.lock:
            self.held.update(claimed)
        return claimed

    # sending -----------------------------------------------------------------------------------

    async def worker(self) -> None:
        transport = self.sender_factory(self.config)
        try:
            while (item := await self.queue.get()) is not None:
                await self.deliver_one(transport, item)
                _honour_cancellation()
        except BaseException:
            with contextlib.suppress(Exception):  # cancelled or failing: do not wait for QUIT
                await asyncio.wait_for(transport.close(), timeout=1.0)
            raise
        await transport.close()

    async def deliver_one(self, transport: MailTransport, item: _Claimed[M]) -> None:
        try:
            email_message = self.prepared(item.message)
        except Exception as error:  # a message that cannot be built now never will be
            reason = f"pesan tidak dapat disusun: {_describe(error, self.secrets)}"
            self.finish_failed(item, reason, permanent=True)
            return
        attempts = self.config.max_attempts
        last: _Failed | None = None
        for attempt in range(1, attempts + 1):
            if attempt > 1:
                await asyncio.sleep(self.backoff(attempt - 1))
            if self.aborted is not None:
                self.finish_failed(item, f"tidak dicoba: {self.aborted}", permanent=False)
                return
            if not await self.still_ours(item):
                self.release_lost(item)
                return
            last = await self.attempt(transport, email_message, item.message)
            if last is None:
                self.finish_sent(item)
                return
            if last.permanent:
                self.finish_failed(item, last.reason, permanent=True)
                return
            if last.fatal:
                self.abort(last.reason)
                self.finish_failed(item, f"tidak dikirim: {last.reason}", permanent=False)
                return
            logger.info(
                "percobaan %d ke %s gagal sementara: %s",
                attempt,
                item.message.recipient,
                last.reason,
            )
        assert last is not None
        if last.unreachable:
            self.abort(f"server SMTP tidak dapat dihubungi setelah {attempts} percobaan")
        reason = f"gagal sementara setelah {attempts} percobaan; terakhir: {last.reason}"
        self.finish_failed(item, reason, permanent=False)

    async def attempt(
        self, transport: MailTransport, email_message: EmailMessage, message: M
    ) -> _Failed | None:
        """One SMTP transaction; None when the server accepted the message."""
        key = message.idempotency_key
        self.tally.attempts += 1
        self.in_flight.add(key)  # stays there if the run is cancelled during the send
        try:
            await transport.send(
                email_message, sender=self.envelope_sender, recipient=message.recipient
            )
        except ConnectionSetupError as error:
            failed: _Failed | None = _Failed(error.reason, unreachable=True, fatal=error.fatal)
        except aiosmtplib.SMTPSenderRefused as error:
            # MAIL FROM refused: the sender or the session (no AUTH, no TLS), not this message.
            failed = _Failed(_describe(error, self.secrets), fatal=error.code >= 500)
        except (aiosmtplib.SMTPException, OSError, TimeoutError, ValueError) as error:
            failed = _Failed(_describe(error, self.secrets), permanent=_is_permanent(error))
        else:
            failed = None
        self.in_flight.discard(key)
        return failed

    def prepared(self, message: M) -> EmailMessage:
        """The e-mail, carrying the message's own Message-ID: the one derived from its key, so
        that a resend after a crash is recognisable as the same message."""
        email_message = self.render(message, self.config.sender)
        if email_message["Message-ID"] != message.message_id:
            del email_message["Message-ID"]
            email_message["Message-ID"] = message.message_id
        return email_message

    def backoff(self, attempt: int) -> float:
        """Exponential, capped, with jitter so that workers throttled together do not return
        together."""
        delay = min(self.config.backoff_cap, self.config.backoff_base * 2.0 ** (attempt - 1))
        return delay * random.uniform(0.5, 1.0)

    async def still_ours(self, item: _Claimed[M]) -> bool:
        """Renew a claim that has aged past half the claim timeout (a slow relay, long backoff),
        so that no rerun takes it as abandoned while this run may still send it."""
        if time.monotonic() - item.since < self.renew_after:
            return True
        key = item.message.idempotency_key
        renewed = await self.outbox_call(self.outbox.renew, key, item.claimed_at)
        if renewed is None:
            return False
        item.claimed_at, item.since = renewed, time.monotonic()
        return True

    def abort(self, reason: str) -> None:
        if self.aborted is None:
            self.aborted = reason
            logger.error("pengiriman dihentikan: %s", reason)

    # outcomes ----------------------------------------------------------------------------------

    def finish_sent(self, item: _Claimed[M]) -> None:
        key = item.message.idempotency_key
        self.forget(key)
        self.tally.sent.append(key)
        self.sent_marks.append(SentMark(key, item.message.message_id))
        self.wake.set()

    def finish_failed(self, item: _Claimed[M], reason: str, *, permanent: bool) -> None:
        message = item.message
        key = message.idempotency_key
        self.forget(key)
        failure = Failure(key, message.recipient, reason)
        if permanent:
            self.tally.failed_permanent.append(failure)
            logger.warning(
                "gagal tetap, tidak diulang: %s -> %s: %s", key, message.recipient, reason
            )
        else:
            self.tally.failed_transient.append(failure)
        self.failed_marks.append(FailedMark(key, reason, permanent, item.claimed_at))
        self.wake.set()

    def release_lost(self, item: _Claimed[M]) -> None:
        """Another run reclaimed this message while it waited here: it is theirs to send."""
        key = item.message.idempotency_key
        self.forget(key)
        self.tally.already_sent.append(key)

    def forget(self, key: str) -> None:
        with self.lock:
            self.held.pop(key, None)

    async def settle_loop(self) -> None:
        """Group commit: each commit takes every outcome that arrived during the linger and
        while the previous commit ran."""
        while True:
            if not self.sent_marks and not self.failed_marks:
                if self.closing:
                    return
                await self.wake.wait()
                self.wake.clear()
                continue
            if not self.closing:
                await asyncio.sleep(SETTLE_LINGER)
            sent, self.sent_marks = self.sent_marks, []
            failed, self.failed_marks = self.failed_marks, []
            await self.outbox_call(self.outbox.settle, sent, failed)

    def settle_leftovers(self) -> None:
        """After a cancelled or failed run: commit the outcomes still waiting, release claims
        never handed to the server; leave in-flight ones claimed (the server may have them; the
        claim timeout decides)."""
        with self.lock:
            unsent = [item for key, item in self.held.items() if key not in self.in_flight]
            self.held.clear()
        released = [
            FailedMark(i.message.idempotency_key, "dibatalkan sebelum dikirim", False, i.claimed_at)
            for i in unsent
        ]
        sent, failed = self.sent_marks, self.failed_marks + released
        self.sent_marks, self.failed_marks = [], []
        if sent or failed:
            try:
                self.outbox.settle(sent, failed)
            except Exception:
                logger.exception("hasil %d pesan tidak tercatat di outbox", len(sent) + len(failed))
        if self.in_flight:
            logger.warning(
                "%d pesan terputus saat dikirim; tetap diklaim sampai batas klaim lewat",
                len(self.in_flight),
            )


def _honour_cancellation() -> None:
    """Raise the cancellation this task was asked for if something below swallowed it.

    On Python 3.11 `asyncio.wait_for` (which aiosmtplib uses for its timeouts) returns the
    result and drops a cancellation that arrives as the awaited call completes. A worker that
    lost its cancellation that way went back to an empty queue and waited for ever, and with it
    the whole run (seen with the database connections terminated during delivery)."""
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError


def _default_render() -> Render[Any]:
    """`notifications.messages.to_email_message`, imported when first needed (Jinja2, icalendar)."""
    from notifications.messages import to_email_message

    render: Render[Any] = to_email_message
    return render


def _leaves(group: BaseExceptionGroup[BaseException]) -> list[BaseException]:
    """The exceptions inside `group` and the groups nested in it."""
    found: list[BaseException] = []
    for error in group.exceptions:
        found += _leaves(error) if isinstance(error, BaseExceptionGroup) else [error]
    return found


def _default_kept() -> Callable[[Any], str | None]:
    from notifications.messages import message_payload

    return message_payload


async def deliver(
    messages: Iterable[M],
    *,
    config: SmtpConfig,
    outbox: Outbox,
    sender_factory: Callable[[SmtpConfig], MailTransport] | None = None,
    render: Render[M] | None = None,
    kept: Callable[[M], str | None] | None = None,
) -> DeliveryReport:
    """Send `messages`, each once per idempotency key across runs, and say what happened.

    `render(message, sender)` builds the e-mail (default: `notifications.messages
    .to_email_message`); its Message-ID is the message's own. `sender_factory(config)` makes one
    transport per worker (default: an aiosmtplib connection to `config.host`). `kept(message)`
    is what the outbox keeps of it, so that a later run can send it if this one cannot (default:
    `notifications.messages.message_payload`).
    """
    run = _Run(
        config,
        outbox,
        render if render is not None else _default_render(),
        sender_factory if sender_factory is not None else SmtpTransport,
        kept if kept is not None else _default_kept(),
    )
    report = await run.run(messages)
    logger.info("pengiriman e-mail: %s", report.summary())
    return report
