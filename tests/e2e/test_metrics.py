"""Prometheus metrics on the real processes: after a few conversations the counters move."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from citybot.nlu.emergency_patterns import FIRE
from tests.stack import Stack, say

pytestmark = pytest.mark.e2e

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def scrape(url: str) -> Samples:
    response = httpx.get(f"{url}/metrics", timeout=30)
    assert response.status_code == 200, response.text[:300]
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def total(samples: Samples, name: str, match: Callable[[dict[str, str]], bool] = lambda _: True) -> float:
    return sum(v for (n, labels), v in samples.items() if n == name and match(dict(labels)))


def actions_url(stack: Stack) -> str:
    return f"http://127.0.0.1:{stack.env['ACTION_SERVER_PORT']}"


def test_counters_move_after_a_few_messages(stack: Stack) -> None:
    before = {
        "gateway": scrape(stack.gateway_url),
        "backend": scrape(stack.backend_url),
        "actions": scrape(actions_url(stack)),
    }
    client = f"metrics-{uuid.uuid4()}"
    say(stack, client, "halo")
    say(stack, client, "syarat PBG apa saja?")
    say(stack, f"metrics-{uuid.uuid4()}", "kebakaran!! nomor damkar berapa")
    created = httpx.post(
        f"{stack.backend_url}/open311/v2/requests.json",
        data={"api_key": stack.env["BACKEND_API_KEY"], "service_code": "sampah", "address_string": "Jl. Metrik 1"},
        timeout=30,
    )
    assert created.status_code == 201, created.text
    after = {
        "gateway": scrape(stack.gateway_url),
        "backend": scrape(stack.backend_url),
        "actions": scrape(actions_url(stack)),
    }

    def moved(process: str, name: str, match: Callable[[dict[str, str]], bool] = lambda _: True) -> float:
        return total(after[process], name, match) - total(before[process], name, match)

    assert moved("gateway", "citybot_messages_total", lambda lb: lb["channel"] == "web") >= 3
    messages_route = moved(
        "gateway", "citybot_http_request_duration_seconds_count", lambda lb: lb["route"] == "/api/messages"
    )
    assert messages_route >= 3
    assert moved("actions", "citybot_intents_total") >= 2  # one per message, whatever actions ran
    assert moved("actions", "citybot_emergencies_total", lambda lb: lb["type"] == FIRE) == 1
    assert moved("actions", "citybot_retrieval_confidence_count") >= 1
    assert moved("actions", "citybot_http_request_duration_seconds_count", lambda lb: lb["route"] == "/webhook") >= 3
    assert (
        moved(
            "backend",
            "citybot_http_request_duration_seconds_count",
            lambda lb: lb["route"] == "/open311/v2/requests.json" and lb["method"] == "POST" and lb["status"] == "201",
        )
        == 1
    )
    # Queue depths and ages come from the databases at scrape time.
    assert any(n == "citybot_queue_depth" and ("queue", "backend_notify_outbox") in lb for n, lb in after["backend"])
    assert any(n == "citybot_queue_depth" and ("queue", "gateway_agent_queue") in lb for n, lb in after["gateway"])
    assert total(after["gateway"], "citybot_queue_oldest_age_seconds") >= 0
