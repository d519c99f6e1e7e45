"""HMAC signatures for internal calls between our own processes (backend, actions, gateway), and
the body-only check platforms such as WhatsApp use.

Internal header: `X-Citybot-Signature: t=<unix seconds>,v1=<hex>` where `v1` is HMAC-SHA256 over
`t`, the HTTP method, the path (with its query) and the raw body. A captured request therefore
cannot be replayed after `MAX_AGE_SECONDS`, nor sent to another endpoint or with another method.
Every signer and verifier of our own calls goes through `sign`/`verify` here.
"""

from __future__ import annotations

import hashlib
import hmac
import time

SIGNATURE_HEADER = "X-Citybot-Signature"
MAX_AGE_SECONDS = 300
# Clocks of two processes on different hosts drift a little; a signature from slightly in the
# future is still honest, one far in the future would extend its own lifetime.
MAX_CLOCK_SKEW_SECONDS = 30


def _require(secret: str) -> bytes:
    if not secret:
        raise ValueError("NOTIFY_SECRET is not set; run `make` once or set it in .env")
    return secret.encode()


def _mac(secret: str, timestamp: int, method: str, path: str, body: bytes) -> str:
    head = f"{timestamp}\n{method.upper()}\n{path}\n".encode()
    return hmac.new(_require(secret), head + body, hashlib.sha256).hexdigest()


def sign(secret: str, method: str, path: str, body: bytes, *, timestamp: int | None = None) -> str:
    """The header value for one request; `path` is what the server sees (`/internal/notify`)."""
    ts = int(time.time()) if timestamp is None else timestamp
    return f"t={ts},v1={_mac(secret, ts, method, path, body)}"


def headers(secret: str, method: str, path: str, body: bytes) -> dict[str, str]:
    return {"Content-Type": "application/json", SIGNATURE_HEADER: sign(secret, method, path, body)}


def _parse(header: str) -> tuple[int, str] | None:
    fields: dict[str, str] = {}
    for part in header.split(","):
        key, sep, value = part.strip().partition("=")
        if not sep or key in fields:
            return None
        fields[key] = value
    if set(fields) != {"t", "v1"} or not fields["t"].isdigit() or len(fields["t"]) > 12:
        return None
    return int(fields["t"]), fields["v1"]


def verify(secret: str, method: str, path: str, body: bytes, header: str | None, *, now: float | None = None) -> bool:
    """Constant-time check; False for a missing, malformed, expired, future or foreign signature."""
    if not secret or not header:
        return False
    parsed = _parse(header)
    if parsed is None:
        return False
    timestamp, given = parsed
    age = (time.time() if now is None else now) - timestamp
    if age > MAX_AGE_SECONDS or age < -MAX_CLOCK_SKEW_SECONDS:
        return False
    return hmac.compare_digest(_mac(secret, timestamp, method, path, body).encode(), given.encode())


def body_signature(secret: str, body: bytes) -> str:
    """`sha256=<hex>` over the raw body: the format Meta (WhatsApp Cloud API) uses."""
    return "sha256=" + hmac.new(_require(secret), body, hashlib.sha256).hexdigest()


def verify_body(secret: str, body: bytes, header: str | None) -> bool:
    """For platform webhooks that sign only the body (no method, path or time in their scheme)."""
    if not secret or not header or not header.startswith("sha256="):
        return False
    return hmac.compare_digest(body_signature(secret, body).encode(), header.encode())
