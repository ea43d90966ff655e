"""Flows run for real under Prefect's test harness (a temporary Prefect server and database).

One harness per test session (its start takes ~20 s on 2 cores); heartbeats off so that each
flow call costs a fraction of a second; Prefect's home and result storage in a temporary folder,
since the harness isolates only Prefect's database.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator

import pytest

os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="zi-prefect-"))


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings
    from prefect.testing.utilities import prefect_test_harness

    with (
        prefect_test_harness(server_startup_timeout=120),
        temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}),
    ):
        yield
