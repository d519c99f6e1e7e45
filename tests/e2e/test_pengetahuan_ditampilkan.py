"""An answered question is counted for its document in the city backend (editors' "most shown"),
through the real gateway, Rasa, action server and backend."""

from __future__ import annotations

import time
import uuid

import httpx
import pytest

from tests.stack import Stack, say, text_of

pytestmark = pytest.mark.e2e
DOC = "administrasi-skck"


def shown_count(stack: Stack, doc_id: str) -> int:
    response = httpx.get(
        f"{stack.backend_url}/api/v1/knowledge/shown",
        params={"days": 30, "limit": 500},
        headers={"X-API-Key": stack.env["BACKEND_API_KEY"]},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return next((i["count"] for i in response.json()["items"] if i["doc_id"] == doc_id), 0)


def test_answered_question_increments_the_documents_shown_count(stack: Stack) -> None:
    before = shown_count(stack, DOC)
    text = text_of(say(stack, f"kd-{uuid.uuid4()}", "syarat bikin SKCK apa aja?"))
    assert "Surat Keterangan Catatan Kepolisian (SKCK)" in text, text
    deadline = time.monotonic() + 15  # recorded in the background, after the answer went out
    while shown_count(stack, DOC) <= before and time.monotonic() < deadline:
        time.sleep(0.2)
    assert shown_count(stack, DOC) >= before + 1
