"""The replies one domain response becomes on the web channel, for tests that read replies
the way the benchmarks do: Rasa's REST channel sends a text without buttons as one message
per paragraph."""

from __future__ import annotations

from typing import Any


def sent(responses: dict[str, list[dict[str, Any]]], key: str, **values: str) -> list[dict[str, Any]]:
    """The replies of the response's first variant, with its placeholders filled from `values`."""
    variant = responses[key][0]
    text = str(variant["text"])
    for name, value in values.items():
        text = text.replace("{" + name + "}", value)
    if variant.get("buttons"):
        return [{"text": text, "buttons": variant["buttons"]}]
    return [{"text": part, "buttons": []} for part in text.strip().split("\n\n")]
