"""Complaints: Open311 GeoReport v2, tickets, validation, idempotency, duplicates, supporters."""

from __future__ import annotations

import asyncio
import datetime as dt
import re

import httpx
import pytest
from sqlalchemy import func, select

from citybot.backend.models import Complaint as ComplaintRow
from citybot.client import CityClient, NotFound, Rejected, Unauthorized
from citybot.media_links import media_base_url
from tests.backend.conftest import API_KEY, Backend, transport
from tests.backend.helpers import file_complaint, unique

pytestmark = pytest.mark.postgres


async def test_every_endpoint_refuses_a_missing_or_wrong_key(backend: Backend) -> None:
    """Outside Open311 every read needs the key; Open311 reads are public (GeoReport v2) and its
    POST answers the spec's 403 (tests/backend/test_open311_conformance.py covers the rest)."""
    async with httpx.AsyncClient(transport=transport(backend.app), base_url="http://b") as anon:
        for path in [
            "/api/v1/complaints/JKL-2026-000001",
            "/api/v1/complaints?channel=telegram&address=x",
            "/api/v1/homecare/puskesmas?kelurahan=Karunrung",
            "/api/v1/permits/JAKEVO-2026-000101",
            "/api/v1/kampung/products?q=kopi",
        ]:
            for headers in ({}, {"X-API-Key": "wrong"}):
                response = await anon.get(path, headers=headers)
                assert response.status_code == 401, path
                assert "JAKEVO" not in response.text and "kopi" not in response.text.lower()
        posted = await anon.post("/open311/v2/requests.json", data={"service_code": "sampah", "lat": "1", "long": "1"})
        assert posted.status_code == 403
        assert posted.json()[0]["error_code"] == "invalid_api_key"
        agent = await anon.get("/api/v1/agent/complaints")
        assert agent.status_code == 401 and agent.json()["code"] == "missing_token"
    async with CityClient("http://b", "wrong", transport=transport(backend.app)) as bad:
        with pytest.raises(Unauthorized):
            await bad.get_complaint("JKL-2026-000001")
        with pytest.raises(Unauthorized):  # Open311's 403 for a wrong api_key is the same typed error
            await bad.create_complaint(
                service_code="sampah",
                description="a",
                channel="web",
                address="x",
                idempotency_key=unique(),
                address_string="Jl. Kunci",
            )


async def test_services_are_indonesian_categories_with_keywords(city: CityClient) -> None:
    services = await city.list_services()
    assert len(services) >= 12
    names = {s.service_code: s for s in services}
    for code in ("jalan-rusak", "banjir", "sampah", "lampu-jalan", "pohon-tumbang", "pungli", "air-bersih"):
        assert names[code].keywords  # the spec's comma-separated string, read back as words
        assert all(k == k.strip() and k and "," not in k for k in names[code].keywords)
    assert names["lampu-jalan"].service_name == "Lampu Jalan Mati"
    definition = await city.get_service("banjir")
    assert definition.service_code == "banjir"
    with pytest.raises(NotFound):
        await city.get_service("tidak-ada")


async def test_open311_form_post_with_api_key_field_creates_a_ticket(backend: Backend) -> None:
    photo = f"{media_base_url(backend.settings)}/media/{'ab' * 16}.jpg"  # a file of the gateway's store
    async with httpx.AsyncClient(transport=transport(backend.app), base_url="http://b") as anon:
        response = await anon.post(
            "/open311/v2/requests.json",
            data={
                "api_key": API_KEY,
                "service_code": "sampah",
                "lat": "-6.1890",
                "long": "106.8480",
                "description": "Sampah\x00 menumpuk di TPS",
                "media_url": photo,
                "phone": "0812-3456-7890",
                "first_name": "Rina",
            },
        )
        assert response.status_code == 201, response.text
        created = response.json()
        assert isinstance(created, list) and len(created) == 1
        ticket = created[0]["service_request_id"]
        assert re.fullmatch(r"JKL-20\d\d-\d{6}", ticket)
        one = await anon.get(f"/open311/v2/requests/{ticket}.json", params={"api_key": API_KEY})
        [request] = one.json()
        assert request["status"] == "open"
        assert request["status_notes"].startswith("Menunggu")
        assert request["description"] == "Sampah menumpuk di TPS"  # NUL byte stripped
        assert request["media_url"] == photo
        assert request["requested_datetime"].endswith("+07:00")  # WIB
        # Rubbish: the agency's two-day target, in the city's zone; closed requests carry none.
        requested = dt.datetime.fromisoformat(request["requested_datetime"])
        assert dt.datetime.fromisoformat(request["expected_datetime"]) - requested == dt.timedelta(days=2)
        assert "phone" not in request and "Rina" not in one.text  # reporter details never exposed
        listing = await anon.get(
            "/open311/v2/requests.json", params={"service_request_id": ticket}, headers={"X-API-Key": API_KEY}
        )
        assert [r["service_request_id"] for r in listing.json()] == [ticket]
        closed = await anon.get(
            "/open311/v2/requests.json", params={"status": "closed"}, headers={"X-API-Key": API_KEY}
        )
        assert closed.status_code == 200
        assert all(r["status"] == "closed" for r in closed.json()) and closed.json()
        assert all(r["expected_datetime"] is None for r in closed.json())


async def test_makassar_tickets_use_their_prefix_and_wita(city: CityClient) -> None:
    complaint = await city.create_complaint(
        service_code="banjir",
        description="Genangan di depan pasar.",
        channel="whatsapp",
        address=unique("wa"),
        idempotency_key=unique(),
        address_string="Jl. Sultan Alauddin",
        kelurahan="Mangasa",
        jurisdiction_id="makassarkota.go.id",
    )
    assert complaint.ticket.startswith("MKS-")
    assert complaint.requested_datetime.utcoffset() is not None
    assert complaint.requested_datetime.isoformat().endswith("+08:00")
    assert complaint.expected_datetime is not None
    assert complaint.expected_datetime - complaint.requested_datetime == dt.timedelta(days=2)
    assert complaint.expected_datetime.isoformat().endswith("+08:00")


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"description": "x" * 4001, "lat": "-6.2", "long": "106.8"}, "description_too_long"),
        ({"description": "tanpa lokasi"}, "location_required"),
        ({"lat": "-6.2", "description": "hanya lintang"}, "invalid_location"),
        ({"lat": "-6.2", "long": "106.8", "phone": "12"}, "invalid_phone"),
        ({"lat": "-6.2", "long": "106.8", "media_url": "javascript:alert(1)"}, "invalid_media_url"),
        ({"lat": "-6.2", "long": "106.8", "media_url": "https://contoh.id/foto.jpg"}, "invalid_media_url"),
        ({"lat": "-6.2", "long": "106.8", "reporter_channel": "telegram"}, "invalid_contact"),
        ({"lat": "-6.2", "long": "106.8", "service_code": "tidak-ada"}, "unknown_service"),
        ({"lat": "-6.2", "long": "106.8", "jurisdiction_id": "mars.go.id"}, "unknown_jurisdiction"),
    ],
)
async def test_open311_rejections_are_4xx_with_code_and_indonesian_message(
    http: httpx.AsyncClient, fields: dict[str, str], code: str
) -> None:
    response = await http.post("/open311/v2/requests.json", data={"service_code": "sampah", **fields})
    assert 400 <= response.status_code < 500
    [error] = response.json()
    assert error["error_code"] == code
    assert error["code"] == response.status_code
    assert error["description"] and error["description"][0].isupper()


async def test_client_maps_rejections_to_typed_errors(city: CityClient) -> None:
    with pytest.raises(Rejected) as rejected:
        await city.create_complaint(
            service_code="sampah", description="a", channel="telegram", address="x", idempotency_key=unique()
        )
    assert rejected.value.code == "location_required"
    assert "Lokasi" in rejected.value.message
    with pytest.raises(NotFound):
        await city.get_complaint("JKL-1999-999999")


async def test_repeated_post_with_the_same_key_returns_the_first_result(backend: Backend, city: CityClient) -> None:
    key = unique("same")
    kwargs = dict(
        service_code="sampah",
        description="Sampah menumpuk",
        channel="web",
        address=unique("web"),
        idempotency_key=key,
        address_string="Jl. Kramat Raya 5",
        kelurahan="Kramat",
    )
    first = await city.create_complaint(**kwargs)  # type: ignore[arg-type]
    second = await city.create_complaint(**kwargs)  # type: ignore[arg-type]
    assert first.ticket == second.ticket
    with backend.db.read() as session:
        count = session.scalar(select(func.count()).where(ComplaintRow.reporter_address == kwargs["address"]))
    assert count == 1
    with pytest.raises(Rejected) as reused:
        await city.create_complaint(**{**kwargs, "description": "lain"})  # type: ignore[arg-type]
    assert reused.value.code == "idempotency_key_reused"


async def test_concurrent_repeats_of_one_key_create_one_complaint(backend: Backend, http: httpx.AsyncClient) -> None:
    address = unique("tg")
    form = {
        "service_code": "banjir",
        "lat": "-6.25",
        "long": "106.85",
        "description": "Banjir",
        "reporter_channel": "telegram",
        "reporter_address": address,
    }
    key = unique("race")
    responses = await asyncio.gather(
        *[http.post("/open311/v2/requests.json", data=form, headers={"Idempotency-Key": key}) for _ in range(10)]
    )
    assert {r.status_code for r in responses} == {201}
    assert len({r.json()[0]["service_request_id"] for r in responses}) == 1
    with backend.db.read() as session:
        count = session.scalar(select(func.count()).where(ComplaintRow.reporter_address == address))
    assert count == 1


async def test_duplicate_finder_by_distance_and_by_similar_place(city: CityClient) -> None:
    lat, long = -6.3011, 106.7011  # away from seeded complaints
    original = await file_complaint(
        city,
        service_code="pohon-tumbang",
        lat=lat,
        long=long,
        kelurahan="Pondok Pinang",
        address_string="Jl. Ciputat Raya depan masjid",
    )
    near = await city.find_duplicates("pohon-tumbang", lat=lat + 0.0004, long=long)  # ~44 m
    assert [d.complaint.ticket for d in near] == [original.ticket]
    assert near[0].reason == "jarak" and near[0].distance_m is not None and 40 < near[0].distance_m < 50
    far = await city.find_duplicates("pohon-tumbang", lat=lat + 0.003, long=long)  # ~330 m
    assert original.ticket not in [d.complaint.ticket for d in far]
    other_category = await city.find_duplicates("sampah", lat=lat, long=long)
    assert original.ticket not in [d.complaint.ticket for d in other_category]
    by_place = await city.find_duplicates(
        "pohon-tumbang", kelurahan="pondok pinang", address="jalan ciputat raya, depan masjid"
    )
    assert [(d.complaint.ticket, d.reason) for d in by_place] == [(original.ticket, "lokasi")]
    elsewhere = await city.find_duplicates("pohon-tumbang", kelurahan="Pondok Pinang", address="Jl. Metro Kencana")
    assert elsewhere == []


async def test_support_subscribes_once_and_lists_for_the_supporter(city: CityClient) -> None:
    complaint = await file_complaint(city, lat=-6.3101, long=106.7101)
    supporter = unique("wa")
    first = await city.support_complaint(complaint.ticket, channel="whatsapp", address=supporter)
    again = await city.support_complaint(complaint.ticket, channel="whatsapp", address=supporter)
    assert (first.supporters_count, first.already_subscribed) == (1, False)
    assert (again.supporters_count, again.already_subscribed) == (1, True)
    # Supporting is not reporting: the supporter's own list stays empty.
    assert await city.complaints_of_reporter("whatsapp", supporter) == []
    seen = await city.lookup_complaint(complaint.ticket, channel="whatsapp", address=supporter)
    assert seen.role == "supporter" and seen.complaint.description == "" and seen.complaint.address is None
    fetched = await city.get_complaint(complaint.ticket.lower())
    assert fetched.supporters_count == 1 and fetched.history[0].status == "menunggu"
