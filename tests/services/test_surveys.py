"""Importing a survey: the index stored with its source, n and coverage, the unit's LKE answer
and floors moved by it, all or nothing; on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from sqlmodel import select

from config.framework_files import load_framework
from persistence.tables import (
    AssessmentKind,
    ProposalCreate,
    SurveyKind,
    SurveyRespondent,
    SurveyResult,
    SurveySource,
)
from persistence.unit_of_work import SqlUnitOfWork
from services.assessments import AssessmentImport, import_assessments
from services.scoring import score_period
from services.surveys import SurveyRefused, import_survey
from tests.builders import Agency, record_tpi_answers, registered_agency, top_answers
from tests.survey_builders import (
    IPAK_CODES,
    IPKP_CODES,
    ipkp_set,
    request,
    respondent_rows,
    write_respondents,
)
from zi_domain.predicates import Predicate

NewUow = Callable[[], SqlUnitOfWork]
FRAMEWORK = load_framework("permenpanrb-90-2021")


def stored(new_uow: NewUow) -> tuple[int, int]:
    """(survey results, respondents) in the database."""
    with new_uow() as uow:
        session = uow.surveys._session
        return (
            len(session.exec(select(SurveyResult)).all()),
            len(session.exec(select(SurveyRespondent)).all()),
        )


def tpi_versions(new_uow: NewUow, unit_id: int, period_id: int) -> int:
    with new_uow() as uow:
        found = uow.assessments.get_assessment(
            unit_id=unit_id, period_id=period_id, kind=AssessmentKind.TPI
        )
        if found is None or found.id is None:
            return 0
        latest = uow.assessments.latest_version(assessment_id=found.id)
        return latest.version if latest else 0


def agency_with_tpi_answers(new_uow: NewUow) -> tuple[Agency, int]:
    """The registered agency, DPMPTSP's TPI answers at the top (IPAK 3,85, IPKP 3,80)."""
    agency = registered_agency(new_uow)
    unit_id = agency.units["DPMPTSP"]
    with new_uow() as uow:
        record_tpi_answers(
            uow, unit_id=unit_id, period_id=agency.period_id, answers=top_answers(FRAMEWORK)
        )
    return agency, unit_id


def test_an_ipkp_survey_moves_the_units_hasil_and_its_floors(
    new_uow: NewUow, tmp_path: Path
) -> None:
    agency, unit_id = agency_with_tpi_answers(new_uow)

    # 30 respondents, 15 per service type, every unsur 3, except 10 giving U9 a 1:
    # U9 mean = (20 x 3 + 10 x 1) / 30 = 70/30; the 8 others 3
    # index = (8 x 3 + 70/30) / 9 = (24 + 7/3) / 9 = 79/27 = 2.9259; IKM = 25 x 79/27 = 73.15
    # points = 79/27 / 4 x 17.5 = 12.8009 < 14.00: pelayanan prima misses the WBK floor
    low = write_respondents(
        tmp_path / "ipkp-rendah.csv", respondent_rows(ipkp_set(low=10)), IPKP_CODES
    )
    with new_uow() as uow:
        first = import_survey(uow, path=low, request=request())

    assert first.result.index == pytest.approx(79 / 27)
    assert first.result.ikm == pytest.approx(25 * 79 / 27)
    assert first.points == pytest.approx(79 / 27 / 4 * 17.5)
    assert first.survey.respondents == 30
    assert first.survey.coverage == {"perizinan": 15, "pengaduan": 15}
    assert first.survey.source == SurveySource.TPI
    assert first.survey.method == "ipak-ipkp-2024 versi 2024.1"
    assert first.assessment is not None and first.assessment.created
    # pengungkit 60 + IPAK 3.85/4 x 17.5 = 16.84375 + kinerja 5 + IPKP 12.80093 = 94.64468
    assert first.score.total == pytest.approx(60 + 16.84375 + 5 + 79 / 27 / 4 * 17.5)
    assert first.score.meets == {"WBK": False, "WBBM": False}
    assert [s.rule for s in first.score.shortfalls["WBK"]] == ["pelayanan_prima"]

    # The monitoring's scoring of the period reads the same stored TPI answers.
    with new_uow() as uow:
        scored = score_period(
            uow, period_id=agency.period_id, framework=FRAMEWORK, as_of=date(2026, 5, 4)
        )
    assert scored.totals[unit_id].meets["WBK"] is False

    # Then 30 again, 10 of them giving every unsur a 4: each unsur (20 x 3 + 10 x 4) / 30 = 10/3
    # index 3.3333, points 10/3 / 4 x 17.5 = 14.5833 >= 14.00 (WBK) but < 15.75 (WBBM)
    high = write_respondents(
        tmp_path / "ipkp-baik.csv", respondent_rows(ipkp_set(high=10)), IPKP_CODES
    )
    with new_uow() as uow:
        second = import_survey(uow, path=high, request=request())

    assert second.result.index == pytest.approx(10 / 3)
    assert second.points == pytest.approx(14.583333333)
    assert second.score.meets == {"WBK": True, "WBBM": False}
    assert [s.rule for s in second.score.shortfalls["WBBM"]] == ["pelayanan_prima"]
    with new_uow() as uow:
        scored = score_period(
            uow, period_id=agency.period_id, framework=FRAMEWORK, as_of=date(2026, 5, 5)
        )
        answers = {
            a.code: a.answer
            for a in uow.assessments.answers(
                assessment_id=scored_id(uow, unit_id, agency.period_id)
            )
        }
        version = uow.assessments.latest_version(
            assessment_id=scored_id(uow, unit_id, agency.period_id)
        )
    assert scored.totals[unit_id].meets["WBK"] is True
    assert float(answers["B.II.a"]) == pytest.approx(10 / 3)
    assert version is not None and version.version == 2  # record_answers makes no version
    assert version.source.startswith("survei IPKP tpi #2 (ipak-ipkp-2024 versi 2024.1, n=30)")
    assert stored(new_uow) == (2, 60)


def scored_id(uow: SqlUnitOfWork, unit_id: int, period_id: int) -> int:
    found = uow.assessments.get_assessment(
        unit_id=unit_id, period_id=period_id, kind=AssessmentKind.TPI
    )
    assert found is not None and found.id is not None
    return found.id


def test_29_respondents_need_a_recorded_justification(new_uow: NewUow, tmp_path: Path) -> None:
    agency = registered_agency(new_uow)
    file = write_respondents(tmp_path / "29.csv", respondent_rows(ipkp_set(count=29)), IPKP_CODES)

    with new_uow() as uow, pytest.raises(SurveyRefused) as refused:
        import_survey(uow, path=file, request=request())

    assert refused.value.problems == [
        "hanya 29 responden; paling sedikit 30 per unit kerja, kurang dari itu hanya dengan "
        "alasan yang dicatat (--justification), misalnya jumlah penerima layanan pada periode "
        "itu memang lebih kecil"
    ]
    assert stored(new_uow) == (0, 0)
    assert tpi_versions(new_uow, agency.units["DPMPTSP"], agency.period_id) == 0

    reason = "Penerima layanan Januari-Maret hanya 29 orang (register layanan)"
    with new_uow() as uow:
        accepted = import_survey(uow, path=file, request=request(justification=reason))

    # every answer 3: index 3.00, points 3 / 4 x 17.5 = 13.125
    assert accepted.result.index == pytest.approx(3.0)
    assert accepted.points == pytest.approx(13.125)
    assert accepted.survey.justification == reason
    assert stored(new_uow) == (1, 29)


def test_a_set_missing_a_service_type_is_refused(new_uow: NewUow, tmp_path: Path) -> None:
    registered_agency(new_uow)
    rows = respondent_rows(ipkp_set(count=40), types=("perizinan",))
    file = write_respondents(tmp_path / "satu-layanan.csv", rows, IPKP_CODES)

    with new_uow() as uow, pytest.raises(SurveyRefused) as refused:
        import_survey(uow, path=file, request=request())

    assert refused.value.problems == [
        "jenis layanan unit tanpa responden: pengaduan (setiap jenis layanan harus terwakili)"
    ]
    assert stored(new_uow) == (0, 0)


def test_a_bad_file_lists_every_problem_and_stores_nothing(new_uow: NewUow, tmp_path: Path) -> None:
    registered_agency(new_uow)
    rows = respondent_rows(ipkp_set(count=30))
    rows[0][4] = "5"
    rows[3][3] = "2025-12-31"  # the period is 2026
    rows[7][0] = "R001"
    file = write_respondents(tmp_path / "salah.csv", rows, IPKP_CODES)

    with new_uow() as uow, pytest.raises(SurveyRefused) as refused:
        import_survey(uow, path=file, request=request())

    assert refused.value.problems == [
        "baris 2, kolom 'U1': jawaban harus 1 sampai 4 (tertulis: \"5\")",
        "baris 5, kolom 'tanggal_layanan': di luar periode 2026-01-01 s.d. 2026-12-31 "
        '(tertulis: "2025-12-31")',
        "baris 9, kolom 'responden': responden ganda (sama dengan baris 2) (tertulis: \"R001\")",
        "hanya 27 responden; paling sedikit 30 per unit kerja, kurang dari itu hanya dengan "
        "alasan yang dicatat (--justification), misalnya jumlah penerima layanan pada periode "
        "itu memang lebih kecil",
    ]
    assert str(refused.value).startswith(
        "4 masalah, tidak ada yang disimpan:\n  salah.csv: baris 2"
    )
    assert stored(new_uow) == (0, 0)


def test_the_same_respondents_again_change_nothing(new_uow: NewUow, tmp_path: Path) -> None:
    agency = registered_agency(new_uow)
    file = write_respondents(tmp_path / "ipkp.csv", respondent_rows(ipkp_set()), IPKP_CODES)
    with new_uow() as uow:
        import_survey(uow, path=file, request=request())
    with new_uow() as uow:
        again = import_survey(uow, path=file, request=request())

    assert not again.created
    assert again.assessment is not None and not again.assessment.created
    assert stored(new_uow) == (1, 30)
    assert tpi_versions(new_uow, agency.units["DPMPTSP"], agency.period_id) == 1


def test_a_self_survey_feeds_the_units_self_assessment_not_the_tpis(
    new_uow: NewUow, tmp_path: Path
) -> None:
    agency = registered_agency(new_uow)
    # IPAK, 30 respondents answering 4 to every item: index 4.00, points 17.50
    rows = respondent_rows([[4] * 10] * 30)
    file = write_respondents(tmp_path / "ipak.csv", rows, IPAK_CODES)

    with new_uow() as uow:
        imported = import_survey(
            uow, path=file, request=request(SurveyKind.IPAK, SurveySource.MANDIRI)
        )

    assert imported.lke_item == "B.I.a"
    assert imported.points == pytest.approx(17.5)
    with new_uow() as uow:
        own = uow.assessments.get_assessment(
            unit_id=agency.units["DPMPTSP"], period_id=agency.period_id, kind=AssessmentKind.SELF
        )
        assert own is not None and own.id is not None
        assert {a.code: a.answer for a in uow.assessments.answers(assessment_id=own.id)} == {
            "B.I.a": "4"
        }
    assert tpi_versions(new_uow, agency.units["DPMPTSP"], agency.period_id) == 0


def test_a_tpn_survey_replaces_the_tpis_for_tpns_outcome_only(
    new_uow: NewUow, tmp_path: Path
) -> None:
    agency, unit_id = agency_with_tpi_answers(new_uow)
    file = write_respondents(tmp_path / "tpn.csv", respondent_rows(ipkp_set(low=10)), IPKP_CODES)

    with new_uow() as uow, pytest.raises(SurveyRefused) as refused:
        import_survey(uow, path=file, request=request(source=SurveySource.TPN))
    assert "survei TPN hanya untuk unit yang usulannya sedang di TPN" in refused.value.problems[0]
    assert stored(new_uow) == (0, 0)

    with new_uow() as uow:
        uow.proposals.add_proposal(
            proposal=ProposalCreate(
                unit_id=unit_id, year=2026, predicate=Predicate.WBK, state="tpn_field"
            ),
            actor="uji",
        )
        uow.commit()
    with new_uow() as uow:
        imported = import_survey(uow, path=file, request=request(source=SurveySource.TPN))

    assert imported.assessment is None and imported.proposal is not None
    # TPN's IPKP 79/27 (worked above) in place of the TPI's 3.80:
    # 60 + 16.84375 + 5 + 12.80093 = 94.64468
    with new_uow() as uow:
        proposal = uow.proposals.get_proposal(proposal_id=imported.proposal.id or 0)
        assert proposal is not None
        assert proposal.tpn_scores["ipkp"] == pytest.approx(79 / 27 / 4 * 17.5)
        assert proposal.tpn_scores["ipkp_index"] == pytest.approx(79 / 27)
        assert proposal.tpn_scores["total_with_tpn_survey"] == pytest.approx(
            60 + 16.84375 + 5 + 79 / 27 / 4 * 17.5
        )
    with new_uow() as uow:  # the TPI's own LKE keeps the TPI's survey
        answers = uow.assessments.answers(assessment_id=scored_id(uow, unit_id, agency.period_id))
        assert {a.code: a.answer for a in answers}["B.II.a"] == "3,80"


def test_a_later_lke_import_cannot_overwrite_the_surveys_index(
    new_uow: NewUow, tmp_path: Path
) -> None:
    agency, unit_id = agency_with_tpi_answers(new_uow)
    # The TPI's IPKP survey: every unsur 3, 10 respondents giving every unsur a 4:
    # index (20 x 3 + 10 x 4) / 30 = 10/3.
    high = write_respondents(
        tmp_path / "ipkp-baik.csv", respondent_rows(ipkp_set(high=10)), IPKP_CODES
    )
    with new_uow() as uow:
        survey = import_survey(uow, path=high, request=request()).survey

    # The TPI's weekly answers come in again with B.II.a typed as 3,80 (and IPAK 3,85, which has
    # no survey); the self-assessment's B.II.a 3,80 is the team's own (no self-survey).
    answers = top_answers(FRAMEWORK)
    rows = pd.DataFrame(list(answers.items()), columns=["code", "answer"])
    rows = rows.assign(unit=unit_id, row=range(2, len(rows) + 2))
    imported = {}
    for kind in (AssessmentKind.TPI, AssessmentKind.SELF):
        context = AssessmentImport(agency.period_id, kind, FRAMEWORK, "lke.csv", "tpi")
        with new_uow() as uow:
            (imported[kind],) = import_assessments(uow, context=context, answers=rows)

    assert imported[AssessmentKind.TPI].survey_notes == (
        f"B.II.a: nilai di berkas (3,80) tidak dipakai; B.II.a diisi indeks survei IPKP "
        f"#{survey.id} (3,33, n=30)",
    )
    # pengungkit 60 + IPAK 3.85/4 x 17.5 = 16.84375 + kinerja 5 + IPKP 10/3 / 4 x 17.5 = 14.58333
    assert imported[AssessmentKind.TPI].total == pytest.approx(60 + 16.84375 + 5 + 14.583333333)
    # The self-assessment keeps the team's 3,80: 3.8 / 4 x 17.5 = 16.625.
    assert imported[AssessmentKind.SELF].survey_notes == ()
    assert imported[AssessmentKind.SELF].total == pytest.approx(60 + 16.84375 + 5 + 16.625)
    with new_uow() as uow:
        tpi = {
            a.code: a.answer
            for a in uow.assessments.answers(
                assessment_id=scored_id(uow, unit_id, agency.period_id)
            )
        }
    assert float(tpi["B.II.a"]) == pytest.approx(10 / 3) and tpi["B.I.a"] == "3,85"
