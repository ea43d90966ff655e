"""Runs the monitoring flow of one day and dies (SIGKILL, no cleanup of any kind) at a named
point: the fault-injection tests' crash. `python -m tests.flows.crash_at POINT YYYY-MM-DD`.

Points: `after-crossings` (the run's snapshots and crossings are committed, no proposal made),
`after-package-N` (the N-th proposal, its package and the letter are done), `before-letter-N`
(the N-th proposal and its package are committed, the instansi letter not rebuilt yet),
`during-report` (every proposal made, the HTML report not written).
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable
from datetime import date
from typing import Any


def die(*_: object, **__: object) -> Any:
    os.kill(os.getpid(), signal.SIGKILL)


def on_call(number: int, original: Callable[..., Any], *, before: bool) -> Callable[..., Any]:
    calls = [0]

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        if before and calls[0] == number:
            die()
        result = original(*args, **kwargs)
        if calls[0] == number:
            die()
        return result

    return wrapped


def main(point: str, on: date) -> None:
    import flows.monitor as monitoring_flow
    import services.proposals as proposals

    if point == "after-crossings":
        monitoring_flow.finish_pending = die  # type: ignore[assignment]
    elif point.startswith(("after-package-", "before-letter-")):
        number = int(point.rsplit("-", 1)[1])
        proposals.build_instansi_letter = on_call(  # type: ignore[assignment]
            number, proposals.build_instansi_letter, before=point.startswith("before-")
        )
    elif point == "during-report":
        monitoring_flow.write_monitoring_report = die  # type: ignore[assignment]
    else:
        raise SystemExit(f"unknown point {point}")
    monitoring_flow.monitor.with_options(retries=0)(as_of=on)
    raise SystemExit("the run was not killed")


if __name__ == "__main__":
    main(sys.argv[1], date.fromisoformat(sys.argv[2]))
