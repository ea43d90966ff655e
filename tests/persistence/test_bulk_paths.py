"""The bulk reads and writes of a monitoring run: the same answers as the one-unit methods,
in one statement for all the units (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from sqlalchemy import Engine, text

from persistence.repositories import SnapshotSummary, StateConflict, UnitStep
from persistence.tables import LifecycleEventCreate, ScoreSnapshotCreate, ThresholdCrossingCreate
from persistence.unit_of_work import SqlUnitOfWork
from tests.database_fixtures import World, unit_standing
from zi_domain.predicates import Predicate

NewUow = Callable[[], SqlUnitOfWork]


def at(month: int, day: int) -> datetime:
    return datetime(2025, month, day, 12, tzinfo=UTC)


def moved(
    world: World, unit_id: int | None, source: str, target: str, when: datetime
) -> LifecycleEventCreate:
    return LifecycleEventCreate(
        instansi_id=world.instansi_id,
        unit_id=unit_id,
        year=2025,
        kind="start_development",
        from_state=source,
        to_state=target,
        actor="tpi",
        occurred_at=when,
    )


def states(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        return list(connection.execute(text("select state from unit_kerja order by id")).scalars())


def test_units_move_together_and_the_loaded_rows_follow(
    new_uow: NewUow, world: World, engine: Engine
) -> None:
    first, second, third = world.unit_ids
    with new_uow() as uow:
        loaded = uow.units.get_unit(unit_id=first)
        uow.units.move_units(
            unit_ids=[first, second], event=moved(world, None, "designated", "developing", at(2, 1))
        )
        assert loaded is not None and loaded.state == "developing"
        uow.commit()
        steps = uow.units.steps(instansi_id=world.instansi_id, unit_ids=[first, third])
    assert states(engine) == ["developing", "developing", "designated"]
    assert steps == {
        first: [
            UnitStep(first, "designated", "developing", at(2, 1), "start_development", 2025, None)
        ],
        third: [],
    }


def test_moved_events_are_stored_whole(new_uow: NewUow, world: World) -> None:
    """Every field of the event a bulk move writes for each unit (by the database, from the
    moved rows) reads back as given, with the unit's id: the criteria's JSON, text with a tab, a
    quote and a backslash, a decree's date, a missing validity, the instant given in +07:00."""
    first, second, _ = world.unit_ids
    jakarta = timezone(timedelta(hours=7))
    given = moved(
        world, None, "designated", "developing", datetime(2025, 2, 1, 19, tzinfo=jakarta)
    ).model_copy(
        update={
            "criteria": {"core_service": True, "wide_public_impact": False},
            "sk_number": "800/1/2025",
            "decree_date": date(2025, 1, 30),
            "note": 'catatan\t"kutip"\\ garis\nbaru',
        }
    )
    with new_uow() as uow:
        uow.units.move_units(unit_ids=[second, first], event=given)
        uow.commit()
    with new_uow() as uow:
        events = uow.units.events(instansi_id=world.instansi_id)
    stored = [e for e in events if e.unit_id in (first, second)]
    assert sorted(e.unit_id for e in stored) == sorted([first, second])
    for row in stored:
        expected = given.model_copy(update={"unit_id": row.unit_id}).model_dump()
        assert {k: getattr(row, k) for k in LifecycleEventCreate.model_fields} == expected
        assert row.occurred_at == datetime(2025, 2, 1, 12, tzinfo=UTC)
        assert row.valid_until is None


def test_one_stale_unit_is_a_conflict(new_uow: NewUow, world: World) -> None:
    first, second, _ = world.unit_ids
    with new_uow() as uow:
        uow.units.move_units(
            unit_ids=[second], event=moved(world, None, "designated", "developing", at(2, 1))
        )
        with pytest.raises(StateConflict, match=rf"\[{second}\]"):
            uow.units.move_units(
                unit_ids=[first, second],
                event=moved(world, None, "designated", "developing", at(2, 2)),
            )


def test_a_bulk_move_needs_a_shared_event(new_uow: NewUow, world: World) -> None:
    first, _, _ = world.unit_ids
    with new_uow() as uow, pytest.raises(ValueError, match="no unit_id"):
        uow.units.move_units(
            unit_ids=[first], event=moved(world, first, "designated", "developing", at(2, 1))
        )


def test_steps_are_each_units_events_oldest_first(new_uow: NewUow, world: World) -> None:
    first, _, _ = world.unit_ids
    declaration = LifecycleEventCreate(
        instansi_id=world.instansi_id,
        year=2025,
        kind="declaration",
        to_state="declared",
        actor="kepala",
        occurred_at=at(1, 5),
    )
    with new_uow() as uow:
        uow.units.record_event(event=moved(world, first, "developing", "x", at(3, 1)))
        uow.units.record_event(event=moved(world, first, "designated", "developing", at(2, 1)))
        uow.units.record_event(event=declaration)
        uow.commit()
        steps = uow.units.steps(instansi_id=world.instansi_id, unit_ids=[first])
        own = uow.units.instansi_events(instansi_id=world.instansi_id)
        every = uow.units.events(instansi_id=world.instansi_id, unit_id=first)
    assert [(s.to_state, s.occurred_at) for s in steps[first]] == [
        ("developing", at(2, 1)),
        ("x", at(3, 1)),
    ]
    assert steps[first] == [
        UnitStep(first, e.from_state, e.to_state, e.occurred_at, e.kind, e.year, e.decree_date)
        for e in every
    ]
    assert [(e.kind, e.unit_id) for e in own] == [("declaration", None)]
    with new_uow() as uow:
        into_x = uow.units.steps(instansi_id=world.instansi_id, unit_ids=[first], to_states=["x"])
        none = uow.units.steps(instansi_id=world.instansi_id, unit_ids=[first], to_states=[])
    assert [(s.to_state, s.occurred_at) for s in into_x[first]] == [("x", at(3, 1))]
    assert none == {first: []}


def snapshot(
    world: World, unit: int, day: date, total: float, *, tpi: bool = True
) -> ScoreSnapshotCreate:
    assessments = world.tpi_assessment_ids if tpi else world.self_assessment_ids
    return ScoreSnapshotCreate(
        unit_id=world.unit_ids[unit],
        assessment_id=assessments[unit],
        as_of=day,
        framework="permenpanrb-90-2021",
        total=total,
        pengungkit=0.0,
        hasil=0.0,
        meets_wbk=total >= 75,
        meets_wbbm=False,
    )


def test_newest_snapshots_up_to_a_day_and_before_it(new_uow: NewUow, world: World) -> None:
    first, second, third = world.unit_ids
    with new_uow() as uow:
        uow.snapshots.add_snapshots(
            rows=[
                snapshot(world, 0, date(2025, 3, 1), 70.0),
                snapshot(world, 0, date(2025, 3, 8), 76.0),
                snapshot(world, 1, date(2025, 3, 1), 60.0),
            ],
            at=at(3, 8),
        )
        # A second snapshot of the same day, written later (another assessment): it is newer.
        uow.snapshots.add_snapshots(
            rows=[snapshot(world, 1, date(2025, 3, 1), 61.0, tpi=False)], at=at(3, 9)
        )
        uow.commit()
        latest = uow.snapshots.latest_snapshots(
            unit_ids=[first, second, third], until=date(2025, 3, 8)
        )
        previous = uow.monitoring.previous_snapshots(
            unit_ids=[first, second, third], before=date(2025, 3, 8)
        )
        one_by_one = [uow.snapshots.latest_snapshot(unit_id=u) for u in (first, second)]
    assert latest == {
        first: SnapshotSummary(first, date(2025, 3, 8), 76.0, True, False),
        second: SnapshotSummary(second, date(2025, 3, 1), 61.0, False, False),
    }
    assert {s.unit_id: (s.as_of, s.total) for s in one_by_one if s} == {
        u: (s.as_of, s.total) for u, s in latest.items()
    }
    assert {u: s.total for u, s in previous.items()} == {first: 70.0, second: 61.0}


def test_a_crossing_is_new_once(new_uow: NewUow, world: World) -> None:
    def crossing(unit: int, predicate: Predicate) -> ThresholdCrossingCreate:
        return ThresholdCrossingCreate(
            unit_id=world.unit_ids[unit],
            period_id=world.period_id,
            predicate=predicate,
            as_of=date(2025, 3, 1),
            total=80.0,
        )

    first, second, _ = world.unit_ids
    with new_uow() as uow:
        assert uow.monitoring.record_crossing(crossing=crossing(0, Predicate.WBK)) is True
        assert uow.monitoring.record_crossing(crossing=crossing(0, Predicate.WBK)) is False
        recorded = uow.monitoring.record_crossings(
            crossings=[crossing(0, Predicate.WBK), crossing(1, Predicate.WBK)]
        )
        assert recorded == {(second, Predicate.WBK)}
        assert uow.monitoring.record_crossings(crossings=[crossing(1, Predicate.WBK)]) == set()
        assert uow.monitoring.record_crossings(crossings=[]) == set()
        uow.commit()
        stored = uow.monitoring.crossings(period_id=world.period_id)
    assert [(c.unit_id, c.predicate) for c in stored] == [
        (first, Predicate.WBK),
        (second, Predicate.WBK),
    ]


def test_prerequisites_of_many_units(new_uow: NewUow, world: World) -> None:
    first, second, third = world.unit_ids
    with new_uow() as uow:
        for unit_id, lhkpn in ((first, 100.0), (second, 97.5)):
            uow.units.set_prerequisites(prerequisites=unit_standing(unit_id, 2025, lhkpn=lhkpn))
        uow.commit()
        found = uow.units.prerequisites_of(unit_ids=[first, second, third], year=2025)
        other_year = uow.units.prerequisites_of(unit_ids=[first], year=2024)
    assert {u: p.lhkpn_percent for u, p in found.items()} == {first: 100.0, second: 97.5}
    assert other_year == {}
