"""The proposal outbox: a unit that monitoring found ready stays pending until its proposal exists.

Monitoring records a threshold crossing (once per unit, period and predicate) in the run's own
transaction; the proposal, built afterwards, settles it in the proposal's transaction
(`propose_unit`). Whatever happens in between (the process killed after the crossings commit, a
read-only data folder, the database dropping connections) leaves the crossing pending, and every
monitoring run, and every trigger of the proposal flow, tries the pending ones again. Proposing is
idempotent (an open draft is kept), so a retry never makes a second proposal.
"""

from __future__ import annotations

import contextlib
import errno
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import sqlalchemy.exc

from persistence.unit_of_work import UnitOfWork
from reports.monitoring import PendingProposal
from services.proposals import ProposalLocked, ProposalRefused, letter_up_to_date
from zi_domain.predicates import Predicate

REASON_LENGTH = 500


class ProposalsPending(RuntimeError):
    """A run ended with ready units whose proposal could not be made for a reason other than
    the lifecycle's own refusal (the database, the disk): the run failed, a rerun finishes it."""

    def __init__(self, pending: Sequence[PendingProposal]) -> None:
        self.pending = tuple(pending)
        names = ", ".join(f"{p.code} ({p.predicate})" for p in self.pending)
        super().__init__(
            f"{len(self.pending)} usulan belum dapat dibuat: {names}. Nilai dan riwayat sudah "
            "tersimpan; setelah masalahnya diatasi, jalankan pemantauan lagi dengan zi monitor."
        )


def pending_proposals(uow: UnitOfWork, *, period_ids: Sequence[int]) -> list[PendingProposal]:
    """The crossings of these periods with no proposal yet, oldest first."""
    return [
        PendingProposal(
            crossing_id=row.crossing_id,
            unit_id=row.unit_id,
            code=row.code,
            name=row.name,
            predicate=Predicate(row.predicate).value,
            since=row.as_of,
            reason=row.pending_reason,
        )
        for row in uow.monitoring.pending_crossings(period_ids=period_ids)
    ]


def letter_of_period(uow: UnitOfWork, *, period_id: int, as_of: date, data_dir: Path) -> None:
    """The letter of the period's instansi and year lists every unit proposed, even when the
    build after the last proposal failed (that proposal is not pending: it exists)."""
    period = uow.assessments.get_period(period_id=period_id)
    if period is None:
        raise LookupError(f"periode penilaian {period_id} tidak ada")
    letter_up_to_date(
        uow, instansi_id=period.instansi_id, year=period.year, as_of=as_of, data_dir=data_dir
    )


def note_pending(uow: UnitOfWork, *, crossing_id: int, error: BaseException) -> str:
    """Records why the crossing is still pending, in its own transaction; returns the words.

    Best effort: when the database is what failed, the reason may not be recordable, and the
    crossing stays pending all the same (with the reason of an earlier attempt)."""
    reason = pending_reason(error)
    with contextlib.suppress(sqlalchemy.exc.SQLAlchemyError):
        uow.monitoring.note_pending(crossing_id=crossing_id, reason=reason)
        uow.commit()
    return reason


def refused_by_rules(error: BaseException) -> bool:
    """The lifecycle or TPN's state refused the proposal: retrying today will not change it."""
    return isinstance(error, ProposalRefused | ProposalLocked)


def pending_reason(error: BaseException) -> str:
    """Why a proposal was not made, for the TPI: the refusal's reasons in its own words, or the
    failure named without its technical detail (no URL, no password, no traceback)."""
    if isinstance(error, ProposalRefused):
        # Its reasons alone: the pending line already names the unit and the predicate.
        text = f"syarat pengusulan belum terpenuhi: {'; '.join(error.reasons)}"
    elif isinstance(error, ProposalLocked):
        text = "usulan sudah dikirim ke TPN, sehingga paketnya tidak dibuat ulang"
    elif isinstance(error, sqlalchemy.exc.DBAPIError | sqlalchemy.exc.OperationalError):
        text = "basis data tidak dapat dihubungi atau memutus koneksi"
    elif isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT):
        text = "ruang penyimpanan folder data penuh"
    elif isinstance(error, OSError) and error.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        text = "folder data tidak dapat ditulisi"
    elif isinstance(error, OSError):
        text = f"berkas tidak dapat ditulis ({error.strerror or error})"
    else:
        text = (
            f"galat tak terduga; sampaikan kode galat {type(error).__name__} kepada pengelola "
            "aplikasi"
        )
    return " ".join(text.split())[:REASON_LENGTH]
