"""What to fix first, checked on cases whose ranking is worked out by hand."""

from __future__ import annotations

import pytest

from tests.domain.worksheets import lke, read, top_answers
from zi_domain.gaps import gap_analysis
from zi_domain.scoring import score_units


def gaps_for(answers: dict[str, str], predicate: str = "WBK") -> list[tuple[str, float, float]]:
    framework = lke()
    sheet = read(answers, framework)
    scores = score_units(sheet.values, framework)
    found = gap_analysis(sheet.values.iloc[0], scores.iloc[0], framework, predicate)
    return [(g.code, round(g.gain, 6), round(g.toward_floors, 6)) for g in found]


def test_a_unit_that_meets_the_floors_has_nothing_to_fix() -> None:
    assert gaps_for(top_answers()) == []


def test_kinerja_d_points_at_kinerja_only() -> None:
    # Kinerja D: 1,25 of 2,50 needed. Only B.I.b feeds the kinerja floor; raised to A it gains
    # (1 − 0,25) × 5 = 3,75 points, of which 1,25 close the shortfall.
    assert gaps_for(top_answers() | {"B.I.b": "D"}) == [("B.I.b", 3.75, 1.25)]


def test_weak_area_ranks_its_own_questions() -> None:
    # Area 1 at 50 % of 8: 0,8 points short of 60 %. Each of the four reform questions of area 1
    # is worth 1,00 at the top (A.II.1.i: 2,00 / 2 questions; ii and iii: 1,00 each), so each
    # closes the whole 0,8; ties are ordered by gain, then by code.
    answers = top_answers() | {
        "A.II.1.i.a": "0%",
        "A.II.1.i.b": "0%",
        "A.II.1.ii.a": "E",
        "A.II.1.iii.a": "D",
    }
    assert gaps_for(answers) == [
        ("A.II.1.i.a", 1.0, 0.8),
        ("A.II.1.i.b", 1.0, 0.8),
        ("A.II.1.ii.a", 1.0, 0.8),
        ("A.II.1.iii.a", 1.0, 0.8),
    ]


def test_an_answer_feeding_several_failing_floors_comes_first() -> None:
    # IPAK missing (0 points): failing ipak (15,75 short) and bersih dan akuntabel (13,25 short:
    # 18,25 − 5). B.I.a at 4,00 gains 17,5: toward = 15,75 + 13,25 = 29. Kinerja is already A.
    gaps = gaps_for({code: a for code, a in top_answers().items() if code != "B.I.a"})
    assert gaps[0] == ("B.I.a", 17.5, pytest.approx(29.0))
    assert len(gaps) == 1
