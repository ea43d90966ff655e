"""The e-mails the product sends, in Indonesian: deadline reminders, the weekly unit digest and
the weekly TPI summary, each a plain-text part and an HTML part.

Pure: a message is built from what the caller gives, and the same input gives the same message
to the byte (the .ics attachment included), so a resend is the same message. Every message has an
idempotency key (recipient, subject, kind, due day or period) for the outbox and a Message-ID
derived from that key, so the one unavoidable resend is recognisable by the recipient's client.

Templates live in `notifications/templates/`, loaded from the installed package. HTML templates
are autoescaped (`select_autoescape`), so names that come from data (units, people, item titles)
can never become markup; text templates are never escaped. In both, a value loses its control and
bidi characters, and a subject or a display name is one line. Numbers and dates are formatted here
(`zi_domain.indonesian`), not in the templates.
"""

from __future__ import annotations

import functools
import hashlib
import json
from base64 import b64decode, b64encode
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from email.errors import HeaderParseError
from email.headerregistry import Address, BaseHeader, HeaderRegistry
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from types import MappingProxyType
from typing import Any

import jinja2
import markupsafe
from icalendar import Alarm, Calendar, Event

from zi_domain.agency import address_key
from zi_domain.framework import Framework
from zi_domain.gaps import Gap
from zi_domain.indonesian import TEMPLATE_FILTERS, angka, tanggal
from zi_domain.plain_text import one_line, printable, shortened
from zi_domain.reminders import DeadlineItem, DueReminder
from zi_domain.rounding import shown_difference
from zi_domain.surveys import IndexInLke
from zi_domain.unit_score import rule_name

DOMAIN = "zi-orchestrator.invalid"  # Message-ID and UID domain: ours, and never a real host
MAX_KEY_LENGTH = 255  # the outbox column
SUBJECT_TITLE_CHARS = 120  # subjects stay well inside the outbox's 500 characters
SUBJECT_NAME_CHARS = 80
FIX_FIRST_SHOWN = 5
DAILY_ITEMS_SHOWN = 40  # the rest are counted, and all are in the weekly digest
DIGEST_ITEMS_SHOWN = 30
SUMMARY_UNITS_SHOWN = 200
SUMMARY_ROWS_SHOWN = 50  # overdue items, failed deliveries
REASON_CHARS = 300

# What a deadline kind is called, and what the unit has to do about it. Milestone kinds are the
# ones of config/calendar.yaml; an unknown kind gets the general wording.
_KINDS: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "designation": (
            "Penetapan unit kerja",
            "Pastikan SK penetapan unit kerja pembangunan ZI ditandatangani dan diunggah.",
        ),
        "work_plan": (
            "Rencana kerja",
            "Lengkapi rencana kerja pembangunan ZI untuk keenam area perubahan dan unggah ke "
            "sistem.",
        ),
        "self_survey": (
            "Survei mandiri",
            "Selesaikan survei mandiri persepsi anti korupsi (IPAK) dan kualitas pelayanan "
            "(IPKP), lalu masukkan hasilnya.",
        ),
        "tpi_monitoring": (
            "Pemantauan TPI",
            "Perbarui jawaban LKE dan unggah bukti dukung terbaru sebelum TPI melakukan "
            "pemantauan.",
        ),
        "internal_evaluation": (
            "Evaluasi internal TPI",
            "Pastikan seluruh jawaban LKE dan bukti dukungnya lengkap untuk dievaluasi TPI.",
        ),
        "lke_window": (
            "Pengisian LKE",
            "Lengkapi pengisian LKE beserta bukti dukungnya sebelum masa pengisian ditutup.",
        ),
        "proposal": (
            "Pengusulan ke TPN",
            "Siapkan surat usulan pimpinan instansi beserta SPTJM kepala unit kerja bagi unit "
            "yang memenuhi batas nilai, dan kirimkan ke TPN.",
        ),
        "work_item": (
            "Butir rencana kerja",
            "Selesaikan butir rencana kerja ini, unggah bukti dukungnya, dan tandai selesai di "
            "sistem.",
        ),
    }
)
_GENERAL_KIND = ("Tenggat", "Selesaikan butir ini dan perbarui statusnya di sistem.")


class InvalidAddress(ValueError):
    """An e-mail address from data that cannot be written in a header: reported, not sent."""


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str  # "maintype/subtype", optionally with "; name=value" parameters
    data: bytes


@dataclass(frozen=True)
class OutgoingMessage:
    """One e-mail to one recipient, ready for the outbox and for SMTP."""

    idempotency_key: str  # the outbox's UNIQUE key
    recipient: str
    recipient_name: str
    kind: str  # "reminder.before", ..., "digest.unit", "summary.tpi" (≤ 32 characters)
    subject: str
    text: str
    html: str
    attachments: tuple[Attachment, ...]
    message_id: str  # derived from idempotency_key: a resend carries the same Message-ID
    dated: datetime | None = None  # the Date header; None: when it is sent (a replay dates it)


def message_id_for(key: str) -> str:
    """The Message-ID of the message with idempotency key `key`: the same key, the same id."""
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:40]}@{DOMAIN}>"


def idempotency_key(recipient: str, subject_key: str, kind: str, due_or_period: date | str) -> str:
    """`recipient|subject_key|kind|YYYY-MM-DD`, the recipient lower-cased; a key longer than the
    outbox column is replaced by its SHA-256, so it stays unique and stable."""
    for name, part in (("subject_key", subject_key), ("kind", kind)):
        if "|" in part:
            raise ValueError(f"{name} must not contain '|': {part!r}")
    when = due_or_period if isinstance(due_or_period, str) else due_or_period.isoformat()
    key = "|".join((address_key(recipient), subject_key, kind, when))
    if len(key) > MAX_KEY_LENGTH:
        return "sha256:" + hashlib.sha256(key.encode()).hexdigest()
    return key


# --- the daily reminder ------------------------------------------------------------------------


@dataclass(frozen=True)
class ReminderEntry:
    """One item in a person's daily reminder."""

    reminder: DueReminder
    unit_name: str | None  # None: an instansi-wide deadline
    role: str | None = None  # why an escalation reaches this person, e.g. "kepala unit kerja"


def daily_reminder(
    entries: Sequence[ReminderEntry],
    *,
    recipient: str,
    recipient_name: str,
    instansi_id: int,
    instansi: str,
    portal_url: str | None = None,
) -> OutgoingMessage:
    """The one reminder a person gets on a day: every item due or late for them, grouped by
    unit, the most urgent first, with the deadlines still ahead as an .ics attachment.

    The wording counts from the send day (a reminder moved from a Sunday to the Friday says
    "2 hari lagi"). An escalation says in which role the recipient receives it. One item is
    told in full; several in a table per unit, with what to do said once per kind of item.
    """
    if not entries:
        raise ValueError("a daily reminder needs at least one item")
    on = entries[0].reminder.send_on
    if any(e.reminder.send_on != on for e in entries):
        raise ValueError("the items of a daily reminder are sent on one day")
    ordered = sorted(entries, key=_urgency)
    late = sum(1 for e in entries if e.reminder.days_left < 0)
    ahead = tuple(e for e in ordered if e.reminder.days_left >= 0)
    context: dict[str, Any]
    if len(entries) == 1:
        one = _entry_words(entries[0], instansi)
        subject = _one_subject(entries[0], instansi)
        context = {"lead": one["lead"], "one": one, "unit": _where(entries[0].unit_name)}
    else:
        subject = f"[ZI] Pengingat {tanggal(on)}: {angka(len(entries), 0)} butir"
        subject += f", {angka(late, 0)} terlambat" if late else " menjelang batas waktu"
        context = {
            "lead": (
                f"Ada {angka(len(entries), 0)} butir yang perlu Anda tindak lanjuti hari ini, "
                "dikelompokkan per unit kerja, yang paling mendesak lebih dulu."
            ),
            "one": None,
            **_grouped(ordered),
        }
    return render_message(
        "reminder",
        to=(recipient, recipient_name),
        kind="reminder.daily",
        key=(f"instansi:{instansi_id}:harian", "reminder.daily", on),
        subject=subject,
        attachments=_deadlines_attachment(ahead, on, instansi),
        with_calendar=bool(ahead),
        instansi=instansi,
        portal_url=portal_url,
        **context,
    )


def _where(unit_name: str | None) -> str:
    return unit_name or "Seluruh unit kerja (tingkat instansi)"


def _grouped(ordered: Sequence[ReminderEntry]) -> dict[str, Any]:
    """Several items in short: a table per unit (the first DAILY_ITEMS_SHOWN items), what to do
    once per kind of item, and once why escalations reach this person."""
    shown = ordered[:DAILY_ITEMS_SHOWN]
    groups: dict[str, list[tuple[str, str, str, str]]] = {}
    late_rows: dict[str, list[int]] = {}
    todos: dict[str, str] = {}
    for entry in shown:  # a dict keeps the order of each unit's most urgent item
        reminder, item = entry.reminder, entry.reminder.item
        label, todo = _KINDS.get(item.kind, _GENERAL_KIND)
        rows = groups.setdefault(_where(entry.unit_name), [])
        if reminder.days_left < 0:
            late_rows.setdefault(_where(entry.unit_name), []).append(len(rows))
        title = f"{item.title} (eskalasi)" if reminder.kind == "escalation" else item.title
        rows.append((title, label, tanggal(item.due_on), _when(reminder.days_left)))
        todos.setdefault(label, todo)
    escalations = [e for e in shown if e.reminder.kind == "escalation"]
    roles = sorted({e.role for e in escalations if e.role})
    return {
        "groups": [(unit, rows, tuple(late_rows.get(unit, ()))) for unit, rows in groups.items()],
        "more": more_than_shown(ordered, DAILY_ITEMS_SHOWN),
        "todos": list(todos.items()),
        "escalation": (
            "Butir bertanda eskalasi sudah terlambat seminggu atau lebih; eskalasi dikirim juga "
            "kepada kepala unit kerja dan narahubung TPI. "
            + (f"Anda menerimanya sebagai {' dan '.join(roles)}. " if roles else "")
            + "Mohon kepala unit kerja memastikan butir-butir ini segera diselesaikan, dan "
            "narahubung TPI menindaklanjutinya bersama tim unit."
            if escalations
            else ""
        ),
    }


def _urgency(entry: ReminderEntry) -> tuple[int, date, str]:
    """Most late first, then the nearest deadline."""
    item = entry.reminder.item
    return entry.reminder.days_left, item.due_on, item.key


def _one_subject(entry: ReminderEntry, instansi: str) -> str:
    reminder = entry.reminder
    item = reminder.item
    due = tanggal(item.due_on, with_weekday=True)
    when = _when(reminder.days_left)
    title = shortened(item.title, SUBJECT_TITLE_CHARS)
    if reminder.kind == "escalation":
        where = shortened(entry.unit_name or instansi, SUBJECT_NAME_CHARS)
        return f"[ZI] Eskalasi: {title} di {where} belum selesai, {when} (jatuh tempo {due})"
    return f"[ZI] Pengingat: {title} jatuh tempo {due} ({when})"


def _entry_words(entry: ReminderEntry, instansi: str) -> dict[str, Any]:
    """What the message says about one item: its lead sentence, what to do, and its details."""
    reminder = entry.reminder
    item = reminder.item
    label, todo = _KINDS.get(item.kind, _GENERAL_KIND)
    due = tanggal(item.due_on, with_weekday=True)
    when = _when(reminder.days_left)
    where = entry.unit_name or instansi
    escalation = reminder.kind == "escalation"
    if escalation:
        lead = (
            f"Butir berikut di {where} belum diselesaikan dan sudah {when} dari batas waktunya, "
            f"{due}. Pesan ini adalah eskalasi kepada kepala unit kerja dan narahubung TPI."
        )
        todo = (
            "Mohon kepala unit kerja memastikan butir ini segera diselesaikan, dan narahubung "
            f"TPI menindaklanjutinya bersama tim unit. {todo}"
        )
    elif reminder.days_left > 1:
        lead = f"Batas waktu butir berikut adalah {due}, {when}."
    elif reminder.days_left >= 0:
        lead = f"Batas waktu butir berikut adalah {when}, {due}."
    else:
        lead = f"Butir berikut telah melewati batas waktunya, {due}, dan sudah {when}."
        todo = f"Segera selesaikan butir ini. {todo}"
    return {
        "title": item.title,
        "label": label,
        "due": due,
        "when": when,
        "late": reminder.days_left < 0,
        "escalation": escalation,
        "role": entry.role,
        "lead": lead,
        "todo": todo,
    }


def _deadlines_attachment(
    entries: Sequence[ReminderEntry], on: date, instansi: str
) -> tuple[Attachment, ...]:
    """The deadlines still ahead as one calendar file; none when every item is late (a past
    date in a calendar, with an alarm for it, helps nobody)."""
    if not entries:
        return ()
    first = entries[0].reminder.item.due_on
    name = f"batas-waktu-{first.isoformat()}.ics" if len(entries) == 1 else "batas-waktu.ics"
    return (
        Attachment(
            filename=name,
            content_type="text/calendar; charset=utf-8; method=PUBLISH",
            data=_deadlines_ics(entries, on, instansi),
        ),
    )


def _deadlines_ics(entries: Sequence[ReminderEntry], on: date, instansi: str) -> bytes:
    """One all-day VEVENT per deadline, with an alarm at 09.00 the day before when that day is
    still ahead of `on`.

    The UID comes from the item key, so every reminder of an item updates one calendar entry;
    DTSTAMP comes from the due day, so the same deadline gives the same bytes.
    """
    calendar = Calendar()
    calendar.add("prodid", "-//zi-orchestrator//Pengingat ZI//ID")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    for entry in entries:
        item = entry.reminder.item
        label, todo = _KINDS.get(item.kind, _GENERAL_KIND)
        event = Event()
        event.add("uid", f"{hashlib.sha256(item.key.encode()).hexdigest()[:32]}@{DOMAIN}")
        event.add("dtstamp", datetime.combine(item.due_on, time(), tzinfo=UTC))
        event.add("dtstart", item.due_on)
        event.add("dtend", item.due_on + timedelta(days=1))
        event.add("summary", f"[ZI] {one_line(item.title)}")
        where = one_line(entry.unit_name or instansi)
        event.add("description", f"{label} · {where}\n\n{printable(todo)}")
        event.add("transp", "TRANSPARENT")
        if item.due_on > on:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("trigger", timedelta(hours=-15))
            alarm.add("description", f"Besok batas waktu: {one_line(item.title)}")
            event.add_component(alarm)
        calendar.add_component(event)
    ics: bytes = calendar.to_ical()  # icalendar leaves the return type unannotated
    return ics


# --- weekly digest for a unit team -------------------------------------------------------------


@dataclass(frozen=True)
class ScoreLine:
    """A unit's latest score as the TPI computed it."""

    as_of: date
    total: float
    meets_wbk: bool  # every WBK floor of Tabel 6 met
    meets_wbbm: bool
    indices: tuple[IndexInLke, ...] = ()  # IPAK and IPKP of its LKE, each with its source


@dataclass(frozen=True)
class FixFirst:
    """One entry of `zi_domain.gaps.fix_first`: an LKE item, the points the total would gain
    at its top answer, and of them the missing points of the next predicate's floors it would
    supply (0 for an item that feeds no failing floor)."""

    code: str
    text: str
    points: float
    toward: float = 0.0
    helps: tuple[str, ...] = ()  # the failing floors it feeds, in words

    @classmethod
    def of(cls, gap: Gap, framework: Framework) -> FixFirst:
        helps = tuple(rule_name(rule, framework) for rule in gap.helps)
        return cls(gap.code, gap.text, gap.gain, gap.toward_floors, helps)


def _fix_rows(fixes: Sequence[FixFirst]) -> list[tuple[str, str, str, str]]:
    """(code, text, points toward the floors with the floors named, points to the total)."""
    return [
        (
            f.code,
            shortened(f.text, 300),
            f"+{angka(f.toward)} ({', '.join(f.helps)})" if f.toward > 0 else "—",
            f"+{angka(f.points)}",
        )
        for f in fixes[:FIX_FIRST_SHOWN]
    ]


@dataclass(frozen=True)
class TpiComment:
    """A TPI member's comment on one of the unit's LKE questions."""

    code: str
    body: str
    author: str
    written_on: date


@dataclass(frozen=True)
class UnitDigest:
    """What one unit team reads each week; sent once per recipient and ISO week of `as_of`."""

    instansi: str
    unit_id: int
    unit_name: str
    as_of: date
    open_items: tuple[DeadlineItem, ...]  # done ones are left out; the earliest come first
    score: ScoreLine | None  # None: not scored yet
    fix_first: tuple[FixFirst, ...]  # in `fix_first`'s order; the first five are shown
    target: str = ""  # the predicate the unit builds toward, e.g. "WBK"
    overdue: int | None = None  # late work items as the monitoring report counts them
    evidence_missing: tuple[str, ...] = ()  # the LKE indicators without evidence, "code name"
    comments: tuple[TpiComment, ...] = ()  # the TPI's comments of the week before
    portal_url: str | None = None  # the unit's page in the portal, when the agency runs it


COMMENT_CHARS = 500  # a comment as the digest quotes it (the portal shows it whole)


def unit_digest(digest: UnitDigest, *, recipient: str, recipient_name: str) -> OutgoingMessage:
    """The weekly digest of one unit: open items, latest score and what to fix first."""
    items = sorted((i for i in digest.open_items if not i.done), key=lambda i: (i.due_on, i.key))
    shown = items[:DIGEST_ITEMS_SHOWN]
    overdue = sum(1 for i in items if i.due_on < digest.as_of)
    if digest.overdue is not None:
        overdue = digest.overdue
    subject = (
        f"[ZI] Ringkasan mingguan {shortened(digest.unit_name, SUBJECT_NAME_CHARS)}, "
        f"{tanggal(digest.as_of)}: {angka(len(items), 0)} butir terbuka, "
        f"{angka(overdue, 0)} terlambat"
    )
    score = digest.score
    return render_message(
        "unit_digest",
        to=(recipient, recipient_name),
        kind="digest.unit",
        key=(f"unit:{digest.unit_id}", "digest.unit", _week_of(digest.as_of)),
        subject=subject,
        unit_name=digest.unit_name,
        instansi=digest.instansi,
        as_of=tanggal(digest.as_of, with_weekday=True),
        items=[
            (i.title, tanggal(i.due_on, with_weekday=True), _when((i.due_on - digest.as_of).days))
            for i in shown
        ],
        late_rows=tuple(n for n, i in enumerate(shown) if i.due_on < digest.as_of),
        more_items=more_than_shown(items, DIGEST_ITEMS_SHOWN),
        count=angka(len(items), 0),
        overdue=angka(overdue, 0),
        score=None
        if score is None
        else {
            "as_of": tanggal(score.as_of),
            "total": angka(score.total),
            "floors": (("WBK", score.meets_wbk), ("WBBM", score.meets_wbbm)),
            "indices": [(i.figures, i.source) for i in score.indices],
        },
        fixes=_fix_rows(digest.fix_first),
        target=digest.target,
        evidence_missing=[(i,) for i in digest.evidence_missing[:DIGEST_ITEMS_SHOWN]],
        more_evidence=more_than_shown(digest.evidence_missing, DIGEST_ITEMS_SHOWN),
        evidence_count=angka(len(digest.evidence_missing), 0),
        comments=[
            (c.code, shortened(c.body, COMMENT_CHARS), c.author, tanggal(c.written_on))
            for c in digest.comments[:DIGEST_ITEMS_SHOWN]
        ],
        more_comments=more_than_shown(digest.comments, DIGEST_ITEMS_SHOWN),
        portal_url=digest.portal_url,
    )


# --- weekly summary for the TPI ----------------------------------------------------------------


@dataclass(frozen=True)
class StageCount:
    label: str  # the lifecycle stage as people read it, e.g. "Pembangunan"
    units: int


@dataclass(frozen=True)
class UnitSummaryRow:
    """One unit in the TPI's table."""

    unit_name: str
    stage_label: str
    total: float | None  # None: not scored yet
    meets_wbk: bool
    meets_wbbm: bool
    overdue_items: int


@dataclass(frozen=True)
class OverdueRow:
    unit_name: str | None  # None: an instansi-wide deadline
    item: DeadlineItem


@dataclass(frozen=True)
class NearPredicate:
    """A unit close to a predicate's floors, as the caller judges it."""

    unit_name: str
    predicate: str  # "WBK" or "WBBM"
    total: float
    missing: tuple[str, ...]  # Indonesian, e.g. "pengungkit kurang 1,20 poin"


@dataclass(frozen=True)
class FailedDelivery:
    """A message that failed permanently (e.g. 550 unknown recipient), with the reason."""

    recipient: str
    reason: str


@dataclass(frozen=True)
class TpiSummary:
    """What the TPI of one instansi reads each week; sent once per recipient and ISO week."""

    instansi_id: int
    instansi: str
    as_of: date
    stages: tuple[StageCount, ...]  # in lifecycle order
    units: tuple[UnitSummaryRow, ...]
    overdue: tuple[OverdueRow, ...]
    near: tuple[NearPredicate, ...]  # in the caller's order
    failed: tuple[FailedDelivery, ...]


def tpi_summary(summary: TpiSummary, *, recipient: str, recipient_name: str) -> OutgoingMessage:
    """The weekly TPI summary: units by stage, scores, overdue items, units near a predicate
    and the deliveries that failed permanently. Long lists are cut, with the count left out."""
    units = sorted(
        summary.units,
        key=lambda u: (u.total is None, -(u.total or 0.0), u.unit_name, u.stage_label),
    )
    overdue = sorted(summary.overdue, key=lambda o: (o.item.due_on, o.unit_name or "", o.item.key))
    failed = sorted(summary.failed, key=lambda f: (f.recipient.lower(), f.reason))
    subject = (
        f"[ZI] Ringkasan mingguan TPI {shortened(summary.instansi, SUBJECT_NAME_CHARS)}, "
        f"{tanggal(summary.as_of)}: {angka(len(units), 0)} unit, "
        f"{angka(len(overdue), 0)} butir terlambat"
    )
    if failed:
        subject += f", {angka(len(failed), 0)} pengiriman gagal"
    return render_message(
        "tpi_summary",
        to=(recipient, recipient_name),
        kind="summary.tpi",
        key=(f"instansi:{summary.instansi_id}", "summary.tpi", _week_of(summary.as_of)),
        subject=subject,
        instansi=summary.instansi,
        as_of=tanggal(summary.as_of, with_weekday=True),
        stages=[(s.label, angka(s.units, 0)) for s in summary.stages],
        units=[
            (
                u.unit_name,
                u.stage_label,
                "—" if u.total is None else angka(u.total),
                _yes_no(u.meets_wbk),
                _yes_no(u.meets_wbbm),
                angka(u.overdue_items, 0),
            )
            for u in units[:SUMMARY_UNITS_SHOWN]
        ],
        more_units=more_than_shown(units, SUMMARY_UNITS_SHOWN),
        overdue=[
            (
                o.unit_name or "Tingkat instansi",
                o.item.title,
                tanggal(o.item.due_on),
                _when((o.item.due_on - summary.as_of).days),
            )
            for o in overdue[:SUMMARY_ROWS_SHOWN]
        ],
        more_overdue=more_than_shown(overdue, SUMMARY_ROWS_SHOWN),
        near=[
            (n.unit_name, n.predicate, angka(n.total), "; ".join(n.missing)) for n in summary.near
        ],
        failed=[
            (f.recipient, shortened(f.reason, REASON_CHARS)) for f in failed[:SUMMARY_ROWS_SHOWN]
        ],
        more_failed=more_than_shown(failed, SUMMARY_ROWS_SHOWN),
    )


# --- the e-mail itself -------------------------------------------------------------------------


# --- receipts of LKE workbooks ------------------------------------------------------------------

RECEIPT_PROBLEMS_SHOWN = 100
ONCE_PER_FILE = "berkas"  # a receipt's key has no day: one receipt per file content, ever


@dataclass(frozen=True)
class LkeReceipt:
    """What the inbox did with one workbook: accepted (with its score) or refused (with every
    problem); `sha256` is the file content's, the identity of the receipt."""

    sha256: str
    file_name: str
    instansi: str
    unit_name: str
    received_on: date
    accepted: bool
    problems: tuple[str, ...] = ()
    version: int | None = None
    changed: bool = True
    total: float | None = None
    previous_total: float | None = None
    meets: tuple[tuple[str, bool], ...] = ()
    closed_items: int = 0
    fix_first: tuple[FixFirst, ...] = ()
    target: str = ""


def lke_receipt(receipt: LkeReceipt, *, recipient: str, recipient_name: str) -> OutgoingMessage:
    """The answer to a unit team that dropped its LKE workbook in the inbox."""
    unit = shortened(receipt.unit_name, SUBJECT_NAME_CHARS)
    if receipt.accepted:
        kind = "lke.accepted"
        total = angka(receipt.total) if receipt.total is not None else "-"
        subject = f"[ZI] LKE {unit} diterima: total {total}"
    else:
        kind = "lke.refused"
        subject = f"[ZI] LKE {unit} ditolak: {angka(len(receipt.problems), 0)} masalah"
    change = (
        None
        if receipt.total is None or receipt.previous_total is None
        else shown_difference(receipt.total, receipt.previous_total)
    )
    return render_message(
        "lke_receipt",
        to=(recipient, recipient_name),
        kind=kind,
        key=(f"lke:{receipt.sha256[:48]}", kind, ONCE_PER_FILE),
        subject=subject,
        receipt=receipt,
        instansi=receipt.instansi,
        received_on=tanggal(receipt.received_on, with_weekday=True),
        total=angka(receipt.total) if receipt.total is not None else None,
        change=None if change is None else ("+" if change >= 0 else "−") + angka(abs(change)),
        floors=[(name, "terpenuhi" if met else "belum terpenuhi") for name, met in receipt.meets],
        problem_rows=[(p,) for p in receipt.problems[:RECEIPT_PROBLEMS_SHOWN]],
        more_problems=more_than_shown(receipt.problems, RECEIPT_PROBLEMS_SHOWN),
        fixes=_fix_rows(receipt.fix_first),
        target=receipt.target,
    )


def message_payload(message: object) -> str | None:
    """The message as the outbox keeps it (JSON), so that a later run can send it; None for a
    message of another kind (nothing kept)."""
    if not isinstance(message, OutgoingMessage):
        return None
    fields: dict[str, Any] = {name: getattr(message, name) for name in _KEPT_FIELDS}
    fields["dated"] = message.dated.isoformat() if message.dated else None
    attachments = [
        {"filename": a.filename, "content_type": a.content_type, "data": b64encode(a.data).decode()}
        for a in message.attachments
    ]
    return json.dumps({**fields, "attachments": attachments}, ensure_ascii=False)


def message_from_payload(payload: str) -> OutgoingMessage:
    """The message `message_payload` kept."""
    data = json.loads(payload)
    attachments = tuple(
        Attachment(a["filename"], a["content_type"], b64decode(a["data"]))
        for a in data["attachments"]
    )
    dated = datetime.fromisoformat(data["dated"]) if data.get("dated") else None
    return OutgoingMessage(
        **{name: data[name] for name in _KEPT_FIELDS}, attachments=attachments, dated=dated
    )


_KEPT_FIELDS = (
    "idempotency_key",
    "recipient",
    "recipient_name",
    "kind",
    "subject",
    "text",
    "html",
    "message_id",
)


class _HeaderClasses(HeaderRegistry):
    """The stdlib's header registry, making each header's class once. Its `__getitem__` makes
    a new class for every header of every message: about 1 ms a message, a second of the
    demo's 1,448. The classes are stateless, so one per name builds the same bytes."""

    def __init__(self) -> None:
        super().__init__()
        self._made: dict[str, type[BaseHeader]] = {}

    def __getitem__(self, name: str) -> type[BaseHeader]:
        made = self._made.get(name.lower())
        if made is None:
            made = self._made[name.lower()] = super().__getitem__(name)
        return made


_POLICY = SMTP.clone(header_factory=_HeaderClasses())
"""The stdlib's SMTP policy (CRLF line ends, RFC 5322 headers) with its header classes kept."""


def to_email_message(
    message: OutgoingMessage, sender: str, *, sent_at: datetime | None = None
) -> EmailMessage:
    """The MIME message: multipart/alternative (text, then HTML), inside multipart/mixed when
    there are attachments, dated `sent_at`, else the message's own date, else now. With a date
    the bytes are the same on every call: the boundaries
    come from the idempotency key, and both text parts are quoted-printable, in which the
    boundaries' "=_" can never occur. Raises InvalidAddress for a recipient that is not one."""
    if sent_at is not None and sent_at.tzinfo is None:
        raise ValueError("sent_at must carry a time zone")
    email = EmailMessage(policy=_POLICY)
    email["From"] = sender
    email["To"] = _address(message.recipient, message.recipient_name)
    email["Subject"] = message.subject
    email["Date"] = format_datetime(sent_at or message.dated or datetime.now(UTC))
    email["Message-ID"] = message.message_id
    email["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies to a robot
    email.set_content(message.text, cte="quoted-printable")
    email.add_alternative(message.html, subtype="html", cte="quoted-printable")
    for attachment in message.attachments:
        maintype, subtype, params = _content_type(attachment.content_type)
        email.add_attachment(
            attachment.data, maintype, subtype, filename=attachment.filename, params=params
        )
    email["Content-Language"] = "id"  # after the parts: they would take a Content-* header
    seed = hashlib.sha256(message.idempotency_key.encode()).hexdigest()[:24]
    for number, part in enumerate(p for p in email.walk() if p.is_multipart()):
        part.set_boundary(f"=_zi_{seed}_{number}")
    return email


def _address(recipient: str, name: str) -> Address:
    """The To address; the stdlib parser checks the syntax (and fails oddly on empty parts)."""
    local, at, domain = recipient.strip().rpartition("@")
    if not (local and at and domain):
        raise InvalidAddress(f"not an e-mail address: {recipient!r}")
    try:
        return Address(display_name=one_line(name), addr_spec=recipient.strip())
    except (ValueError, HeaderParseError) as error:
        raise InvalidAddress(f"not an e-mail address: {recipient!r}") from error


def _content_type(value: str) -> tuple[str, str, dict[str, str]]:
    """'text/calendar; method=PUBLISH' → ('text', 'calendar', {'method': 'PUBLISH'})."""
    mime, *rest = (piece.strip() for piece in value.split(";"))
    maintype, _, subtype = mime.partition("/")
    params = {}
    for piece in rest:
        name, _, param = piece.partition("=")
        params[name.strip().lower()] = param.strip().strip('"')
    return maintype, subtype, params


# --- shared pieces -----------------------------------------------------------------------------


def render_message(
    template: str,
    *,
    to: tuple[str, str],
    kind: str,
    key: tuple[str, str, date | str],
    subject: str,
    attachments: tuple[Attachment, ...] = (),
    **context: Any,
) -> OutgoingMessage:
    """Both parts of `template` for `to` (address, name), keyed by (subject key, kind in the
    key, due day or period); an invalid address is reported before anything is rendered."""
    recipient, recipient_name = to
    _address(recipient, recipient_name)
    subject = one_line(subject)  # a name from data may have brought a line break or a control
    text, html = _render(template, subject=subject, greeting=_greeting(recipient_name), **context)
    idempotency = idempotency_key(recipient, *key)
    return OutgoingMessage(
        idempotency_key=idempotency,
        recipient=recipient.strip(),
        recipient_name=recipient_name,
        kind=kind,
        subject=subject,
        text=text,
        html=html,
        attachments=attachments,
        message_id=message_id_for(idempotency),
    )


def _when(days_left: int) -> str:
    """7 → '7 hari lagi', 1 → 'besok', 0 → 'hari ini', −3 → 'terlambat 3 hari'."""
    if days_left > 1:
        return f"{angka(days_left, 0)} hari lagi"
    if days_left == 1:
        return "besok"
    if days_left == 0:
        return "hari ini"
    return f"terlambat {angka(-days_left, 0)} hari"


def more_than_shown(rows: Sequence[object], shown: int) -> str:
    """How many rows a cut list leaves out, as people read it; '' when none."""
    return angka(len(rows) - shown, 0) if len(rows) > shown else ""


def _week_of(day: date) -> date:
    """The Monday of `day`'s week: the period of a weekly message."""
    return day - timedelta(days=day.weekday())


def _greeting(name: str) -> str:
    name = one_line(name)
    return f"Yth. {name}," if name else "Yth. Bapak/Ibu,"


def _yes_no(met: bool) -> str:
    return "memenuhi" if met else "belum"


def _finalize(value: object) -> object:
    """Every value a template prints passes here: text loses control and bidi characters.
    Markup (a macro's output, its own values already finalized) is kept as it is."""
    if isinstance(value, str) and not isinstance(value, markupsafe.Markup):
        return printable(value)
    return value


@functools.cache
def _environment(html: bool) -> jinja2.Environment:
    """Templates from the installed package; a missing name is an error. HTML templates are
    escaped by name (select_autoescape); text templates are plain text and never escaped."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("notifications", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]) if html else False,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=_finalize,
    )
    env.filters.update(TEMPLATE_FILTERS)
    return env


def _render(name: str, **context: Any) -> tuple[str, str]:
    """(text, HTML) of the message `name`, from `name.txt.j2` and `name.html.j2`."""
    text = _environment(False).get_template(f"{name}.txt.j2").render(context)
    html = _environment(True).get_template(f"{name}.html.j2").render(context)
    return text, html
