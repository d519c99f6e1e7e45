from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

# The gateway fixtures (a real gateway over HTTP with a Rasa stand-in) serve these tests too.
from tests.gateway.conftest import fake_rasa, gateway, gateway_factory  # noqa: F401
from tests.services import drop_postgres, require_postgres


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh database of each kind the processes run on: a SQLite file, then a throwaway
    PostgreSQL database (dropped afterwards)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'database.db'}"
        return
    url = require_postgres()
    try:
        yield url
    finally:
        drop_postgres(url)
