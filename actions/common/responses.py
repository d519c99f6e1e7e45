"""Texts of domain responses, for actions that build one message out of several parts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class MissingResponse(KeyError):
    """The domain has no text variant for a response key an action needs."""

    def __init__(self, key: str) -> None:
        super().__init__(f"response {key!r} has no text in the domain (bot/domain/*.yml)")
        self.key = key


def optional_text(domain: Mapping[str, Any], key: str, **values: Any) -> str | None:
    """The first text variant of `key` filled with `values`, or None when the domain has none.

    For responses that exist only for some choices (a button title per intent).
    """
    variants = domain.get("responses", {}).get(key) or []
    for variant in variants:
        if isinstance(variant, dict) and variant.get("text"):
            text = str(variant["text"])
            return text.format(**values) if values else text
    return None


def response_text(domain: Mapping[str, Any], key: str, **values: Any) -> str:
    """The first text variant of `key` filled with `values`.

    Used only to build parts of a larger message (a list line, a button title, a prefilled
    WhatsApp text), so the wording still lives in the domain. A missing key is a broken domain,
    not a citizen's mistake: it raises `MissingResponse` naming the key.
    """
    text = optional_text(domain, key, **values)
    if text is None:
        raise MissingResponse(key)
    return text
