"""A self-chosen web identity must not bypass the limits.

Attacks on the real gateway process: make up a web `sender`, forge a well-formed client id, put
the id in a URL, rotate 30 fresh ids from one address, spoof X-Forwarded-For, and flood the
limiter with 100,000 distinct ids.
"""

from __future__ import annotations

import asyncio
import re
import tracemalloc
from pathlib import Path

import httpx

from citybot.gateway import texts
from citybot.gateway.throttle import BoundedMemoryStorage, Throttle
from citybot.settings import Settings
from tests.gateway.servers import FakeRasa
from tests.security.ingress import gateway_process, rasa_stand_in
from tests.stack import Stack
from tests.webclient import HEADER, new_client_id


def test_made_up_or_forged_web_ids_are_refused(gateway: Stack, rasa: tuple[FakeRasa, str]) -> None:
    url = gateway.gateway_url
    # The old way: any string as `sender` in the body.
    made_up = httpx.post(f"{url}/api/messages", json={"sender": "a", "text": "halo"}, timeout=10)
    assert made_up.status_code == 401
    assert "POST /api/session" in made_up.json()["detail"]
    # The same string in the header, and a token of the right shape that we never issued.
    for forged in ("a", "0" * 64, new_client_id(url)[:32] + "f" * 32):
        response = httpx.post(f"{url}/api/messages", json={"text": "halo"}, headers={HEADER: forged}, timeout=10)
        assert response.status_code == 401, forged
        assert "not issued by this server" in response.json()["detail"]
    # A real id in the URL does not count: ids stay out of URLs (and so out of access logs).
    real = new_client_id(url)
    assert httpx.get(f"{url}/api/messages/inbox", params={"sender": real}, timeout=10).status_code == 401
    assert rasa[0].received == [], "nothing refused reached Rasa"


def test_session_issues_a_fixed_format_secret_kept_out_of_urls_and_logs(gateway: Stack) -> None:
    url = gateway.gateway_url
    response = httpx.post(f"{url}/api/session", timeout=10)
    token = response.json()["client_id"]
    assert re.fullmatch(r"[0-9a-f]{64}", token)
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "Path=/api" in cookie and token in cookie
    assert response.headers["cache-control"] == "no-store"
    # Presenting it again gives the same id back (a reload keeps the conversation)...
    assert httpx.post(f"{url}/api/session", headers={HEADER: token}, timeout=10).json()["client_id"] == token
    # ...and the HttpOnly cookie alone identifies the client too (inbox, stream).
    assert httpx.get(f"{url}/api/messages/inbox", cookies={"ak_client": token}, timeout=10).status_code == 200
    said = httpx.post(f"{url}/api/messages", json={"text": "halo"}, headers={HEADER: token}, timeout=10)
    assert said.status_code == 200
    with httpx.stream("GET", f"{url}/api/messages/stream", headers={HEADER: token}, timeout=10) as stream:
        assert stream.status_code == 200
        assert next(stream.iter_lines()).startswith("retry:")
    log = (gateway.var_dir / "logs" / "gateway.log").read_text()
    assert "/api/messages/inbox" in log, "the access log is on"
    assert token not in log


def test_thirty_fresh_ids_from_one_address_are_limited(gateway: Stack, rasa: tuple[FakeRasa, str]) -> None:
    url = gateway.gateway_url
    ids = [new_client_id(url) for _ in range(30)]
    assert len(set(ids)) == 30
    responses = [
        httpx.post(f"{url}/api/messages", json={"text": f"halo {i}"}, headers={HEADER: cid}, timeout=10)
        for i, cid in enumerate(ids)
    ]
    codes = [r.status_code for r in responses]
    per_minute = Settings.model_fields["gateway_ip_messages_per_minute"].default
    assert codes[:per_minute] == [200] * per_minute
    assert codes[per_minute:] == [429] * (30 - per_minute)
    refused = responses[-1]
    assert refused.json()["replies"][0]["text"] == texts.NETWORK_BUSY
    assert refused.headers["retry-after"] == "60"
    assert len(rasa[0].received) == per_minute, "refused messages never reach Rasa"


def test_forwarded_for_is_believed_only_from_a_trusted_proxy(tmp_path: Path, rasa: tuple[FakeRasa, str]) -> None:
    # No proxy trusted: a client writing its own X-Forwarded-For still shares its real address's budget.
    with gateway_process(
        tmp_path / "direct", rasa[1], GATEWAY_TRUSTED_PROXIES="", GATEWAY_IP_MESSAGES_PER_MINUTE="5"
    ) as stack:
        cid = new_client_id(stack.gateway_url)
        codes = [
            httpx.post(
                f"{stack.gateway_url}/api/messages",
                json={"text": "halo"},
                timeout=10,
                headers={HEADER: cid, "X-Forwarded-For": f"203.0.113.{i}"},
            ).status_code
            for i in range(8)
        ]
        assert codes == [200] * 5 + [429] * 3
    # Behind a trusted proxy (here on loopback) each real client has its own budget, and a hop the
    # client prepended itself is ignored: the address the proxy appended is the client.
    with gateway_process(
        tmp_path / "proxied",
        rasa[1],
        GATEWAY_TRUSTED_PROXIES="127.0.0.1/32",
        GATEWAY_IP_MESSAGES_PER_MINUTE="5",
        GATEWAY_RATE_LIMIT_PER_MINUTE="100",
    ) as stack:
        cid = new_client_id(stack.gateway_url)

        def send(forwarded: str) -> int:
            return httpx.post(
                f"{stack.gateway_url}/api/messages",
                json={"text": "halo"},
                timeout=10,
                headers={HEADER: cid, "X-Forwarded-For": forwarded},
            ).status_code

        assert [send(f"198.51.100.7, 203.0.113.{i}") for i in range(6)] == [200] * 6  # six clients
        assert [send(f"10.9.9.{i}, 203.0.113.50") for i in range(6)] == [200] * 5 + [429]  # one client


def test_limiter_memory_stays_bounded_after_100000_distinct_ids() -> None:
    settings = Settings(sender_id_key="k", gateway_limiter_max_keys=50_000)

    async def flood() -> tuple[BoundedMemoryStorage, list[int], bool]:
        storage = BoundedMemoryStorage(settings.gateway_limiter_max_keys)
        throttle = Throttle(settings, storage)
        for _ in range(settings.gateway_ip_messages_per_minute):
            assert await throttle.hit("message_ip", "192.0.2.1")
        tracemalloc.start()
        held = []
        for round_ in range(2):  # 100,000 distinct ids, then 100,000 more
            for i in range(100_000):
                await throttle.hit("message_sender", f"web-{round_}-{i:032x}")
                if i % 50 == 0:  # the flooding network keeps knocking: its counter must survive
                    await throttle.hit("message_ip", "192.0.2.1")
            held.append(tracemalloc.get_traced_memory()[0])
        tracemalloc.stop()
        network = throttle._opaque("192.0.2.1")
        return storage, held, any(network in key and count for key, count in storage.storage.items())

    storage, held, still_limited = asyncio.run(flood())
    ceiling = settings.gateway_limiter_max_keys
    assert len(storage.storage) <= ceiling and len(storage.expirations) <= ceiling and len(storage.locks) <= ceiling
    # The stock in-memory store keeps every id of the window (about 34 MB per 100,000 here); the
    # bounded one holds the same after 200,000 ids as after 100,000.
    assert held[1] - held[0] < 2 * 1024 * 1024, f"grew {(held[1] - held[0]) / 1e6:.1f} MB over 100,000 more ids"
    assert held[0] < 30 * 1024 * 1024, f"{held[0] / 1e6:.1f} MB after 100,000 ids"
    assert still_limited, "evicting fresh ids must not reset the flooding network's own counter"


def test_status_lookups_are_limited_per_id_and_per_network(tmp_path: Path, rasa: tuple[FakeRasa, str]) -> None:
    with gateway_process(tmp_path, rasa[1], GATEWAY_IP_MESSAGES_PER_MINUTE="1000") as stack:
        url = stack.gateway_url

        def lookup(cid: str, n: int) -> httpx.Response:
            payload = f'/cek_status_laporan{{"nomor_tiket": "JKL-2026-{n:06d}"}}'
            return httpx.post(f"{url}/api/messages", json={"payload": payload}, headers={HEADER: cid}, timeout=10)

        per_id = Settings.model_fields["gateway_sender_lookups_per_hour"].default
        per_network = Settings.model_fields["gateway_ip_lookups_per_hour"].default
        one = new_client_id(url)
        codes = [lookup(one, n).status_code for n in range(per_id + 1)]
        assert codes == [200] * per_id + [429]
        # Fresh ids for consecutive numbers (enumeration): the network's budget runs out too.
        codes = [lookup(new_client_id(url), n).status_code for n in range(100, 100 + per_network - per_id + 5)]
        assert codes == [200] * (per_network - per_id) + [429] * 5
        refused = lookup(new_client_id(url), 999)
        assert refused.json()["replies"][0]["text"] == texts.LOOKUPS_LIMITED
        # Other messages from the network still go through.
        assert (
            httpx.post(
                f"{url}/api/messages", json={"text": "halo"}, headers={HEADER: new_client_id(url)}, timeout=10
            ).status_code
            == 200
        )


def test_complaints_from_one_network_are_limited_whatever_the_id(tmp_path: Path) -> None:
    summary_buttons = [{"title": "Kirim", "payload": "/kirim_pengaduan"}, {"title": "Ubah", "payload": "/ubah"}]
    with (
        rasa_stand_in(summary_buttons) as (_, rasa_url),
        gateway_process(tmp_path, rasa_url, GATEWAY_IP_MESSAGES_PER_MINUTE="1000") as stack,
    ):
        url = stack.gateway_url
        per_hour = Settings.model_fields["gateway_ip_complaints_per_hour"].default

        def file_one(cid: str, confirm: dict[str, str]) -> int:
            shown = httpx.post(f"{url}/api/messages", json={"text": "jalan rusak"}, headers={HEADER: cid}, timeout=10)
            assert shown.status_code == 200  # the summary with its "Kirim" button
            return httpx.post(f"{url}/api/messages", json=confirm, headers={HEADER: cid}, timeout=10).status_code

        # Confirming by typing or by the button, each time from a fresh id.
        codes = [
            file_one(new_client_id(url), {"text": "ya kirim"} if i % 2 else {"payload": "/kirim_pengaduan"})
            for i in range(per_hour + 2)
        ]
        assert codes == [200] * per_hour + [429, 429]
        refused = httpx.post(
            f"{url}/api/messages",
            json={"payload": "/kirim_pengaduan"},
            headers={HEADER: new_client_id(url)},
            timeout=10,
        )
        assert refused.status_code == 429 and refused.json()["replies"][0]["text"] == texts.COMPLAINTS_LIMITED


def test_cluster_gateways_share_the_limits_through_redis(tmp_path: Path, rasa: tuple[FakeRasa, str]) -> None:
    """Two gateway processes with REDIS_URL: a second gateway is not a second budget."""
    import secrets

    from tests.services import require_redis

    env = {
        "REDIS_URL": require_redis(),
        "SENDER_ID_KEY": secrets.token_urlsafe(16),
        "GATEWAY_IP_MESSAGES_PER_MINUTE": "6",
    }
    with gateway_process(tmp_path / "a", rasa[1], **env) as one, gateway_process(tmp_path / "b", rasa[1], **env) as two:
        cid = new_client_id(one.gateway_url)  # issued by one gateway, valid on both (same key)

        def send(stack: Stack) -> int:
            return httpx.post(
                f"{stack.gateway_url}/api/messages", json={"text": "halo"}, headers={HEADER: cid}, timeout=10
            ).status_code

        assert [send(one), send(two), send(one), send(two), send(one), send(two)] == [200] * 6
        assert [send(one), send(two)] == [429, 429]
