"""Backups and restores of the backend and gateway databases (`python -m citybot.cli backup`).

SQLite: the online backup API copies a consistent snapshot while the processes keep writing,
and restores the same way into the live file (open connections see the restored data).
PostgreSQL: `pg_dump --format=custom` and `pg_restore --clean --if-exists`, which must be on PATH
(same major version as the server or newer); the URL's credentials go through the libpq URI.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import time
from pathlib import Path

from sqlalchemy.engine import make_url

from citybot.settings import Settings


class BackupError(Exception):
    """The backup or restore could not run; the message says why and what to do."""


def database_urls(settings: Settings) -> dict[str, str]:
    return {"backend": settings.database_url, "gateway": settings.gateway_database_url}


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError(f"{url}: an in-memory SQLite database cannot be backed up")
    return Path(database)


def _libpq_uri(url: str) -> str:
    # pg_dump speaks libpq, which knows `postgresql://` but not SQLAlchemy's `+driver`.
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not on PATH: install the PostgreSQL client tools (e.g. postgresql-client)")
    return path


def _run(command: list[str]) -> None:
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {result.stderr.strip()[-500:]}")


def backup(url: str, out: Path) -> float:
    """Write a backup of `url` to `out`; returns the seconds it took."""
    started = time.monotonic()
    out.parent.mkdir(parents=True, exist_ok=True)
    backend = make_url(url).get_backend_name()
    if backend == "sqlite":
        source = _sqlite_path(url)
        if not source.exists():
            raise BackupError(f"{source} does not exist")
        partial = out.with_name(out.name + ".partial")
        with sqlite3.connect(source) as src, sqlite3.connect(partial) as dst:
            src.backup(dst)
        src.close()
        dst.close()
        partial.replace(out)  # a crash mid-backup never leaves a half file under the real name
    elif backend == "postgresql":
        _run([pg_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={out}", f"--dbname={_libpq_uri(url)}"])
    else:
        raise BackupError(f"backups of {backend} databases are not supported")
    return time.monotonic() - started


def restore(url: str, source: Path) -> float:
    """Replace the contents of `url` with the backup in `source`; returns the seconds it took."""
    if not source.is_file():
        raise BackupError(f"{source} is not a backup file")
    started = time.monotonic()
    backend = make_url(url).get_backend_name()
    if backend == "sqlite":
        target = _sqlite_path(url)
        target.parent.mkdir(parents=True, exist_ok=True)
        with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
            src.backup(dst)
        src.close()
        dst.close()
    elif backend == "postgresql":
        _run([pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction",
              f"--dbname={_libpq_uri(url)}", str(source)])
    else:
        raise BackupError(f"restores of {backend} databases are not supported")
    return time.monotonic() - started
