"""Open live streams (SSE) per client network: each holds a connection and a task for hours."""

from __future__ import annotations


class StreamSlots:
    """In-process count of open streams per key; a key leaves the map when its last stream ends."""

    def __init__(self, per_key: int) -> None:
        self.per_key = per_key
        self.open: dict[str, int] = {}

    def acquire(self, key: str) -> bool:
        count = self.open.get(key, 0)
        if count >= self.per_key:
            return False
        self.open[key] = count + 1
        return True

    def release(self, key: str) -> None:
        count = self.open.get(key, 0) - 1
        if count <= 0:
            self.open.pop(key, None)
        else:
            self.open[key] = count
