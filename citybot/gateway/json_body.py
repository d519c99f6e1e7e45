"""A request body that must be one JSON object (webhooks, signed internal calls)."""

from __future__ import annotations

import json
from typing import Any

from fastapi import HTTPException


def json_object(body: bytes, status_code: int, not_object: str) -> dict[str, Any]:
    """The body as a JSON object, or the HTTP error the sender gets (`status_code`, with
    "invalid JSON" or `not_object` as the detail)."""
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise HTTPException(status_code=status_code, detail="invalid JSON") from exc
    if not isinstance(data, dict):
        raise HTTPException(status_code=status_code, detail=not_object)
    return data
