"""An agency as its coordinator describes it: the instansi, its units, the teams, Tabel 5 standings.

These are the records of the agency workbook (`zi agency template|import|export`), independent of
any file format or database. Natural keys identify each record across imports: the instansi by its
code, a unit by its code within the instansi, a team member by e-mail and role (and unit), a
standing by its year (and unit). The enumerations here are the only allowed values of the
workbook's drop-down lists.
"""

from __future__ import annotations

from dataclasses import dataclass

from zi_domain.prerequisites import BPK_OPINIONS, GRADES, INSTANSI_KINDS

# The roles the product acts on: reminders go to unit heads and the TPI, letters are signed by
# the head of the instansi. A unit's members have a unit; the TPI and the head have none.
UNIT_HEAD_ROLE = "kepala_unit"
TEAM_MEMBER_ROLE = "anggota_tim"
TPI_ROLE = "tpi"
INSTANSI_HEAD_ROLE = "pimpinan_instansi"
UNIT_ROLES = (UNIT_HEAD_ROLE, TEAM_MEMBER_ROLE)
INSTANSI_ROLES = (TPI_ROLE, INSTANSI_HEAD_ROLE)
ROLES = UNIT_ROLES + INSTANSI_ROLES
ROLE_LABELS = {
    UNIT_HEAD_ROLE: "kepala unit kerja",
    TEAM_MEMBER_ROLE: "anggota tim ZI unit",
    TPI_ROLE: "anggota TPI",
    INSTANSI_HEAD_ROLE: "pimpinan instansi",
}
SPIP_LEVELS = (1, 2, 3, 4, 5)
YES, NO = "Ya", "Tidak"

__all__ = [
    "BPK_OPINIONS",
    "GRADES",
    "INSTANSI_KINDS",
    "AgencyRecords",
    "InstansiRecord",
    "InstansiStanding",
    "MemberRecord",
    "UnitRecord",
    "UnitStanding",
]


def address_key(address: str) -> str:
    """An e-mail address as the product compares it, trimmed and without case: one person gets
    one daily e-mail, the outbox's keys, leftovers and failures name them, the portal signs
    them in."""
    return address.strip().lower()


@dataclass(frozen=True)
class InstansiRecord:
    code: str
    name: str
    kind: str  # one of INSTANSI_KINDS
    region: str
    head_name: str
    head_title: str
    head_elected: bool  # an elected head (Bupati, Gubernur) signs without a NIP


@dataclass(frozen=True)
class UnitRecord:
    code: str
    name: str
    core_service: bool
    high_corruption_risk: bool
    wide_public_impact: bool
    service_types: tuple[str, ...]
    priority_regional_service: bool  # PermenPANRB 5/2024's Stranas PK priority units


@dataclass(frozen=True)
class MemberRecord:
    name: str
    nip: str | None
    email: str
    role: str  # one of ROLES
    unit_code: str | None  # None for the TPI and the head of the instansi

    @property
    def key(self) -> tuple[str, str, str | None]:
        return (self.email.lower(), self.role, self.unit_code)


@dataclass(frozen=True)
class InstansiStanding:
    """The instansi's Tabel 5 results of a year."""

    year: int
    bpk_opinion: str
    sakip_grade: str
    indeks_rb: str
    spip_level: int


@dataclass(frozen=True)
class UnitStanding:
    """A unit's Tabel 5 results of a year, in percent (0-100) and grade."""

    unit_code: str
    year: int
    follow_up_findings_percent: float
    lhkpn_percent: float
    lhkasn_percent: float
    internal_sakip_grade: str


@dataclass(frozen=True)
class AgencyRecords:
    """Everything one agency workbook holds: one instansi and what belongs to it."""

    instansi: InstansiRecord
    units: tuple[UnitRecord, ...] = ()
    members: tuple[MemberRecord, ...] = ()
    instansi_standings: tuple[InstansiStanding, ...] = ()
    unit_standings: tuple[UnitStanding, ...] = ()
