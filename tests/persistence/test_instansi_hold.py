"""`hold`: one run at a time builds what belongs to one instansi, on both databases.

Two units of work stand for two workers proposing units of the same instansi at once: the
second one's `hold` waits until the first's transaction ends; reading the instansi does not.
"""

from __future__ import annotations

import threading
import time

from persistence.unit_of_work import SqlUnitOfWork
from tests.database_fixtures import World

HELD_SECONDS = 0.8


def test_a_second_hold_of_the_instansi_waits_for_the_first(
    new_uow: type[SqlUnitOfWork], world: World
) -> None:
    held_at: list[float] = []

    def second_worker() -> None:
        with new_uow() as uow:
            uow.instansi.hold(instansi_id=world.instansi_id)
            held_at.append(time.monotonic())
            uow.commit()

    with new_uow() as first:
        first.instansi.hold(instansi_id=world.instansi_id)
        thread = threading.Thread(target=second_worker)
        thread.start()
        time.sleep(HELD_SECONDS)
        assert held_at == []  # still waiting
        released = time.monotonic()
        first.commit()
    thread.join(timeout=30)
    assert held_at and held_at[0] >= released


def test_a_held_instansi_can_still_be_read(new_uow: type[SqlUnitOfWork], world: World) -> None:
    """The portal and the reports read the instansi while a letter is built."""
    with new_uow() as first:
        first.instansi.hold(instansi_id=world.instansi_id)
        done = threading.Event()

        def reader() -> None:
            with new_uow() as uow:
                assert uow.instansi.get_instansi(instansi_id=world.instansi_id) is not None
                done.set()

        thread = threading.Thread(target=reader)
        thread.start()
        assert done.wait(timeout=5), "reading a held instansi must not wait"
        thread.join()
        first.commit()
