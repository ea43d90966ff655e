"""The audit trail of the changes made in the portal: one entry a change, with who, what, and
the value before and after (when is the row's own time)."""

from __future__ import annotations

from persistence.tables import AuditEntryCreate, UnitKerja
from zi_domain.plain_text import one_line

SUBJECT_LENGTH = 255


def unit_change(
    unit: UnitKerja,
    *,
    actor: str,
    action: str,
    subject: str,
    old: str | None = None,
    new: str | None = None,
) -> AuditEntryCreate:
    """An entry of the unit's history (its instansi's too)."""
    return AuditEntryCreate(
        instansi_id=unit.instansi_id,
        unit_id=unit.id,
        actor=actor,
        action=action,
        subject=one_line(subject)[:SUBJECT_LENGTH],
        old_value=old,
        new_value=new,
    )
