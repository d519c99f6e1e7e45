"""Conversations that flow: reproductions from the UX walkthroughs, through the real stack.

Buttons are pressed as buttons (payloads), typed text is typed.
"""

from __future__ import annotations

import uuid

import httpx
import pytest

from tests.e2e.test_homecare import book, bookings_of
from tests.stack import Stack, buttons_of, say, text_of
from tests.webclient import headers_for

pytestmark = pytest.mark.e2e

VALIDATION_ERRORS = (
    "Mohon jawab",
    "belum terbaca",
    "tidak valid",
    "terlalu singkat",
    "belum terdaftar",
    "Mohon pilih",
    "Mohon ceritakan",
    "tidak ada di pilihan",
    "Maaf, mohon tulis",
)


def _client() -> str:
    return f"flow-{uuid.uuid4()}"


def test_homecare_menu_button_as_first_message_asks_the_first_question_only(makassar_stack: Stack) -> None:
    stack = makassar_stack
    client = _client()
    replies = say(stack, client, payload="/pesan_homecare")
    text = text_of(replies)
    assert "tanda bahaya 1 dari 2" in text, text
    assert not [e for e in VALIDATION_ERRORS if e in text], text
    # A second start in the same chat (slots to clear this time) is just as clean.
    say(stack, client, "batal")
    text = text_of(say(stack, client, payload="/pesan_homecare"))
    assert "tanda bahaya 1 dari 2" in text and not [e for e in VALIDATION_ERRORS if e in text], text


@pytest.mark.parametrize("yes", ["ya hapus", "y", "iya hapus aja"])
def test_typed_yes_at_the_delete_confirmation_deletes(makassar_stack: Stack, yes: str) -> None:
    stack = makassar_stack
    client = _client()
    local = f"0813{uuid.uuid4().int % 10**8:08d}"
    book(stack, client, phone=local)
    assert bookings_of(stack, client)
    text = text_of(say(stack, client, "hapus data saya"))
    assert "tidak bisa dibatalkan" in text, text
    text = text_of(say(stack, client, yes))
    assert "Permintaan hapus data sudah dijalankan" in text and "Sampai jumpa" not in text, text
    assert bookings_of(stack, client) == []


def test_typed_yes_at_the_export_confirmation_shows_the_data(stack: Stack) -> None:
    client = _client()
    say(stack, client, "bro gw mau liat data gw apa aja yg lo simpen")
    text = text_of(say(stack, client, "iya tampilin"))
    assert "Tidak ada data pribadi" in text or "Data Anda yang tersimpan" in text, text


@pytest.mark.parametrize(
    "message",
    [
        "Selamat siang, saya kehilangan KTP waktu di luar kota, domisili saya di sini. Bagaimana mengurusnya?",
        "Saya ingin menanyakan perkembangan laporan sampah yang saya kirim tadi, nomornya lupa",
    ],
)
def test_personal_context_never_opens_the_data_rights_flow(stack: Stack, message: str) -> None:
    text = text_of(say(stack, _client(), message))
    assert "data pribadi Anda yang tersimpan" not in text and "Yakin ingin menghapus" not in text, text


def test_asking_for_a_person_outranks_a_complaint(stack: Stack) -> None:
    text = text_of(
        say(
            stack,
            _client(),
            "Saya mau bicara dengan orang, bukan dengan mesin. Urusan tanah warisan "
            "saya di kelurahan tidak selesai-selesai sudah 6 bulan.",
        )
    )
    assert "Masalah apa" not in text and "Baik, saya bantu buat laporannya" not in text, text
    assert "petugas" in text.lower(), text


def test_saying_it_is_not_a_report_leaves_the_form_and_answers(stack: Stack) -> None:
    client = _client()
    text = text_of(say(stack, client, "mau lapor"))
    assert "Masalah apa" in text, text
    text = text_of(say(stack, client, "lah sy ga mau lapor, sy nanya tunggakan bpjs gimana bayarnya"))
    assert "bukan laporan" in text.lower() and "Masalah apa" not in text, text
    assert "BPJS" in text or "Sumber" in text, text
    # The form is closed: the next message is not taken as a category.
    text = text_of(say(stack, client, "terima kasih"))
    assert "Masalah apa" not in text and "jenis masalah" not in text, text


def test_cancelled_complaint_can_be_resumed(stack: Stack) -> None:
    client = _client()
    say(stack, client, "mau lapor lampu jalan mati")
    say(stack, client, "Jl. Pramuka Raya dekat halte, Kel. Utan Kayu Selatan")
    text = text_of(say(stack, client, "batal"))
    assert "lanjutkan laporan" in text, text
    text = text_of(say(stack, client, "eh jadi deh, lanjutkan laporan tadi"))
    assert "Ceritakan singkat" in text and "Di mana lokasinya" not in text, text


def test_homecare_outside_the_service_area_ends_after_two_misses(makassar_stack: Stack) -> None:
    stack = makassar_stack
    client = _client()
    steps = [
        ("pesan dokter ke rumah untuk bapak", None),
        (None, "/tidak"),
        (None, "/tidak"),
        (None, "/ya"),
        ("Suparman", None),
        ("70", None),
        ("081298765432", None),
        ("Jl. Balai Pustaka Baru No. 12, RT 5 RW 3", None),
    ]
    for text_in, payload in steps:
        say(stack, client, text_in, payload)
    text = text_of(say(stack, client, "Rawamangun"))
    assert "belum terdaftar" in text, text
    replies = say(stack, client, "ejaannya sudah benar. saya di Jakarta Timur bukan Makassar")
    text = text_of(replies)
    assert "hanya melayani kelurahan di Kota Makassar" in text and "puskesmas" in text, text
    assert "ejaannya sudah benar" not in text  # the sentence is not echoed back as a place name
    assert "/bicara_petugas" in [b["payload"] for b in buttons_of(replies)]
    text = text_of(say(stack, client, "oke"))
    assert "Di kelurahan mana" not in text, text
    assert bookings_of(stack, client) == []


def test_kelurahan_matches_without_the_hyphen(makassar_stack: Stack) -> None:
    stack = makassar_stack
    client = _client()
    for text_in, payload in [
        ("pesan homecare", None),
        (None, "/tidak"),
        (None, "/tidak"),
        (None, "/ya"),
        ("Hj. Sitti Aminah", None),
        ("72", None),
        ("081355667788", None),
        ("Jl. Abdullah Daeng Sirua No. 45, RT 02 RW 05", None),
    ]:
        say(stack, client, text_in, payload)
    text = text_of(say(stack, client, "kassi kassi"))
    assert "Puskesmas" in text and "belum terdaftar" not in text, text


def test_cancelling_a_booking_made_in_this_chat_does_not_ask_for_its_code(makassar_stack: Stack) -> None:
    stack = makassar_stack
    client = _client()
    code, _ = book(stack, client, phone=f"0813{uuid.uuid4().int % 10**8:08d}")
    text = text_of(say(stack, client, "kak maaf, keluarga mau bawa nenek ke RS aja. batalin homecare nya ya"))
    assert code in text and "kirim kode pemesanan" not in text and "tidak ditemukan" not in text, text
    text = text_of(say(stack, client, "iya batalkan"))
    assert "sudah dibatalkan" in text, text


def test_a_complete_first_message_is_not_asked_again(stack: Stack) -> None:
    client = _client()
    text = text_of(
        say(
            stack,
            client,
            "Selamat siang. Saya ingin melaporkan sampah yang menumpuk di depan TPS "
            "Jl. Kenari Raya 12, Kel. Kenari. Sudah lima hari tidak diangkut dan baunya "
            "menyengat. Terima kasih.",
        )
    )
    # Category, street, kelurahan and the story all came in the first message: the photo is next.
    assert "Ada foto" in text, text
    assert "Masalah apa" not in text and "Di mana lokasinya" not in text and "Ceritakan singkat" not in text
    say(stack, client, payload="/lewati")
    text = text_of(say(stack, client, "anonim saja"))
    assert "Sampah" in text and "Kenari" in text and "tidak diangkut" in text, text
    assert "Selamat siang" not in text and "Terima kasih" not in text


def test_a_remark_about_the_chat_is_never_the_description(stack: Stack) -> None:
    client = _client()
    say(stack, client, "mau lapor lampu jalan mati dekat pos ronda, sudah tiga malam gelap total")
    text = text_of(say(stack, client, "Gg. Mawar 3 dekat pos ronda, Kel. Rawasari"))
    if "Ceritakan singkat" in text:  # the first message was short enough to ask; answer with a remark
        text = text_of(say(stack, client, "Mohon dibaca pesan pertama saya."))
    assert "Ada foto" in text, text
    say(stack, client, payload="/lewati")
    text = text_of(say(stack, client, "anonim saja"))
    assert "tiga malam gelap total" in text and "Mohon dibaca" not in text, text


@pytest.mark.parametrize("message", ["Kenapa belum ditindaklanjuti juga? Baunya makin parah.", "wkwkwk"])
def test_no_false_alarm_and_no_agent_for_laughter(stack: Stack, message: str) -> None:
    client = _client()
    for _ in range(2):
        text = text_of(say(stack, client, message))
        assert "🚨" not in text and "di luar jam kerja petugas" not in text and "petugas akan" not in text, text


def test_announcing_a_question_gets_an_invitation_to_ask(stack: Stack) -> None:
    text = text_of(say(stack, _client(), "min mau nanya"))
    assert "di luar layanan" not in text and "belum bisa menanggapi" not in text, text
    assert "pertanyaan" in text.lower() or "tanya" in text.lower(), text


def test_name_and_phone_given_together_are_not_asked_again(stack: Stack) -> None:
    client = _client()
    say(stack, client, "mau lapor jalan berlubang")
    if "Sudah ada laporan serupa" in text_of(say(stack, client, "Jl. Salemba Raya depan halte, Kel. Paseban")):
        say(stack, client, payload="/tidak")  # another test of this stack reported the same spot
    text = text_of(say(stack, client, "lubangnya dalam sekali, sudah dua minggu dan motor sering jatuh"))
    assert "Ada foto" in text, text
    say(stack, client, payload="/lewati")
    text = text_of(say(stack, client, "boleh, nama saya Budi Santoso hp 0812 3456 7890"))
    assert "setuju" in text.lower(), text  # consent first (UU PDP), then nothing more is asked
    text = text_of(say(stack, client, "iya setuju"))
    assert "Mohon periksa laporan Anda" in text and "Budi Santoso" in text, text
    assert "Siapa nama Anda" not in text and "nomor HP" not in text.split("Mohon periksa")[0]


def test_a_question_at_the_summary_keeps_the_report(stack: Stack) -> None:
    client = _client()
    say(stack, client, "mau lapor pungli di loket kantor kelurahan, dimintai uang 200 ribu buat surat pindah")
    say(stack, client, "Kantor Kelurahan Kenari, Jl. Kenari 2")
    say(stack, client, payload="/lewati")
    text = text_of(say(stack, client, "anonim aja"))
    assert "Mohon periksa laporan Anda" in text, text
    text = text_of(say(stack, client, "oknumnya ga bakal tau kan sy yg lapor?"))
    assert "Formulir laporan saya tutup" not in text, text
    text = text_of(say(stack, client, payload="/kirim_pengaduan"))
    assert "JKL-" in text, text


def test_kelurahan_inside_the_address_is_not_asked_again(makassar_stack: Stack) -> None:
    stack = makassar_stack
    client = _client()
    for text_in, payload in [
        ("pesan homecare", None),
        (None, "/tidak"),
        (None, "/tidak"),
        (None, "/ya"),
        ("Hj. Sitti Aminah", None),
        ("72", None),
        ("081355667788", None),
    ]:
        say(stack, client, text_in, payload)
    text = text_of(say(stack, client, "Jl. Abdullah Daeng Sirua No. 45, RT 02 RW 05, Kel. Kassi-Kassi, dekat masjid"))
    assert "Puskesmas" in text and "Di kelurahan mana" not in text, text


def test_web_location_help_and_photo_acknowledged(stack: Stack) -> None:
    client = _client()
    text = text_of(say(stack, client, "mau lapor saluran air mampet"))
    assert "Di mana lokasinya" in text and "📍" in text and "Telegram/WhatsApp" not in text, text
    say(stack, client, "Jl. Kenari Raya 12 depan warung, Kel. Kenari")
    say(stack, client, "airnya meluap ke jalan setiap hujan sejak minggu lalu")
    photo = f"{stack.gateway_url}/media/{'d4' * 16}.jpg"  # only the gateway's own media store is accepted
    text = text_of(say(stack, client, payload=f'/kirim_foto{{"media_url": "{photo}"}}'))
    assert "Fotonya sudah saya terima" in text, text


def _pin(stack: Stack, client: str, lat: float, long: float) -> str:
    response = httpx.post(
        f"{stack.gateway_url}/api/messages/location",
        json={"latitude": lat, "longitude": long},
        headers=headers_for(stack.gateway_url, client),
        timeout=90,
    )
    assert response.status_code == 200, response.text
    return text_of(response.json()["replies"])


def test_a_pin_outside_the_city_is_refused_and_the_form_asks_again(stack: Stack) -> None:
    client = _client()
    text = text_of(say(stack, client, "mau lapor jalan berlubang besar di depan sekolah"))
    assert "Di mana lokasinya" in text, text
    text = _pin(stack, client, -6.9147, 107.6098)  # Bandung: not DKI Jakarta's to fix
    assert "di luar wilayah layanan DKI Jakarta" in text and "sudah saya terima" not in text, text
    text = _pin(stack, client, -6.1862, 106.8341)  # Menteng
    assert "Titik lokasi dari peta sudah saya terima" in text and "di luar wilayah" not in text, text


def test_a_pasted_map_link_is_read_as_the_pin(stack: Stack) -> None:
    client = _client()
    say(stack, client, "mau lapor lampu jalan mati")
    text = text_of(
        say(
            stack,
            client,
            "ini lokasinya kak https://www.google.com/maps/place/Taman+Suropati/"
            "@-6.1990,106.8320,17z/data=!3m1!4b1!4m6!3m5!1s0x0:0x0!8m2!3d-6.19953!4d106.83218",
        )
    )
    assert "Titik lokasi dari peta sudah saya terima" in text, text
    # The pin (!3d/!4d), not the map's view centre (@...), is what reaches the summary.
    say(stack, client, "lampunya mati total sudah seminggu, gelap sekali kalau malam")
    say(stack, client, payload="/lewati")
    text = text_of(say(stack, client, "anonim saja"))
    assert "-6.19953, 106.83218" in text, text


def test_typed_coordinates_outside_the_city_are_refused(stack: Stack) -> None:
    client = _client()
    say(stack, client, "mau lapor pohon tumbang menutup jalan")
    text = text_of(say(stack, client, "-6.9147, 107.6098"))
    assert "di luar wilayah layanan" in text, text


def test_asking_when_after_filing_gets_the_agency_target_and_thanks_are_answered(stack: Stack) -> None:
    client = _client()
    say(
        stack,
        client,
        "Saya ingin melaporkan sampah yang menumpuk di depan TPS Jl. Kenari Raya 12, Kel. Kenari. "
        "Sudah lima hari tidak diangkut dan baunya menyengat.",
    )
    say(stack, client, payload="/lewati")
    say(stack, client, "anonim saja")
    text = text_of(say(stack, client, payload="/kirim_pengaduan"))
    assert "sudah diterima dengan nomor" in text and "paling lambat" in text, text
    text = text_of(say(stack, client, "makasih min, kira2 kapan dibenerin?"))
    assert text.startswith("Sama-sama"), text
    assert "2 hari" in text and "paling lambat" in text and "jam kerja" not in text, text


def test_a_reschedule_request_in_own_words_right_after_booking_moves_the_visit(makassar_stack: Stack) -> None:
    stack = makassar_stack
    client = _client()
    code, _ = book(stack, client)
    replies = say(stack, client, "eh maaf, ternyata anak saya ga bisa nemenin hari itu. bisa dipindah ke hari lain?")
    text = text_of(replies)
    assert "Masalah apa" not in text and "Baik, saya bantu buat laporannya" not in text, text
    assert code in text and buttons_of(replies), text  # no code asked: the visit booked here, new slots offered
    # Leave the shared stack's slots as they were (other tests count free places).
    say(stack, client, "batal")
    say(stack, client, f"batalkan homecare {code}")
    assert "sudah dibatalkan" in text_of(say(stack, client, payload="/ya"))


def test_leaving_the_complaint_form_in_own_words(stack: Stack) -> None:
    client = _client()
    assert "Masalah apa" in text_of(say(stack, client, "mau lapor"))
    text = text_of(say(stack, client, "ga jadi deh, nanti aja"))
    assert "dibatalkan" in text and "Masalah apa" not in text, text
