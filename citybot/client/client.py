"""Async HTTP client for the city backend API (`citybot.backend` or a city's own systems).

One method per backend call, each returning the typed model of citybot.client.models; the
connection, retries and error mapping are the transport's (transport.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from citybot.client.insight import InsightApi
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
from citybot.client.transport import drop_none

OPEN311 = "/open311/v2"
API = "/api/v1"


class CityClient(InsightApi):
    """Typed access to complaints, HomeCare, permits, the kampung catalogue, data rights and
    (inherited from `InsightApi`) the supervisors' insight.

    Use as `async with CityClient() as city: ...` or call `aclose()`; `transport` lets tests
    run it against the real ASGI app without a network.
    """

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
        form = drop_none(
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
        data = await self._post(f"{API}/homecare/bookings", drop_none(body), idempotency_key)
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
        return drop_none({"phone": phone, "channel": channel, "address": address})

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
