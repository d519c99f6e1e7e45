"""Write conversations with Rasa's own SQLTrackerStore (run with the Rasa environment's Python).

    .venv-rasa/bin/python tests/ops/rasa_tracker_writer.py '{"store": {...}, "senders": {"a": [ts, ...]}}'

`store` holds SQLTrackerStore's keyword arguments (dialect, host, port, db, username); each sender
gets one user message and one action_listen per timestamp, so the table is exactly what Rasa writes.
"""

import asyncio
import json
import sys

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker


async def write(spec: dict) -> None:
    store = SQLTrackerStore(Domain.empty(), **spec["store"])
    for sender, stamps in spec["senders"].items():
        events = []
        for stamp in stamps:
            events += [UserUttered("halo", timestamp=stamp), ActionExecuted("action_listen", timestamp=stamp)]
        await store.save(DialogueStateTracker.from_events(sender, events))


if __name__ == "__main__":
    asyncio.run(write(json.loads(sys.argv[1])))
