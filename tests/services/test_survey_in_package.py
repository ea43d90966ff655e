"""The unit's package carries the one-page survey report (`laporan-survei.pdf`) when the unit
has surveys in the period of the TPI assessment it scores; the same data give the same zip."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from datetime import date
from pathlib import Path

from pypdf import PdfReader

from config.framework_files import load_framework
from persistence.unit_of_work import SqlUnitOfWork
from reports.proposal_package import SURVEYS, unit_package
from services.proposals import unit_dossier
from services.scoring import score_period
from services.surveys import import_survey
from tests.builders import record_tpi_answers, registered_agency, top_answers
from tests.reports.test_package_evidence import store
from tests.survey_builders import IPKP_CODES, ipkp_set, request, respondent_rows, write_respondents

NewUow = Callable[[], SqlUnitOfWork]
FRAMEWORK = load_framework("permenpanrb-90-2021")
ON = date(2026, 5, 6)


def package_zip(new_uow: NewUow, unit_id: int, folder: Path) -> Path:
    """The unit's WBK package as the proposal service builds it, stored under `folder`."""
    with new_uow() as uow:
        unit = uow.units.get_unit(unit_id=unit_id)
        assert unit is not None
        dossier = unit_dossier(
            uow, unit=unit, predicate="WBK", year=2026, as_of=ON, revision=1, framework=FRAMEWORK
        )
    return store(unit_package(dossier), folder).zip_path


def test_the_package_carries_the_survey_report_only_with_surveys(
    new_uow: NewUow, tmp_path: Path
) -> None:
    agency = registered_agency(new_uow)
    unit_id = agency.units["DPMPTSP"]
    with new_uow() as uow:
        record_tpi_answers(
            uow, unit_id=unit_id, period_id=agency.period_id, answers=top_answers(FRAMEWORK)
        )
    with new_uow() as uow:
        score_period(uow, period_id=agency.period_id, framework=FRAMEWORK, as_of=date(2026, 5, 4))
    without = package_zip(new_uow, unit_id, tmp_path / "tanpa-survei")
    with zipfile.ZipFile(without) as archive:
        assert f"paket/{SURVEYS}" not in archive.namelist()

    # 30 respondents, 10 giving every unsur a 4: IPKP 10/3 (3,33), 15 per service type.
    path = write_respondents(tmp_path / "ipkp.csv", respondent_rows(ipkp_set(high=10)), IPKP_CODES)
    with new_uow() as uow:
        import_survey(uow, path=path, request=request())
    with new_uow() as uow:
        score_period(uow, period_id=agency.period_id, framework=FRAMEWORK, as_of=date(2026, 5, 5))
    first = package_zip(new_uow, unit_id, tmp_path / "a")
    with zipfile.ZipFile(first) as archive:
        assert f"paket/{SURVEYS}" in archive.namelist()
        report = PdfReader(io.BytesIO(archive.read(f"paket/{SURVEYS}")))
        manifest = archive.read("paket/manifest.json").decode()
    text = "\n".join(page.extract_text() or "" for page in report.pages)
    assert len(report.pages) == 1
    assert "IPKP" in text and "Dinas Penanaman Modal" in text
    assert "3,33" in text and "perizinan" in text and "pengaduan" in text
    assert SURVEYS in manifest
    # Reproducible: the same data and date give the same bytes.
    assert package_zip(new_uow, unit_id, tmp_path / "b").read_bytes() == first.read_bytes()
