"""The running processes log JSON lines an operator can follow by request and conversation id."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
import pytest

from tests.stack import Stack
from tests.webclient import headers_for

pytestmark = pytest.mark.e2e


def records(stack: Stack, process: str) -> list[dict[str, Any]]:
    lines = (stack.var_dir / "logs" / f"{process}.log").read_text(errors="replace").splitlines()
    return [json.loads(line) for line in lines if line.startswith("{")]


def test_a_message_is_followed_by_its_request_id_in_json_lines(stack: Stack) -> None:
    client = f"logs-{uuid.uuid4()}"
    request_id = f"uji-{uuid.uuid4().hex[:12]}"
    response = httpx.post(
        f"{stack.gateway_url}/api/messages",
        json={"text": "halo, nomor saya 0812-3456-7890"},
        headers={**headers_for(stack.gateway_url, client), "X-Request-ID": request_id},
        timeout=90,
    )
    assert response.status_code == 200 and response.headers["x-request-id"] == request_id
    gateway = records(stack, "gateway")
    assert gateway, "the gateway writes JSON lines"
    for record in gateway:
        assert {"time", "level", "process", "request_id", "conversation_id", "message"} <= record.keys()
        assert record["process"] == "gateway"
    mine = [r for r in gateway if r["request_id"] == request_id]
    assert any("/api/messages" in r["message"] for r in mine), mine  # uvicorn's access line
    assert all(r["conversation_id"] for r in mine if "/api/messages" in r["message"])
    actions = records(stack, "actions")
    assert actions and all(r["process"] == "actions" for r in actions)
    lines = (stack.var_dir / "logs" / "actions.log").read_text(errors="replace").splitlines()
    assert all(line.startswith("{") for line in lines if line.strip()), [x for x in lines if not x.startswith("{")][:3]
    assert all(r["process"] == "backend" for r in records(stack, "backend"))
    everything = "".join(
        (stack.var_dir / "logs" / f"{p}.log").read_text(errors="replace") for p in ("gateway", "actions", "backend")
    )
    assert "3456-7890" not in everything
