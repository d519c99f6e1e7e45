"""Access to the real PostgreSQL and Redis services for tests, and the rule for any missing
prerequisite (a service, a built index, a system tool).

On a developer's machine without it, a test skips with the reason; under CI=true a missing
prerequisite is a failure, because CI runs on a machine that is supposed to have it.
"""

from __future__ import annotations

import os
import socket
import uuid
from typing import NoReturn

import pytest

POSTGRES_HOST = os.environ.get("TEST_POSTGRES_HOST", "127.0.0.1")
POSTGRES_PORT = int(os.environ.get("TEST_POSTGRES_PORT", "5432"))
POSTGRES_USER = os.environ.get("TEST_POSTGRES_USER", "postgres")
REDIS_HOST = os.environ.get("TEST_REDIS_HOST", "127.0.0.1")
REDIS_PORT = int(os.environ.get("TEST_REDIS_PORT", "6379"))


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1.0):
            return True
    except OSError:
        return False


def missing_prerequisite(message: str) -> NoReturn:
    """Skip with `message` on a developer's machine; fail under CI=true."""
    if in_ci():
        pytest.fail(f"{message} (CI=true: a missing prerequisite is a failure)")
    pytest.skip(message)


def _missing(what: str) -> NoReturn:
    missing_prerequisite(f"{what} is not reachable; start it to run this test")


def postgres_admin_url() -> str:
    return f"postgresql+psycopg://{POSTGRES_USER}@{POSTGRES_HOST}:{POSTGRES_PORT}/test"


def require_postgres() -> str:
    """Create a fresh throwaway database and return its SQLAlchemy URL."""
    if not _reachable(POSTGRES_HOST, POSTGRES_PORT):
        _missing(f"PostgreSQL at {POSTGRES_HOST}:{POSTGRES_PORT}")
    import psycopg

    name = f"citybot_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(
        host=POSTGRES_HOST, port=POSTGRES_PORT, user=POSTGRES_USER, dbname="test", autocommit=True
    ) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"postgresql+psycopg://{POSTGRES_USER}@{POSTGRES_HOST}:{POSTGRES_PORT}/{name}"


def drop_postgres(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(
        host=POSTGRES_HOST, port=POSTGRES_PORT, user=POSTGRES_USER, dbname="test", autocommit=True
    ) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def require_redis() -> str:
    if not _reachable(REDIS_HOST, REDIS_PORT):
        _missing(f"Redis at {REDIS_HOST}:{REDIS_PORT}")
    return f"redis://{REDIS_HOST}:{REDIS_PORT}/0"


def require_tool(name: str, provided_by: str) -> str:
    """The path of a command-line tool the test needs (fails under CI, skips elsewhere)."""
    import shutil

    path = shutil.which(name)
    if path is None:
        missing_prerequisite(f"{name} is not installed ({provided_by}); install it to run this test")
    return path
