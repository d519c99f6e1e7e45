"""Unbounded input. Attacks on the real gateway process: huge bodies (declared
and chunked), a huge photo, photo floods, media kept forever, and many open live streams."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest

from citybot.gateway import texts
from tests.gateway.servers import JPEG, FakeRasa
from tests.security.ingress import (
    chunked,
    deleted_open_files,
    gateway_pid,
    gateway_process,
    json_of,
    memory_kib,
    raw_post,
)
from tests.stack import Stack
from tests.webclient import HEADER, new_client_id

MB = 1024 * 1024
WHATSAPP = {
    "WHATSAPP_TOKEN": "wa-token",
    "WHATSAPP_PHONE_NUMBER_ID": "1098765",
    "WHATSAPP_APP_SECRET": "app-secret",
    "WHATSAPP_GRAPH_URL": "http://127.0.0.1:9",
}


@pytest.fixture
def gateway_env() -> dict[str, str]:
    return WHATSAPP


def _zeros(total: int, piece: int = MB) -> Iterator[bytes]:
    block = b"\0" * piece
    for _ in range(total // piece):
        yield block


def test_unsigned_200_mb_webhook_post_gets_413_without_memory_growth(gateway: Stack) -> None:
    pid = gateway_pid(gateway)
    before = memory_kib(pid)
    headers = {"Content-Type": "application/json", "X-Hub-Signature-256": "sha256=" + "0" * 64}
    # Declared length: refused on the headers, before one byte is read or hashed.
    status, body, _ = raw_post(
        gateway.gateway_url, "/whatsapp/webhook", {**headers, "Content-Length": str(200 * MB)}, _zeros(200 * MB)
    )
    assert status == 413, body[:200]
    # No length (chunked): read up to the cap, then refused, the rest never read.
    status, body, sent = raw_post(
        gateway.gateway_url,
        "/whatsapp/webhook",
        {**headers, "Transfer-Encoding": "chunked"},
        chunked(_zeros(200 * MB, 64 * 1024)),
    )
    assert status == 413, body[:200]
    assert sent < 200 * MB, "the gateway answered before the whole body was sent"
    after = memory_kib(pid)
    # VmHWM is the peak since the process started: not even briefly did the body sit in memory.
    assert after["VmHWM"] - before["VmHWM"] < 20 * 1024, (before, after)
    assert after["VmRSS"] - before["VmRSS"] < 20 * 1024, (before, after)
    assert httpx.get(f"{gateway.gateway_url}/healthz", timeout=10).status_code == 200


def test_50_mb_photo_gets_413_and_leaves_no_file(gateway: Stack, rasa: tuple[FakeRasa, str]) -> None:
    url, pid = gateway.gateway_url, gateway_pid(gateway)
    cid = new_client_id(url)
    photo = JPEG + b"\0" * (50 * MB)
    # With a length (what a browser sends): refused on the headers, with a sentence for the citizen.
    response = httpx.post(
        f"{url}/api/messages/photo",
        headers={HEADER: cid},
        files={"photo": ("besar.jpg", photo, "image/jpeg")},
        timeout=60,
    )
    assert response.status_code == 413
    assert response.json()["replies"][0]["text"]
    # Chunked, so only the part's own cap can stop it: cut at the file part's limit, nothing spooled.
    boundary = "batas-uji"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="photo"; filename="besar.jpg"\r\n'
        "Content-Type: image/jpeg\r\n\r\n"
    ).encode()

    def parts() -> Iterator[bytes]:
        yield head + JPEG
        yield from _zeros(50 * MB, 64 * 1024)
        yield f"\r\n--{boundary}--\r\n".encode()

    status, body, sent = raw_post(
        url,
        "/api/messages/photo",
        {
            HEADER: cid,
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Transfer-Encoding": "chunked",
        },
        chunked(parts()),
    )
    assert status == 413, body[:300]
    assert json_of(body)["replies"][0]["text"].startswith("Maaf, foto Anda terlalu besar")
    assert sent < 50 * MB
    media, tmp = gateway.var_dir / "media", gateway.var_dir / "tmp"
    assert not media.exists() or list(media.iterdir()) == []
    assert list(tmp.iterdir()) == [], "no temporary file left behind"
    assert deleted_open_files(pid) == [], "no spooled temporary file held open"
    assert rasa[0].received == []
    # A normal photo still goes through.
    ok = httpx.post(
        f"{url}/api/messages/photo",
        headers={HEADER: cid},
        files={"photo": ("kecil.jpg", JPEG, "image/jpeg")},
        timeout=30,
    )
    assert ok.status_code == 200 and len(list(media.iterdir())) == 1


def test_message_bodies_are_capped(gateway: Stack) -> None:
    url = gateway.gateway_url
    cid = new_client_id(url)
    big = b'{"text": "' + b"a" * (2 * MB) + b'"}'
    for path in ("/api/messages", "/api/messages/location"):
        response = httpx.post(
            f"{url}{path}", content=big, timeout=30, headers={HEADER: cid, "Content-Type": "application/json"}
        )
        assert response.status_code == 413, path
        assert response.json()["replies"][0]["text"] == texts.TOO_LARGE


def test_photo_uploads_are_counted_per_sender_and_per_network(tmp_path: Path, rasa: tuple[FakeRasa, str]) -> None:
    with gateway_process(
        tmp_path,
        rasa[1],
        GATEWAY_SENDER_PHOTOS_PER_HOUR="3",
        GATEWAY_IP_PHOTOS_PER_HOUR="5",
        GATEWAY_IP_MESSAGES_PER_MINUTE="1000",
    ) as stack:
        url = stack.gateway_url

        def upload(cid: str) -> httpx.Response:
            return httpx.post(
                f"{url}/api/messages/photo",
                headers={HEADER: cid},
                files={"photo": ("x.jpg", JPEG, "image/jpeg")},
                timeout=30,
            )

        first, second = new_client_id(url), new_client_id(url)
        assert [upload(first).status_code for _ in range(4)] == [200, 200, 200, 429]
        # A fresh id from the same network gets what is left of the network's five.
        assert [upload(second).status_code for _ in range(3)] == [200, 200, 429]
        refused = upload(new_client_id(url))
        assert refused.status_code == 429 and refused.json()["replies"][0]["text"] == texts.PHOTOS_LIMITED
        assert len(list((stack.var_dir / "media").iterdir())) == 5


def test_media_files_expire(tmp_path: Path, rasa: tuple[FakeRasa, str]) -> None:
    with gateway_process(
        tmp_path,
        rasa[1],
        GATEWAY_MEDIA_RETENTION_HOURS="0.0005",  # 1.8 s
        GATEWAY_MEDIA_SWEEP_SECONDS="0.5",
    ) as stack:
        cid = new_client_id(stack.gateway_url)
        response = httpx.post(
            f"{stack.gateway_url}/api/messages/photo",
            headers={HEADER: cid},
            files={"photo": ("x.jpg", JPEG, "image/jpeg")},
            timeout=30,
        )
        assert response.status_code == 200
        media_url = rasa[0].messages()[-1].split('"media_url": "')[1].split('"')[0]
        assert httpx.get(media_url, timeout=10).status_code == 200
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and httpx.get(media_url, timeout=10).status_code == 200:
            time.sleep(0.5)
        assert httpx.get(media_url, timeout=10).status_code == 404
        assert list((stack.var_dir / "media").iterdir()) == []


def test_open_live_streams_are_capped_per_network(tmp_path: Path, rasa: tuple[FakeRasa, str]) -> None:
    with gateway_process(tmp_path, rasa[1], GATEWAY_SSE_PER_IP="3") as stack:
        url = stack.gateway_url
        with ExitStack() as streams:
            for _ in range(3):
                stream = streams.enter_context(
                    httpx.stream("GET", f"{url}/api/messages/stream", headers={HEADER: new_client_id(url)}, timeout=10)
                )
                assert stream.status_code == 200
            extra = httpx.get(f"{url}/api/messages/stream", headers={HEADER: new_client_id(url)}, timeout=10)
            assert extra.status_code == 429
        # Closed streams give their slots back.
        deadline = time.monotonic() + 20
        while True:
            with httpx.stream(
                "GET", f"{url}/api/messages/stream", headers={HEADER: new_client_id(url)}, timeout=10
            ) as again:
                if again.status_code == 200 or time.monotonic() > deadline:
                    break
            time.sleep(0.5)
        assert again.status_code == 200
