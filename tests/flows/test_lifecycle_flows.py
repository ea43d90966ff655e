"""The lifecycle stages as Prefect flows, end to end on a temporary SQLite database."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from persistence.database import default_engine
from persistence.tables import (
    AssessmentPeriodCreate,
    Proposal,
    ScoreSnapshot,
    ThresholdCrossing,
)
from persistence.unit_of_work import SqlUnitOfWork
from tests.builders import candidate_instansi, record_tpi_answers
from tests.domain.worksheets import top_answers

pytestmark = pytest.mark.usefixtures("prefect_harness")


def count(model: type[Proposal] | type[ScoreSnapshot] | type[ThresholdCrossing]) -> int:
    with default_engine().connect() as connection:
        return int(connection.execute(select(func.count()).select_from(model)).scalar_one())


def unit_state(code: str) -> str:
    with default_engine().connect() as connection:
        return str(
            connection.execute(
                text("select state from unit_kerja where code = :c"), {"c": code}
            ).scalar_one()
        )


@pytest.fixture
def kabupaten(data_dir: Path) -> dict[str, int]:
    """An instansi with three candidate units and its standing for 2026 and 2027."""
    with SqlUnitOfWork(default_engine()) as uow:
        ids = candidate_instansi(
            uow,
            name="Kabupaten Uji",
            standing_years=(2026, 2027),
            units={"BAIK": True, "SEDANG": True, "SEMPIT": False},
            unit_year=2027,
        )
        period = uow.assessments.add_period(
            period=AssessmentPeriodCreate(
                instansi_id=ids["instansi"],
                year=2027,
                name="Penilaian TPI 2027",
                starts_on=date(2027, 1, 1),
                ends_on=date(2027, 5, 31),
            )
        )
        assert period.id is not None
        ids["period"] = period.id
        uow.commit()
    return ids


def answer(ids: dict[str, int], code: str, answers: dict[str, str]) -> None:
    with SqlUnitOfWork(default_engine()) as uow:
        record_tpi_answers(uow, unit_id=ids[code], period_id=ids["period"], answers=answers)


def test_a_year_through_the_flows(
    kabupaten: dict[str, int], data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from config.settings import get_settings
    from flows.declare import declare
    from flows.designate import designate
    from flows.develop import develop
    from flows.monitor import monitor
    from flows.submit import submit
    from flows.tpn_result import tpn_result

    ids = kabupaten
    assert declare(instansi=ids["instansi"], year=2026, as_of=date(2026, 1, 5)) == {
        "created": True,
        "milestones": 8,
    }
    assert declare(instansi=ids["instansi"], year=2026, as_of=date(2026, 1, 6))["created"] is False

    # The criteria are weighed, not a gate (90/2021 Lampiran I Bab II, "antara lain"); this
    # instansi's own policy asks for all three, so SEMPIT (no wide public impact) is refused.
    monkeypatch.setenv("ZI_DESIGNATION_REQUIRES_ALL_CRITERIA", "true")
    get_settings.cache_clear()
    designated = designate(
        instansi=ids["instansi"],
        candidates=["BAIK", "SEDANG", "SEMPIT"],
        sk_number="800/12/2026",
        as_of=date(2026, 1, 20),
    )
    assert designated["designated"] == ["BAIK", "SEDANG"]
    assert "kebijakan instansi mensyaratkan semua kriteria" in designated["refused"]["SEMPIT"]
    assert unit_state("SEMPIT") == "declared"

    assert develop(instansi=ids["instansi"], as_of=date(2026, 2, 2))["developing"] == [
        "BAIK",
        "SEDANG",
    ]

    # BAIK meets every WBK floor; SEDANG's IPKP 3,19 leaves it short on pelayanan prima.
    answer(ids, "BAIK", top_answers())
    answer(ids, "SEDANG", top_answers() | {"B.II.a": "3,19"})
    first = monitor(as_of=date(2027, 3, 1))
    assert first["crossings"] == [{"unit_id": ids["BAIK"], "predicate": "WBK"}]
    report = Path(first["reports"][0])
    assert report.parent.parent == data_dir / "reports" and report.exists()
    assert report.parent.name == f"Kabupaten-Uji-periode-{kabupaten['period']}"
    assert unit_state("BAIK") == "proposed" and unit_state("SEDANG") == "under_tpi_evaluation"
    assert (count(ScoreSnapshot), count(ThresholdCrossing), count(Proposal)) == (2, 1, 1)

    # The same as_of again: no second snapshot, crossing (so no event) or proposal.
    again = monitor(as_of=date(2027, 3, 1))
    assert again["crossings"] == []
    assert (count(ScoreSnapshot), count(ThresholdCrossing), count(Proposal)) == (2, 1, 1)

    # SEDANG improves its survey and crosses a week later.
    answer(ids, "SEDANG", top_answers() | {"B.II.a": "3,40"})
    later = monitor(as_of=date(2027, 3, 8))
    assert later["crossings"] == [{"unit_id": ids["SEDANG"], "predicate": "WBK"}]
    assert count(Proposal) == 2

    # Each proposal has its package on disk; the letter lists both units.
    packages = sorted((data_dir / "usulan" / "2027").rglob("*.zip"))
    assert [p.name.split("-2027")[0] for p in packages if "surat" not in p.name] == [
        "BAIK-Unit-BAIK",
        "SEDANG-Unit-SEDANG",
    ]
    # TPN acts only on what was sent: the draft must be submitted first.
    with pytest.raises(Exception, match="berstatus draft"):
        tpn_result(
            unit_id=ids["BAIK"], result="tpn_administrative", year=2027, as_of=date(2027, 6, 1)
        )
    sent = submit(instansi=ids["instansi"], year=2027, as_of=date(2027, 5, 24))
    assert len(sent["submitted"]) == 2 and sent["letter"].endswith("-2027-r3.zip")

    # TPN: through the stages to an award, which sets the predicate.
    for stage in ("tpn_administrative", "tpn_desk", "tpn_field", "tpn_panel"):
        tpn_result(unit_id=ids["BAIK"], result=stage, year=2027, as_of=date(2027, 9, 1))
    tpn_result(
        unit_id=ids["BAIK"],
        result="awarded",
        year=2027,
        as_of=date(2027, 12, 9),
        decree="KEP-9/M.PANRB/2027",
        decree_date=date(2027, 12, 6),
    )
    # A WBK unit builds on toward WBBM (90/2021 Lampiran II Bab III).
    assert unit_state("BAIK") == "developing"
    with default_engine().connect() as connection:
        held = connection.execute(
            text("select predicate from unit_kerja where code = 'BAIK'")
        ).scalar_one()
    assert held == "WBK"


def test_an_illegal_step_is_refused_and_changes_nothing(kabupaten: dict[str, int]) -> None:
    from flows.designate import designate
    from flows.tpn_result import tpn_result

    # No declaration for 2026: designation is refused for every unit.
    outcome = designate(
        instansi=kabupaten["instansi"],
        candidates=["BAIK"],
        sk_number="800/1/2026",
        as_of=date(2026, 1, 20),
    )
    assert outcome["designated"] == []
    assert "pencanangan" in outcome["refused"]["BAIK"].lower()
    assert unit_state("BAIK") == "declared"
    # An award for a unit that was never proposed fails the flow run and writes nothing.
    with pytest.raises(Exception, match="tidak mempunyai usulan"):
        tpn_result(unit_id=kabupaten["BAIK"], result="awarded", year=2027, as_of=date(2027, 12, 9))
    assert unit_state("BAIK") == "declared"
