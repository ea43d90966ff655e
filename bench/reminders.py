"""Benchmark: 10,000 reminders through `deliver` to the local sink, beside a bare aiosmtplib loop.

Each reminder is a realistic e-mail: a plain-text and an HTML part (about 3 KB together, in
Indonesian) and a 600-byte .ics attachment. They are built once, before anything is timed, and
both contenders send the very same `EmailMessage` objects:

- floor: a bare aiosmtplib loop, `--concurrency` workers each sending over one reused connection;
  no address check, no outbox, no retries: the least that sending these messages can cost;
- deliver: `notifications.delivery.deliver` with the `SqlOutbox` on a fresh SQLite file (claims
  in chunks, marks group committed), at the same concurrency, to the same server;
- deliver, one transaction per claim and per mark: the same, with an outbox that commits every
  claim and every mark on its own (what batching saves).

The sink (`notifications.sink`, aiosmtpd writing a Maildir) runs in its own process, as a relay
would, so that the client's work and the server's do not share one interpreter lock. Samples
alternate between the contenders; each figure is the fastest of `--repeat`. Peak memory is
tracemalloc's peak over one more, traced, run of each (Python allocations of the client only).

    python bench/reminders.py [--messages 10000] [--concurrency 4] [--repeat 3]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import shutil
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import aiosmtplib

from notifications.delivery import SmtpConfig, deliver
from notifications.sink import start_sink
from persistence.database import make_engine
from persistence.migrate import upgrade_database
from persistence.outbox import ClaimRequest, FailedMark, SentMark, SqlOutbox

SENDER = "Tim ZI Kabupaten Contoh <zi@contoh.go.id>"
MIB = 2**20
UNITS = (
    "Dinas Kependudukan dan Pencatatan Sipil",
    "Badan Pendapatan Daerah",
    "Rumah Sakit Umum Daerah Sehat Sentosa",
    "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu",
    "Bagian Organisasi dan Tata Laksana",
)
ITEMS = (
    ("A.I.1.i.a", "SK Tim Kerja Pembangunan Zona Integritas"),
    ("A.II.2.i.b", "Laporan monitoring dan evaluasi rencana kerja"),
    ("A.III.1.i.a", "Dokumen peta proses bisnis dan SOP yang diperbarui"),
    ("A.IV.3.i.a", "Bukti pelaksanaan survei kepuasan masyarakat internal"),
    ("A.V.1.i.b", "Laporan tindak lanjut pengaduan masyarakat triwulan"),
)


# --- the messages ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Reminder:
    """A rendered reminder (the shape of `notifications.messages.OutgoingMessage`)."""

    idempotency_key: str
    recipient: str
    kind: str
    subject: str
    message_id: str
    email: EmailMessage


def _text(name: str, unit: str) -> str:
    items = "\n".join(f"  - {code}: {title} (tenggat Senin, 31 Mei 2027)" for code, title in ITEMS)
    return (
        f"Yth. Bapak/Ibu {name},\n\n"
        f"Anggota Tim Kerja Zona Integritas {unit}.\n\n"
        "Kami mengingatkan bahwa tenggat pengisian Lembar Kerja Evaluasi (LKE) Zona Integritas "
        "tahun 2027 jatuh pada Senin, 31 Mei 2027, tujuh hari lagi. Hingga hari ini masih ada "
        "butir yang belum dilengkapi dengan bukti dukung:\n\n"
        f"{items}\n\n"
        "Mohon unggah bukti dukung melalui aplikasi paling lambat tanggal tersebut, agar Tim "
        "Penilai Internal (TPI) dapat menyelesaikan penilaian sebelum usulan ke Tim Penilai "
        "Nasional (TPN). Nilai terakhir unit Anda 71,35; komponen yang paling berpengaruh untuk "
        "diperbaiki adalah Penataan Tatalaksana dan Penguatan Akuntabilitas.\n\n"
        "Undangan kalender terlampir agar tenggat tercatat di kalender Anda.\n\n"
        "Hormat kami,\nTim Penilai Internal Kabupaten Contoh\n"
    )


def _html(name: str, unit: str) -> str:
    rows = "".join(
        f"<tr><td>{code}</td><td>{title}</td><td>Senin, 31 Mei 2027</td></tr>"
        for code, title in ITEMS
    )
    return (
        "<!doctype html><html lang='id'><body style='font-family:sans-serif'>"
        f"<p>Yth. Bapak/Ibu <b>{name}</b>,<br>Anggota Tim Kerja Zona Integritas {unit}.</p>"
        "<p>Tenggat pengisian <b>Lembar Kerja Evaluasi (LKE)</b> tahun 2027 jatuh pada "
        "<b>Senin, 31 Mei 2027</b>, tujuh hari lagi. Butir yang belum dilengkapi:</p>"
        "<table border='1' cellpadding='4' style='border-collapse:collapse'>"
        f"<tr><th>Kode</th><th>Butir</th><th>Tenggat</th></tr>{rows}</table>"
        "<p>Nilai terakhir unit Anda <b>71,35</b>; perbaiki lebih dulu Penataan Tatalaksana "
        "dan Penguatan Akuntabilitas.</p><p>Hormat kami,<br>Tim Penilai Internal</p>"
        "</body></html>"
    )


def _ics(number: int, unit: str) -> bytes:
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//zi-orchestrator//Pengingat ZI//ID\r\n"
        "METHOD:PUBLISH\r\nBEGIN:VEVENT\r\n"
        f"UID:lke-2027-{number:06d}@zi-orchestrator.contoh.go.id\r\n"
        "DTSTAMP:20270524T010000Z\r\nDTSTART;VALUE=DATE:20270531\r\n"
        "DTEND;VALUE=DATE:20270601\r\n"
        f"SUMMARY:Tenggat LKE Zona Integritas - {unit}\r\n"
        "DESCRIPTION:Batas akhir pengisian Lembar Kerja Evaluasi dan unggah bukti dukung.\r\n"
        "BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:Tenggat LKE besok\r\n"
        "TRIGGER:-P1D\r\nEND:VALARM\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode()


def reminders(count: int) -> list[Reminder]:
    built = []
    for number in range(count):
        unit = UNITS[number % len(UNITS)]
        name = f"Anggota Tim {number:05d}"
        recipient = f"anggota{number:05d}@contoh.go.id"
        key = f"{recipient}|lke|reminder_h7|2027-05-31"
        message_id = f"<lke-h7-{number:06d}@zi-orchestrator.contoh.go.id>"
        subject = f"Pengingat: LKE {unit} — tenggat Senin, 31 Mei 2027"
        email = EmailMessage()
        email["From"] = SENDER
        email["To"] = Address(name, addr_spec=recipient)
        email["Subject"] = subject
        email["Message-ID"] = message_id
        email.set_content(_text(name, unit))
        email.add_alternative(_html(name, unit), subtype="html")
        email.add_attachment(
            _ics(number, unit), maintype="text", subtype="calendar", filename="tenggat-lke.ics"
        )
        built.append(Reminder(key, recipient, "deadline_reminder", subject, message_id, email))
    return built


def _render(reminder: Reminder, sender: str) -> EmailMessage:
    return reminder.email


# --- the sink, in its own process ----------------------------------------------------------------


def _serve(folder: str, pipe: Connection) -> None:
    with start_sink(Path(folder)) as sink:
        pipe.send(sink.port)
        pipe.recv()  # until told to stop


# --- the contenders ------------------------------------------------------------------------------


async def bare_loop(batch: Sequence[Reminder], port: int, concurrency: int) -> int:
    """The floor: workers over one connection each, pulling from one shared position."""
    position = 0

    async def worker() -> int:
        nonlocal position
        sent = 0
        async with aiosmtplib.SMTP(hostname="127.0.0.1", port=port, start_tls=False) as client:
            while position < len(batch):
                reminder = batch[position]
                position += 1
                await client.send_message(
                    reminder.email, sender="zi@contoh.go.id", recipients=[reminder.recipient]
                )
                sent += 1
        return sent

    return sum(await asyncio.gather(*(worker() for _ in range(concurrency))))


class PerMessageOutbox(SqlOutbox):
    """The same outbox committing every claim and every mark on its own: the unbatched way."""

    def claim_many(self, requests: Sequence[ClaimRequest]) -> dict[str, datetime]:
        claimed: dict[str, datetime] = {}
        for request in requests:
            claimed.update(super().claim_many([request]))
        return claimed

    def settle(self, sent: Sequence[SentMark], failed: Sequence[FailedMark]) -> None:
        for mark in sent:
            super().settle([mark], [])
        for failure in failed:
            super().settle([], [failure])


@dataclass(frozen=True)
class Sample:
    seconds: float
    client_cpu: float  # this process, the outbox thread included
    server_cpu: float  # the sink's process


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


Contender = Callable[[], Coroutine[Any, Any, float]]
"""Runs once and returns the seconds its sending took (set-up such as a fresh database excluded)."""


@dataclass
class Bench:
    batch: list[Reminder]
    port: int
    concurrency: int
    folder: Path
    template: Path  # a migrated SQLite file, copied for each run
    server_pid: int

    async def floor(self) -> float:
        started = time.perf_counter()
        sent = await bare_loop(self.batch, self.port, self.concurrency)
        seconds = time.perf_counter() - started
        assert sent == len(self.batch)
        return seconds

    def deliver(self, kind: type[SqlOutbox], claim_batch: int) -> Contender:
        config = SmtpConfig(
            host="127.0.0.1", port=self.port, sender=SENDER,
            concurrency=self.concurrency, claim_batch=claim_batch,
        )  # fmt: skip

        async def run() -> float:
            database = Path(tempfile.mkdtemp(prefix="zi-bench-db-")) / "zi.db"
            shutil.copyfile(self.template, database)
            outbox = kind(make_engine(f"sqlite:///{database}"))
            started = time.perf_counter()
            report = await deliver(self.batch, config=config, outbox=outbox, render=_render)
            seconds = time.perf_counter() - started
            assert len(report.sent) == len(self.batch), report.summary()
            shutil.rmtree(database.parent)
            return seconds

        return run

    def measure(self, contender: Contender) -> Sample:
        """One run, after which every message must be in the Maildir exactly once."""
        self._clear_maildir()
        client, server = time.process_time(), _cpu_seconds(self.server_pid)
        seconds = asyncio.run(contender())
        sample = Sample(
            seconds, time.process_time() - client, _cpu_seconds(self.server_pid) - server
        )
        stored = sum(1 for _ in (self.folder / "new").iterdir())
        assert stored == len(self.batch), (stored, len(self.batch))
        return sample

    def peak(self, contender: Contender) -> float:
        """tracemalloc's peak of one run, in MiB."""
        self._clear_maildir()
        tracemalloc.start()
        try:
            asyncio.run(contender())
            return tracemalloc.get_traced_memory()[1] / MIB
        finally:
            tracemalloc.stop()

    def _clear_maildir(self) -> None:
        for path in (self.folder / "new").iterdir():
            path.unlink()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--claim-batch", type=int, default=SmtpConfig().claim_batch)
    options = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="zi-bench-mail-"))
    template = work / "template.db"
    upgrade_database(f"sqlite:///{template}")
    batch = reminders(options.messages)
    size = sum(len(r.email.as_bytes()) for r in batch[:100]) / 100

    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    server = context.Process(target=_serve, args=(str(work / "mail"), theirs), daemon=True)
    server.start()
    port = ours.recv()
    bench = Bench(batch, port, options.concurrency, work / "mail", template, server.pid or 0)
    floor_name = "floor: bare aiosmtplib loop"
    contenders: dict[str, Contender] = {
        floor_name: bench.floor,
        "deliver, SqlOutbox (SQLite), batched": bench.deliver(SqlOutbox, options.claim_batch),
        "deliver, one commit per claim/mark": bench.deliver(PerMessageOutbox, 1),
    }
    names = list(contenders)
    samples: dict[str, list[Sample]] = {name: [] for name in names}
    try:
        bench.measure(bench.floor)  # warm-up: imports, the server's first connections
        for round_ in range(options.repeat):
            for name in names[round_ % len(names) :] + names[: round_ % len(names)]:
                samples[name].append(bench.measure(contenders[name]))
        peaks = {name: bench.peak(contender) for name, contender in contenders.items()}
    finally:
        ours.send("stop")
        server.join(timeout=10)
        shutil.rmtree(work, ignore_errors=True)

    count = len(batch)
    print(
        f"messages: {count:,} of {size / 1024:.1f} KiB on the wire, concurrency "
        f"{options.concurrency}, claim batch {options.claim_batch}, {options.repeat} samples "
        "each (order rotated per round)"
    )
    print(
        f"{'contender':<38}{'best s':>8}{'msg/s':>7}{'ratio':>7}{'median s':>9}{'ratio':>7}"
        f"{'client cpu':>11}{'sink cpu':>9}{'peak MiB':>9}"
    )
    best_floor = min(sample.seconds for sample in samples[floor_name])
    median_floor = statistics.median(sample.seconds for sample in samples[floor_name])
    for name in names:
        best = min(sample.seconds for sample in samples[name])
        median = statistics.median(sample.seconds for sample in samples[name])
        client = statistics.median(sample.client_cpu for sample in samples[name])
        server_cpu = statistics.median(sample.server_cpu for sample in samples[name])
        print(
            f"{name:<38}{best:>8.2f}{count / best:>7,.0f}{best_floor / best:>7.2f}"
            f"{median:>9.2f}{median_floor / median:>7.2f}{client:>11.1f}{server_cpu:>9.1f}"
            f"{peaks[name]:>9.1f}"
        )


if __name__ == "__main__":
    main()
