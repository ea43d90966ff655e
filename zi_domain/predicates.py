"""The two predicates of Zona Integritas and their ladder, defined once.

WBK (Wilayah Bebas dari Korupsi) first; WBBM (Wilayah Birokrasi Bersih dan Melayani) only for a
unit that holds WBK (PermenPANRB 90/2021 Lampiran II Bab II; WBK mandiri counts as WBK, 5/2024
Bab II B). The domain, persistence (the `predicate` column's enum), services, reports and the CLI
all take the predicates, their order and their titles from here.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType


class Predicate(StrEnum):
    WBK = "WBK"
    WBBM = "WBBM"


WBK = Predicate.WBK
WBBM = Predicate.WBBM
PREDICATES: tuple[Predicate, ...] = (WBK, WBBM)
"""The ladder, lower first."""

TITLES: Mapping[str, str] = MappingProxyType(
    {
        WBK: "Menuju Wilayah Bebas dari Korupsi (WBK)",
        WBBM: "Menuju Wilayah Birokrasi Bersih dan Melayani (WBBM)",
    }
)


def next_predicate(held: str | None) -> Predicate:
    """The predicate a unit builds toward: WBK first; WBBM only for a unit that holds WBK."""
    return WBBM if held == WBK else WBK


def predicates_met(*, wbk: bool, wbbm: bool) -> dict[str, bool]:
    """A stored score's two floor columns (`meets_wbk`, `meets_wbbm`) by predicate."""
    return {WBK: wbk, WBBM: wbbm}
