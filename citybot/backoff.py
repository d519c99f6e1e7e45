"""The retry delay of our persistent queues (backend outbox, gateway outbound replies, the action
server's complaint queue). In-request retries use tenacity's `wait_exponential` directly."""

from __future__ import annotations

import random

MAX_SECONDS = 300.0


def backoff_seconds(failures: int, cap: float = MAX_SECONDS, *, jitter: bool = True) -> float:
    """1, 2, 4 ... seconds after the 1st, 2nd, 3rd ... failure, capped. The jitter (x0.8-1.2)
    keeps many rows that failed together from all coming back at once to a recovering receiver."""
    base = min(cap, 2.0 ** max(0, failures - 1))
    return base * random.uniform(0.8, 1.2) if jitter else base
