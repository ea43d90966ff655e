"""The LKE inbox: a folder where unit teams and the TPI drop filled workbooks.

Workbooks dropped in the folder itself are the units' self-assessments (mandiri); those dropped
in its `tpi/` subfolder are the TPI's evaluations. Each settled file is imported, then moved to
`diterima/` or `ditolak/` beside it (a refused one with `<file>.alasan.txt`, every problem on a
line), and its unit team gets one receipt per file content: a file dropped twice is answered once.
"""

from __future__ import annotations

import hashlib
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from notifications.messages import (
    FixFirst,
    InvalidAddress,
    LkeReceipt,
    OutgoingMessage,
    lke_receipt,
)
from persistence.tables import AssessmentKind
from persistence.unit_of_work import UnitOfWork
from services.lke_intake import IntakeRefused, IntakeScope, WorkbookIntake, import_workbook
from zi_domain.indonesian import angka
from zi_domain.predicates import next_predicate

ACCEPTED_FOLDER = "diterima"
REFUSED_FOLDER = "ditolak"
TPI_FOLDER = "tpi"
WORKBOOK_SUFFIXES = (".xlsx",)


@dataclass(frozen=True)
class DroppedFile:
    path: Path
    kind: AssessmentKind


@dataclass(frozen=True)
class InboxOutcome:
    """One file's fate and the receipt its unit team gets (if it has a team). The file is
    moved only after the receipts are handed to the outbox: a run that dies before that finds
    the file again, imports it as unchanged, and sends only the receipts not yet sent."""

    path: Path
    accepted: bool
    problems: tuple[str, ...]
    messages: tuple[OutgoingMessage, ...]
    summary: str


def settled_files(
    folder: Path, *, settle_seconds: float, now: float | None = None
) -> list[DroppedFile]:
    """Workbooks in the inbox (and its tpi/ subfolder) not changed for `settle_seconds`: a file
    still being copied is left for the next scan."""
    moment = time.time() if now is None else now
    found = []
    for where, kind in ((folder, AssessmentKind.SELF), (folder / TPI_FOLDER, AssessmentKind.TPI)):
        for path in _workbooks(where):
            stat = path.stat()
            if stat.st_size > 0 and moment - stat.st_mtime >= settle_seconds:
                found.append(DroppedFile(path, kind))
    return found


def _workbooks(folder: Path) -> Iterator[Path]:
    if not folder.is_dir():
        return
    for path in sorted(folder.iterdir()):
        # Office's lock files (~$name.xlsx) and hidden files are not workbooks.
        if (
            path.is_file()
            and path.suffix.lower() in WORKBOOK_SUFFIXES
            and not path.name.startswith(("~$", "."))
        ):
            yield path


def take_in(
    new_uow: Callable[[], UnitOfWork], dropped: DroppedFile, scope: IntakeScope
) -> InboxOutcome:
    """Imports one dropped file and composes its receipts (the file stays where it is)."""
    # A receipt's identity: the file's content and where it was dropped (self-assessment or TPI).
    digest = hashlib.sha256(dropped.kind.value.encode() + b"\0" + dropped.path.read_bytes())
    digest_hex = digest.hexdigest()
    scope = replace(scope, kind=dropped.kind)
    with new_uow() as uow:
        try:
            intake = import_workbook(uow, path=dropped.path, scope=scope)
        except IntakeRefused as refusal:
            receipt_for = _refused_receipt(uow, refusal, digest_hex, dropped.path.name, scope.as_of)
            return InboxOutcome(
                dropped.path,
                False,
                tuple(refusal.problems),
                receipt_for,
                f"{dropped.path.name}: ditolak, {len(refusal.problems)} masalah",
            )
        messages = _accepted_receipts(uow, intake, digest_hex, dropped.path.name, scope)
    imported = intake.imported
    verb = f"versi {imported.version}" if imported.created else "tidak berubah"
    return InboxOutcome(
        dropped.path,
        True,
        (),
        messages,
        f"{dropped.path.name}: {intake.unit.code} diterima ({verb}), total {angka(imported.total)}",
    )


def file_away(outcome: InboxOutcome, *, day: date) -> Path:
    """Moves the file to diterima/ or ditolak/ beside it, never over another file."""
    path, accepted, problems = outcome.path, outcome.accepted, outcome.problems
    folder = path.parent / (ACCEPTED_FOLDER if accepted else REFUSED_FOLDER)
    folder.mkdir(exist_ok=True)
    target = folder / f"{day.isoformat()}_{path.name}"
    number = 1
    while target.exists():
        number += 1
        target = folder / f"{day.isoformat()}_{number}_{path.name}"
    shutil.move(path, target)
    if not accepted:
        reasons = target.with_name(target.name + ".alasan.txt")
        reasons.write_text("\n".join(problems) + "\n", encoding="utf-8")
    return target


def _accepted_receipts(
    uow: UnitOfWork, intake: WorkbookIntake, digest: str, file_name: str, scope: IntakeScope
) -> tuple[OutgoingMessage, ...]:
    imported = intake.imported
    day = scope.as_of
    receipt = LkeReceipt(
        sha256=digest,
        file_name=file_name,
        instansi=intake.instansi.name,
        unit_name=intake.unit.name,
        received_on=day,
        accepted=True,
        version=imported.version,
        changed=imported.created,
        total=imported.total,
        previous_total=imported.previous_total if imported.created else None,
        meets=tuple(imported.meets.items()),
        closed_items=intake.closed_items,
        fix_first=tuple(FixFirst.of(g, scope.framework) for g in intake.fix_first),
        target=next_predicate(intake.unit.predicate),
    )
    return _to_team(uow, intake.instansi.id, intake.unit.id, receipt)


def _refused_receipt(
    uow: UnitOfWork, refusal: IntakeRefused, digest: str, file_name: str, day: date
) -> tuple[OutgoingMessage, ...]:
    """A refused file whose unit is known is answered to that unit's team; one whose unit
    cannot be told is only filed (with its reasons) for the TPI to see."""
    unit = refusal.unit
    if unit is None:
        return ()
    instansi = uow.instansi.get_instansi(instansi_id=unit.instansi_id)
    assert instansi is not None
    receipt = LkeReceipt(
        sha256=digest,
        file_name=file_name,
        instansi=instansi.name,
        unit_name=unit.name,
        received_on=day,
        accepted=False,
        problems=tuple(refusal.problems),
    )
    return _to_team(uow, instansi.id, unit.id, receipt)


def _to_team(
    uow: UnitOfWork, instansi_id: int | None, unit_id: int | None, receipt: LkeReceipt
) -> tuple[OutgoingMessage, ...]:
    assert instansi_id is not None and unit_id is not None
    messages = []
    for member in uow.units.team(instansi_id=instansi_id, unit_id=unit_id):
        try:
            messages.append(
                lke_receipt(receipt, recipient=member.email, recipient_name=member.name)
            )
        except InvalidAddress:
            continue  # the agency import refuses such addresses; an old row is skipped
    return tuple(messages)
