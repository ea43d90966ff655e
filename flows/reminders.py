"""Pengingat: the daily run (working days, 08:00) that e-mails deadline reminders, and on the
first working day of the week the unit digests and the TPI summary.

Each message is sent once: its idempotency key is claimed in the product's outbox before it is
sent and marked after, so a rerun of the same day, a second run at the same time, or a rerun
after a crash sends only what was not sent yet. With no SMTP relay configured the messages go to
the local sink, a Maildir under the data folder that a person can open.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from typing import Any

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact

from config.framework_files import load_framework
from config.settings import get_settings
from flows.runtime import day, unit_of_work
from notifications.delivery import DeliveryReport, SmtpConfig, deliver
from notifications.messages import FailedDelivery, OutgoingMessage, message_from_payload
from notifications.sink import default_folder, smtp_target
from persistence.database import default_engine
from persistence.outbox import SqlOutbox
from services.lookup import find_instansi
from services.reminders import (
    DayMail,
    catch_up_days,
    dated_on_its_day,
    mail_for_day,
    own_addresses,
    reminder_policy,
)

FAILURES_SHOWN_DAYS = 7


def outbox() -> SqlOutbox:
    seconds = get_settings().outbox_claim_timeout_seconds
    return SqlOutbox(default_engine(), claim_timeout=timedelta(seconds=seconds))


@task(name="susun-pesan")
def compose(
    as_of: date,
    instansi: str | int | None,
    framework: str | None,
    days: int = 1,
    replay: bool = False,
) -> list[DayMail]:
    """The messages of `as_of` and of the `days - 1` days before it (a catch-up after a
    stoppage, or a replay), each day composed as it was; keys are per day, so a day already
    sent is not sent again. A replay dates each message on its own day."""
    settings = get_settings()
    since = datetime.combine(as_of - timedelta(days=FAILURES_SHOWN_DAYS), datetime.min.time(), UTC)
    failed = tuple(
        FailedDelivery(recipient=f.recipient, reason=f.reason)
        for f in outbox().failures(since)
        if f.permanent
    )
    with unit_of_work() as uow:
        every = uow.instansi.all_instansi() if instansi is None else [find_instansi(uow, instansi)]
        mails = [
            mail_for_day(
                uow,
                instansi=one,
                as_of=on,
                policy=reminder_policy(settings),
                framework=load_framework(framework),
                failures=failed,
                portal_url=settings.web_base_url,
            )
            for on in catch_up_days(as_of, days)
            for one in every
        ]
    return [dated_on_its_day(mail) for mail in mails] if replay else mails


@task(name="kirim-pesan", retries=1, retry_delay_seconds=60)
def send(
    messages: list[OutgoingMessage], instansi: str | int | None = None
) -> tuple[DeliveryReport, int]:
    """Today's messages, and those that earlier runs left unsent (failed for a transient reason,
    or claimed by a run that died), whatever day composed them; with how many of those. With
    `instansi`, only the leftovers to its own people: another instansi's wait for a run of
    theirs (or of every instansi)."""
    settings = get_settings()
    box = outbox()
    only_to = None
    if instansi is not None:
        with unit_of_work() as uow:
            owner = find_instansi(uow, instansi)
            assert owner.id is not None
            only_to = own_addresses(uow, instansi_id=owner.id)
    composed = [m.idempotency_key for m in messages]
    left = [
        message_from_payload(payload)
        for payload in box.leftovers(exclude=composed, recipients=only_to)
    ]
    with smtp_target(
        SmtpConfig.from_settings(settings), default_folder(settings.data_dir)
    ) as config:
        return asyncio.run(deliver([*messages, *left], config=config, outbox=box)), len(left)


@flow(name="pengingat", log_prints=True, retries=0, validate_parameters=True, persist_result=True)
def send_reminders(
    as_of: date | None = None,
    instansi: str | int | None = None,
    framework: str | None = None,
    days: int = 1,
    replay: bool = False,
) -> dict[str, Any]:
    """The reminders and digests of `as_of` (default today) and of the `days - 1` days before
    it; `replay` (the demo) dates each message on the day it was composed for."""
    on = day(as_of)
    mails = compose(on, instansi, framework, days, replay)
    messages = [m for mail in mails for m in mail.messages]
    report, left = send(messages, instansi)
    invalid = [i for mail in mails for i in mail.invalid]
    lines = [
        f"# Pengingat {on.isoformat()}",
        "",
        f"- pesan disusun: {len(messages)} (pengingat {sum(m.reminders for m in mails)}, "
        f"ringkasan mingguan {sum(m.digests for m in mails)})",
        f"- pesan tertinggal dari proses sebelumnya, dikirim sekarang: {left}",
        f"- {report.summary()}",
        f"- alamat tidak sah: {len(invalid) + len(report.invalid_addresses)}",
    ]
    lines += [f"  - {i.recipient}: {i.reason}" for i in invalid]
    create_markdown_artifact(key="pengingat-harian", markdown="\n".join(lines))
    print("; ".join(lines[2:]))
    if get_settings().smtp_host is None:
        print(f"Pesan tersimpan di {default_folder(get_settings().data_dir)}")
    return {
        "composed": len(messages),
        "sent": len(report.sent),
        "already_sent": len(report.already_sent),
        "failed": len(report.failed_permanent),
        "invalid": len(invalid) + len(report.invalid_addresses),
    }
