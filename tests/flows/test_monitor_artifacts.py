"""The monitoring flow's tasks: none keys a cache on the run's outcome.

Prefect's default cache key hashes a task's inputs; on the tasks that take the whole run (20,000
units) that hashing cost 0.9 s for a cache nothing reads. Read from the tasks themselves, so a
task added later that takes the outcome is held to the same rule.
"""

from __future__ import annotations

import inspect
import typing

from prefect import Task
from prefect.cache_policies import NO_CACHE

import flows.monitor
from reports.monitoring import MonitoringArtifacts, MonitoringReport
from services.monitoring import MonitoringOutcome

OUTCOME = (MonitoringReport, MonitoringOutcome, MonitoringArtifacts)


def tasks_of_the_flow() -> list[Task[..., object]]:
    return [value for value in vars(flows.monitor).values() if isinstance(value, Task)]


def takes_the_outcome(task: Task[..., object]) -> bool:
    hints = typing.get_type_hints(task.fn, vars(flows.monitor))
    parameters = inspect.signature(task.fn).parameters
    return any(hints.get(name) in OUTCOME for name in parameters)


def test_no_task_of_the_flow_keys_a_cache_on_the_outcome() -> None:
    tasks = {task.name: task for task in tasks_of_the_flow()}
    taking = {name for name, task in tasks.items() if takes_the_outcome(task)}

    assert taking == {"laporan-pemantauan", "terbitkan-artefak"}, taking
    for name in taking:
        assert tasks[name].cache_policy is NO_CACHE, name
        assert tasks[name].cache_key_fn is None, name


def returns_the_outcome(task: Task[..., object]) -> bool:
    return typing.get_type_hints(task.fn, vars(flows.monitor)).get("return") in OUTCOME


def test_no_task_of_the_flow_persists_the_outcome() -> None:
    # Pickling every unit's row to the result store each week cost more than the scoring.
    tasks = {task.name: task for task in tasks_of_the_flow()}
    holding = {
        name for name, task in tasks.items() if takes_the_outcome(task) or returns_the_outcome(task)
    }

    assert holding == {"nilai-dan-riwayat", "laporan-pemantauan", "terbitkan-artefak"}, holding
    for name in holding:
        assert tasks[name].persist_result is False, name
        assert tasks[name].cache_policy is NO_CACHE, name
