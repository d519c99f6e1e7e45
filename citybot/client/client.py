"""Async HTTP client for the city backend API (`citybot.backend` or a city's own systems).

All status-code mapping lives in `_check`; every POST carries an `Idempotency-Key` that stays
the same across retries, so a retried request never creates a second complaint or booking.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from types import TracebackType
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, TypeAdapter
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from citybot.client.errors import BackendUnavailable, NotFound, Rejected, Unauthorized
from citybot.client.models import (
    AgentToken,
    Booking,
    BookingPage,
    Complaint,
    ComplaintLookup,
    ComplaintPage,
    ComplaintStatus,
    DataDeletion,
    DataExport,
    DuplicateCandidate,
    Permit,
    ProductPage,
    Puskesmas,
    Service,
    ServiceDefinition,
    Slot,
    SupportResult,
)
from citybot.client.tls import shared_ssl_context

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")

OPEN311 = "/open311/v2"
API = "/api/v1"
_RETRY_STATUS = {502, 503, 504}


def new_idempotency_key() -> str:
    return uuid.uuid4().hex


def _drop_none(params: Mapping[str, Any]) -> dict[str, Any]:
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


def _check(response: httpx.Response) -> httpx.Response:
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


class CityClient:
    """Typed access to complaints, HomeCare, permits, the kampung catalogue and data rights.

    Use as `async with CityClient() as city: ...` or call `aclose()`; `transport` lets tests
    run it against the real ASGI app without a network.
    """

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

    async def __aenter__(self) -> CityClient:
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
        return _check(response)

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
        response = await self._request("GET", url, params=_drop_none(params or {}), **kw)
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

    # --- complaints --------------------------------------------------------------------------

    async def list_services(self, jurisdiction_id: str | None = None) -> list[Service]:
        data = await self._get(f"{OPEN311}/services.json", {"jurisdiction_id": jurisdiction_id})
        return self._as_list(Service, data)

    async def get_service(self, service_code: str) -> ServiceDefinition:
        return self._as(ServiceDefinition, await self._get(f"{OPEN311}/services/{service_code}.json"))

    async def find_duplicates(
        self,
        service_code: str,
        *,
        lat: float | None = None,
        long: float | None = None,
        kelurahan: str | None = None,
        address: str | None = None,
    ) -> list[DuplicateCandidate]:
        params = {
            "service_code": service_code,
            "lat": lat,
            "long": long,
            "kelurahan": kelurahan,
            "address": address,
        }
        return self._as_list(DuplicateCandidate, await self._get(f"{API}/complaints/duplicates", params))

    async def create_complaint(
        self,
        *,
        service_code: str,
        description: str,
        channel: str,
        address: str,
        idempotency_key: str,
        lat: float | None = None,
        long: float | None = None,
        address_string: str | None = None,
        kelurahan: str | None = None,
        media_url: str | None = None,
        first_name: str | None = None,
        last_name: str | None = None,
        phone: str | None = None,
        email: str | None = None,
        jurisdiction_id: str | None = None,
    ) -> Complaint:
        """File a complaint through Open311 POST; `channel`+`address` say how to reach the reporter.

        `idempotency_key` should come from the conversation (e.g. sender + form turn), so a
        retried action never files twice.
        """
        form = _drop_none(
            {
                "service_code": service_code,
                "description": description,
                "lat": lat,
                "long": long,
                "address_string": address_string,
                "media_url": media_url,
                "first_name": first_name,
                "last_name": last_name,
                "phone": phone,
                "email": email,
                "jurisdiction_id": jurisdiction_id,
                "kelurahan": kelurahan,
                "reporter_channel": channel,
                "reporter_address": address,
            }
        )
        headers = {"Idempotency-Key": idempotency_key}
        response = await self._request("POST", f"{OPEN311}/requests.json", data=form, headers=headers)
        created = response.json()
        ticket = str(created[0]["service_request_id"])
        return await self.get_complaint(ticket)

    async def get_complaint(self, ticket: str) -> Complaint:
        return self._as(Complaint, await self._get(f"{API}/complaints/{ticket}"))

    async def lookup_complaint(self, ticket: str, *, channel: str, address: str) -> ComplaintLookup:
        """A citizen's status look-up: the full complaint if they filed it, else the public view
        (look-ups of others' complaints are limited: Rejected with code "status_lookup_limit")."""
        data = await self._post(f"{API}/complaints/{ticket}/lookup", {"channel": channel, "address": address})
        return self._as(ComplaintLookup, data)

    async def complaints_of_reporter(self, channel: str, address: str) -> list[Complaint]:
        data = await self._get(f"{API}/complaints", {"channel": channel, "address": address})
        return self._as_list(Complaint, data)

    async def support_complaint(self, ticket: str, *, channel: str, address: str) -> SupportResult:
        data = await self._post(f"{API}/complaints/{ticket}/supporters", {"channel": channel, "address": address})
        return self._as(SupportResult, data)

    async def answer_resolution(
        self, ticket: str, *, channel: str, address: str, resolved: bool, note: str | None = None
    ) -> Complaint:
        """The reporter's "sudah beres?" answer: resolved=True confirms Selesai, False reopens."""
        body = {"channel": channel, "address": address, "resolved": resolved, "note": note}
        return self._as(Complaint, await self._post(f"{API}/complaints/{ticket}/confirmation", body))

    # --- HomeCare ----------------------------------------------------------------------------

    async def find_puskesmas(self, kelurahan: str) -> list[Puskesmas]:
        data = await self._get(f"{API}/homecare/puskesmas", {"kelurahan": kelurahan})
        return self._as_list(Puskesmas, data)

    async def free_slots(self, puskesmas_id: int, *, date_from: dt.date | None = None, days: int = 7) -> list[Slot]:
        params = {"date_from": date_from.isoformat() if date_from else None, "days": days}
        data = await self._get(f"{API}/homecare/puskesmas/{puskesmas_id}/slots", params)
        return self._as_list(Slot, data)

    async def book(
        self,
        *,
        slot_id: int,
        patient_name: str,
        phone: str,
        address: str,
        kelurahan: str,
        complaint: str,
        red_flags: Mapping[str, bool],
        channel: str,
        channel_address: str,
        idempotency_key: str,
        patient_age: int | None = None,
        nik: str | None = None,
    ) -> Booking:
        body = {
            "slot_id": slot_id,
            "patient_name": patient_name,
            "patient_age": patient_age,
            "phone": phone,
            "address": address,
            "kelurahan": kelurahan,
            "complaint": complaint,
            "red_flags": dict(red_flags),
            "channel": channel,
            "channel_address": channel_address,
            "nik": nik,
        }
        data = await self._post(f"{API}/homecare/bookings", _drop_none(body), idempotency_key)
        return self._as(Booking, data)

    async def get_booking(self, code: str) -> Booking:
        return self._as(Booking, await self._get(f"{API}/homecare/bookings/{code}"))

    async def cancel_booking(self, code: str, *, reason: str | None = None) -> Booking:
        data = await self._post(f"{API}/homecare/bookings/{code}/cancel", {"reason": reason})
        return self._as(Booking, data)

    async def reschedule_booking(self, code: str, *, slot_id: int, idempotency_key: str | None = None) -> Booking:
        data = await self._post(f"{API}/homecare/bookings/{code}/reschedule", {"slot_id": slot_id}, idempotency_key)
        return self._as(Booking, data)

    # --- permits -----------------------------------------------------------------------------

    async def permit_status(self, application_number: str) -> Permit:
        return self._as(Permit, await self._get(f"{API}/permits/{application_number}"))

    # --- kampung catalogue -------------------------------------------------------------------

    async def search_products(
        self,
        q: str | None = None,
        *,
        category: str | None = None,
        village: str | None = None,
        min_price: int | None = None,
        max_price: int | None = None,
        page: int = 1,
        page_size: int = 10,
    ) -> ProductPage:
        params = {
            "q": q,
            "category": category,
            "village": village,
            "min_price": min_price,
            "max_price": max_price,
            "page": page,
            "page_size": page_size,
        }
        return self._as(ProductPage, await self._get(f"{API}/kampung/products", params))

    # --- data rights (UU PDP) ----------------------------------------------------------------

    @staticmethod
    def _subject(phone: str | None, channel: str | None, address: str | None) -> dict[str, str]:
        if phone is None and (channel is None or address is None):
            raise ValueError("give a phone number or both channel and address")
        return _drop_none({"phone": phone, "channel": channel, "address": address})

    async def export_data(
        self, *, phone: str | None = None, channel: str | None = None, address: str | None = None
    ) -> DataExport:
        body = self._subject(phone, channel, address)
        return self._as(DataExport, await self._post(f"{API}/data-rights/export", body))

    async def delete_data(
        self,
        *,
        phone: str | None = None,
        channel: str | None = None,
        address: str | None = None,
        requested_by: str = "citizen",
    ) -> DataDeletion:
        body: dict[str, Any] = {**self._subject(phone, channel, address), "requested_by": requested_by}
        return self._as(DataDeletion, await self._post(f"{API}/data-rights/delete", body))

    # --- agents (console) --------------------------------------------------------------------

    async def agent_login(self, username: str, password: str) -> AgentToken:
        body = {"username": username, "password": password}
        return self._as(AgentToken, await self._post(f"{API}/agent/login", body))

    async def agent_logout(self, token: str) -> None:
        """Revoke a bearer token at the backend (console logout, password reset, deactivation)."""
        await self._post(f"{API}/agent/logout", {}, headers=self._bearer(token))

    @staticmethod
    def _bearer(token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    async def agent_complaints(
        self,
        token: str,
        *,
        status: ComplaintStatus | None = None,
        category: str | None = None,
        date_from: dt.date | None = None,
        date_to: dt.date | None = None,
        page: int = 1,
        page_size: int = 20,
    ) -> ComplaintPage:
        params = {
            "status": status,
            "category": category,
            "date_from": date_from.isoformat() if date_from else None,
            "date_to": date_to.isoformat() if date_to else None,
            "page": page,
            "page_size": page_size,
        }
        data = await self._get(f"{API}/agent/complaints", params, headers=self._bearer(token))
        return self._as(ComplaintPage, data)

    async def agent_change_status(
        self, token: str, ticket: str, *, status: ComplaintStatus, note: str = ""
    ) -> Complaint:
        data = await self._post(
            f"{API}/agent/complaints/{ticket}/status",
            {"status": status, "note": note},
            headers=self._bearer(token),
        )
        return self._as(Complaint, data)

    async def agent_bookings(
        self,
        token: str,
        *,
        date: dt.date | None = None,
        puskesmas_id: int | None = None,
        status: str | None = None,
        page: int = 1,
        page_size: int = 20,
    ) -> BookingPage:
        params = {
            "date": date.isoformat() if date else None,
            "puskesmas_id": puskesmas_id,
            "status": status,
            "page": page,
            "page_size": page_size,
        }
        data = await self._get(f"{API}/agent/bookings", params, headers=self._bearer(token))
        return self._as(BookingPage, data)
