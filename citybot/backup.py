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
from collections.abc import Callable
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


def _sqlite_copy(source: Path, target: Path) -> None:
    """SQLite's online backup API: a consistent snapshot while other connections keep writing."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()


def _backup_sqlite(url: str, out: Path) -> None:
    source = _sqlite_path(url)
    if not source.exists():
        raise BackupError(f"{source} does not exist")
    partial = out.with_name(out.name + ".partial")
    _sqlite_copy(source, partial)
    partial.replace(out)  # a crash mid-backup never leaves a half file under the real name


def _backup_postgresql(url: str, out: Path) -> None:
    _run([pg_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={out}", f"--dbname={_libpq_uri(url)}"])


def _restore_sqlite(url: str, source: Path) -> None:
    target = _sqlite_path(url)
    target.parent.mkdir(parents=True, exist_ok=True)
    _sqlite_copy(source, target)


def _restore_postgresql(url: str, source: Path) -> None:
    _run(
        [
            pg_tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            f"--dbname={_libpq_uri(url)}",
            str(source),
        ]
    )


Step = Callable[[str, Path], None]
_STEPS: dict[str, dict[str, Step]] = {
    "backups": {"sqlite": _backup_sqlite, "postgresql": _backup_postgresql},
    "restores": {"sqlite": _restore_sqlite, "postgresql": _restore_postgresql},
}


def _timed(kind: str, url: str, path: Path) -> float:
    backend = make_url(url).get_backend_name()
    step = _STEPS[kind].get(backend)
    if step is None:
        raise BackupError(f"{kind} of {backend} databases are not supported")
    started = time.monotonic()
    step(url, path)
    return time.monotonic() - started


def backup(url: str, out: Path) -> float:
    """Write a backup of `url` to `out`; returns the seconds it took."""
    out.parent.mkdir(parents=True, exist_ok=True)
    return _timed("backups", url, out)


def restore(url: str, source: Path) -> float:
    """Replace the contents of `url` with the backup in `source`; returns the seconds it took."""
    if not source.is_file():
        raise BackupError(f"{source} is not a backup file")
    return _timed("restores", url, source)
