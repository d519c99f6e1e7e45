"""Web client ids: random tokens the gateway issues and signs, never names a browser picks.

A web citizen's identity (inbox, data rights, per-sender limits) is this token, so it must be
unguessable and of our making: 16 random bytes plus a keyed MAC over them, 64 hex characters.
The MAC makes it checkable by any gateway process without a database. It travels in the
`X-Client-Id` header or the HttpOnly cookie set with it, never in a URL (URLs end up in access
logs, browser history and Referer headers).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from fastapi import HTTPException, Request

HEADER = "X-Client-Id"
COOKIE = "ak_client"
_FORMAT = re.compile(r"[0-9a-f]{64}")


def _mac(key: str, nonce: str) -> str:
    derived = hashlib.sha256(("web-client-id:" + key).encode()).digest()
    return hmac.new(derived, nonce.encode(), hashlib.sha256).hexdigest()[:32]


def issue(key: str) -> str:
    if not key:
        raise ValueError("SENDER_ID_KEY is not set; run `make` once or set it in .env")
    nonce = secrets.token_hex(16)
    return nonce + _mac(key, nonce)


def valid(key: str, token: str) -> bool:
    if not key or not _FORMAT.fullmatch(token):
        return False
    return hmac.compare_digest(token[32:], _mac(key, token[:32]))


def presented(request: Request) -> str:
    return request.headers.get(HEADER) or request.cookies.get(COOKIE) or ""


def require(request: Request) -> str:
    """FastAPI dependency: the caller's web client id, or a clear 401 saying how to get one."""
    token = presented(request)
    if not token:
        raise HTTPException(
            status_code=401,
            detail=f"web client id missing: get one from POST /api/session and send it in the {HEADER} header",
        )
    if not valid(request.app.state.settings.sender_id_key, token):
        raise HTTPException(
            status_code=401,
            detail="web client id not issued by this server: get a new one from POST /api/session",
        )
    return token
