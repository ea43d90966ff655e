"""Fixtures of the service tests: the intake tests' agency, on each database."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from persistence.unit_of_work import SqlUnitOfWork
from tests.builders import Agency, registered_agency


@pytest.fixture
def agency(new_uow: Callable[[], SqlUnitOfWork]) -> Agency:
    return registered_agency(new_uow)
