from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from citybot import signing
from citybot.gateway.app import create_app
from citybot.settings import Settings
from tests.city_profiles import profile_variant
from tests.gateway.servers import FakeRasa, free_port, serve
from tests.stack import TEST_NETWORK_LIMITS

TELEGRAM_TOKEN = "123456:TEST-token"
WA_TOKEN = "wa-test-token"
WA_PHONE_ID = "1098765"


@dataclass
class Gateway:
    url: str
    settings: Settings
    rasa: FakeRasa

    def internal(self, path: str, payload: dict[str, Any], secret: str | None = None) -> httpx.Response:
        body = json.dumps(payload).encode()
        headers = signing.headers(secret or self.settings.notify_secret, "POST", path, body)
        return httpx.post(f"{self.url}{path}", content=body, headers=headers, timeout=10)


def make_settings(tmp_path: Path, rasa_url: str, port: int, database_url: str | None = None, **extra: Any) -> Settings:
    values: dict[str, Any] = {
        "gateway_port": port,
        "gateway_public_url": f"http://127.0.0.1:{port}",
        "gateway_database_url": database_url or f"sqlite:///{tmp_path / 'gateway.db'}",
        "media_dir": tmp_path / "media",
        "rasa_urls": rasa_url,
        "rasa_timeout_seconds": 10.0,
        "sender_id_key": secrets.token_urlsafe(16),
        "notify_secret": secrets.token_urlsafe(16),
        "agent_bootstrap_password": "admin-rahasia-123",
        "telegram_bot_token": "",
        "telegram_webhook_url": "",
        "whatsapp_token": "",
        "whatsapp_phone_number_id": "",
        "backend_url": "http://127.0.0.1:9",  # nothing listens: the console degrades gracefully
        "index_dir": tmp_path / "no-index",
        # Every test citizen is 127.0.0.1; the per-network limits have their own security tests.
        **{key.lower(): int(value) for key, value in TEST_NETWORK_LIMITS.items()},
    }
    # Office hours live in the city profile: tests get a copy that is always open unless they say.
    office = {"office__hours": "00:00-23:59", "office__days": "1-7"}
    for key in ("office_hours", "office_days", "office_closed_dates", "office_holiday_country"):
        if key in extra:
            value = extra.pop(key)
            office[key.replace("office_", "office__")] = (
                [d for d in value.split(",") if d] if key == "office_closed_dates" else value
            )
    city = str(extra.get("city_profile", "jakarta"))
    values["cities_dir"] = profile_variant(tmp_path / f"profile-{port}", city, **office)
    values.update(extra)
    return Settings(**values)


@pytest.fixture
def fake_rasa() -> Iterator[tuple[FakeRasa, str]]:
    rasa = FakeRasa()
    with serve(rasa.app) as url:
        yield rasa, url


GatewayFactory = Callable[..., AbstractContextManager[Gateway]]


@pytest.fixture
def gateway_factory(tmp_path: Path, fake_rasa: tuple[FakeRasa, str]) -> GatewayFactory:
    rasa, rasa_url = fake_rasa

    @contextmanager
    def start(**extra: Any) -> Iterator[Gateway]:
        port = free_port()
        settings = make_settings(tmp_path, rasa_url, port, **extra)
        with serve(create_app(settings), port) as url:
            yield Gateway(url, settings, rasa)

    return start


@pytest.fixture
def gateway(gateway_factory: GatewayFactory) -> Iterator[Gateway]:
    with gateway_factory() as gw:
        yield gw
