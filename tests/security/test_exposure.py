"""Only the gateway faces the network: Rasa and the action server listen on 127.0.0.1 only,
and Rasa's HTTP API (trackers, model, parse) is not served at all."""

from __future__ import annotations

import httpx
import pytest

from tests.reliability.harness import listening_addresses, pid_of
from tests.stack import Stack

pytestmark = pytest.mark.e2e
LOOPBACK = {"127.0.0.1", "::1"}


@pytest.mark.parametrize("name", ["rasa", "actions", "backend"])
def test_internal_process_listens_on_loopback_only(sec_stack: Stack, name: str) -> None:
    addresses = listening_addresses(pid_of(sec_stack, name))
    assert addresses, f"{name} holds no listening socket (is /proc readable?)"
    exposed = {(host, port) for host, port in addresses if host not in LOOPBACK}
    assert not exposed, f"{name} listens beyond loopback: {sorted(exposed)}"


def test_rasa_port_is_the_one_the_gateway_uses(sec_stack: Stack) -> None:
    ports = {port for _, port in listening_addresses(pid_of(sec_stack, "rasa"))}
    assert int(sec_stack.env["RASA_PORT"]) in ports


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/conversations/someone/tracker"),
        ("POST", "/conversations/someone/tracker/events"),
        ("POST", "/conversations/someone/trigger_intent"),
        ("GET", "/status"),
        ("POST", "/model/parse"),
        ("PUT", "/model"),
        ("GET", "/domain"),
    ],
)
def test_rasa_http_api_is_off(sec_stack: Stack, method: str, path: str) -> None:
    base = f"http://127.0.0.1:{sec_stack.env['RASA_PORT']}"
    response = httpx.request(method, base + path, json={"text": "halo"}, timeout=10)
    assert response.status_code in {404, 405, 401, 403}, (path, response.status_code, response.text[:200])
    # The REST channel itself stays available to the gateway.
    assert httpx.get(f"{base}/webhooks/rest/", timeout=10).status_code == 200


def test_action_server_answers_only_its_webhook(sec_stack: Stack) -> None:
    base = f"http://127.0.0.1:{sec_stack.env['ACTION_SERVER_PORT']}"
    assert httpx.get(f"{base}/health", timeout=10).status_code == 200
    response = httpx.get(f"{base}/conversations/x/tracker", timeout=10)
    assert response.status_code >= 400 and "events" not in response.text
