"""The monitoring flow's tasks: nothing the size of the run crosses a task boundary.

Prefect walks a task's inputs (futures resolved, the collection rebuilt) and hashes them for the
default cache key; passed between tasks, the run's outcome (20,000 units) cost 24-30 s a run and
pickled 25 MiB into the result store. Read from the tasks themselves, so a task added later that
takes or returns the outcome fails here.
"""

from __future__ import annotations

import inspect
import typing

from prefect import Task
from prefect.cache_policies import NO_CACHE

import flows.monitor
from reports.monitoring import MonitoringReport, UnitMonitoringRow
from services.monitoring import MonitoringOutcome
from services.scoring import ScoredPeriod

LARGE = (MonitoringReport, MonitoringOutcome, ScoredPeriod, UnitMonitoringRow)


def tasks_of_the_flow() -> list[Task[..., object]]:
    return [value for value in vars(flows.monitor).values() if isinstance(value, Task)]


def mentions_large(hint: object) -> bool:
    """The type, or any type inside it (tuple[UnitMonitoringRow, ...], a dataclass's fields)."""
    if hint in LARGE:
        return True
    if any(mentions_large(arg) for arg in typing.get_args(hint)):
        return True
    if isinstance(hint, type) and hasattr(hint, "__dataclass_fields__"):
        fields = typing.get_type_hints(hint, vars(inspect.getmodule(hint)))
        return any(mentions_large(field) for field in fields.values())
    return False


def test_the_flow_has_its_tasks() -> None:
    assert {t.name for t in tasks_of_the_flow()} == {"pemantauan-periode"}


def test_no_task_takes_or_returns_the_run() -> None:
    for task in tasks_of_the_flow():
        hints = typing.get_type_hints(task.fn, vars(flows.monitor))
        assert not any(mentions_large(hint) for hint in hints.values()), (task.name, hints)


def test_the_check_sees_a_large_type_inside_a_small_one() -> None:
    # The check above would pass vacuously if it could not see into a summary's fields.
    assert mentions_large(tuple[UnitMonitoringRow, ...])
    assert mentions_large(MonitoringOutcome)
    assert not mentions_large(flows.monitor.PeriodResult)


def test_no_task_caches_or_persists() -> None:
    for task in tasks_of_the_flow():
        assert task.cache_policy is NO_CACHE, task.name
        assert task.cache_key_fn is None, task.name
        assert task.persist_result is False, task.name
