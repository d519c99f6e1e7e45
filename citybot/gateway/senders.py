"""Platform ids become opaque Rasa sender ids, so no phone number ever reaches Rasa."""

from __future__ import annotations

import hashlib
import hmac


def sender_id(key: str, channel: str, platform_id: str) -> str:
    if not key:
        raise ValueError("SENDER_ID_KEY is not set; run `make` once or set it in .env")
    mac = hmac.new(key.encode(), f"{channel}:{platform_id}".encode(), hashlib.sha256)
    return f"{channel}-{mac.hexdigest()[:32]}"
