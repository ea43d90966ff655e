"""The LKE inbox: a folder where unit teams and the TPI drop filled workbooks.

Workbooks dropped in the folder itself are the units' self-assessments (mandiri); those dropped
in its `tpi/` subfolder are the TPI's evaluations. Survey respondent files go in `survei/` (the
unit's own survey) or `tpi/survei/` (the TPI's), evidence archives in `bukti/`; those are taken
in by `services.inbox_files`. Each settled file is imported, then moved to `diterima/` or
`ditolak/` beside it (a refused one with `<file>.alasan.txt`, every problem on a line), and its
unit team gets one receipt per file content: a file dropped twice is answered once.
"""

from __future__ import annotations

import hashlib
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from pathlib import Path

from notifications.messages import (
    FixFirst,
    InvalidAddress,
    LkeReceipt,
    OutgoingMessage,
    lke_receipt,
)
from persistence.tables import AssessmentKind, UnitKerja
from persistence.unit_of_work import UnitOfWork
from services.lke_intake import IntakeRefused, IntakeScope, WorkbookIntake, import_workbook
from zi_domain.indonesian import angka
from zi_domain.predicates import next_predicate

ACCEPTED_FOLDER = "diterima"
REFUSED_FOLDER = "ditolak"
TPI_FOLDER = "tpi"
SURVEY_FOLDER = "survei"
EVIDENCE_FOLDER = "bukti"
WORKBOOK_SUFFIXES = (".xlsx",)
_CHUNK = 1 << 20


class FileKind(StrEnum):
    """What a dropped file is, by the folder it was dropped in."""

    WORKBOOK = "lke"
    SURVEY = "survei"
    EVIDENCE = "bukti"


# Where each kind of file is dropped, relative to the inbox, and whose it is. Workbooks are
# told by their suffix (the inbox itself holds other things); in the survey and evidence
# folders every file is taken, so that a misnamed one is answered rather than ignored.
_PLACES: tuple[tuple[tuple[str, ...], AssessmentKind, FileKind], ...] = (
    ((), AssessmentKind.SELF, FileKind.WORKBOOK),
    ((TPI_FOLDER,), AssessmentKind.TPI, FileKind.WORKBOOK),
    ((SURVEY_FOLDER,), AssessmentKind.SELF, FileKind.SURVEY),
    ((TPI_FOLDER, SURVEY_FOLDER), AssessmentKind.TPI, FileKind.SURVEY),
    ((EVIDENCE_FOLDER,), AssessmentKind.SELF, FileKind.EVIDENCE),
)


@dataclass(frozen=True)
class DroppedFile:
    path: Path
    kind: AssessmentKind  # whose: the unit's own (self-assessment, self-survey) or the TPI's
    content: FileKind = FileKind.WORKBOOK


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
    """Files in the inbox's places not changed for `settle_seconds`: a file still being copied
    is left for the next scan."""
    moment = time.time() if now is None else now
    found = []
    for parts, kind, content in _PLACES:
        suffixes = WORKBOOK_SUFFIXES if content == FileKind.WORKBOOK else None
        for path in _dropped(folder.joinpath(*parts), suffixes):
            stat = path.stat()
            if stat.st_size > 0 and moment - stat.st_mtime >= settle_seconds:
                found.append(DroppedFile(path, kind, content))
    return found


def _dropped(folder: Path, suffixes: tuple[str, ...] | None) -> Iterator[Path]:
    if not folder.is_dir():
        return
    for path in sorted(folder.iterdir()):
        # Office's lock files (~$name.xlsx) and hidden files are nobody's data.
        if (
            path.is_file()
            and (suffixes is None or path.suffix.lower() in suffixes)
            and not path.name.startswith(("~$", "."))
        ):
            yield path


def shown_name(path: Path, inbox: Path) -> str:
    """The file as people find it in the inbox: `survei/DPMPTSP_ipak.csv`, `tpi/RSUD.xlsx`."""
    return path.relative_to(inbox).as_posix() if path.is_relative_to(inbox) else path.name


def content_digest(path: Path, where: str) -> str:
    """A receipt's identity: the file's content and where it was dropped, read in chunks."""
    digest = hashlib.sha256(where.encode() + b"\0")
    with path.open("rb") as opened:
        while chunk := opened.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def take_in(
    new_uow: Callable[[], UnitOfWork], dropped: DroppedFile, scope: IntakeScope
) -> InboxOutcome:
    """Imports one dropped file and composes its receipts (the file stays where it is)."""
    digest_hex = content_digest(dropped.path, dropped.kind.value)
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
    return to_team(
        uow,
        intake.unit,
        lambda email, name: lke_receipt(receipt, recipient=email, recipient_name=name),
    )


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
    return to_team(
        uow, unit, lambda email, name: lke_receipt(receipt, recipient=email, recipient_name=name)
    )


def to_team(
    uow: UnitOfWork, unit: UnitKerja, compose: Callable[[str, str], OutgoingMessage]
) -> tuple[OutgoingMessage, ...]:
    """`compose(address, name)` for every member of the unit's team."""
    assert unit.id is not None
    messages = []
    for member in uow.units.team(instansi_id=unit.instansi_id, unit_id=unit.id):
        try:
            messages.append(compose(member.email, member.name))
        except InvalidAddress:
            continue  # the agency import refuses such addresses; an old row is skipped
    return tuple(messages)
