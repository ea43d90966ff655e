"""`collector_spares_the_run`: the cycle collector off while a run builds its objects, those
objects frozen (never walked) once built, and the collector as it was on leaving."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from services.monitoring import collector_spares_the_run


@pytest.fixture
def collector_on() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    gc.unfreeze()
    (gc.enable if was else gc.disable)()


@pytest.mark.usefixtures("collector_on")
def test_off_while_building_then_on_with_the_run_frozen() -> None:
    frozen_before = gc.get_freeze_count()
    with collector_spares_the_run() as built:
        assert not gc.isenabled()
        run = [{"unit": n} for n in range(10_000)]
        built()
        assert gc.isenabled()
        assert gc.get_freeze_count() >= frozen_before + len(run)
        assert not any(gc.is_tracked(r) and r in gc.get_objects(0) for r in run[:3])
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0


@pytest.mark.usefixtures("collector_on")
def test_restored_on_an_error_and_without_built() -> None:
    with pytest.raises(RuntimeError), collector_spares_the_run() as built:
        built()
        raise RuntimeError("the run failed")
    assert gc.isenabled() and gc.get_freeze_count() == 0

    with collector_spares_the_run():
        assert not gc.isenabled()
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_a_paused_collector_stays_paused() -> None:
    was = gc.isenabled()
    gc.disable()
    try:
        with collector_spares_the_run() as built:
            built()
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.unfreeze()
        (gc.enable if was else gc.disable)()
