"""Writes the Rasa endpoints file from settings, so one `.env` drives every process."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import yaml

from citybot.settings import Settings


def tracker_store_config(url: str, var_dir: Path) -> dict[str, Any]:
    """Rasa's SQLTrackerStore wants dialect/host/db parts, not a URL."""
    if not url:
        return {"type": "SQL", "dialect": "sqlite", "db": str(var_dir / "rasa_tracker.db")}
    parsed = urlparse(url)
    dialect = parsed.scheme.split("+")[0]
    if dialect == "sqlite":
        # sqlite:///relative/path and sqlite:////absolute/path, as SQLAlchemy reads them
        return {"type": "SQL", "dialect": "sqlite", "db": url.split(":///", 1)[1]}
    if dialect not in {"postgresql", "postgres"}:
        raise ValueError(f"TRACKER_STORE_URL: unsupported database {dialect!r} (sqlite or postgresql)")
    config: dict[str, Any] = {
        "type": "SQL",
        "dialect": "postgresql",
        "url": parsed.hostname or "127.0.0.1",
        "port": parsed.port or 5432,
        "db": parsed.path.lstrip("/"),
        "login_db": "postgres",
    }
    if parsed.username:
        config["username"] = parsed.username
    if parsed.password:
        config["password"] = parsed.password
    return config


def lock_store_config(redis_url: str) -> dict[str, Any] | None:
    if not redis_url:
        return None
    parsed = urlparse(redis_url)
    config: dict[str, Any] = {
        "type": "redis",
        "url": parsed.hostname or "127.0.0.1",
        "port": parsed.port or 6379,
        "db": int(parsed.path.lstrip("/") or 0),
        "key_prefix": "asistenkota",  # Rasa accepts only letters and digits here
    }
    if parsed.password:
        config["password"] = parsed.password
    return config


def endpoints(settings: Settings) -> dict[str, Any]:
    config: dict[str, Any] = {
        "action_endpoint": {"url": settings.action_server_url},
        "tracker_store": tracker_store_config(settings.tracker_store_url, settings.var_dir),
    }
    lock = lock_store_config(settings.redis_url) if settings.rasa_lock_store == "redis" else None
    if lock:
        config["lock_store"] = lock
    return config


def write_endpoints(settings: Settings, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(endpoints(settings), sort_keys=False), encoding="utf-8")
    return path
