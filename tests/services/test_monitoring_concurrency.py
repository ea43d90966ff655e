"""Two monitoring runs of the same period at the same time (SQLite and PostgreSQL): whatever the
interleaving, one snapshot per unit, each crossing recorded and reported once, no unit moved
twice. A run that loses a race fails cleanly (and its flow task retries); nothing is corrupted."""

from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import Engine, func, select

from persistence.tables import LifecycleEvent, ScoreSnapshot, ThresholdCrossing
from services.monitoring import MonitoringOutcome
from tests.services.test_monitoring_service import FIRST, NewUow, period, run  # noqa: F401


def count(engine: Engine, model: type[ScoreSnapshot] | type[ThresholdCrossing]) -> int:
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(model)).scalar_one())


def test_two_runs_at_once_do_not_corrupt_each_other(
    new_uow: NewUow,
    engine: Engine,
    period: tuple[int, dict[str, int]],  # noqa: F811 - the fixture imported above
    tmp_path: Path,
) -> None:
    period_id, ids = period
    outcomes: list[MonitoringOutcome] = []
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def monitor(folder: Path) -> None:
        start.wait()
        try:
            outcomes.append(run(new_uow, period_id, FIRST, folder))
        except Exception as error:  # the loser of a race may fail; it must not corrupt
            errors.append(error)

    threads = [threading.Thread(target=monitor, args=(tmp_path / str(n),)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert outcomes, f"both runs failed: {errors}"
    # Whatever failed is retried by the flow; a run afterwards finds the same end state.
    outcomes.append(run(new_uow, period_id, FIRST, tmp_path / "after"))

    reported = [(c.unit_id, c.predicate) for o in outcomes for c in o.crossings]
    assert len(reported) == len(set(reported)) == count(engine, ThresholdCrossing) == 3
    assert count(engine, ScoreSnapshot) == len(ids)
    with engine.connect() as connection:
        moves = connection.execute(
            select(LifecycleEvent.unit_id, func.count())
            .where(LifecycleEvent.to_state == "under_tpi_evaluation")
            .group_by(LifecycleEvent.unit_id)
        ).all()
    assert all(n == 1 for _, n in moves) and len(moves) == 5
