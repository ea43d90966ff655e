"""The daily reminder flow under Prefect's harness: reminders and digests to the local sink,
each once, on the right days."""

from __future__ import annotations

import email
from datetime import UTC, date, datetime, timedelta
from email import policy
from pathlib import Path

import pytest

from persistence.database import default_engine
from persistence.tables import TeamMemberCreate
from persistence.unit_of_work import SqlUnitOfWork
from tests.builders import candidate_instansi
from tests.flows.test_lifecycle_flows import kabupaten  # noqa: F401 - a fixture
from zi_domain.agency import TPI_ROLE, UNIT_HEAD_ROLE

pytestmark = pytest.mark.usefixtures("prefect_harness")


def people(ids: dict[str, int]) -> None:
    with SqlUnitOfWork(default_engine()) as uow:
        for code in ("BAIK", "SEDANG"):
            uow.units.add_team_member(
                member=TeamMemberCreate(
                    instansi_id=ids["instansi"],
                    unit_id=ids[code],
                    name=f"Kepala {code}",
                    role=UNIT_HEAD_ROLE,
                    email=f"kepala.{code.lower()}@uji.go.id",
                )
            )
        uow.units.add_team_member(
            member=TeamMemberCreate(
                instansi_id=ids["instansi"],
                unit_id=None,
                name="Auditor <TPI> & Co",
                role=TPI_ROLE,
                email="tpi@inspektorat.uji.go.id",
            )
        )
        uow.commit()


def building_with_people(ids: dict[str, int]) -> None:
    """The unit heads and a TPI contact, BAIK and SEDANG declared, designated and building."""
    from flows.declare import declare
    from flows.designate import designate
    from flows.develop import develop

    people(ids)
    declare(instansi=ids["instansi"], year=2027, as_of=date(2027, 1, 4))
    designate(
        instansi=ids["instansi"],
        candidates=["BAIK", "SEDANG"],
        sk_number="800/1/2027",
        as_of=date(2027, 1, 11),
    )
    develop(instansi=ids["instansi"], as_of=date(2027, 1, 18))


def mails(data_dir: Path) -> list[email.message.EmailMessage]:
    folder = data_dir / "mail" / "new"
    return (
        [
            email.message_from_bytes(path.read_bytes(), policy=policy.default)  # type: ignore[misc]
            for path in sorted(folder.iterdir())
        ]
        if folder.exists()
        else []
    )


def test_reminders_go_out_once_on_their_days(kabupaten: dict[str, int], data_dir: Path) -> None:  # noqa: F811
    from flows.reminders import send_reminders

    ids = kabupaten
    building_with_people(ids)

    # Thursday 13 May 2027 is T-7 of the internal evaluation (Thursday 20 May), when the work
    # items fall due.
    first = send_reminders(as_of=date(2027, 5, 13))
    assert first["composed"] > 0 and first["sent"] == first["composed"]
    again = send_reminders(as_of=date(2027, 5, 13))
    assert (again["sent"], again["already_sent"]) == (0, first["composed"])
    received = mails(data_dir)
    assert len(received) == first["sent"]
    assert len({m["Message-ID"] for m in received}) == len(received)
    subjects = [str(m["Subject"]) for m in received]
    assert all(s.startswith("[ZI] ") for s in subjects)
    # Work items fall due on the internal evaluation day: their T-7 reminder goes to the unit
    # heads (no owner among them, so the whole team), with the deadline as an .ics attachment.
    reminder = next(m for m in received if "Kamis, 20 Mei 2027" in str(m["Subject"]))
    ics = [p for p in reminder.walk() if p.get_content_type() == "text/calendar"]
    assert len(ics) == 1 and b"DTSTART;VALUE=DATE:20270520" in ics[0].get_payload(decode=True)
    # Monday 17 May 2027 is Idul Adha and 18-19 May cuti bersama (20 May is Waisak): no digest
    # on the Monday; it goes out on Friday 21 May, the first working day of that week, and the
    # TPI contact's name is escaped in it.
    assert send_reminders(as_of=date(2027, 5, 17))["composed"] == 0
    monday = send_reminders(as_of=date(2027, 5, 21))
    summaries = [
        m
        for m in mails(data_dir)
        if "tpi@inspektorat.uji.go.id" in str(m["To"]) and "Ringkasan" in str(m["Subject"])
    ]
    assert monday["sent"] >= 3 and len(summaries) == 1
    html = summaries[0].get_body(("html",)).get_content()
    assert "<TPI>" not in html and "&lt;TPI&gt;" in html


def test_what_a_run_left_unsent_goes_out_with_a_later_days_run(
    kabupaten: dict[str, int],  # noqa: F811
    data_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The relay is down on Thursday and a run dies holding claims: Friday's run (which composes
    only Friday's messages) sends Thursday's too, each once, and never called them sent."""
    import socket

    from sqlalchemy import text

    from config.settings import get_settings
    from flows.reminders import send_reminders

    ids = kabupaten
    building_with_people(ids)

    with socket.socket() as closed:  # a port with nothing listening: the relay is down
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    monkeypatch.setenv("ZI_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("ZI_SMTP_PORT", str(port))
    monkeypatch.setenv("ZI_SMTP_MAX_ATTEMPTS", "1")
    get_settings.cache_clear()
    thursday = send_reminders(as_of=date(2027, 5, 13))
    assert thursday["composed"] >= 3 and thursday["sent"] == 0
    assert thursday["already_sent"] == 0
    # One message was claimed by a run that was killed an hour ago (it never settled it).
    with default_engine().begin() as connection:
        dead = connection.execute(
            text(
                "UPDATE notification SET status = 'claimed', error = NULL, "
                "claimed_at = :old WHERE id = (SELECT min(id) FROM notification)"
            ),
            {"old": datetime.now(UTC) - timedelta(hours=1)},
        )
        assert dead.rowcount == 1
    assert mails(data_dir) == []

    monkeypatch.delenv("ZI_SMTP_HOST")
    monkeypatch.delenv("ZI_SMTP_PORT")
    get_settings.cache_clear()
    friday = send_reminders(as_of=date(2027, 5, 14))
    received = mails(data_dir)
    assert friday["sent"] == thursday["composed"] + friday["composed"] == len(received)
    assert len({m["Message-ID"] for m in received}) == len(received)
    assert any("Kamis, 20 Mei 2027" in str(m["Subject"]) for m in received)
    # Nothing is left, and a rerun sends nothing twice.
    again = send_reminders(as_of=date(2027, 5, 14))
    assert again["sent"] == 0 and len(mails(data_dir)) == len(received)


def test_a_run_for_one_instansi_sends_only_its_own_peoples_leftovers(
    kabupaten: dict[str, int],  # noqa: F811
    data_dir: Path,
) -> None:
    """Two instansi share the product's outbox, which keeps no instansi: `zi remind --instansi`
    sends the leftovers to that instansi's people, and another's wait for a run of theirs (or
    of every instansi), which sends them once."""
    from flows.reminders import outbox, send_reminders
    from notifications.messages import OutgoingMessage, message_id_for, message_payload
    from persistence.outbox import ClaimRequest

    building_with_people(kabupaten)
    with SqlUnitOfWork(default_engine()) as uow:
        other = candidate_instansi(
            uow, name="Kota Lain", standing_years=(2027,), units={"X": True}, unit_year=2027
        )
        uow.units.add_team_member(
            member=TeamMemberCreate(
                instansi_id=other["instansi"],
                unit_id=other["X"],
                name="Kepala X",
                role=UNIT_HEAD_ROLE,
                email="kepala.x@lain.go.id",
            )
        )
        uow.commit()
    box = outbox()
    for address in ("Kepala.Baik@uji.go.id", "kepala.x@lain.go.id"):  # each left by a run before
        key = f"{address.lower()}|tertinggal|reminder.before|2027-05-13"
        message = OutgoingMessage(
            idempotency_key=key,
            recipient=address,
            recipient_name="Kepala",
            kind="reminder.before",
            subject=f"Tertinggal untuk {address.lower()}",
            text="Pesan yang tertinggal.",
            html="<p>Pesan yang tertinggal.</p>",
            attachments=(),
            message_id=message_id_for(key),
        )
        payload = message_payload(message)
        box.claim_many([ClaimRequest(key, address, message.kind, message.subject, payload)])
        box.mark_failed(key, "ditolak server (421): sibuk", permanent=False)

    def left_sent() -> list[str]:
        return [str(m["Subject"]) for m in mails(data_dir) if "Tertinggal" in str(m["Subject"])]

    send_reminders(as_of=date(2027, 5, 14), instansi=kabupaten["instansi"])
    assert left_sent() == ["Tertinggal untuk kepala.baik@uji.go.id"]
    send_reminders(as_of=date(2027, 5, 14))
    assert sorted(left_sent()) == [
        "Tertinggal untuk kepala.baik@uji.go.id",
        "Tertinggal untuk kepala.x@lain.go.id",
    ]


def test_a_catch_up_composes_each_day_once_and_a_replay_dates_it(
    kabupaten: dict[str, int],  # noqa: F811
    data_dir: Path,
) -> None:
    from email.utils import parsedate_to_datetime

    from flows.reminders import send_reminders

    building_with_people(kabupaten)
    first, last = date(2027, 5, 3), date(2027, 5, 21)
    days = (last - first).days + 1
    caught_up = send_reminders(as_of=last, days=days, replay=True)
    received = mails(data_dir)
    assert caught_up["sent"] == len(received) > 0
    # Each message is dated 08:00 WIB of the day it was composed for, inside the window.
    dated = [parsedate_to_datetime(str(m["Date"])) for m in received]
    assert {(d.hour, d.minute, d.utcoffset()) for d in dated} == {(8, 0, timedelta(hours=7))}
    sent_days = {d.date() for d in dated}
    assert len(sent_days) > 2 and min(sent_days) >= first and max(sent_days) <= last
    # At most one reminder a day per person; the weekly messages come on their own.
    reminders = [
        (str(m["To"]), d.date())
        for m, d in zip(received, dated, strict=True)
        if str(m["Subject"]).startswith(("[ZI] Pengingat", "[ZI] Eskalasi"))
    ]
    assert reminders and len(reminders) == len(set(reminders))
    # The same days run one by one afterwards send nothing: the keys are per day.
    for back in range(days):
        assert send_reminders(as_of=last - timedelta(days=back))["sent"] == 0
