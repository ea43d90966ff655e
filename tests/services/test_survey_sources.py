"""Where a unit's IPAK and IPKP come from, wherever its score is shown: the weekly monitoring
report (with the one-page survey report in the unit's details) and the unit's weekly digest.

The agency of `tests.builders`: DPMPTSP (renamed to a hostile name, a hostile service type) has
the TPI's IPKP survey of 40 respondents, last served on 28 March, and an IPAK typed in the LKE;
DUKCAPIL's TPI LKE carries the index of its own (mandiri) IPAK survey. Expectations by hand:
- DPMPTSP IPKP: 30 respondents answer 3 to every unsur, 10 answer 4: IKM 25 × 3,25, index 3,25,
  3,25 / 4 × 17,50 = 14,21875 → 14,22 points;
- DPMPTSP IPAK typed "3,85": 3,85 / 4 × 17,50 = 16,84375 → 16,84 points, no respondents;
- DUKCAPIL IPAK: 30 respondents answer 3 to every item: index 3,00, 13,125 → 13,13 points.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from config.framework_files import load_framework
from notifications.messages import OutgoingMessage
from persistence.tables import SurveyKind, SurveySource
from persistence.unit_of_work import SqlUnitOfWork
from services.monitoring import monitor_period
from services.reminders import mail_for_day
from services.surveys import import_survey
from tests.builders import record_tpi_answers, registered_agency, top_answers
from tests.reports.test_monitoring_report import HOSTILE
from tests.survey_builders import (
    IPAK_CODES,
    IPKP_CODES,
    ipkp_set,
    request,
    respondent_rows,
    write_respondents,
)
from zi_domain.lifecycle import UnitState
from zi_domain.reminders import ReminderPolicy

NewUow = Callable[[], SqlUnitOfWork]
FRAMEWORK = load_framework("permenpanrb-90-2021")
MONDAY = date(2026, 5, 4)
HOSTILE_SERVICE = 'perizinan <b>"&</b>'

DPMPTSP_IPKP = "IPKP (B.II.a) 3,25 · 14,22 poin"
DPMPTSP_IPKP_SOURCE = "survei TPI, n=40, 28 Maret 2026"
DPMPTSP_IPAK = "IPAK (B.I.a) 3,85 · 16,84 poin"
TYPED = "nilai diisi di LKE, tanpa data responden"
DUKCAPIL_IPAK = "IPAK (B.I.a) 3,00 · 13,13 poin"
DUKCAPIL_IPAK_SOURCE = "survei mandiri, n=30, 15 Maret 2026"


def surveyed_agency(new_uow: NewUow, folder: Path) -> int:
    """The agency with the surveys above; its period's id."""
    agency = registered_agency(new_uow)
    with new_uow() as uow:
        dpmptsp = uow.units.get_unit(unit_id=agency.units["DPMPTSP"])
        assert dpmptsp is not None
        dpmptsp.name = HOSTILE
        dpmptsp.service_types = [HOSTILE_SERVICE, "pengaduan"]
        for code in ("DPMPTSP", "DUKCAPIL"):
            building = uow.units.get_unit(unit_id=agency.units[code])
            assert building is not None
            building.state = UnitState.DEVELOPING  # its team gets the weekly digest
            record_tpi_answers(
                uow,
                unit_id=agency.units[code],
                period_id=agency.period_id,
                answers=top_answers(FRAMEWORK, ipak="3,85" if code == "DPMPTSP" else "3"),
            )
        uow.commit()
    rows = respondent_rows(ipkp_set(high=10, count=40), types=(HOSTILE_SERVICE, "pengaduan"))
    rows[-1][3] = "28/03/2026"  # the last respondent served; the others on 15 March
    ipkp = write_respondents(folder / "ipkp.csv", rows, IPKP_CODES)
    ipak_rows = respondent_rows(
        [[3] * len(IPAK_CODES)] * 30, types=("administrasi kependudukan",), unit="DUKCAPIL"
    )
    ipak = write_respondents(folder / "ipak.csv", ipak_rows, IPAK_CODES)
    with new_uow() as uow:
        import_survey(uow, path=ipkp, request=request())
    with new_uow() as uow:
        import_survey(
            uow,
            path=ipak,
            request=request(SurveyKind.IPAK, SurveySource.MANDIRI, unit="DUKCAPIL"),
        )
    return agency.period_id


def unit_details(page: str, code: str) -> str:
    """The HTML of one unit's folded details in the monitoring page."""
    (found,) = [
        part
        for part in page.split('<tbody class="unit')[1:]
        if re.search(rf'<th scope="row" class="code">{code}</th>', part)
    ]
    return found.split("<details>", 1)[1].split("</details>", 1)[0]


def shown(html: str) -> str:
    """The text of HTML as read: tags dropped, whitespace folded (entities kept)."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.fixture()
def page(new_uow: NewUow, tmp_path: Path) -> str:
    period_id = surveyed_agency(new_uow, tmp_path)
    with new_uow() as uow:
        outcome = monitor_period(
            uow, period_id=period_id, framework=FRAMEWORK, as_of=MONDAY, report_dir=tmp_path
        )
    assert outcome.report_path is not None
    return outcome.report_path.read_text(encoding="utf-8")


def test_the_monitoring_report_names_where_each_index_comes_from(page: str) -> None:
    dpmptsp = shown(unit_details(page, "DPMPTSP"))
    print(dpmptsp)
    assert f"{DPMPTSP_IPAK} sumber: {TYPED}" in dpmptsp
    assert f"{DPMPTSP_IPKP} sumber: {DPMPTSP_IPKP_SOURCE}" in dpmptsp
    dukcapil = shown(unit_details(page, "DUKCAPIL"))
    assert f"{DUKCAPIL_IPAK} sumber: {DUKCAPIL_IPAK_SOURCE}" in dukcapil
    # DUKCAPIL's IPKP ("3,80" from top_answers) was typed: no survey of that kind.
    assert f"IPKP (B.II.a) 3,80 · 16,63 poin sumber: {TYPED}" in dukcapil


def test_the_unit_details_carry_its_one_page_survey_report(page: str) -> None:
    dpmptsp = unit_details(page, "DPMPTSP")
    (section,) = dpmptsp.split('<div class="survey">')[1:]  # its TPI's IPKP survey, no other
    text = shown(section)
    assert "Survei Persepsi Kualitas Pelayanan" in text and "— survei TPI" in text
    # The tiles: index, points, n; then 20 respondents per service type.
    assert "3,25 indeks (0–4) IKM 81,25 14,22 nilai B.II.a" in text
    assert "40 responden (minimal 30)" in text
    assert "perizinan &lt;b&gt;&#34;&amp;&lt;/b&gt; 20 pengaduan 20" in text
    assert "Sumber: survei TPI, n=40, responden terakhir dilayani 28 Maret 2026" in text
    dukcapil = shown(unit_details(page, "DUKCAPIL"))
    assert "— survei mandiri" in dukcapil and "30 responden (minimal 30)" in dukcapil
    assert "administrasi kependudukan 30" in dukcapil
    rsud = unit_details(page, "RSUD") if '"code">RSUD<' in page else ""
    assert 'class="survey"' not in rsud


def test_hostile_unit_and_service_names_are_escaped(page: str) -> None:
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert HOSTILE_SERVICE not in page
    assert "<b>" not in page


def digests(new_uow: NewUow, period_id: int, tmp_path: Path) -> dict[str, OutgoingMessage]:
    """The Monday digests after the week's monitoring, by unit team address."""
    with new_uow() as uow:
        monitor_period(
            uow, period_id=period_id, framework=FRAMEWORK, as_of=MONDAY, report_dir=tmp_path
        )
    with new_uow() as uow:
        instansi = uow.instansi.get_instansi_by_code(code="KABUJI")
        assert instansi is not None
        mail = mail_for_day(
            uow, instansi=instansi, as_of=MONDAY, policy=ReminderPolicy(), framework=FRAMEWORK
        )
    return {m.recipient: m for m in mail.messages if m.kind == "digest.unit"}


def test_the_digest_shows_the_source_under_the_score(new_uow: NewUow, tmp_path: Path) -> None:
    found = digests(new_uow, surveyed_agency(new_uow, tmp_path), tmp_path)
    print(found.keys())
    dpmptsp, dukcapil = found["siti@uji.go.id"], found["dewi@uji.go.id"]
    text = " ".join(dpmptsp.text.split())
    score = text.split("NILAI TERAKHIR", 1)[1]
    assert f"{DPMPTSP_IPAK} · sumber: {TYPED}" in score
    assert f"{DPMPTSP_IPKP} · sumber: {DPMPTSP_IPKP_SOURCE}" in score
    # Under the score: after the floors, before what to fix first.
    assert score.index("Batas WBBM") < score.index("IPAK (B.I.a)") < score.index("IPKP (B.II.a)")
    html = shown(dpmptsp.html)
    assert f"{DPMPTSP_IPKP} sumber: {DPMPTSP_IPKP_SOURCE}" in html
    assert f"{DPMPTSP_IPAK} sumber: {TYPED}" in html
    assert "<script>alert(1)</script>" not in dpmptsp.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dpmptsp.html
    mandiri = " ".join(dukcapil.text.split())
    assert f"{DUKCAPIL_IPAK} · sumber: {DUKCAPIL_IPAK_SOURCE}" in mandiri
