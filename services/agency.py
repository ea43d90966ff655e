"""The agency workbook's records into the database and back: upsert by natural keys, never delete.

An import compares every record with what is stored and says what it adds, changes and leaves
unchanged; what the database holds but the file does not (a unit, a team member) is reported as
missing and kept, because removing a unit by omission would lose its history. One import is one
transaction: a dry run computes the same report and rolls back. Records with a text longer than
its database column are refused before anything is written.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel

from persistence.tables import (
    BpkOpinion,
    Instansi,
    InstansiBase,
    InstansiCreate,
    InstansiKind,
    InstansiPrerequisiteCreate,
    TeamMember,
    TeamMemberBase,
    TeamMemberCreate,
    UnitKerja,
    UnitKerjaBase,
    UnitKerjaCreate,
    UnitPrerequisiteCreate,
)
from persistence.unit_of_work import UnitOfWork
from spreadsheets.agency_workbook import stored_length
from zi_domain.agency import (
    AgencyRecords,
    InstansiRecord,
    InstansiStanding,
    MemberRecord,
    UnitRecord,
    UnitStanding,
)
from zi_domain.indonesian import angka
from zi_domain.lifecycle import UnitState

Outcome = Literal["added", "changed", "unchanged", "missing"]
# The workbook's column names, so a change reads as the coordinator typed it.
FIELD_LABELS = {
    "code": "kode",
    "name": "nama",
    "kind": "jenis",
    "region": "wilayah",
    "head_name": "nama pimpinan",
    "head_title": "jabatan pimpinan",
    "head_elected": "pimpinan dipilih",
    "core_service": "layanan inti",
    "high_corruption_risk": "risiko korupsi tinggi",
    "wide_public_impact": "dampak publik luas",
    "service_types": "jenis layanan",
    "priority_regional_service": "unit prioritas daerah",
    "nip": "NIP",
    "email": "e-mail",
    "bpk_opinion": "opini BPK",
    "sakip_grade": "nilai SAKIP",
    "indeks_rb": "Indeks RB",
    "spip_level": "level SPIP",
    "follow_up_findings_percent": "tindak lanjut temuan (%)",
    "lhkpn_percent": "LHKPN (%)",
    "lhkasn_percent": "LHKASN (%)",
    "internal_sakip_grade": "SAKIP internal",
}
OUTCOME_LABELS: dict[Outcome, str] = {
    "added": "ditambahkan",
    "changed": "diubah",
    "unchanged": "tetap",
    "missing": "tidak ada di berkas (tidak dihapus)",
}


@dataclass(frozen=True)
class RecordChange:
    """One record's fate in an import: `what` names it ("unit RSUD"), `details` the fields."""

    outcome: Outcome
    what: str
    details: tuple[str, ...] = ()


@dataclass
class AgencyImport:
    instansi_code: str
    changes: list[RecordChange] = field(default_factory=list)

    def of(self, outcome: Outcome) -> list[RecordChange]:
        return [c for c in self.changes if c.outcome == outcome]

    def note(self, outcome: Outcome, what: str, details: Iterable[str] = ()) -> None:
        self.changes.append(RecordChange(outcome, what, tuple(details)))


def import_agency(uow: UnitOfWork, *, records: AgencyRecords, dry_run: bool) -> AgencyImport:
    """Upserts the workbook's records; commits unless `dry_run`. Raises AgencyRefused, before
    writing anything, for a text longer than its database column."""
    _within_lengths(records)
    report = AgencyImport(instansi_code=records.instansi.code)
    instansi = _upsert_instansi(uow, records.instansi, report)
    instansi_id = _id(instansi)
    units = _upsert_units(uow, instansi_id, records.units, report)
    _upsert_members(uow, instansi_id, units, records.members, report)
    _upsert_instansi_standings(uow, instansi_id, records.instansi_standings, report)
    _upsert_unit_standings(uow, units, records.unit_standings, report)
    if dry_run:
        uow.rollback()
    else:
        uow.commit()
    return report


def export_agency(uow: UnitOfWork, *, instansi: Instansi) -> AgencyRecords:
    """The stored agency as the workbook's records (what `import_agency` would leave as is)."""
    instansi_id = _id(instansi)
    units = uow.units.list_units(instansi_id=instansi_id)
    codes = {_id(u): u.code for u in units}
    return AgencyRecords(
        instansi=_instansi_record(instansi),
        units=tuple(_unit_record(u) for u in units),
        members=tuple(
            sorted(
                (_member_record(m, codes) for m in uow.units.members(instansi_id=instansi_id)),
                key=lambda m: (m.unit_code or "", m.role, m.email.lower()),
            )
        ),
        instansi_standings=tuple(
            InstansiStanding(
                year=s.year,
                bpk_opinion=s.bpk_opinion.value,
                sakip_grade=s.sakip_grade,
                indeks_rb=s.indeks_rb,
                spip_level=s.spip_level,
            )
            for s in uow.instansi.standings(instansi_id=instansi_id)
        ),
        unit_standings=tuple(
            sorted(
                (
                    UnitStanding(
                        unit_code=codes[s.unit_id],
                        year=s.year,
                        follow_up_findings_percent=s.follow_up_findings_percent,
                        lhkpn_percent=s.lhkpn_percent,
                        lhkasn_percent=s.lhkasn_percent,
                        internal_sakip_grade=s.internal_sakip_grade,
                    )
                    for s in uow.units.standings(unit_ids=list(codes))
                ),
                key=lambda s: (s.unit_code, s.year),
            )
        ),
    )


# --- texts that the database holds ------------------------------------------------------------

QUOTED_CODE_CHARS = 40


def _within_lengths(records: AgencyRecords) -> None:
    """Every text of the records fits its database column, or AgencyRefused names the first that
    does not (what `read_agency_file` reports at its cell; records from elsewhere may hold one)."""
    code = _quoted(records.instansi.code)
    texts: list[tuple[type[BaseModel], str, dict[str, Any]]] = [
        (InstansiBase, f"instansi {code}", _instansi_fields(records.instansi))
    ]
    texts += [
        (UnitKerjaBase, f"unit {_quoted(u.code)}", {"code": u.code, **_unit_fields(u)})
        for u in records.units
    ]
    texts += [
        (
            TeamMemberBase,
            f"anggota tim {_quoted(m.email)} ({m.role})",
            {"name": m.name, "nip": m.nip, "email": m.email},
        )
        for m in records.members
    ]
    for model, what, fields in texts:
        for name, value in fields.items():
            limit = stored_length(model, name)
            if isinstance(value, str) and limit is not None and len(value) > limit:
                raise AgencyRefused(
                    f"{what}: {FIELD_LABELS[name]} terlalu panjang ({angka(len(value), 0)} "
                    f"karakter), paling banyak {angka(limit, 0)} karakter"
                )


def _quoted(text: str) -> str:
    """A code or an address in a message, cut short when it is long."""
    if len(text) <= QUOTED_CODE_CHARS:
        return text
    return text[: QUOTED_CODE_CHARS - 1] + "…"


# --- instansi and units -------------------------------------------------------------------------


def _instansi_fields(record: InstansiRecord) -> dict[str, Any]:
    return {
        "code": record.code,
        "name": record.name,
        "kind": InstansiKind(record.kind),
        "region": record.region or None,
        "head_name": record.head_name or None,
        "head_title": record.head_title or None,
        "head_elected": record.head_elected,
    }


class AgencyRefused(ValueError):
    """Records that contradict what is stored; nothing was written (Indonesian message)."""


def _upsert_instansi(uow: UnitOfWork, record: InstansiRecord, report: AgencyImport) -> Instansi:
    """By code; an instansi registered before it had a code is found by its name. Names are
    unique: one held by an instansi of another code is refused, not overwritten."""
    what = f"instansi {record.code}"
    found = uow.instansi.get_instansi_by_code(code=record.code)
    named = uow.instansi.get_instansi_by_name(name=record.name)
    if named is not None and named.code not in (None, record.code):
        raise AgencyRefused(
            f"nama instansi {record.name!r} sudah terdaftar dengan kode {named.code}; "
            f"gunakan kode {named.code} atau nama lain"
        )
    if found is None:
        found = named
    if found is None:
        report.note("added", what)
        return uow.instansi.add_instansi(instansi=InstansiCreate(**_instansi_fields(record)))
    _update(found, _instansi_fields(record), what, report)
    return found


def _unit_fields(record: UnitRecord) -> dict[str, Any]:
    return {
        "name": record.name,
        "core_service": record.core_service,
        "high_corruption_risk": record.high_corruption_risk,
        "wide_public_impact": record.wide_public_impact,
        "service_types": list(record.service_types),
        "priority_regional_service": record.priority_regional_service,
    }


def _upsert_units(
    uow: UnitOfWork, instansi_id: int, records: Iterable[UnitRecord], report: AgencyImport
) -> dict[str, UnitKerja]:
    """Every unit of the instansi by code, those in the file upserted; a new unit starts as
    declared (the instansi's declaration covers it), ready for designation."""
    stored = {u.code: u for u in uow.units.list_units(instansi_id=instansi_id)}
    listed = set()
    for record in records:
        listed.add(record.code)
        what = f"unit {record.code}"
        unit = stored.get(record.code)
        if unit is None:
            stored[record.code] = uow.units.add_unit(
                unit=UnitKerjaCreate(
                    instansi_id=instansi_id,
                    code=record.code,
                    state=UnitState.DECLARED,
                    **_unit_fields(record),
                )
            )
            report.note("added", what)
        else:
            _update(unit, _unit_fields(record), what, report)
    for code in sorted(set(stored) - listed):
        report.note("missing", f"unit {code}")
    return stored


# --- team ----------------------------------------------------------------------------------------


def _member_key(email: str, role: str, unit_code: str | None) -> tuple[str, str, str | None]:
    return (email.lower(), role, unit_code)


def _upsert_members(
    uow: UnitOfWork,
    instansi_id: int,
    units: Mapping[str, UnitKerja],
    records: Iterable[MemberRecord],
    report: AgencyImport,
) -> None:
    codes = {_id(u): code for code, u in units.items()}
    stored = {
        _member_key(m.email, m.role, codes.get(m.unit_id) if m.unit_id else None): m
        for m in uow.units.members(instansi_id=instansi_id)
    }
    listed = set()
    for record in records:
        listed.add(record.key)
        what = _member_words(record.email, record.role, record.unit_code)
        fields: dict[str, Any] = {
            "name": record.name,
            "nip": record.nip or None,
            "email": record.email,
        }
        member = stored.get(record.key)
        if member is None:
            unit_id = _id(units[record.unit_code]) if record.unit_code else None
            uow.units.add_team_member(
                member=TeamMemberCreate(
                    instansi_id=instansi_id, unit_id=unit_id, role=record.role, **fields
                )
            )
            report.note("added", what)
        else:
            _update(member, fields, what, report)
    for key in sorted(set(stored) - listed, key=lambda k: (k[2] or "", k[1], k[0])):
        report.note("missing", _member_words(*key))


def _member_words(email: str, role: str, unit_code: str | None) -> str:
    return f"anggota tim {email} ({role}{', unit ' + unit_code if unit_code else ''})"


# --- Tabel 5 standings ---------------------------------------------------------------------------


def _upsert_instansi_standings(
    uow: UnitOfWork,
    instansi_id: int,
    records: Iterable[InstansiStanding],
    report: AgencyImport,
) -> None:
    stored = {s.year: s for s in uow.instansi.standings(instansi_id=instansi_id)}
    for record in records:
        what = f"syarat instansi {record.year}"
        fields: dict[str, Any] = {
            "bpk_opinion": BpkOpinion(record.bpk_opinion),
            "sakip_grade": record.sakip_grade,
            "indeks_rb": record.indeks_rb,
            "spip_level": record.spip_level,
        }
        if record.year in stored:
            _update(stored[record.year], fields, what, report)
            continue
        uow.instansi.set_prerequisites(
            prerequisites=InstansiPrerequisiteCreate(
                instansi_id=instansi_id, year=record.year, **fields
            )
        )
        report.note("added", what)


def _upsert_unit_standings(
    uow: UnitOfWork,
    units: Mapping[str, UnitKerja],
    records: Iterable[UnitStanding],
    report: AgencyImport,
) -> None:
    codes = {_id(u): code for code, u in units.items()}
    stored = {(codes[s.unit_id], s.year): s for s in uow.units.standings(unit_ids=list(codes))}
    for record in records:
        what = f"syarat unit {record.unit_code} {record.year}"
        fields: dict[str, Any] = {
            "follow_up_findings_percent": record.follow_up_findings_percent,
            "lhkpn_percent": record.lhkpn_percent,
            "lhkasn_percent": record.lhkasn_percent,
            "internal_sakip_grade": record.internal_sakip_grade,
        }
        existing = stored.get((record.unit_code, record.year))
        if existing is not None:
            _update(existing, fields, what, report)
            continue
        uow.units.set_prerequisites(
            prerequisites=UnitPrerequisiteCreate(
                unit_id=_id(units[record.unit_code]), year=record.year, **fields
            )
        )
        report.note("added", what)


# --- shared --------------------------------------------------------------------------------------


def _update(row: Any, fields: Mapping[str, Any], what: str, report: AgencyImport) -> None:
    """Sets the fields that differ on the loaded row (written at the next flush) and notes them."""
    changed = [name for name, value in fields.items() if getattr(row, name) != value]
    for name in changed:
        setattr(row, name, fields[name])
    details = [f"{FIELD_LABELS.get(name, name)}: {_shown(getattr(row, name))}" for name in changed]
    report.note("changed" if changed else "unchanged", what, details)


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "Ya" if value else "Tidak"
    if isinstance(value, float):
        return angka(value, 2)
    if isinstance(value, list):
        return "; ".join(str(v) for v in value) or "-"
    return "-" if value is None else str(value)


def _instansi_record(instansi: Instansi) -> InstansiRecord:
    return InstansiRecord(
        code=instansi.code or str(instansi.id),
        name=instansi.name,
        kind=instansi.kind.value,
        region=instansi.region or "",
        head_name=instansi.head_name or "",
        head_title=instansi.head_title or "",
        head_elected=instansi.head_elected,
    )


def _unit_record(unit: UnitKerja) -> UnitRecord:
    return UnitRecord(
        code=unit.code,
        name=unit.name,
        core_service=unit.core_service,
        high_corruption_risk=unit.high_corruption_risk,
        wide_public_impact=unit.wide_public_impact,
        service_types=tuple(unit.service_types),
        priority_regional_service=unit.priority_regional_service,
    )


def _member_record(member: TeamMember, codes: Mapping[int, str]) -> MemberRecord:
    return MemberRecord(
        name=member.name,
        nip=member.nip,
        email=member.email,
        role=member.role,
        unit_code=codes[member.unit_id] if member.unit_id else None,
    )


def _id(row: Instansi | UnitKerja) -> int:
    assert row.id is not None
    return row.id
