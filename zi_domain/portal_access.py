"""Who may see and change what in the portal. One rule for every page:

- a unit team member sees and works on the units whose team they are on;
- a TPI member sees every unit of their instansi, reviews them, and sees the instansi's pages;
- the head of the instansi signs what the TPI proposes, outside the portal: no pages of theirs;
- anything else is hidden: a unit of another instansi is answered as if it did not exist (404),
  so that the portal tells no one which units other agencies have; a TPI page of one's own
  instansi asked for by a unit team is refused (403).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from zi_domain.agency import TPI_ROLE


class Access(enum.Enum):
    ALLOWED = "allowed"
    FORBIDDEN = "forbidden"  # 403: the viewer knows the thing exists, and may not do this
    HIDDEN = "hidden"  # 404: the viewer may not know it exists


class Need(enum.Enum):
    WORK = "work"  # the unit's own pages: its score, its LKE, its evidence, its work items
    REVIEW = "review"  # the TPI's: review answers and evidence, comment, start the stages


@dataclass(frozen=True)
class Membership:
    """One team_member row of the person: a unit's team (`unit_id`) or the TPI (None)."""

    instansi_id: int
    unit_id: int | None
    role: str


@dataclass(frozen=True)
class Viewer:
    """A signed-in person and every team they are on."""

    email: str
    name: str
    memberships: tuple[Membership, ...]

    @property
    def team_units(self) -> frozenset[int]:
        return frozenset(m.unit_id for m in self.memberships if m.unit_id is not None)

    @property
    def tpi_of(self) -> frozenset[int]:
        """The instansi whose TPI the person is on."""
        return frozenset(m.instansi_id for m in self.memberships if m.role == TPI_ROLE)

    @property
    def instansi_ids(self) -> frozenset[int]:
        return frozenset(m.instansi_id for m in self.memberships)


def unit_access(viewer: Viewer, *, instansi_id: int, unit_id: int, need: Need) -> Access:
    if instansi_id in viewer.tpi_of:
        return Access.ALLOWED
    if need is Need.WORK and unit_id in viewer.team_units:
        return Access.ALLOWED
    if unit_id in viewer.team_units:
        return Access.FORBIDDEN
    return Access.HIDDEN


def instansi_access(viewer: Viewer, *, instansi_id: int) -> Access:
    """The instansi's pages (dashboard, proposals, stages) are the TPI's."""
    if instansi_id in viewer.tpi_of:
        return Access.ALLOWED
    if instansi_id in viewer.instansi_ids:
        return Access.FORBIDDEN
    return Access.HIDDEN
