"""External programs that some tests drive (LibreOffice, Chromium): `make install` installs them
as root. A test without its program is skipped on a developer's machine, and fails under CI,
where a skip would hide that the program is missing."""

from __future__ import annotations

import os
import shutil

import pytest


def required_program(*names: str, package: str) -> str:
    """The path of the first of `names` on PATH; else the test is skipped (failed under CI)."""
    found = next((path for name in names if (path := shutil.which(name))), None)
    if found is None:
        what = names[0] if package == names[0] else f"{names[0]} ({package})"
        message = f"{what} is not installed; `make install` installs it as root"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return found
