"""The city backend client's transport: one HTTP connection pool, retries of the calls the
backend could not serve, and the one mapping of HTTP status codes to typed errors.

Every POST carries an `Idempotency-Key` that stays the same across retries, so a retried
request never creates a second complaint or booking.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from types import TracebackType
from typing import Any, Self, TypeVar

import httpx
from pydantic import BaseModel, TypeAdapter
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from citybot.client.errors import BackendUnavailable, NotFound, Rejected, Unauthorized
from citybot.client.tls import shared_ssl_context

M = TypeVar("M", bound=BaseModel)

_RETRY_STATUS = {502, 503, 504}


def new_idempotency_key() -> str:
    return uuid.uuid4().hex


def drop_none(params: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in params.items() if v is not None}


def _error_fields(response: httpx.Response) -> tuple[str, str]:
    """Read {"code","message"} or the Open311 error array [{"code","description",...}]."""
    try:
        body = response.json()
    except ValueError:
        return "http_" + str(response.status_code), response.text[:200]
    if isinstance(body, list) and body and isinstance(body[0], dict):
        first = body[0]
        return str(first.get("error_code") or first.get("code")), str(first.get("description", ""))
    if isinstance(body, dict):
        if "code" in body:
            return str(body["code"]), str(body.get("message", ""))
        detail = body.get("detail")
        if isinstance(detail, dict) and "code" in detail:
            return str(detail["code"]), str(detail.get("message", ""))
    return "http_" + str(response.status_code), response.text[:200]


def check_status(response: httpx.Response) -> httpx.Response:
    """The one place where HTTP status codes become typed errors."""
    status = response.status_code
    if status < 400:
        return response
    code, message = _error_fields(response)
    # Open311 (GeoReport v2) answers a missing or wrong api_key with 403.
    if status == 401 or (status == 403 and code == "invalid_api_key"):
        raise Unauthorized(f"{code}: {message}")
    if status == 404:
        raise NotFound(code, message or "Data tidak ditemukan.")
    if status == 429 or status >= 500:
        raise BackendUnavailable(f"backend answered {status}: {code}")
    raise Rejected(code, message, status)


class ApiTransport:
    """Authenticated JSON calls to the backend; `transport` lets tests run it against the real
    ASGI app without a network."""

    def __init__(
        self,
        base_url: str | None = None,
        api_key: str | None = None,
        *,
        timeout: float | None = None,
        attempts: int = 3,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        if base_url is None or api_key is None or timeout is None:
            from citybot.settings import get_settings

            settings = get_settings()
            base_url = base_url if base_url is not None else settings.backend_base_url
            api_key = api_key if api_key is not None else settings.backend_api_key
            timeout = timeout if timeout is not None else settings.http_timeout_seconds
        self._attempts = max(1, attempts)
        self._http = httpx.AsyncClient(
            verify=shared_ssl_context(),
            base_url=base_url.rstrip("/"),
            headers={"X-API-Key": api_key, "Accept": "application/json"},
            timeout=httpx.Timeout(timeout, connect=min(timeout, 2.0)),
            transport=transport,
        )

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    # --- transport ---------------------------------------------------------------------------
    async def _send_once(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        try:
            response = await self._http.request(method, url, **kwargs)
        except (httpx.TimeoutException, httpx.TransportError) as exc:
            raise BackendUnavailable(f"{method} {url}: {type(exc).__name__}") from exc
        if response.status_code in _RETRY_STATUS:
            raise BackendUnavailable(f"{method} {url}: {response.status_code}")
        return check_status(response)

    async def _request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        # Retries reuse the same kwargs, hence the same Idempotency-Key header.
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self._attempts),
            wait=wait_exponential(multiplier=0.2, max=1.0),
            retry=retry_if_exception_type(BackendUnavailable),
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                return await self._send_once(method, url, **kwargs)
        raise AssertionError("unreachable")  # pragma: no cover

    async def _get(self, url: str, params: Mapping[str, Any] | None = None, **kw: Any) -> Any:
        response = await self._request("GET", url, params=drop_none(params or {}), **kw)
        return response.json()

    async def _post(
        self,
        url: str,
        json: Mapping[str, Any] | None = None,
        idempotency_key: str | None = None,
        **kw: Any,
    ) -> Any:
        headers = dict(kw.pop("headers", {}))
        headers["Idempotency-Key"] = idempotency_key or new_idempotency_key()
        response = await self._request("POST", url, json=json, headers=headers, **kw)
        return response.json()

    @staticmethod
    def _as(model: type[M], data: Any) -> M:
        return model.model_validate(data)

    @staticmethod
    def _as_list(model: type[M], data: Any) -> list[M]:
        return TypeAdapter(list[model]).validate_python(data)  # type: ignore[valid-type]

    @staticmethod
    def _bearer(token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}
