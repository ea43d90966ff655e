"""The e-mails, read back as a mail client would: the MIME message is parsed by the stdlib
`email` package, the HTML part by an HTML parser and the attachment by icalendar."""

from __future__ import annotations

import dataclasses
import email
import email.policy
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from typing import Any

import pytest
from icalendar import Calendar

from notifications.messages import (
    FailedDelivery,
    FixFirst,
    InvalidAddress,
    NearPredicate,
    OutgoingMessage,
    OverdueRow,
    ReminderEntry,
    ScoreLine,
    StageCount,
    TpiSummary,
    UnitDigest,
    UnitSummaryRow,
    daily_reminder,
    idempotency_key,
    message_from_payload,
    message_id_for,
    message_payload,
    to_email_message,
    tpi_summary,
    unit_digest,
)
from zi_domain.reminders import DeadlineItem, DueReminder, ReminderKind

HOSTILE = '<script>alert(1)</script> & "Dinas"'
SENDER = "ZI Orchestrator <zi@pemkab-contoh.go.id>"
SENT_AT = datetime(2027, 5, 24, 1, 0, tzinfo=UTC)
DUE = date(2027, 5, 31)  # a Monday
PLAN = DeadlineItem(
    key="milestone:12",
    kind="work_plan",
    title="Rencana kerja pembangunan ZI",
    due_on=DUE,
    unit_id=3,
    done=False,
)


def due(kind: ReminderKind, days: int, item: DeadlineItem = PLAN) -> DueReminder:
    """A reminder sent on its nominal day."""
    late = kind in ("overdue", "escalation")
    day = item.due_on + timedelta(days=days if late else -days)
    return DueReminder(item=item, kind=kind, days=days, nominal_on=day, send_on=day)


def reminder_mail(
    reminder: DueReminder | None = None,
    *,
    recipient: str = "Ani.Lestari@Pemkab-Contoh.go.id",
    recipient_name: str = "Ani Lestari",
    unit_name: str | None = HOSTILE,
    cc_role: str | None = None,
) -> OutgoingMessage:
    return daily_reminder(
        [ReminderEntry(reminder or due("before", 7), unit_name, cc_role)],
        recipient=recipient,
        recipient_name=recipient_name,
        instansi_id=7,
        instansi="Pemerintah Kabupaten Contoh",
    )


def parsed(message: OutgoingMessage) -> EmailMessage:
    """The message as the receiving side reads it: built, written to bytes, parsed again."""
    raw = to_email_message(message, SENDER, sent_at=SENT_AT).as_bytes()
    result = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(result, EmailMessage)
    return result


def body(mail: EmailMessage, subtype: str) -> str:
    part = mail.get_body((subtype,))
    assert part is not None
    content = part.get_content()
    assert isinstance(content, str)
    return content.replace("\r\n", "\n")  # lines as the reader sees them


class _Page(HTMLParser):
    """The tags and the text of an HTML part, as a browser would see them."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def assert_escaped(html: str) -> None:
    """The hostile name is shown as text and never becomes markup."""
    page = _Page(html)
    assert "script" not in page.tags
    assert HOSTILE in "".join(page.text)
    assert HOSTILE not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;Dinas&#34;" in html


# --- deadline reminders ------------------------------------------------------------------------


def test_a_reminder_is_text_and_html_with_a_calendar_attachment() -> None:
    mail = parsed(reminder_mail())
    assert mail.get_content_type() == "multipart/mixed"
    alternative, attachment = mail.iter_parts()
    assert alternative.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in alternative.iter_parts()] == ["text/plain", "text/html"]
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_filename() == "batas-waktu-2027-05-31.ics"
    assert attachment.get_param("method") == "PUBLISH"


def test_reminder_headers() -> None:
    message = reminder_mail()
    mail = parsed(message)
    assert mail["Message-ID"] == message.message_id == message_id_for(message.idempotency_key)
    assert parsedate_to_datetime(mail["Date"]) == SENT_AT
    assert mail["From"].addresses[0].addr_spec == "zi@pemkab-contoh.go.id"
    assert mail["To"].addresses[0].addr_spec == "Ani.Lestari@Pemkab-Contoh.go.id"
    assert mail["To"].addresses[0].display_name == "Ani Lestari"
    assert mail["Auto-Submitted"] == "auto-generated"
    assert mail["Subject"] == (
        "[ZI] Pengingat: Rencana kerja pembangunan ZI jatuh tempo Senin, 31 Mei 2027 (7 hari lagi)"
    )


def test_a_subject_and_name_beyond_ascii_are_encoded() -> None:
    title = "Survei mandiri — IPAK “persepsi” & IPKP"
    item = DeadlineItem("work_item:9", "self_survey", title, DUE, 3, False)
    message = reminder_mail(due("on_day", 0, item), recipient_name="Ni Made Sùastini, S.E.")
    raw = to_email_message(message, SENDER, sent_at=SENT_AT).as_bytes()
    headers = raw.split(b"\r\n\r\n", 1)[0]
    assert headers.isascii()
    assert b"=?utf-8?" in headers
    mail = email.message_from_bytes(raw, policy=email.policy.default)
    assert mail["Subject"] == f"[ZI] Pengingat: {title} jatuh tempo Senin, 31 Mei 2027 (hari ini)"
    assert mail["To"].addresses[0].display_name == "Ni Made Sùastini, S.E."


@pytest.mark.parametrize(
    ("reminder", "status"),
    [
        (due("before", 14), "(14 hari lagi)"),
        (due("before", 7), "(7 hari lagi)"),
        (due("before", 1), "(besok)"),
        (due("on_day", 0), "(hari ini)"),
        (due("overdue", 3), "(terlambat 3 hari)"),
    ],
)
def test_the_subject_says_when(reminder: DueReminder, status: str) -> None:
    message = reminder_mail(reminder)
    expected = (
        f"[ZI] Pengingat: Rencana kerja pembangunan ZI jatuh tempo Senin, 31 Mei 2027 {status}"
    )
    assert message.subject == expected
    mail = parsed(message)
    for subtype in ("plain", "html"):
        assert "Senin, 31 Mei 2027" in body(mail, subtype)
        assert status.strip("()") in body(mail, subtype)


def test_a_moved_reminder_counts_from_the_day_it_is_sent() -> None:
    # Due Sunday 1 August 2027; T−1 (Saturday) goes out on Friday 30 July: "2 hari lagi".
    item = DeadlineItem(
        "milestone:13", "proposal", "Batas pengusulan", date(2027, 8, 1), None, False
    )
    moved = DueReminder(item, "before", 1, date(2027, 7, 31), date(2027, 7, 30))
    message = reminder_mail(moved, unit_name=None)
    assert message.subject.endswith("jatuh tempo Minggu, 1 Agustus 2027 (2 hari lagi)")
    assert "Seluruh unit kerja (tingkat instansi)" in message.text


def test_an_escalation_speaks_to_the_unit_head_and_the_tpi() -> None:
    message = reminder_mail(due("escalation", 9), cc_role="kepala unit kerja")
    assert message.kind == "reminder.daily"
    assert message.subject == (
        f"[ZI] Eskalasi: Rencana kerja pembangunan ZI di {HOSTILE} belum selesai, "
        "terlambat 9 hari (jatuh tempo Senin, 31 Mei 2027)"
    )
    mail = parsed(message)
    text = " ".join(body(mail, "plain").split())
    assert "eskalasi kepada kepala unit kerja dan narahubung TPI" in text
    assert "Anda menerima pesan ini sebagai kepala unit kerja." in text
    assert "Mohon kepala unit kerja memastikan" in text
    assert_escaped(body(mail, "html"))


def test_the_text_part_says_what_to_do_and_where() -> None:
    text = body(parsed(reminder_mail()), "plain")
    assert text.startswith("Yth. Ani Lestari,\n")
    assert f"Unit kerja  : {HOSTILE}" in text  # plain text: the name as it is
    assert "Instansi    : Pemerintah Kabupaten Contoh" in text
    assert "Lengkapi rencana kerja pembangunan ZI" in text
    assert "&amp;" not in text and "&lt;" not in text


def test_the_hostile_unit_name_is_escaped_in_html() -> None:
    message = reminder_mail(recipient_name=HOSTILE)
    assert_escaped(body(parsed(message), "html"))
    assert "script" not in _Page(message.html).tags


def test_the_calendar_attachment() -> None:
    message = reminder_mail()
    (attachment,) = message.attachments
    calendar = Calendar.from_ical(attachment.data)
    (event,) = calendar.walk("VEVENT")
    assert event.decoded("DTSTART") == DUE  # all day: a date, not a datetime
    assert event.decoded("DTEND") == date(2027, 6, 1)
    assert str(event["SUMMARY"]) == "[ZI] Rencana kerja pembangunan ZI"
    assert HOSTILE in str(event["DESCRIPTION"])
    assert re.fullmatch(r"[0-9a-f]{32}@zi-orchestrator\.invalid", str(event["UID"]))
    assert event.decoded("DTSTAMP") == datetime(2027, 5, 31, tzinfo=UTC)
    (alarm,) = event.walk("VALARM")
    assert alarm.decoded("TRIGGER") == timedelta(hours=-15)
    # Every reminder of the item updates one calendar entry.
    later = Calendar.from_ical(reminder_mail(due("before", 1)).attachments[0].data)
    assert str(later.walk("VEVENT")[0]["UID"]) == str(event["UID"])
    # The attachment read back from the parsed e-mail is the same calendar, byte for byte.
    parts = list(parsed(message).iter_attachments())
    assert parts[0].get_payload(decode=True) == attachment.data


def test_the_same_input_gives_the_same_bytes() -> None:
    first = to_email_message(reminder_mail(), SENDER, sent_at=SENT_AT).as_bytes()
    second = to_email_message(reminder_mail(), SENDER, sent_at=SENT_AT).as_bytes()
    assert first == second
    assert b"<script>" not in first.split(b"text/html", 1)[1].split(b"text/calendar")[0]


def test_kept_header_classes_build_what_the_stdlib_builds(monkeypatch: pytest.MonkeyPatch) -> None:
    """The policy keeps one header class a name (the stdlib makes one a header, 1 ms a
    message); the bytes must be those of the stdlib's own SMTP policy, beyond ASCII and with
    an attachment too."""
    import notifications.messages as messages

    title = "Survei mandiri — IPAK “persepsi” & IPKP, yang sangat panjang sehingga dilipat"
    item = DeadlineItem("work_item:9", "self_survey", title, DUE, 3, False)
    message = reminder_mail(due("on_day", 0, item), recipient_name="Ni Made Sùastini, S.E.")
    assert message.attachments, "the calendar attachment is part of what is compared"
    kept = to_email_message(message, SENDER, sent_at=SENT_AT).as_bytes()
    factory = messages._POLICY.header_factory
    assert factory["Subject"] is factory["subject"]
    monkeypatch.setattr(messages, "_POLICY", email.policy.SMTP)
    assert kept == to_email_message(message, SENDER, sent_at=SENT_AT).as_bytes()


def test_without_a_date_the_message_is_dated_now() -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    mail = to_email_message(reminder_mail(), SENDER)
    assert parsedate_to_datetime(mail["Date"]) >= before


def test_a_naive_date_is_refused() -> None:
    with pytest.raises(ValueError, match="time zone"):
        to_email_message(reminder_mail(), SENDER, sent_at=datetime(2027, 5, 24, 8))


@pytest.mark.parametrize(
    "recipient", ["", "bukan alamat", "a@", "@b.id", "<a@b.id>", "a@b.id\nBcc: c@d.id"]
)
def test_an_invalid_recipient_is_reported(recipient: str) -> None:
    with pytest.raises(InvalidAddress):
        reminder_mail(recipient=recipient)


# --- keys and Message-IDs ----------------------------------------------------------------------


def test_idempotency_keys() -> None:
    key = idempotency_key("Ani@Example.go.id", "milestone:12", "reminder.before.7", DUE)
    assert key == "ani@example.go.id|milestone:12|reminder.before.7|2027-05-31"
    # One reminder per person, instansi and day: T−7 sent on 24 May 2027.
    assert reminder_mail().idempotency_key == (
        "ani.lestari@pemkab-contoh.go.id|instansi:7:harian|reminder.daily|2027-05-24"
    )
    # T−14 and T−7 of one item go out on two days: two messages; the same day twice is one.
    assert reminder_mail(due("before", 14)).idempotency_key != reminder_mail().idempotency_key
    assert reminder_mail().idempotency_key == reminder_mail(cc_role="x").idempotency_key


def test_a_long_key_is_hashed_to_fit_the_outbox() -> None:
    recipient = "a" * 300 + "@example.go.id"
    key = idempotency_key(recipient, "work_item:1", "reminder.before.7", DUE)
    assert len(key) <= 255
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", key)
    assert key == idempotency_key(recipient.upper(), "work_item:1", "reminder.before.7", DUE)
    assert key != idempotency_key(recipient, "work_item:2", "reminder.before.7", DUE)


def test_a_separator_in_a_key_part_is_refused() -> None:
    with pytest.raises(ValueError, match="must not contain"):
        idempotency_key("a@b.id", "work|item", "reminder.before.7", DUE)


def test_the_message_id_is_derived_from_the_key() -> None:
    message_id = message_id_for("a@b.id|milestone:12|reminder.before.7|2027-05-31")
    assert re.fullmatch(r"<[0-9a-f]{40}@zi-orchestrator\.invalid>", message_id)
    assert message_id == message_id_for("a@b.id|milestone:12|reminder.before.7|2027-05-31")
    assert message_id != message_id_for("a@b.id|milestone:12|reminder.before.1|2027-05-31")


# --- the weekly unit digest --------------------------------------------------------------------

AS_OF = date(2027, 6, 2)  # a Wednesday


def digest(**changes: Any) -> UnitDigest:
    base = UnitDigest(
        instansi="Pemerintah Kabupaten Contoh",
        unit_id=3,
        unit_name=HOSTILE,
        as_of=AS_OF,
        open_items=(
            DeadlineItem(
                "work_item:2", "work_item", "Survei kepuasan", date(2027, 6, 20), 3, False
            ),
            PLAN,
            DeadlineItem("work_item:3", "work_item", "Sudah selesai", date(2027, 5, 1), 3, True),
        ),
        score=ScoreLine(as_of=date(2027, 5, 31), total=72.5, meets_wbk=False, meets_wbbm=False),
        fix_first=tuple(
            FixFirst(f"A.II.{n}", f"Perbaikan nomor {n}", 2.0 - n / 10) for n in range(7)
        ),
    )
    return dataclasses.replace(base, **changes)


def digest_mail(
    value: UnitDigest | None = None, recipient: str = "tim@example.go.id"
) -> OutgoingMessage:
    return unit_digest(value or digest(), recipient=recipient, recipient_name="Tim ZI")


def test_the_unit_digest() -> None:
    message = digest_mail()
    assert message.kind == "digest.unit"
    assert message.attachments == ()
    assert (
        message.subject
        == f"[ZI] Ringkasan mingguan {HOSTILE}, 2 Juni 2027: 2 butir terbuka, 1 terlambat"
    )
    mail = parsed(message)
    assert mail.get_content_type() == "multipart/alternative"
    text = body(mail, "plain")
    # Open items, the earliest first, the late one marked; the done one left out.
    assert text.index("[TERLAMBAT] Rencana kerja pembangunan ZI") < text.index("Survei kepuasan")
    assert "jatuh tempo Senin, 31 Mei 2027 · terlambat 2 hari" in " ".join(text.split())
    assert "18 hari lagi" in text
    assert "Sudah selesai" not in text
    assert "Total 72,50 (penilaian TPI, 31 Mei 2027)" in text
    assert "Batas WBK: belum terpenuhi" in text
    # What to fix first: the first five, in the caller's order, each with the points it adds
    # toward the next predicate's floors (none here) and to the total.
    assert "1. A.II.0: Perbaikan nomor 0\n   menuju batas: — · poin total: +2,00" in text
    assert "5. A.II.4: Perbaikan nomor 4\n   menuju batas: — · poin total: +1,60" in text
    assert "A.II.5" not in text
    html = body(mail, "html")
    assert_escaped(html)
    assert "Perbaikan nomor 4" in html and "Perbaikan nomor 5" not in html
    assert "terlambat 2 hari" in html


def test_a_unit_not_yet_scored_and_with_nothing_open() -> None:
    message = digest_mail(digest(open_items=(), score=None, fix_first=()))
    assert "Tidak ada butir terbuka." in message.text
    assert "Unit ini belum dinilai." in message.text
    assert "Semua butir LKE sudah pada jawaban tertinggi." in message.html


def test_a_long_list_of_open_items_is_cut() -> None:
    items = tuple(
        DeadlineItem(
            f"work_item:{n}", "work_item", f"Butir {n:02}", AS_OF + timedelta(days=n), 3, False
        )
        for n in range(35)
    )
    message = digest_mail(digest(open_items=items))
    assert "Butir 29" in message.text and "Butir 30" not in message.text
    assert "… dan 5 butir lainnya." in message.text
    assert "… dan 5 butir lainnya." in message.html


def test_the_digest_goes_once_a_week() -> None:
    monday, sunday = date(2027, 5, 31), date(2027, 6, 6)
    key = digest_mail().idempotency_key
    assert key == "tim@example.go.id|unit:3|digest.unit|2027-05-31"
    assert digest_mail(digest(as_of=monday)).idempotency_key == key
    assert digest_mail(digest(as_of=sunday)).idempotency_key == key
    assert digest_mail(digest(as_of=sunday + timedelta(days=1))).idempotency_key != key
    assert digest_mail(recipient="lain@example.go.id").idempotency_key != key


# --- the weekly TPI summary --------------------------------------------------------------------


def summary(**changes: Any) -> TpiSummary:
    base = TpiSummary(
        instansi_id=1,
        instansi="Pemerintah Kabupaten Contoh",
        as_of=AS_OF,
        stages=(StageCount("Penetapan", 1), StageCount("Pembangunan", 2)),
        units=(
            UnitSummaryRow("Kecamatan Barat", "Penetapan", None, False, False, 0),
            UnitSummaryRow(HOSTILE, "Pembangunan", 86.25, True, True, 1),
            UnitSummaryRow("RSUD Contoh", "Pembangunan", 73.1, False, False, 2),
        ),
        overdue=(OverdueRow("RSUD Contoh", PLAN), OverdueRow(None, PLAN)),
        near=(NearPredicate("RSUD Contoh", "WBK", 73.1, ("total kurang 1,90 poin",)),),
        failed=(FailedDelivery("salah@example.go.id", "550 5.1.1 <salah@example.go.id>: unknown"),),
    )
    return dataclasses.replace(base, **changes)


def summary_mail(value: TpiSummary | None = None) -> OutgoingMessage:
    return tpi_summary(value or summary(), recipient="tpi@example.go.id", recipient_name="TPI")


def test_the_tpi_summary() -> None:
    message = summary_mail()
    assert message.kind == "summary.tpi"
    assert message.subject == (
        "[ZI] Ringkasan mingguan TPI Pemerintah Kabupaten Contoh, 2 Juni 2027: 3 unit, "
        "2 butir terlambat, 1 pengiriman gagal"
    )
    text = body(parsed(message), "plain")
    assert "- Penetapan · 1\n- Pembangunan · 2\n" in text
    # Units by total, highest first; a unit not scored yet last.
    assert text.index(HOSTILE) < text.index("RSUD Contoh") < text.index("Kecamatan Barat")
    assert f"- {HOSTILE} · Pembangunan · 86,25 · memenuhi · memenuhi · 1" in text
    assert "- Kecamatan Barat · Penetapan · — · belum · belum · 0" in text
    assert "- RSUD Contoh · Rencana kerja pembangunan ZI · 31 Mei 2027 · terlambat 2 hari" in text
    assert "- Tingkat instansi · Rencana kerja pembangunan ZI" in text
    assert "- RSUD Contoh · WBK · 73,10 · total kurang 1,90 poin" in text
    assert "- salah@example.go.id · 550 5.1.1 <salah@example.go.id>: unknown" in text
    html = body(parsed(message), "html")
    assert_escaped(html)
    assert "550 5.1.1 &lt;salah@example.go.id&gt;: unknown" in html
    assert message.idempotency_key == "tpi@example.go.id|instansi:1|summary.tpi|2027-05-31"


def test_an_empty_summary_says_so() -> None:
    message = summary_mail(summary(stages=(), units=(), overdue=(), near=(), failed=()))
    assert message.subject.endswith(": 0 unit, 0 butir terlambat")
    assert "Tidak ada butir terlambat." in message.text
    assert "Belum ada unit yang mendekati batas WBK atau WBBM." in message.html


def test_a_large_instansi_is_cut_to_the_top_units() -> None:
    units = tuple(
        UnitSummaryRow(f"Unit {n:03}", "Pembangunan", 50 + n / 10, False, False, 0)
        for n in range(201)
    )
    message = summary_mail(summary(units=units))
    assert "Unit 200" in message.text and "Unit 000" not in message.text
    assert "… dan 1 unit lainnya." in message.text


# --- every message ------------------------------------------------------------------------------

BUILDERS: dict[str, Callable[[], OutgoingMessage]] = {
    "reminder": reminder_mail,
    "escalation": lambda: reminder_mail(due("escalation", 12), cc_role=HOSTILE),
    "digest": digest_mail,
    "summary": summary_mail,
}


@pytest.mark.parametrize("build", BUILDERS.values(), ids=BUILDERS.keys())
def test_every_message_escapes_data_in_html_and_is_stable(
    build: Callable[[], OutgoingMessage],
) -> None:
    message = build()
    assert_escaped(message.html)
    assert HOSTILE in message.text
    assert len(message.idempotency_key) <= 255 and len(message.subject) <= 500
    assert len(message.kind) <= 32
    first = to_email_message(message, SENDER, sent_at=SENT_AT).as_bytes()
    assert first == to_email_message(build(), SENDER, sent_at=SENT_AT).as_bytes()
    mail = email.message_from_bytes(first, policy=email.policy.default)
    assert mail["Message-ID"] == message.message_id
    assert mail["Subject"] == message.subject


# --- one reminder a day per person ---------------------------------------------------------------


def _item(key: str, title: str, due_on: date, unit_id: int | None = 3) -> DeadlineItem:
    return DeadlineItem(key, "work_item", title, due_on, unit_id, False)


def test_a_persons_items_of_the_day_are_one_message_grouped_by_unit_most_urgent_first() -> None:
    today = date(2027, 5, 24)

    def sent_today(item: DeadlineItem, kind: ReminderKind, days: int) -> DueReminder:
        return DueReminder(item, kind, days, today, today)

    entries = [
        ReminderEntry(
            sent_today(_item("w:1", "Uji SOP", today + timedelta(7)), "before", 7), "Dinas A"
        ),
        ReminderEntry(
            sent_today(_item("w:2", "Maklumat pelayanan", today - timedelta(9)), "escalation", 9),
            "Dinas B",
            "narahubung TPI",
        ),
        ReminderEntry(
            sent_today(_item("w:3", "SK tim", today - timedelta(3)), "overdue", 3), "Dinas A"
        ),
        ReminderEntry(
            sent_today(_item("m:4", "Batas usulan", today + timedelta(1), None), "before", 1), None
        ),
    ]
    message = daily_reminder(
        entries, recipient="ani@contoh.go.id", recipient_name="Ani", instansi_id=7, instansi="Kab"
    )
    assert message.kind == "reminder.daily"
    assert message.subject == "[ZI] Pengingat 24 Mei 2027: 4 butir, 2 terlambat"
    text = body(parsed(message), "plain")
    # Units in the order of their most urgent item: Dinas B (9 days late), Dinas A (3 days
    # late), then the instansi's own deadline (tomorrow); within Dinas A the late item first.
    order = [text.index(s) for s in ("\nDINAS B\n", "\nDINAS A\n", "\nSELURUH UNIT KERJA")]
    assert order == sorted(order)
    flat = " ".join(text.split())
    assert (
        "- [TERLAMBAT] SK tim · Butir rencana kerja · batas 21 Mei 2027 · terlambat 3 hari" in flat
    )
    assert text.index("[TERLAMBAT] SK tim") < text.index("- Uji SOP")
    assert "- [TERLAMBAT] Maklumat pelayanan (eskalasi) ·" in flat
    # What to do is said once for the three work items, and why the escalation reaches Ani.
    assert text.count("Selesaikan butir rencana kerja ini") == 1
    assert "Anda menerimanya sebagai narahubung TPI." in flat
    assert max(len(line) for line in text.splitlines()) <= 90  # wrapped, bar the footer's
    html = body(parsed(message), "html")
    assert "Maklumat pelayanan (eskalasi)" in html and html.count("background:#fbe9e7") == 2
    # The calendar holds the two deadlines still ahead, not the two past ones.
    (attachment,) = message.attachments
    assert attachment.filename == "batas-waktu.ics"
    events = Calendar.from_ical(attachment.data).walk("VEVENT")
    assert sorted(str(e["SUMMARY"]) for e in events) == ["[ZI] Batas usulan", "[ZI] Uji SOP"]


def test_an_overdue_notice_carries_no_calendar_and_a_deadline_today_no_alarm() -> None:
    late = reminder_mail(due("overdue", 3))
    assert late.attachments == ()
    assert "berkas kalender" not in late.text
    today = reminder_mail(due("on_day", 0))
    (attachment,) = today.attachments
    (event,) = Calendar.from_ical(attachment.data).walk("VEVENT")
    assert event.walk("VALARM") == []  # "Besok batas waktu" would be a day late already
    ahead = reminder_mail(due("before", 7))
    (event,) = Calendar.from_ical(ahead.attachments[0].data).walk("VEVENT")
    assert len(event.walk("VALARM")) == 1


def test_a_replayed_message_is_dated_on_its_day() -> None:
    at = datetime(2026, 3, 9, 1, 0, tzinfo=UTC)
    message = dataclasses.replace(reminder_mail(), dated=at)
    mail = to_email_message(message, SENDER)
    assert parsedate_to_datetime(str(mail["Date"])) == at
    kept = message_payload(message)
    assert kept is not None and message_from_payload(kept) == message
