"""Without a PostgreSQL server the PostgreSQL half is skipped locally, and fails in CI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ONE_POSTGRES_TEST = (
    "tests/persistence/test_constraints.py::test_an_unknown_kind_is_refused_by_the_database"
    "[postgresql]"
)
NO_SERVER = "postgresql+psycopg://postgres:Geheim-7@127.0.0.1:1/postgres"


def run_without_server(*, ci: str | None) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key != "CI"}
    env["ZI_TEST_POSTGRES_URL"] = NO_SERVER
    if ci is not None:
        env["CI"] = ci
    return subprocess.run(
        [sys.executable, "-m", "pytest", ONE_POSTGRES_TEST, "-q", "-rs", "-p", "no:cacheprovider"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("ci", "exit_code", "says"),
    [
        (None, 0, "1 skipped"),
        ("true", 1, "CI must run the PostgreSQL tests"),
    ],
)
def test_missing_server_is_a_skip_locally_and_a_failure_in_ci(
    ci: str | None, exit_code: int, says: str
) -> None:
    result = run_without_server(ci=ci)
    output = result.stdout + result.stderr

    assert result.returncode == exit_code, output
    assert says in output
    assert "Geheim-7" not in output
