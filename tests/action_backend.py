"""A real city backend on a local port for tests that call actions directly.

The action code finds it the way the action server does, through its settings (environment).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from citybot.backend.app import create_app as create_backend
from citybot.backend.db import Database
from citybot.backend.migrate import upgrade as migrate_backend
from citybot.backend.seed import seed
from citybot.settings import get_settings
from tests.gateway.servers import free_port, serve


@pytest.fixture
def backend_for_actions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    """A real backend on a port; the action code finds it through its settings (environment)."""
    url = f"sqlite:///{tmp_path / 'backend.db'}"
    port = free_port()
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("BACKEND_URL", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("BACKEND_API_KEY", "k-actions-123")
    get_settings.cache_clear()
    settings = get_settings()
    migrate_backend(url)
    db = Database.connect(url)
    seed(db, settings, slot_days=1)
    try:
        with serve(create_backend(settings, db=db), port):
            yield db
    finally:
        db.dispose()
        get_settings.cache_clear()
