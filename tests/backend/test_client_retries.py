"""The client retries lost answers with the same Idempotency-Key, and maps failures to typed errors."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import func, select

from citybot.backend.models import Complaint as ComplaintRow
from citybot.client import BackendUnavailable, CityClient
from tests.backend.conftest import API_KEY, Backend, transport
from tests.backend.helpers import unique

pytestmark = pytest.mark.postgres


class LosesFirstAnswers(httpx.AsyncBaseTransport):
    """In front of the real app: the request reaches the backend, but the first `n` answers are
    replaced by a 503, as when a proxy times out after the backend already did the work."""

    def __init__(self, inner: httpx.AsyncBaseTransport, n: int) -> None:
        self.inner, self.remaining = inner, n
        self.keys: list[str | None] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if request.method == "POST":
            self.keys.append(request.headers.get("Idempotency-Key"))
            if self.remaining > 0:
                self.remaining -= 1
                await response.aread()
                return httpx.Response(503, json={"code": "proxy_timeout", "message": "x"})
        return response


async def test_a_lost_answer_is_retried_with_the_same_key_and_files_once(backend: Backend) -> None:
    flaky = LosesFirstAnswers(transport(backend.app), n=2)
    address = unique("tg")
    async with CityClient("http://backend", API_KEY, transport=flaky, attempts=3) as city:
        complaint = await city.create_complaint(
            service_code="sampah",
            description="Sampah",
            channel="telegram",
            address=address,
            idempotency_key=unique(),
            address_string="Jl. Mawar 1",
        )
    assert len(flaky.keys) == 3 and len(set(flaky.keys)) == 1
    with backend.db.read() as session:
        assert session.scalar(select(func.count()).where(ComplaintRow.reporter_address == address)) == 1
    assert complaint.status == "menunggu"


async def test_unreachable_backend_raises_backend_unavailable_quickly() -> None:
    async with CityClient("http://127.0.0.1:9", API_KEY, timeout=0.5, attempts=2) as city:
        with pytest.raises(BackendUnavailable):
            await city.list_services()
