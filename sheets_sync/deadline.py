"""An overall deadline for a network call, whatever the other end's pace.

The HTTP clients' timeouts bound each read: a server that sends one byte every few seconds
never trips them, and would hold a cron job (a refresh of a Google Sheet, a pull from Amazon, a
webhook) for as long as it likes. `within` gives the whole call a deadline instead: the call
runs in a helper thread that is left behind when the deadline passes (a daemon, so it never
holds the process), and the caller gets `DeadlineExceeded`, which it reports in its own words.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


class DeadlineExceeded(TimeoutError):
    """The call was still going when its deadline passed (its result, if any, is dropped)."""


def within(seconds: float, call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """CALL(*ARGS, **KWARGS)'s result (or exception) if it ends within SECONDS, else
    `DeadlineExceeded`."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["result"] = call(*args, **kwargs)
        except BaseException as exc:  # handed over to the caller's thread, as raised
            outcome["error"] = exc

    worker = threading.Thread(target=run, name="stockout-deadline", daemon=True)
    worker.start()
    worker.join(max(0.0, seconds))
    if worker.is_alive():
        raise DeadlineExceeded(f"no complete answer within {seconds:g} s")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]
