"""One trained model, three city profiles: each real stack (gateway, Rasa, action server, backend)
started with its own CITY_PROFILE behaves as that city.

The expected values are written out here (not read back from the profile the stack uses), so a
profile that is not applied fails: the welcome names the city, times carry its zone, the menu
offers only its services, complaints get its ticket prefix, HomeCare books only in Makassar, the
catalogue answers only in Banyuwangi, and a city's knowledge document wins in that city only.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest

from citybot.client import CityClient
from tests.e2e.city_stacks import CityStacks
from tests.e2e.test_homecare import CODE, SLOT_PAYLOAD, bookings_of
from tests.stack import Stack, buttons_of, say, text_of

pytestmark = pytest.mark.e2e


@dataclass(frozen=True)
class City:
    profile: str
    name: str
    assistant: str
    code: str
    zone: str
    zone_label: str
    permit: str
    place: str
    offers: frozenset[str]  # menu payloads only this city shows


CITIES = {
    "jakarta": City(
        "jakarta",
        "DKI Jakarta",
        "Asisten Kota DKI Jakarta",
        "JKL",
        "Asia/Jakarta",
        "WIB",
        "JAKEVO-2026-000101",
        "Jl. Cempaka Putih Raya depan Apotek Sehat, Kel. Rawasari",
        frozenset({'/tanya_layanan{"topik_layanan": "transportasi"}'}),
    ),
    "makassar": City(
        "makassar",
        "Kota Makassar",
        "Asisten Kota Makassar",
        "MKS",
        "Asia/Makassar",
        "WITA",
        "MKS-IZIN-2026-00051",
        "Jl. Letjen Hertasning depan Masjid, Kel. Karunrung",
        frozenset({"/pesan_homecare"}),
    ),
    "banyuwangi": City(
        "banyuwangi",
        "Kabupaten Banyuwangi",
        "Asisten Kota Banyuwangi",
        "BWI",
        "Asia/Jakarta",
        "WIB",
        "BWI-IZIN-2026-00201",
        "Jl. Raya Kemiren depan Balai Desa, Desa Kemiren",
        frozenset({"/cari_produk"}),
    ),
}
OPTIONAL = frozenset().union(*(c.offers for c in CITIES.values()))
JAKARTA_GUIDE = "Cara Menyampaikan Pengaduan ke Pemprov DKI Jakarta (JakLapor)"
NATIONAL_GUIDE = "Cara Menyampaikan Pengaduan ke Pemerintah Kota"
MAKASSAR_SLOT_TIMES = ("08.00", "10.00", "13.00", "15.00")  # cities/makassar/areas.yml, Makassar time
WA_LINK = re.compile(r"https://wa\.me/\S+")


@pytest.fixture(params=list(CITIES))
def city(request: pytest.FixtureRequest) -> City:
    return CITIES[request.param]


@pytest.fixture
def city_stack(city: City, city_stacks: CityStacks) -> Stack:
    return city_stacks.get(city.profile)


def backend(stack: Stack) -> CityClient:
    return CityClient(stack.backend_url, stack.env["BACKEND_API_KEY"], timeout=10)


def client_name(city: City) -> str:
    return f"{city.profile}-{uuid.uuid4()}"


def test_welcome_names_the_city(city: City, city_stack: Stack) -> None:
    text = text_of(say(city_stack, client_name(city), "halo"))
    assert f"Saya {city.assistant}," in text, text
    for other in CITIES.values():
        if other is not city:
            assert other.name not in text, text


def test_menu_shows_only_the_citys_services(city: City, city_stack: Stack) -> None:
    client = client_name(city)
    say(city_stack, client, "halo")
    replies = say(city_stack, client, payload="/tanya_kemampuan")
    payloads = {b["payload"] for b in buttons_of(replies)}
    assert {"/lapor_pengaduan", "/cek_status_laporan", "/cek_izin", "/bicara_petugas"} <= payloads, payloads
    assert payloads & OPTIONAL == city.offers, payloads
    text = text_of(replies)
    assert ("HomeCare" in text) == ("/pesan_homecare" in city.offers), text
    assert ("produk UMKM" in text) == ("/cari_produk" in city.offers), text
    assert ("transportasi umum" in text) == (any("transportasi" in p for p in city.offers)), text
    # Out of scope answers with the same city menu.
    replies = say(city_stack, client, "resep rendang padang gimana ya")
    assert "di luar layanan" in text_of(replies) and city.name in text_of(replies), text_of(replies)
    assert {b["payload"] for b in buttons_of(replies)} & OPTIONAL == city.offers


def test_a_complaint_gets_the_citys_ticket_prefix(city: City, city_stack: Stack) -> None:
    client = client_name(city)
    say(city_stack, client, "halo")
    text = text_of(say(city_stack, client, "mau lapor jalan rusak"))
    assert "Di mana lokasinya" in text, text
    text = text_of(say(city_stack, client, city.place))
    if "kelurahan (atau desa) apa" in text:
        text = text_of(say(city_stack, client, city.place.rsplit(" ", 1)[-1]))
    assert "Ceritakan singkat masalahnya" in text, text
    text = text_of(say(city_stack, client, "Lubang besar di lajur kiri sedalam 20 cm, dua motor sudah jatuh"))
    assert "Ada foto" in text, text
    photo = f"{city_stack.gateway_url}/media/{'d4' * 16}.jpg"
    text = text_of(say(city_stack, client, payload=f'/kirim_foto{{"media_url": "{photo}"}}'))
    assert "nama dan nomor HP" in text, text
    text = text_of(say(city_stack, client, "anonim aja"))
    assert "Mohon periksa laporan Anda" in text, text
    text = text_of(say(city_stack, client, payload="/kirim_pengaduan"))
    ticket = re.search(r"\b([A-Z]{2,6})-(\d{4})-(\d{6})\b", text)
    assert ticket and ticket.group(1) == city.code, text
    # The status shows when it was filed, in the city's zone.
    text = text_of(say(city_stack, client, f"cek status laporan {ticket.group(0)}"))
    assert ticket.group(0) in text and f" {city.zone_label}" in text, text


def test_times_are_shown_in_the_citys_zone(city: City, city_stack: Stack) -> None:
    async def submitted() -> str:
        async with backend(city_stack) as c:
            permit = await c.permit_status(city.permit)
        return permit.submitted_at.astimezone(ZoneInfo(city.zone)).strftime("%H.%M")

    client = client_name(city)
    say(city_stack, client, "halo")
    text = text_of(say(city_stack, client, f"cek status izin {city.permit}"))
    assert city.permit in text, text
    assert f"pukul {asyncio.run(submitted())} {city.zone_label}" in text, text
    assert not ({"WIB", "WITA", "WIT"} - {city.zone_label}) & set(re.findall(r"\bWI[A-Z]*\b", text)), text


def test_homecare_books_in_makassar_and_is_explained_elsewhere(city: City, city_stack: Stack) -> None:
    client = client_name(city)
    say(city_stack, client, "halo")
    replies = say(city_stack, client, "pesan dokter ke rumah untuk ibu saya")
    text = text_of(replies)
    if "/pesan_homecare" not in city.offers:
        assert "belum tersedia di " + city.name in text and "Kota Makassar" in text, text
        assert "puskesmas" in text and "tanda bahaya 1 dari 2" not in text, text
        assert "/bicara_petugas" in {b["payload"] for b in buttons_of(replies)}
        # No form started: the next message is not taken as a booking answer.
        text = text_of(say(city_stack, client, "tidak"))
        assert "tanda bahaya" not in text and "nama pasien" not in text, text
        assert bookings_of(city_stack, client) == []
        return
    assert "tanda bahaya 1 dari 2" in text, text
    for turn in ("/tidak", "/tidak", "/ya"):
        text = text_of(say(city_stack, client, payload=turn))
    assert "nama pasien" in text, text
    # Puskesmas Mamajang: the HomeCare tests of tests/e2e/test_homecare.py count Kassi-Kassi's places.
    for answer in ("Daeng Ngalle", "72", "0812 3456 7890", "Jl. Baji Gau No. 10, RT 02 RW 03", "Mamajang Dalam"):
        text = text_of(say(city_stack, client, answer))
    replies = say(city_stack, client, "demam 3 hari, lemas")
    assert "(waktu WITA)" in text_of(replies), text_of(replies)
    offered = [m.group(1) for b in buttons_of(replies) if (m := SLOT_PAYLOAD.search(b["payload"]))]
    assert offered, text_of(replies)
    say(city_stack, client, payload=f'/pilih_jadwal{{"jadwal": "{offered[0]}"}}')
    text = text_of(say(city_stack, client, payload="/ya"))
    code = CODE.search(text)
    assert code, text

    async def start() -> str:
        async with backend(city_stack) as c:
            booking = await c.get_booking(code.group(1))
        return booking.slot.start.astimezone(ZoneInfo("Asia/Makassar")).strftime("%H.%M")

    local_start = asyncio.run(start())
    assert f"pukul {local_start} WITA" in text, text
    # The visit starts at one of the puskesmas' local slot times: shown in WIB it would be an hour off.
    assert local_start in MAKASSAR_SLOT_TIMES, local_start


def test_catalogue_answers_in_banyuwangi_and_is_explained_elsewhere(city: City, city_stack: Stack) -> None:
    client = client_name(city)
    say(city_stack, client, "halo")
    text = text_of(say(city_stack, client, "cari kopi robusta dari desa dong"))
    if "/cari_produk" in city.offers:
        assert WA_LINK.search(text) and "Kopi" in text, text
        return
    assert "belum tersedia di " + city.name in text and "Kabupaten Banyuwangi" in text, text
    assert not WA_LINK.search(text), text


def test_a_city_document_beats_the_national_one_in_that_city_only(city: City, city_stack: Stack) -> None:
    client = client_name(city)
    say(city_stack, client, "halo")
    text = text_of(say(city_stack, client, "gimana cara menyampaikan pengaduan, lewat kanal apa saja?"))
    expected = JAKARTA_GUIDE if city.profile == "jakarta" else NATIONAL_GUIDE
    assert expected in text, text
    if city.profile != "jakarta":
        assert JAKARTA_GUIDE not in text, text
