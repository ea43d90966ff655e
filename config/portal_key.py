"""The portal's secret key: it signs sign-in links and the forms' CSRF tokens.

`ZI_WEB_SECRET_KEY` when set (the same for every portal process behind one proxy); otherwise a
random key kept in `<data_dir>/portal.key`, created once with mode 0600 and never printed.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from config.settings import Settings

KEY_FILE = "portal.key"


def portal_key(settings: Settings) -> bytes:
    if settings.web_secret_key is not None:
        return settings.web_secret_key.get_secret_value().encode()
    path = settings.data_dir / KEY_FILE
    if not path.exists():
        _create(path)
    return path.read_bytes().strip()


def _create(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first: theirs is the key
        return
    with os.fdopen(descriptor, "w") as out:
        out.write(secrets.token_hex(32))
