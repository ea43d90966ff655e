"""A local SMTP sink: the product's mail server when no relay is configured, and `zi mail-sink`.

An aiosmtpd server on 127.0.0.1 that keeps every message it accepts as one file in a Maildir
(`<folder>/new/`), so that the demo's e-mails can be opened with any mail reader or a text
editor. The product reaches it with the same aiosmtplib code as a real relay, so what the demo
shows is what production does.

    with start_sink(data_dir / "mail") as sink:
        config = replace(config, host=sink.host, port=sink.port)
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import mailbox
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, replace
from email.message import EmailMessage
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from notifications.delivery import SmtpConfig

LOCALHOST = "127.0.0.1"
SERVER_NAME = "zi-mail-sink"
MAIL_FOLDER = "mail"
"""The sink's folder under the data folder (`ZI_DATA_DIR`)."""


def default_folder(data_dir: Path) -> Path:
    return data_dir / MAIL_FOLDER


class MaildirHandler:
    """aiosmtpd handler storing each accepted message in a Maildir.

    Writes are serialised by a lock: the server's thread is not the only one that may touch the
    Maildir (a test or the demo reads it while messages arrive). Subclass and override
    `handle_DATA` to refuse some messages (the tests' fault injection does).
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        for part in ("tmp", "new", "cur"):  # Maildir(create=True) skips an existing folder
            (folder / part).mkdir(parents=True, exist_ok=True)
        self._maildir = mailbox.Maildir(folder, create=False)
        self._lock = threading.Lock()

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        try:
            self.store(envelope)
        except OSError as error:  # a full disk is worth a retry, not a permanent refusal
            return f"451 4.3.0 Maildir write failed: {error.strerror}"
        return "250 2.0.0 OK"

    def store(self, envelope: Envelope) -> None:
        """The message as received, after the envelope's Return-Path and Delivered-To lines."""
        content = envelope.original_content or envelope.content or b""
        if isinstance(content, str):
            content = content.encode("utf-8", "surrogateescape")
        recipients = ", ".join(envelope.rcpt_tos)
        trace = f"Return-Path: <{envelope.mail_from}>\nDelivered-To: {recipients}\n".encode()
        with self._lock:
            self._maildir.add(trace + content.replace(b"\r\n", b"\n"))

    def count(self) -> int:
        with self._lock:
            return len(self._maildir)

    def messages(self) -> list[EmailMessage]:
        """Every stored message, parsed (oldest first is not guaranteed: Maildir has no order)."""
        with self._lock:
            raw = [self._maildir.get_bytes(key) for key in self._maildir.iterkeys()]
        return [_parse(data) for data in raw]


def _parse(data: bytes) -> EmailMessage:
    message = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


class _Controller(Controller):
    """aiosmtpd's threaded controller, able to listen on port 0 (a free port chosen by the OS):
    the stock one tries to connect to the port it was given to check that the server started."""

    def _trigger_server(self) -> None:
        if self.port == 0 and isinstance(self.server, asyncio.Server):
            self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()  # type: ignore[no-untyped-call]


@dataclass(frozen=True)
class SinkAddress:
    """Where a running sink listens."""

    host: str
    port: int

    def smtp_config(self, base: SmtpConfig) -> SmtpConfig:
        """`base` pointed at this sink: plain SMTP, no login."""
        return replace(
            base, host=self.host, port=self.port, starttls=False, tls=False,
            username=None, password=None,
        )  # fmt: skip


class MailSink:
    """A running sink; `stop()` (or leaving the `with` block) closes the port, keeps the files."""

    def __init__(self, controller: Controller, handler: MaildirHandler) -> None:
        self._controller = controller
        self.handler = handler
        self.host: str = controller.hostname
        self.port: int = controller.port

    @property
    def folder(self) -> Path:
        return self.handler.folder

    def count(self) -> int:
        return self.handler.count()

    def messages(self) -> list[EmailMessage]:
        return self.handler.messages()

    def smtp_config(self, base: SmtpConfig) -> SmtpConfig:
        return SinkAddress(self.host, self.port).smtp_config(base)

    def stop(self) -> None:
        self._controller.stop()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def start_sink(
    folder: Path,
    port: int = 0,
    *,
    host: str = LOCALHOST,
    handler: MaildirHandler | None = None,
    **server_options: Any,
) -> MailSink:
    """Start a sink on `host:port` (0: a free port; read it from `.port`) storing under `folder`.

    `server_options` go to aiosmtpd (`tls_context`, `require_starttls`, `authenticator`,
    `ssl_context` for implicit TLS...): the tests use them to stand in for a real relay.
    """
    folder.mkdir(parents=True, exist_ok=True)
    handler = handler if handler is not None else MaildirHandler(folder)
    server_options.setdefault("server_hostname", SERVER_NAME)  # not getfqdn() per connection
    controller = _Controller(handler, hostname=host, port=port, **server_options)
    controller.start()
    return MailSink(controller, handler)


_SERVING: dict[Path, SinkAddress] = {}
"""The folders that a sink in a process of its own serves for this process (`sink_process`)."""


@contextmanager
def smtp_target(config: SmtpConfig, folder: Path) -> Iterator[SmtpConfig]:
    """The configured relay; or, with no `ZI_SMTP_HOST`, the sink process serving `folder`
    (`sink_process`), else a sink started for the block."""
    if config.host is not None:
        yield config
        return
    serving = _SERVING.get(folder.resolve())
    if serving is not None:
        yield serving.smtp_config(config)
        return
    with start_sink(folder) as sink:
        yield sink.smtp_config(config)


@contextmanager
def sink_process(folder: Path) -> Iterator[SinkAddress]:
    """A sink in a process of its own, serving `folder` to this process's `smtp_target` for the
    block. For a long run that sends again and again (the demo: 52 weekly runs, 1,448
    messages): the sink's parsing and Maildir writes run beside the sender, on the other core,
    instead of sharing its interpreter (and a sink is not started for every run). Accepted
    messages are on disk when the block ends."""
    key = folder.resolve()
    with tempfile.TemporaryFile("w+") as errors:
        child = subprocess.Popen(
            [sys.executable, "-m", "notifications.sink", str(key)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
        )
        assert child.stdin is not None and child.stdout is not None
        try:
            port = child.stdout.readline().strip()  # its first line, once it listens
            if not port.isdigit():
                child.wait(timeout=30)
                errors.seek(0)
                why = errors.read().strip().splitlines() or [f"kode keluar {child.returncode}"]
                raise RuntimeError(f"penampung e-mail tidak dapat dijalankan: {why[-1]}")
            _SERVING[key] = SinkAddress(LOCALHOST, int(port))
            try:
                yield _SERVING[key]
            finally:
                del _SERVING[key]
        finally:
            child.stdin.close()  # its cue to stop
            try:
                child.wait(timeout=30)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()


def _serve_until_stdin_closes(folder: Path) -> None:
    """`python -m notifications.sink FOLDER` (`sink_process`): prints the port it listens on,
    alone on the first line, and serves until its standard input closes."""
    try:
        sink = start_sink(folder)
    except OSError as error:
        sys.exit(f"folder {folder}: {error.strerror or error}")
    with sink:
        print(sink.port, flush=True)
        sys.stdin.read()


def run_mail_sink(folder: Path, port: int) -> None:
    """`zi mail-sink`: run the sink in the foreground until Ctrl-C."""
    # Started from a script's background job, a process inherits SIGINT ignored; Ctrl-C (or a
    # supervisor's SIGINT) must still stop the sink.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    with start_sink(folder, port) as sink:
        print(f"Penampung e-mail berjalan di smtp://{sink.host}:{sink.port}", flush=True)
        print("Setiap pesan disimpan sebagai berkas di folder:", flush=True)
        print(sink.folder / "new", flush=True)  # alone on its line, to be copied whole
        print("Tekan Ctrl-C untuk berhenti.", flush=True)
        with suppress(KeyboardInterrupt):
            threading.Event().wait()
        print(f"Penampung berhenti; {sink.count()} pesan tersimpan di folder:", flush=True)
        print(sink.folder, flush=True)


if __name__ == "__main__":
    _serve_until_stdin_closes(Path(sys.argv[1]))
