"""Rounding as the LKE shows numbers: two decimals, half away from zero (Excel's ROUND).

Floors are compared on these shown values, so a total that is 75 in exact arithmetic but
74.99999999999999 in floating point meets a floor of 75. The inner round to 6 decimals of the
hundredths removes binary noise before the half-up step.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


def lke_round_array(values: npt.ArrayLike) -> FloatArray:
    """Non-negative scores rounded half-up to 2 decimals, elementwise."""
    hundredths = np.round(np.asarray(values, dtype=np.float64) * 100.0, 6)
    return np.floor(hundredths + 0.5) / 100.0


def lke_round(value: float) -> float:
    """A non-negative score rounded half-up to 2 decimals, as the LKE shows it: the steps of
    `lke_round_array` on one number, without NumPy's per-call cost (a national run's report
    rounds a few hundred thousand numbers). `np.round(x, 6)` is x × 10⁶ rounded half-even
    (`round`, exact below 2⁵³) and divided by 10⁶; tests hold the two equal."""
    hundredths = round(float(value) * 100.0 * 1e6) / 1e6
    return math.floor(hundredths + 0.5) / 100.0


def meets_minimum(values: npt.ArrayLike, minimum: float) -> npt.NDArray[np.bool_]:
    """Whether each shown (rounded) value reaches the floor."""
    return lke_round_array(values) >= minimum


def shown_difference(after: float, before: float) -> float:
    """The change between two scores as a reader computes it from the shown values (76,01 −
    75,00 = 1,01), never the rounded raw difference (76,005 − 75,004 would show 1,00)."""
    return lke_round(after) - lke_round(before)
