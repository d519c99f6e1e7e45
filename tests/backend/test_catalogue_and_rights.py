"""Permit status, kampung product search, and data-subject rights (export / delete)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from citybot.backend.models import AuditRecord
from citybot.client import CityClient, NotFound, Rejected
from tests.backend.conftest import Backend
from tests.backend.helpers import add_slot, unique

pytestmark = pytest.mark.postgres


async def test_permit_status_and_history(city: CityClient) -> None:
    permit = await city.permit_status("jakevo-2026-000101")
    assert permit.permit_type.startswith("Persetujuan Bangunan Gedung")
    assert permit.status == "pembayaran" and permit.status_label.startswith("Menunggu pembayaran")
    assert [e.status for e in permit.history] == ["diajukan", "verifikasi", "survei", "pembayaran"]
    assert permit.applicant_name == "B*** S***"  # masked
    assert permit.submitted_at.utcoffset() is not None
    with pytest.raises(NotFound):
        await city.permit_status("JAKEVO-1999-000000")


async def test_product_search_ranks_filters_and_pages(city: CityClient) -> None:
    everything = await city.search_products(page_size=50)
    assert everything.total >= 40
    arabika = await city.search_products("kopi arabika ijen")
    assert arabika.items[0].name.startswith("Kopi Arabika Ijen")
    assert arabika.items[0].score >= arabika.items[-1].score
    assert arabika.items[0].seller.wa_link.startswith("https://wa.me/62")
    batik = await city.search_products("batik gajah oling")
    assert batik.items and "Gajah Oling" in batik.items[0].name
    kemiren = await city.search_products(village="kemiren")
    assert kemiren.items and {p.village.desa for p in kemiren.items} == {"Kemiren"}
    cheap = await city.search_products(category="kue", max_price=15_000)
    assert cheap.items and all(p.category == "kue" and p.price <= 15_000 for p in cheap.items)
    ranged = await city.search_products("kopi", min_price=50_000, max_price=100_000)
    assert ranged.items and all(50_000 <= p.price <= 100_000 for p in ranged.items)
    page1 = await city.search_products("kopi", page_size=3, page=1)
    page2 = await city.search_products("kopi", page_size=3, page=2)
    assert page1.total == page2.total > 3
    assert not {p.id for p in page1.items} & {p.id for p in page2.items}
    nothing = await city.search_products("xyzzy")
    assert nothing.total == 0 and nothing.items == []
    weird = await city.search_products("100%_kopi\x00")
    assert weird.total >= 0


async def test_export_and_delete_everything_about_a_reporter(backend: Backend, city: CityClient) -> None:
    phone, address = "0812-7777-1234", unique("tg")
    complaint = await city.create_complaint(
        service_code="sampah",
        description="Sampah di gang",
        channel="telegram",
        address=address,
        idempotency_key=unique(),
        address_string="Gg. Kelinci 3",
        kelurahan="Pasar Baru",
        phone=phone,
        first_name="Wati",
    )
    slot = add_slot(backend.db, capacity=1)
    booking = await city.book(
        slot_id=slot,
        patient_name="Wati",
        phone=phone,
        address="Jl. Tidung 1",
        kelurahan="Tidung",
        complaint="Demam",
        red_flags={},
        channel="telegram",
        channel_address=address,
        idempotency_key=unique(),
    )
    exported = await city.export_data(phone=phone)
    assert exported.subject == "phone:+6281277771234"
    assert [c["ticket"] for c in exported.complaints] == [complaint.ticket]
    assert [b["code"] for b in exported.bookings] == [booking.code]
    by_channel = await city.export_data(channel="telegram", address=address)
    assert [s["ticket"] for s in by_channel.subscriptions] == [complaint.ticket]

    deleted = await city.delete_data(phone=phone, channel="telegram", address=address, requested_by="agent:budi")
    assert (deleted.complaints_anonymised, deleted.bookings_anonymised, deleted.subscriptions_removed) == (1, 1, 1)
    after = await city.export_data(phone=phone, channel="telegram", address=address)
    assert after.complaints == [] and after.bookings == [] and after.subscriptions == []
    kept = await city.get_complaint(complaint.ticket)  # the city keeps the (anonymous) complaint
    assert (kept.service_code, kept.address) == ("sampah", "Gg. Kelinci 3")
    assert kept.description == "(dihapus atas permintaan pelapor)" and kept.media_url is None  # free text may name them
    gone = await city.get_booking(booking.code)
    assert gone.patient_name == "(dihapus)" and gone.phone is None and gone.status == "cancelled"
    with backend.db.read() as session:
        audit = session.get(AuditRecord, deleted.audit_id)
        assert audit is not None and audit.action == "delete" and audit.actor == "agent:budi"
        assert "7777" not in audit.subject_hash + audit.detail
        assert session.scalars(select(AuditRecord).where(AuditRecord.action == "export")).first() is not None
    with pytest.raises(Rejected) as empty:
        await city.export_data(channel="telegram", address=" ")
    assert empty.value.code in {"invalid_contact", "subject_required"}
