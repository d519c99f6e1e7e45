"""The data-rights flows open only when the words ask for the citizen's own records."""

from __future__ import annotations

import pytest

from citybot.nlu.request_cues import (
    about_a_private_business,
    asks_for_own_data,
    booking_change,
    offers_a_trade,
    outside_city_services,
    reports_with_a_reproach,
    short_answer,
)

ASKS = [
    "hapus data saya",
    "data pribadi saya apa saja yang kalian simpan",
    "kalian nyimpen apa aja tentang aku",
    "saya minta data diri saya dihapus sesuai UU PDP",
    "nomor hp saya kesimpan gak di sini",
]
DOES_NOT_ASK = [
    "Selamat pagi, saya kehilangan KTP di luar kota, domisili saya di sini, bagaimana mengurusnya?",
    "data di KK saya salah, nama ibu saya keliru, syaratnya apa",
    "perubahan data saya di KK ke mana",
    "ya hapus",
    "saya mau tanya jadwal kereta",
    "anak saya belum dapat KIA, daftarnya gimana",
]


@pytest.mark.parametrize("text", ASKS)
def test_explicit_requests_for_own_data(text: str) -> None:
    assert asks_for_own_data(text)


@pytest.mark.parametrize("text", DOES_NOT_ASK)
def test_personal_context_in_a_question_is_not_a_data_request(text: str) -> None:
    assert not asks_for_own_data(text)


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("y", "ya"),
        ("ya hapus", "ya"),
        ("iya tampilin", "ya"),
        ("iya batalkan", "ya"),
        ("Ya, kirim.", "ya"),
        ("tidak", "tidak"),
        ("gak usah", "tidak"),
        ("ga jadi", None),
        ("ok makasih", None),
        ("ya ampun", None),
        ("oke segitu dulu", None),
        ("oke sampai nanti", None),
        ("oke thx", None),
        ("iya tapi kapan diperbaiki?", None),
        ("ya udah kirim aja laporan yg tadi", None),
    ],
)
def test_short_confirmations_in_everyday_registers(text: str, answer: str | None) -> None:
    assert short_answer(text) == answer


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("kak maaf, keluarga mau bawa nenek ke RS aja. batalin homecare nya ya", "batal_homecare"),
        ("sudah sembuh, batalkan saja kunjungan dokternya", "batal_homecare"),
        ("tolong ganti jadwal kunjungan dokter ke rumah", "ubah_jadwal_homecare"),
        ("mau pesan dokter ke rumah", None),
        ("batal", None),
    ],
)
def test_a_change_to_a_named_booking(text: str, intent: str | None) -> None:
    assert booking_change(text) == intent


@pytest.mark.parametrize(
    "text",
    [
        "kamar hotelnya kotor dan bau apek, resepsionisnya cuek",
        "sinyal provider saya hilang terus tiap malam, kecewa",
        "paket dari kurir rusak waktu sampai, seller gak mau tanggung jawab",
        "antrean teller bank lama sekali, cuma satu loket yang buka",
    ],
)
def test_a_customers_grievance_with_a_company_is_about_a_private_business(text: str) -> None:
    assert about_a_private_business(text)


@pytest.mark.parametrize(
    "text",
    [
        "sampah menumpuk di belakang restoran di jalan kenanga, baunya sampai ke rumah warga",
        "parkir liar di depan bank bikin macet jalan raya",
        "lampu jalan depan hotel mati sudah seminggu",
        "jalan di gang kami rusak dan berlubang",
    ],
)
def test_a_public_place_makes_a_problem_a_city_report(text: str) -> None:
    assert not about_a_private_business(text)


@pytest.mark.parametrize(
    "text",
    [
        "WTS tiket kereta ke Solo tanggal 12, harga nego",
        "ada yg mau beli tiket KA malam ini? batal berangkat, PC aja",
        "siapa yang punya tiket kereta ke Bandung buat Jumat, mau beli 2",
        "titip jual tiket pertandingan, minat DM",
    ],
)
def test_a_trade_among_people_is_a_marketplace_post(text: str) -> None:
    assert offers_a_trade(text)
    assert outside_city_services(text)


@pytest.mark.parametrize(
    "text",
    [
        "cara beli tiket kereta lewat aplikasi gimana",
        "ada yang butuh bantuan evakuasi di gang 3",
        "tanah fasum di komplek kami dijual oknum, mohon ditindak",
        "kartu BPJS saya tidak bisa dipakai padahal kerja saya cuma ojol",
        "pedagang di trotoar jalan raya bikin macet",
    ],
)
def test_city_matters_are_not_outside_the_city_services(text: str) -> None:
    assert not outside_city_services(text)


@pytest.mark.parametrize(
    "text",
    [
        "mau urus izin PIRT untuk produk kue rumahan, syaratnya apa",
        "saya kerja di hotel, surat domisili ngurusnya bawa apa aja",
    ],
)
def test_a_company_named_next_to_a_city_service_stays_a_city_matter(text: str) -> None:
    assert about_a_private_business(text)
    assert not outside_city_services(text)


def test_a_grievance_with_a_telco_is_outside_the_city_services() -> None:
    assert outside_city_services("provider internet saya lemot terus, teknisinya janji datang tapi gak muncul")


@pytest.mark.parametrize(
    "text",
    [
        "banjir lagi di jalan melati raya, kapan saluran di sini dilebarkan pak",
        "sampah numpuk di pasar induk dari minggu lalu, kenapa gak diangkut2",
    ],
)
def test_a_problem_with_a_reproach_is_a_report(text: str) -> None:
    assert reports_with_a_reproach(text)


@pytest.mark.parametrize(
    "text",
    [
        "jalan depan rumah rusak, gimana cara lapornya?",
        "lampu jalan di gang mati, lapor ke mana ya",
        "KTP saya rusak, kenapa di kelurahan belum bisa dicetak",
    ],
)
def test_a_problem_with_a_real_question_is_not_turned_into_a_report(text: str) -> None:
    assert not reports_with_a_reproach(text)


def test_praise_with_a_typo_is_not_a_report() -> None:
    from citybot.nlu.request_cues import describes_a_problem

    assert not describes_a_problem("apreasi buat petugas yang tetap bersihkan got pas hujan biar gak ada genangan")
    assert describes_a_problem("got di depan rumah mampet, ada genangan tiap hujan")


@pytest.mark.parametrize(
    ("text", "denies"),
    [
        ("saya bukan mau bikin laporan, cuma mau nanya prosedur", True),
        ("bukan komplain kok, cuma mau tahu aja", True),
        ("saya tidak bermaksud melapor, mau minta informasi", True),
        ("jangan dibuat laporan, saya hanya bertanya", True),
        ("kulo mboten badhe lapor, namung tanglet", True),
        ("laporan saya tidak ditindaklanjuti", False),
        ("jalan ini tidak pernah dilaporkan", False),
    ],
)
def test_saying_it_is_not_a_report(text: str, denies: bool) -> None:
    from citybot.nlu.request_cues import says_not_a_report

    assert says_not_a_report(text) is denies
