"""Readiness checks shared by the processes' `/ready` endpoints and `citybot.cli wait-ready`.

Liveness (`/health`) only says the process answers; readiness says it can do its work: its
database answers and is migrated, the servers it calls answer, the retrieval index is built.
Each check returns a short reason an operator can act on, or None when it passes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine, text

Reason = str | None


def database_reason(engine: Engine, migrations: Path | None = None) -> Reason:
    """The database answers and (given its Alembic folder) sits at the newest revision."""
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
            if migrations is None:
                return None
            from alembic.runtime.migration import MigrationContext
            from alembic.script import ScriptDirectory

            current = set(MigrationContext.configure(conn).get_current_heads())
    except Exception as exc:  # any driver error means "not ready", with its class as the reason
        return f"database unavailable ({type(exc).__name__})"
    heads = set(ScriptDirectory(str(migrations)).get_heads())
    if current != heads:
        return f"database not migrated (at {sorted(current) or 'none'}, expected {sorted(heads)})"
    return None


def http_reason(url: str, timeout: float = 2.0, client: httpx.Client | None = None) -> Reason:
    """The URL answers 2xx; a 404 or 5xx is not ready (a 404 once hid a wrong path)."""
    try:
        response = (client or httpx).get(url, timeout=timeout)
    except httpx.HTTPError as exc:
        return f"{url} not answering ({type(exc).__name__})"
    if response.status_code >= 300:
        detail = ""
        try:
            body = response.json()
            if isinstance(body, dict) and isinstance(body.get("checks"), dict):
                detail = ": " + "; ".join(f"{k}: {v}" for k, v in body["checks"].items() if v != "ok")
        except ValueError:
            pass
        return f"{url} answered {response.status_code}{detail}"
    return None


async def async_http_reason(client: httpx.AsyncClient, url: str) -> Reason:
    try:
        response = await client.get(url, timeout=2.0)
    except httpx.HTTPError as exc:
        return f"not answering ({type(exc).__name__})"
    return None if response.status_code < 300 else f"answered {response.status_code}"


def index_reason(index_dir: Path) -> Reason:
    """The retrieval index the action server loads exists (manifest and its build folder)."""
    from citybot.retrieval.index import read_manifest

    manifest = read_manifest(index_dir)
    if manifest is None:
        return f"no retrieval index in {index_dir} (run `make index`)"
    if not (index_dir / "builds" / str(manifest.get("build_id"))).is_dir():
        return f"retrieval index in {index_dir} names a missing build"
    return None


def action_server_reason(base_url: str, index_dir: Path, backend_ready_url: str) -> Reason:
    """rasa-sdk serves only `/health`, so its readiness is checked from outside: it answers, has
    registered our actions, can read the index and reach the backend it calls."""
    reason = http_reason(f"{base_url}/health")
    if reason:
        return reason
    try:
        actions = httpx.get(f"{base_url}/actions", timeout=2.0).json()
    except (httpx.HTTPError, ValueError) as exc:
        return f"action list unavailable ({type(exc).__name__})"
    if not actions:
        return "no actions registered (the actions package failed to import?)"
    return index_reason(index_dir) or http_reason(backend_ready_url)


def report(checks: dict[str, Reason]) -> tuple[int, dict[str, Any]]:
    """HTTP status and body of a `/ready` answer."""
    ready = all(reason is None for reason in checks.values())
    body = {
        "status": "ready" if ready else "not ready",
        "checks": {name: reason or "ok" for name, reason in checks.items()},
    }
    return (200 if ready else 503), body
