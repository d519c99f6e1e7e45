"""Faults on the single-machine stack (SQLite): a crashed action server, a 30-second backend
outage, a restarted Rasa server. Complaints are neither lost nor filed twice, and a form
resumes at the step where it stopped."""

from __future__ import annotations

import threading
import time
import uuid

import httpx
import pytest

from tests.reliability.complaint_flow import (
    QUEUED,
    TICKET,
    complaints_of,
    complaints_with,
    form_steps,
    submit,
    take,
    via_gateway,
    wait_for_ticket_push,
)
from tests.reliability.conftest import ensure_running, kill
from tests.reliability.harness import all_text, say
from tests.stack import Stack
from tests.webclient import headers_for

pytestmark = pytest.mark.e2e


def new_citizen(stack: Stack) -> tuple[str, str]:
    client = f"rel-{uuid.uuid4()}"
    say(stack, client, "halo")
    return client, f"Lubang besar sedalam 20 cm di lajur kiri, laporan uji {client[-8:]}"


def test_action_server_killed_mid_form_then_restarted_resumes_the_form(sqlite_stack: Stack) -> None:
    stack = sqlite_stack
    client, description = new_citizen(stack)
    send = via_gateway(stack, client)
    steps = form_steps(description, sqlite_stack.gateway_url)
    take(send, steps[0])
    take(send, steps[1])  # now asking for the description

    kill(stack, "actions")
    try:
        # The answer given while the action server is down gets a reply, not an error page.
        response = httpx.post(
            f"{stack.gateway_url}/api/messages",
            json={"text": description},
            headers=headers_for(stack.gateway_url, client),
            timeout=90,
        )
        assert response.status_code == 200 or response.status_code == 503, response.text
    finally:
        ensure_running(stack, "actions")

    # The form is still at the same question (or already took the answer): it goes on from there.
    text = all_text(say(stack, client, "lanjut"))
    if steps[2].expect not in text:
        text = send(steps[2])
    assert steps[2].expect in text, text
    for step in steps[3:]:
        take(send, step)
    reply = submit(stack, client)
    found = TICKET.search(reply)
    assert found, reply
    assert [c["ticket"] for c in complaints_of(stack, client)] == [found.group(1)]


def test_action_server_killed_during_submission_files_exactly_once(sqlite_stack: Stack) -> None:
    stack = sqlite_stack
    client, description = new_citizen(stack)
    send = via_gateway(stack, client)
    for step in form_steps(description, sqlite_stack.gateway_url):
        take(send, step)

    answers: list[int] = []

    def tap_send() -> None:
        try:
            answers.append(
                httpx.post(
                    f"{stack.gateway_url}/api/messages",
                    json={"payload": "/kirim_pengaduan"},
                    headers=headers_for(stack.gateway_url, client),
                    timeout=90,
                ).status_code
            )
        except httpx.HTTPError:
            answers.append(-1)

    tapping = threading.Thread(target=tap_send)
    tapping.start()
    time.sleep(0.15)  # inside the submission: Rasa is calling the action, the action the backend
    kill(stack, "actions")
    tapping.join(timeout=120)
    ensure_running(stack, "actions")
    assert answers and 0 < answers[0] and (answers[0] < 500 or answers[0] == 503), answers

    # The citizen taps "Kirim" again: the same idempotency key files nothing new.
    reply = submit(stack, client)
    if not TICKET.search(reply):
        # The form may have been closed by the first, half-finished submission; ask for status.
        reply = all_text(say(stack, client, "laporan saya gimana?"))
    filed = complaints_with(stack, description)
    assert len(filed) == 1, f"{len(filed)} complaints filed for one submission"
    assert filed[0]["service_request_id"] in reply, reply


def test_backend_down_30s_while_citizens_submit_each_complaint_delivered_once(sqlite_stack: Stack) -> None:
    stack = sqlite_stack
    citizens = [new_citizen(stack) for _ in range(3)]
    for client, description in citizens:
        send = via_gateway(stack, client)
        for step in form_steps(description, sqlite_stack.gateway_url):
            take(send, step)

    stack.stop("backend")
    down_at = time.monotonic()
    try:
        for client, _ in citizens:
            reply = submit(stack, client)
            assert QUEUED in reply, reply
            assert not TICKET.search(reply)
        time.sleep(max(0.0, 30 - (time.monotonic() - down_at)))
    finally:
        stack.start("backend")

    tickets = {client: wait_for_ticket_push(stack, client, timeout=150) for client, _ in citizens}
    assert len(set(tickets.values())) == len(citizens)
    time.sleep(3)  # later retries of the delivery worker must not file again
    for client, description in citizens:
        filed = complaints_with(stack, description)
        assert [c["service_request_id"] for c in filed] == [tickets[client]]


def test_queued_complaint_still_delivered_when_the_action_server_restarts_meanwhile(sqlite_stack: Stack) -> None:
    """The durable client outbox survives an action-server crash: nobody has to chat again."""
    stack = sqlite_stack
    client, description = new_citizen(stack)
    send = via_gateway(stack, client)
    for step in form_steps(description, sqlite_stack.gateway_url):
        take(send, step)
    stack.stop("backend")
    try:
        assert QUEUED in submit(stack, client)
        kill(stack, "actions")
        stack.start("actions")
    finally:
        ensure_running(stack, "backend")
    ticket = wait_for_ticket_push(stack, client, timeout=150)
    assert [c["service_request_id"] for c in complaints_with(stack, description)] == [ticket]


def test_rasa_restarted_mid_form_resumes_at_the_same_step(sqlite_stack: Stack) -> None:
    stack = sqlite_stack
    client, description = new_citizen(stack)
    send = via_gateway(stack, client)
    steps = form_steps(description, sqlite_stack.gateway_url)
    take(send, steps[0])
    take(send, steps[1])

    stack.stop("rasa")
    try:
        busy = httpx.post(
            f"{stack.gateway_url}/api/messages",
            json={"text": "halo?"},
            headers=headers_for(stack.gateway_url, client),
            timeout=30,
        )
        assert busy.status_code == 503 and "sibuk" in busy.text  # a polite "try again", nothing lost
    finally:
        stack.start("rasa", timeout=900)

    for step in steps[2:]:
        take(send, step)
    reply = submit(stack, client)
    found = TICKET.search(reply)
    assert found, reply
    assert [c["ticket"] for c in complaints_of(stack, client)] == [found.group(1)]
