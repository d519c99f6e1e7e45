"""Typed emergencies through the real stack (issues 18 and 19).

Each kind gets its own number and first steps, inside or outside a form; a complaint draft is
never lost to an emergency, and a flood or fire can be recorded as a report once the citizen
is safe.
"""

from __future__ import annotations

import uuid

import pytest

from tests.e2e.test_homecare import bookings_of
from tests.e2e.test_pengaduan import PLACE, TICKET, complaints_of
from tests.stack import Stack, buttons_of, say, text_of

pytestmark = pytest.mark.e2e


def _client() -> str:
    return f"dj-{uuid.uuid4()}"


@pytest.mark.parametrize(
    ("message", "number", "step"),
    [
        ("kebakaran!! nomor damkar berapa", "113", "Keluar dan jauhi bangunan"),
        ("banjir di gang kami sudah sedada, ada nenek terjebak di rumahnya", "BPBD", "tempat yang lebih tinggi"),
        ("tanggul kali jebol, air deras masuk kampung", "BPBD", "Jangan menyeberangi arus"),
        ("tolong saya barusan dibegal di jalan layang", "110", "jangan melawan"),
        ("anak tetangga hanyut terbawa arus kali", "115", "Jangan masuk ke air berarus"),
        ("bapak saya tiba-tiba tidak sadar", "119", "tekan kuat dan cepat"),
        ("asap hitam tebal keluar dari gudang sebelah pasar", "113", "Keluar dan jauhi bangunan"),
        ("ada suami mukulin istrinya di rumah sebelah dari tadi", "110", ""),
        ("nelayan kampung kami terseret ombak, belum kembali", "115", "Jangan masuk ke air berarus"),
    ],
)
def test_each_kind_of_emergency_gets_its_own_number_and_first_steps(
    stack: Stack, message: str, number: str, step: str
) -> None:
    text = text_of(say(stack, _client(), message))
    assert "🚨" in text and number in text and step in text, text
    assert "Masalah apa" not in text and "di luar layanan" not in text


def test_a_pothole_that_could_cause_an_accident_is_a_report_not_an_emergency(stack: Stack) -> None:
    text = text_of(say(stack, _client(), "jalan bolong gede di depan sekolah, bisa bikin celaka pengendara motor"))
    assert "🚨" not in text, text
    assert "laporan" in text.lower(), text


def test_fire_in_the_middle_of_a_complaint_keeps_the_draft_and_sends_it_later(stack: Stack) -> None:
    client = _client()
    text = text_of(say(stack, client, "mau lapor sampah numpuk"))
    assert "Di mana lokasinya" in text, text
    text = text_of(say(stack, client, PLACE))
    assert "Ceritakan singkat" in text, text

    replies = say(stack, client, "tolong ada kebakaran di sebelah rumah!!! apinya gede")
    text = text_of(replies)
    assert "113" in text and "Keluar dan jauhi bangunan" in text, text
    assert "belum terkirim, tetapi tidak hilang" in text, text
    assert "/lanjutkan_laporan" in [b["payload"] for b in buttons_of(replies)]

    # Once safe: the draft goes on from where it stopped (category and place are not asked again).
    text = text_of(say(stack, client, payload="/lanjutkan_laporan"))
    assert "lanjutkan laporan tadi" in text and "Ceritakan singkat" in text, text
    assert "Masalah apa" not in text and "Di mana lokasinya" not in text
    say(stack, client, "Sampah sudah seminggu tidak diangkut, bau dan banyak lalat")
    say(stack, client, payload="/lewati")
    text = text_of(say(stack, client, "anonim aja"))
    assert "Mohon periksa laporan Anda" in text and "Sampah" in text, text
    reply = text_of(say(stack, client, payload="/kirim_pengaduan"))
    found = TICKET.search(reply)
    assert found, reply
    assert [c["ticket"] for c in complaints_of(stack, client)] == [found.group(1)]


def test_flood_emergency_offers_a_report_prefilled_with_what_was_said(stack: Stack) -> None:
    client = _client()
    replies = say(stack, client, "banjir sudah sedada di RT 04, banyak warga terjebak, butuh perahu")
    assert "Catat laporan" in [b["title"] for b in buttons_of(replies)], text_of(replies)
    text = text_of(say(stack, client, payload="/lanjutkan_laporan"))
    # Category (flood) and description come from the emergency message: only the place is asked.
    assert "Di mana lokasinya" in text, text
    assert "Masalah apa" not in text and "Ceritakan singkat" not in text


def test_emergency_inside_homecare_never_books_and_offers_no_report(makassar_stack: Stack) -> None:
    stack = makassar_stack
    client = _client()
    say(stack, client, "pesan dokter ke rumah")
    say(stack, client, payload="/tidak")
    say(stack, client, payload="/tidak")
    say(stack, client, payload="/ya")
    replies = say(stack, client, "rumah tetangga kebakaran asapnya udah masuk rumah saya")
    text = text_of(replies)
    assert "🚨" in text and "113" in text, text
    assert "nama pasien" not in text
    assert "Catat laporan" not in [b["title"] for b in buttons_of(replies)]
    assert bookings_of(stack, client) == []
