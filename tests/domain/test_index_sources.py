"""Where an LKE's IPAK or IPKP comes from: the survey whose index the answer is, the TPI's before
the unit's own, or no survey at all (typed in the LKE)."""

from __future__ import annotations

from datetime import date

from zi_domain.surveys import (
    NO_RESPONDENT_DATA,
    IndexInLke,
    StoredSurvey,
    answer_text,
    index_in_lke,
)

WEIGHT = 17.5


def survey(source: str, index: float, n: int = 40, kind: str = "ipkp") -> StoredSurvey:
    return StoredSurvey(kind, source, index, n, date(2026, 3, 28))


def read(index: float | None, *surveys: StoredSurvey, kind: str = "ipkp") -> IndexInLke:
    """The index as scoring reads the LKE's answer: its text, then a value 0..1 of 4."""
    value = None if index is None else float(answer_text(index)) / 4
    return index_in_lke(kind, value, weight=WEIGHT, index_max=4, surveys=surveys)


def test_the_survey_whose_index_is_the_answer_is_named_with_n_and_its_last_service_day() -> None:
    found = read(10 / 3, survey("tpi", 10 / 3))
    assert found.source == "survei TPI, n=40, 28 Maret 2026"
    assert found.figures == "IPKP (B.II.a) 3,33 · 14,58 poin"  # 10/3 / 4 x 17,50 = 14,583


def test_the_tpis_survey_comes_before_the_units_own_and_the_newest_first() -> None:
    surveys = (survey("tpi", 3.25, n=35), survey("mandiri", 3.25, n=31), survey("tpi", 3.25))
    assert read(3.25, *surveys).source == "survei TPI, n=40, 28 Maret 2026"
    assert read(3.25, survey("mandiri", 3.25, n=31)).source == (
        "survei mandiri, n=31, 28 Maret 2026"
    )


def test_an_index_typed_in_the_lke_has_no_respondents_behind_it() -> None:
    # Another index, another kind, or TPN's survey (which never goes into the TPI's LKE).
    surveys = (survey("tpi", 3.5), survey("tpi", 3.25, kind="ipak"), survey("tpn", 3.25))
    assert read(3.25, *surveys).source == NO_RESPONDENT_DATA


def test_an_unanswered_index_says_so_and_names_no_source() -> None:
    found = read(None, survey("tpi", 3.25), kind="ipak")
    assert (found.figures, found.source, found.points) == ("IPAK (B.I.a) belum diisi", "", 0.0)
    nan = index_in_lke("ipak", float("nan"), weight=WEIGHT, index_max=4, surveys=())
    assert nan.index is None
