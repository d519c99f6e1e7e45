"""Real web client ids for tests and benches, obtained from the gateway as the widget does.

Tests name their citizens ("sec-a-1f2e", "warga-7"); `client_id` turns such a name into an id
the gateway issued (`POST /api/session`), the same one every time for the same name and gateway,
so a test can keep talking about "citizen A" while the gateway sees a real token.
"""

from __future__ import annotations

import threading

import httpx

HEADER = "X-Client-Id"
_issued: dict[tuple[str, str], str] = {}
_lock = threading.Lock()


def new_client_id(base_url: str, headers: dict[str, str] | None = None) -> str:
    response = httpx.post(f"{base_url.rstrip('/')}/api/session", headers=headers, timeout=30)
    assert response.status_code == 200, f"{response.status_code}: {response.text[:300]}"
    token = response.json()["client_id"]
    assert isinstance(token, str)
    return token


def client_id(base_url: str, name: str) -> str:
    """The gateway-issued id standing for the test's citizen `name` on this gateway."""
    key = (base_url.rstrip("/"), name)
    with _lock:
        token = _issued.get(key)
    if token is None:
        token = new_client_id(base_url)
        with _lock:
            token = _issued.setdefault(key, token)
    return token


def forget(base_url: str, name: str) -> None:
    """Drop a cached id (a new gateway on a reused port does not know the old one)."""
    with _lock:
        _issued.pop((base_url.rstrip("/"), name), None)


def headers_for(base_url: str, name: str) -> dict[str, str]:
    return {HEADER: client_id(base_url, name)}


async def aclient_id(http: httpx.AsyncClient, base_url: str, name: str) -> str:
    """`client_id` for async callers (benches driving many citizens at once)."""
    key = (base_url.rstrip("/"), name)
    with _lock:
        token = _issued.get(key)
    if token is None:
        # Not through `http`: its cookie jar is shared by every simulated citizen, and the
        # gateway hands back the id a presented cookie names, so all would become one citizen.
        async with httpx.AsyncClient(timeout=30) as fresh:
            response = await fresh.post(f"{base_url.rstrip('/')}/api/session")
        assert response.status_code == 200, f"{response.status_code}: {response.text[:300]}"
        with _lock:
            token = _issued.setdefault(key, str(response.json()["client_id"]))
    return token
