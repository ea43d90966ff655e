"""The one-page survey report takes its dates from the data, never from the clock: the same
survey imported on another day and reported on another day gives the same bytes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

from config.framework_files import load_framework
from persistence.unit_of_work import SqlUnitOfWork
from reports.survey_report import SurveyReport, survey_report_html, survey_report_pdf
from services.survey_report import unit_survey_report
from services.surveys import import_survey
from tests.builders import registered_agency
from tests.survey_builders import IPKP_CODES, ipkp_set, request, respondent_rows, write_respondents

NewUow = Callable[[], SqlUnitOfWork]
FRAMEWORK = load_framework("permenpanrb-90-2021")


def report_on(new_uow: NewUow, as_of: date) -> SurveyReport:
    with new_uow() as uow:
        return unit_survey_report(
            uow,
            unit_code="DPMPTSP",
            instansi="KABUJI",
            period_name=None,
            as_of=as_of,
            framework=FRAMEWORK,
        )


def imported_at(new_uow: NewUow, when: datetime) -> None:
    """Every stored survey as if its file had been imported at `when`."""
    with new_uow() as uow:
        agency = uow.instansi.get_instansi_by_code(code="KABUJI")
        assert agency is not None and agency.id is not None
        for unit in uow.units.list_units(instansi_id=agency.id):
            assert unit.id is not None
            for survey in uow.surveys.surveys(unit_id=unit.id, year=2026):
                survey.imported_at = when
        uow.commit()


def test_the_report_is_dated_by_its_respondents_whatever_the_clock(
    new_uow: NewUow, tmp_path: Path
) -> None:
    registered_agency(new_uow)
    rows = respondent_rows(ipkp_set(high=10))
    rows[-1][3] = "2026-03-28"  # the last respondent served; the others on 15 March
    path = write_respondents(tmp_path / "ipkp.csv", rows, IPKP_CODES)
    with new_uow() as uow:
        import_survey(uow, path=path, request=request())

    imported_at(new_uow, datetime(2026, 4, 2, 9, 30, tzinfo=UTC))
    first = report_on(new_uow, date(2026, 5, 4))
    imported_at(new_uow, datetime(2026, 11, 30, 16, 0, tzinfo=UTC))
    second = report_on(new_uow, date(2026, 11, 30))

    assert first == second
    assert first.dated == date(2026, 3, 28)
    assert survey_report_pdf(first) == survey_report_pdf(second)
    page = survey_report_html(first)
    assert "responden terakhir dilayani 28 Maret 2026" in page
    assert "April 2026" not in page and "November 2026" not in page and "Mei 2026" not in page


def test_a_report_without_surveys_is_dated_by_its_period(new_uow: NewUow) -> None:
    registered_agency(new_uow)
    report = report_on(new_uow, date(2026, 5, 4))
    assert report.sections == () and report.dated == date(2026, 12, 31)
