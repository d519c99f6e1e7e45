"""Starts Rasa (in Rasa's own Python 3.10 environment) with measured hot spots removed.

`python -m citybot.rasa_boot run ...` behaves exactly like `rasa run ...`. Standard library only,
plus what Rasa itself ships: this module runs inside `.venv-rasa`, not the app environment.

Why: profiling the Rasa server under load (bench/load.py --profile) put ~30 % of its CPU in
`RemoteAction._validate_action_result`, which calls `jsonschema.validate` for every custom-action
response; that helper re-checks the (constant) schema against the JSON Schema meta-schema and
builds a new validator each time. Here the validator is built once. Same schema, same errors.
The SQLite tracker store gets a WAL journal, event classes are looked up once, and a tracker
store error fails the turn instead of answering it from an empty tracker (see below).
"""

from __future__ import annotations

import sys
from typing import Any


def _cache_action_response_validator() -> None:
    from jsonschema import ValidationError
    from jsonschema.validators import validator_for
    from rasa.core.actions import action as rasa_action
    from rasa.shared.constants import DOCS_BASE_URL

    spec = rasa_action.RemoteAction.action_response_format_spec()
    validator = validator_for(spec)(spec)

    def _validate_action_result(self: Any, result: dict[str, Any]) -> bool:
        try:
            validator.validate(result)
            return True
        except ValidationError as e:
            e.message += (
                ". Failed to validate Action server response from API, "
                "make sure your response from the Action endpoint is valid. "
                f"For more information about the format visit {DOCS_BASE_URL}/custom-actions"
            )
            raise e

    rasa_action.RemoteAction._validate_action_result = _validate_action_result


def _tune_sqlite_tracker_store() -> None:
    """WAL journal and synchronous=NORMAL for the embedded SQLite tracker store.

    The default (rollback journal, fsync on every commit) put ~6 % of Rasa's CPU in commits.
    With WAL, a committed turn still survives a crash of the Rasa process (the fault tests
    restart it mid-form); only an OS crash or power cut can lose the last turns. PostgreSQL
    (cluster mode) is untouched.
    """
    import sqlite3

    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    @event.listens_for(Engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        if isinstance(dbapi_connection, sqlite3.Connection):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA busy_timeout=5000")
            cursor.close()


def _cache_event_subclasses() -> None:
    """Rasa looks up the class of every stored event by walking all subclasses of `Event`
    anew (`all_subclasses`), for every event of every tracker it loads: 6.8 % of its CPU under
    load. The classes are fixed once imported; the walk is redone if a direct subclass appears."""
    from rasa.shared.utils import common

    original = common.all_subclasses
    memo: dict[Any, tuple[tuple[Any, ...], list[Any]]] = {}

    def all_subclasses(cls: Any) -> list[Any]:
        direct = tuple(cls.__subclasses__())
        known = memo.get(cls)
        if known is None or known[0] != direct:
            known = (direct, original(cls))
            memo[cls] = known
        return list(known[1])

    common.all_subclasses = all_subclasses


def _strict_tracker_store() -> None:
    """No turn is handled from a tracker Rasa could not read, and none is kept only in memory.

    Rasa wraps every tracker store in `FailSafeTrackerStore`: when the database is unreachable it
    answers the turn from a new, empty tracker and keeps the result in process memory. During a
    PostgreSQL restart that threw away a citizen's half-filled complaint form (the bot greeted
    them as a stranger) and the memory copy vanished with the next turn. Here the error reaches
    the REST channel instead (`citybot.rasa_channel` answers 503), the gateway says "sibuk", and
    the same message is handled again once the database is back.
    """
    from rasa.core.tracker_store import FailSafeTrackerStore

    async def retrieve(self: Any, sender_id: str) -> Any:
        return await self._tracker_store.retrieve(sender_id)

    async def retrieve_full_tracker(self: Any, sender_id: str) -> Any:
        return await self._tracker_store.retrieve_full_tracker(sender_id)

    async def save(self: Any, tracker: Any) -> None:
        await self._tracker_store.save(tracker)

    FailSafeTrackerStore.retrieve = retrieve
    FailSafeTrackerStore.retrieve_full_tracker = retrieve_full_tracker
    FailSafeTrackerStore.save = save


def _require_city_profile() -> None:
    """The city profile is validated by the app environment (this one has no pydantic 2); a
    broken profile stops Rasa too, with the same reasons as every other process."""
    import subprocess
    from pathlib import Path

    app_python = Path(__file__).resolve().parent.parent / ".venv" / "bin" / "python"
    if not app_python.exists():
        return
    check = subprocess.run(
        [str(app_python), "-m", "citybot.cli", "check-profile"], stdout=subprocess.DEVNULL, check=False
    )
    if check.returncode != 0:
        print("rasa: cannot start: the city profile is broken (see above)", file=sys.stderr)
        raise SystemExit(2)


def main() -> None:
    _require_city_profile()
    patches = (
        _cache_action_response_validator,
        _tune_sqlite_tracker_store,
        _cache_event_subclasses,
        _strict_tracker_store,
    )
    for patch in patches:
        try:
            patch()
        except Exception as exc:  # a Rasa upgrade moved things: run unpatched rather than not at all
            print(f"rasa_boot: {patch.__name__} not applied ({type(exc).__name__}: {exc})", file=sys.stderr)
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *sys.argv[1:]]
    rasa_main()


if __name__ == "__main__":
    main()
