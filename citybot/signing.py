"""HMAC signatures for internal calls between our own processes (backend, actions, gateway)."""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "X-Citybot-Signature"


def sign(body: bytes, secret: str) -> str:
    if not secret:
        raise ValueError("NOTIFY_SECRET is not set; run `make` once or set it in .env")
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(body: bytes, secret: str, header: str | None) -> bool:
    """Constant-time check of `sha256=<hex>` over the raw body."""
    if not secret or not header or not header.startswith("sha256="):
        return False
    return hmac.compare_digest(sign(body, secret), header)
