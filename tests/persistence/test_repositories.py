"""The smaller repositories: yearly prerequisites, teams, evidence, surveys, deadlines."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from pydantic import ValidationError

from persistence.repositories import NotFound, PlannedItem
from persistence.tables import (
    AnswerCreate,
    BpkOpinion,
    DeadlineCreate,
    EvidenceDocumentCreate,
    InstansiPrerequisiteCreate,
    LifecycleEventCreate,
    ScoreSnapshotCreate,
    SurveyKind,
    SurveyResultCreate,
    TeamMemberCreate,
    UnitPrerequisiteCreate,
    WorkItemCreate,
)
from persistence.unit_of_work import SqlUnitOfWork
from tests.database_fixtures import World

NewUow = Callable[[], SqlUnitOfWork]
SHA = "ab" * 32


def test_yearly_prerequisites_are_one_row_per_year(new_uow: NewUow, world: World) -> None:
    def instansi_year(year: int, sakip: str) -> InstansiPrerequisiteCreate:
        return InstansiPrerequisiteCreate(
            instansi_id=world.instansi_id,
            year=year,
            bpk_opinion=BpkOpinion.WTP,
            sakip_grade=sakip,
            indeks_rb="BB",
            spip_level=3,
        )

    unit_id = world.unit_ids[0]
    with new_uow() as uow:
        uow.instansi.set_prerequisites(prerequisites=instansi_year(2024, "B"))
        uow.instansi.set_prerequisites(prerequisites=instansi_year(2025, "B"))
        uow.instansi.set_prerequisites(prerequisites=instansi_year(2025, "BB"))  # corrected
        for lhkpn in (90.0, 100.0):
            uow.units.set_prerequisites(
                prerequisites=UnitPrerequisiteCreate(
                    unit_id=unit_id,
                    year=2025,
                    follow_up_findings_percent=100,
                    lhkpn_percent=lhkpn,
                    lhkasn_percent=100,
                    internal_sakip_grade="B",
                )
            )
        uow.commit()

    with new_uow() as uow:
        old = uow.instansi.get_prerequisites(instansi_id=world.instansi_id, year=2024)
        new = uow.instansi.get_prerequisites(instansi_id=world.instansi_id, year=2025)
        unit = uow.units.get_prerequisites(unit_id=unit_id, year=2025)
        none = uow.units.get_prerequisites(unit_id=unit_id, year=2023)
    assert old is not None and old.sakip_grade == "B"
    assert new is not None and new.sakip_grade == "BB" and new.bpk_opinion == "WTP"
    assert unit is not None and unit.lhkpn_percent == 100.0
    assert none is None


def test_tpi_members_and_unit_teams_are_kept_apart(new_uow: NewUow, world: World) -> None:
    def member(name: str, unit_id: int | None) -> TeamMemberCreate:
        return TeamMemberCreate(
            instansi_id=world.instansi_id,
            unit_id=unit_id,
            name=name,
            role="anggota",
            email=f"{name}@example.go.id",
        )

    with new_uow() as uow:
        uow.units.add_team_member(member=member("inspektur", None))
        uow.units.add_team_member(member=member("kasubag", world.unit_ids[0]))
        uow.units.add_team_member(member=member("staf", world.unit_ids[1]))
        uow.commit()

    with new_uow() as uow:
        tpi = uow.units.team(instansi_id=world.instansi_id, unit_id=None)
        unit_team = uow.units.team(instansi_id=world.instansi_id, unit_id=world.unit_ids[0])
    assert [m.name for m in tpi] == ["inspektur"]
    assert [m.name for m in unit_team] == ["kasubag"]


def test_units_by_state_and_by_code(new_uow: NewUow, world: World) -> None:
    with new_uow() as uow:
        uow.units.move_unit(
            event=LifecycleEventCreate(
                instansi_id=world.instansi_id,
                unit_id=world.unit_ids[2],
                year=2025,
                kind="transition",
                from_state="designated",
                to_state="developing",
                actor="tpi",
            )
        )
        uow.commit()

    with new_uow() as uow:
        designated = uow.units.list_units(instansi_id=world.instansi_id, state="designated")
        everyone = uow.units.list_units(instansi_id=world.instansi_id)
        by_code = uow.units.get_unit_by_code(instansi_id=world.instansi_id, code="U02")
        unknown = uow.units.get_unit_by_code(instansi_id=world.instansi_id, code="U99")
    assert [u.code for u in designated] == ["U00", "U01"]
    assert [u.code for u in everyone] == ["U00", "U01", "U02"]
    assert by_code is not None and by_code.state == "developing" and unknown is None


def test_evidence_surveys_and_deadlines(new_uow: NewUow, world: World) -> None:
    unit_id = world.unit_ids[0]
    with new_uow() as uow:
        for code, year in (("A.I.1.i.a", 2023), ("A.I.1.i.a", 2024), ("A.II.2.i.a", 2024)):
            uow.evidence.add_document(
                document=EvidenceDocumentCreate(
                    unit_id=unit_id,
                    code=code,
                    title=f"SK Tim ZI {year}",
                    location=f"evidence/{year}/{code}.pdf",
                    year=year,
                    sha256=SHA,
                )
            )
        for kind, index in ((SurveyKind.IPAK, 3.61), (SurveyKind.IPKP, 3.25)):
            uow.surveys.add_survey(
                result=SurveyResultCreate(
                    unit_id=unit_id, year=2025, kind=kind, index=index, respondents=30
                )
            )
        for day in (date(2025, 5, 30), date(2025, 5, 31), date(2025, 6, 1)):
            uow.deadlines.add_deadline(
                deadline=DeadlineCreate(
                    instansi_id=world.instansi_id,
                    kind="proposal",
                    title="Usulan ke TPN",
                    due_on=day,
                )
            )
        uow.commit()

    with new_uow() as uow:
        documents = uow.evidence.documents(unit_id=unit_id, code="A.I.1.i.a")
        surveys = uow.surveys.surveys(unit_id=unit_id, year=2025)
        due = uow.deadlines.due_between(first=date(2025, 5, 31), last=date(2025, 6, 1))
        all_deadlines = uow.deadlines.deadlines(instansi_id=world.instansi_id)
    assert [(d.code, d.year) for d in documents] == [("A.I.1.i.a", 2023), ("A.I.1.i.a", 2024)]
    assert [(s.kind, s.index) for s in surveys] == [("ipak", 3.61), ("ipkp", 3.25)]
    assert [d.due_on for d in due] == [date(2025, 5, 31), date(2025, 6, 1)]
    assert len(all_deadlines) == 3


def test_latest_snapshot_is_the_newest_day(new_uow: NewUow, world: World) -> None:
    def scored(day: int, total: float) -> ScoreSnapshotCreate:
        return ScoreSnapshotCreate(
            unit_id=world.unit_ids[0],
            assessment_id=world.tpi_assessment_ids[0],
            as_of=date(2025, 3, day),
            framework="permenpanrb-90-2021",
            total=total,
            pengungkit=0.0,
            hasil=0.0,
            meets_wbk=False,
            meets_wbbm=False,
        )

    with new_uow() as uow:
        uow.snapshots.add_snapshots(rows=[scored(9, 71.0), scored(2, 60.0), scored(5, 65.0)])
        uow.commit()
        latest = uow.snapshots.latest_snapshot(unit_id=world.unit_ids[0])
        nothing = uow.snapshots.latest_snapshot(unit_id=world.unit_ids[1])

    assert latest is not None and (latest.as_of, latest.total) == (date(2025, 3, 9), 71.0)
    assert nothing is None


def test_writes_to_missing_rows_say_so(new_uow: NewUow, world: World) -> None:
    with new_uow() as uow, pytest.raises(NotFound):
        uow.assessments.replace_answers(
            assessment_id=999_999, answers=[AnswerCreate(code="A.I.1.i.a", answer="Ya")]
        )


def test_values_out_of_their_domain_are_refused_before_the_database() -> None:
    with pytest.raises(ValidationError):
        SurveyResultCreate(unit_id=1, year=2025, kind=SurveyKind.IPAK, index=4.2, respondents=30)
    with pytest.raises(ValidationError):
        EvidenceDocumentCreate(
            unit_id=1, code="A", title="t", location="l", year=2025, sha256="not-a-hash"
        )


def test_units_items_are_each_units_plan_of_each_year_asked_for(
    new_uow: NewUow, world: World
) -> None:
    """What `items` gives a (unit, year), for many at once: a year not asked for is left out,
    a unit or year without items is absent, and each plan keeps its order of entry."""
    first, second = world.unit_ids[0], world.unit_ids[1]
    planned = [(second, 2025, "B"), (first, 2025, "A"), (first, 2024, "C"), (first, 2025, "D")]
    planned += [(first, 2023, "E")]
    with new_uow() as uow:
        uow.work_plans.add_items(
            items=[
                WorkItemCreate(
                    unit_id=unit,
                    year=year,
                    code=f"A.I.1.{title}",
                    title=title,
                    due_on=date(year, 3, 1),
                )
                for unit, year, title in planned
            ]
        )
        uow.commit()
    with new_uow() as uow:
        done = uow.work_plans.items(unit_id=first, year=2025)[0]
        assert done.id is not None
        uow.work_plans.complete_item(item_id=done.id, on=date(2025, 2, 3), by="Ani")
        uow.commit()
    with new_uow() as uow:
        found = uow.work_plans.units_items(unit_ids=[first, second], years=(2024, 2025))
        one = {key: uow.work_plans.items(unit_id=key[0], year=key[1]) for key in found}
    titles = {key: [item.title for item in items] for key, items in found.items()}
    assert titles == {(second, 2025): ["B"], (first, 2025): ["A", "D"], (first, 2024): ["C"]}
    assert found[(first, 2025)][0].completed_on == date(2025, 2, 3)
    fields = PlannedItem._fields
    assert {k: [tuple(i) for i in v] for k, v in found.items()} == {
        k: [tuple(getattr(i, name) for name in fields) for i in v] for k, v in one.items()
    }
