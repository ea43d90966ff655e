"""One number rounded as the LKE shows it (`lke_round`, plain Python) is exactly the array
rounding (`lke_round_array`, NumPy) of the same number, on random scores and on the half-up
edges."""

from __future__ import annotations

import numpy as np
import pytest

from zi_domain.indonesian import angka
from zi_domain.rounding import lke_round, lke_round_array


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_one_number_rounds_as_the_array_does(seed: int) -> None:
    rng = np.random.default_rng(seed)
    values = np.concatenate(
        [
            rng.uniform(0, 100, 20_000),
            np.round(rng.uniform(0, 100, 5_000), 3),  # x.xx5: the half-up edge
            np.arange(0, 100, 0.005),
            [0.0, 74.995, 74.99499999999999, 59.995, 100.0, 1e-9, 0.125, 2.675],
        ]
    )
    assert [lke_round(float(v)) for v in values] == lke_round_array(values).tolist()


def test_half_up_as_excel_rounds() -> None:
    # Worked by hand: 74,995 shows as 75,00 (half up), 2,675 as 2,68, 0,125 as 0,13.
    assert (lke_round(74.995), lke_round(2.675), lke_round(0.125)) == (75.0, 2.68, 0.13)


def test_counts_print_with_a_dot_from_a_thousand() -> None:
    # As the LKE prints them: no separator below 1.000, a dot from it; a sign kept.
    counts = [angka(n, 0) for n in (0, 7, 999, 1000, -999, -1000, 20_000, 1_234_567)]
    assert counts == ["0", "7", "999", "1.000", "-999", "-1.000", "20.000", "1.234.567"]
    assert (angka(999.6, 0), angka(75.5), angka(1234.5)) == ("1.000", "75,50", "1.234,50")
