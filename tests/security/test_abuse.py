"""Per-sender limits answer politely; forged button payloads cannot read or change another
citizen's complaint or HomeCare booking."""

from __future__ import annotations

import uuid

import httpx
import pytest

from citybot.gateway import texts
from tests.reliability.complaint_flow import complaints_of
from tests.reliability.harness import all_text, say
from tests.security.flows import book_homecare, file_complaint
from tests.stack import Stack

pytestmark = pytest.mark.e2e
PATIENT = "Daeng Rahasia"


def test_flooding_sender_is_told_politely_to_wait_then_ignored(sec_stack: Stack) -> None:
    client = f"flood-{uuid.uuid4()}"
    limit = int(sec_stack.env.get("GATEWAY_RATE_LIMIT_PER_MINUTE", "20"))
    answers = [say(sec_stack, client, f"halo {i}") for i in range(limit + 3)]
    assert all(answers[:limit]), "messages within the limit are answered"
    assert all_text(answers[limit]) == texts.RATE_LIMITED
    assert answers[limit + 1] == [] and answers[limit + 2] == []
    # Another citizen is not affected.
    assert say(sec_stack, f"other-{uuid.uuid4()}", "halo")


def test_complaints_per_reporter_per_hour_are_limited_politely(sec_stack: Stack) -> None:
    """The backend refuses the complaint over the hourly limit with a message the bot reads out."""
    headers = {"X-API-Key": sec_stack.env["BACKEND_API_KEY"]}
    address = f"web-{uuid.uuid4().hex}"
    limit = int(sec_stack.env.get("COMPLAINTS_PER_REPORTER_PER_HOUR", "5"))
    statuses = []
    for i in range(limit + 1):
        response = httpx.post(
            f"{sec_stack.backend_url}/open311/v2/requests.json",
            data={
                "service_code": "sampah",
                "description": f"Sampah menumpuk {i}",
                "lat": "-6.2",
                "long": "106.8",
                "reporter_channel": "web",
                "reporter_address": address,
            },
            headers={**headers, "Idempotency-Key": uuid.uuid4().hex},
            timeout=30,
        )
        statuses.append(response.status_code)
    assert statuses[:limit] == [201] * limit
    assert statuses[limit] == 400  # Open311 answers refusals with 400 (GeoReport v2)
    body = response.json()
    assert "satu jam" in str(body), body
    assert len(complaints_of(sec_stack, "", channel="web", address=address)) == limit


def test_forged_status_payload_shows_only_the_public_status_of_someone_elses_complaint(sec_stack: Stack) -> None:
    owner, intruder = f"own-{uuid.uuid4()}", f"intr-{uuid.uuid4()}"
    secret_detail = f"Lubang dekat rumah nomor 17 milik {uuid.uuid4().hex[:6]}"
    ticket = file_complaint(sec_stack, owner, secret_detail)
    say(sec_stack, intruder, "halo")
    for forged in (
        f'/cek_status_laporan{{"nomor_tiket": "{ticket}"}}',
        f'/lapor_pengaduan{{"nomor_tiket": "{ticket}"}}',
    ):
        text = all_text(say(sec_stack, intruder, payload=forged))
        assert secret_detail not in text and "Cempaka Putih" not in text, text
        assert f"Laporan Anda {ticket}" not in text and "Riwayat" not in text, text
    # Confirming "sudah beres" for someone else's complaint changes nothing.
    before = complaints_of(sec_stack, owner)[0]
    say(sec_stack, intruder, payload=f'/sudah_beres{{"nomor_tiket": "{ticket}"}}')
    say(sec_stack, intruder, payload=f'/belum_beres{{"nomor_tiket": "{ticket}"}}')
    after = complaints_of(sec_stack, owner)[0]
    assert after["status"] == before["status"] and after["history"] == before["history"]
    # The intruder filed or subscribed to nothing.
    assert complaints_of(sec_stack, intruder) == []


def test_forged_booking_payload_cannot_read_or_cancel_someone_elses_booking(hc_stack: Stack) -> None:
    owner, intruder = f"hc-own-{uuid.uuid4()}", f"hc-intr-{uuid.uuid4()}"
    say(hc_stack, owner, "halo")
    code = book_homecare(hc_stack, owner, phone="0812 7777 1234", patient=PATIENT, complaint="demam 3 hari, lemas")
    say(hc_stack, intruder, "halo")
    for attempt in (
        {"text": f"batalkan homecare {code}"},
        {"payload": f'/batal_homecare{{"kode_booking": "{code}"}}'},
        {"payload": f'/ubah_jadwal_homecare{{"kode_booking": "{code}"}}'},
    ):
        text = all_text(say(hc_stack, intruder, attempt.get("text"), attempt.get("payload")))
        assert PATIENT not in text and "7777" not in text, text
        # Whatever the intruder says next ("ya"), the booking stays as it was.
        say(hc_stack, intruder, payload="/ya")
    headers = {"X-API-Key": hc_stack.env["BACKEND_API_KEY"]}
    booking = httpx.get(f"{hc_stack.backend_url}/api/v1/homecare/bookings/{code}", headers=headers, timeout=10)
    assert booking.status_code == 200 and booking.json()["status"] == "booked", booking.text
