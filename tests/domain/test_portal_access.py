"""Who may open what in the portal (zi_domain.portal_access), every case of the rule."""

from __future__ import annotations

import pytest

from zi_domain.agency import INSTANSI_HEAD_ROLE, TEAM_MEMBER_ROLE, TPI_ROLE, UNIT_HEAD_ROLE
from zi_domain.portal_access import (
    Access,
    Membership,
    Need,
    Viewer,
    instansi_access,
    unit_access,
)

HOME, OTHER = 1, 2  # instansi
MINE, NEIGHBOUR, FOREIGN = 10, 11, 20  # units: two of HOME, one of OTHER


def viewer(*memberships: Membership) -> Viewer:
    return Viewer("x@uji.go.id", "X", memberships)


TEAM = viewer(Membership(HOME, MINE, UNIT_HEAD_ROLE))
TPI = viewer(Membership(HOME, None, TPI_ROLE))
HEAD = viewer(Membership(HOME, None, INSTANSI_HEAD_ROLE))
BOTH = viewer(Membership(HOME, MINE, TEAM_MEMBER_ROLE), Membership(OTHER, None, TPI_ROLE))


@pytest.mark.parametrize(
    ("who", "instansi", "unit", "need", "expected"),
    [
        (TEAM, HOME, MINE, Need.WORK, Access.ALLOWED),
        (TEAM, HOME, MINE, Need.REVIEW, Access.FORBIDDEN),  # its own unit: it knows it exists
        (TEAM, HOME, NEIGHBOUR, Need.WORK, Access.HIDDEN),
        (TEAM, OTHER, FOREIGN, Need.WORK, Access.HIDDEN),
        (TPI, HOME, MINE, Need.WORK, Access.ALLOWED),
        (TPI, HOME, NEIGHBOUR, Need.REVIEW, Access.ALLOWED),
        (TPI, OTHER, FOREIGN, Need.REVIEW, Access.HIDDEN),
        (HEAD, HOME, MINE, Need.WORK, Access.HIDDEN),  # the head signs outside the portal
        (BOTH, HOME, MINE, Need.REVIEW, Access.FORBIDDEN),
        (BOTH, OTHER, FOREIGN, Need.REVIEW, Access.ALLOWED),
    ],
)
def test_unit_access(who: Viewer, instansi: int, unit: int, need: Need, expected: Access) -> None:
    assert unit_access(who, instansi_id=instansi, unit_id=unit, need=need) is expected


@pytest.mark.parametrize(
    ("who", "instansi", "expected"),
    [
        (TPI, HOME, Access.ALLOWED),
        (TEAM, HOME, Access.FORBIDDEN),
        (TEAM, OTHER, Access.HIDDEN),
        (HEAD, HOME, Access.FORBIDDEN),
        (BOTH, OTHER, Access.ALLOWED),
        (BOTH, HOME, Access.FORBIDDEN),
    ],
)
def test_instansi_access(who: Viewer, instansi: int, expected: Access) -> None:
    assert instansi_access(who, instansi_id=instansi) is expected
