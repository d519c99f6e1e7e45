"""The complaint form's answer checks and question order, with real rasa-sdk trackers.

The city backend is pointed at a closed port, so these also prove that the courtesy calls
(duplicate check, category list) never block the form when the backend is down.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import pengaduan_bantu
from actions.common.answers import phone_in
from actions.pengaduan_bantu import idempotency_key, match_service
from actions.pengaduan_form import ValidatePengaduanForm
from actions.pengaduan_jawaban import META, clean_description, is_vague, name_in
from actions.pengaduan_ringkasan import summary
from actions.pengaduan_tempat import canonical_area, find_area, looks_like_place, street_in
from citybot.client import Service
from citybot.media_links import media_base_url
from citybot.settings import get_settings
from tests.stack import free_port

DOMAIN: dict[str, Any] = {
    "responses": {
        "utter_pengaduan_tombol_petugas": [{"text": "Bicara dengan petugas"}],
        "utter_pengaduan_tombol_batal": [{"text": "Batalkan laporan"}],
        "utter_pengaduan_pelapor_anonim": [{"text": "anonim"}],
        "utter_pengaduan_foto_ada": [{"text": "terlampir"}],
        "utter_pengaduan_foto_tidak_ada": [{"text": "tidak ada"}],
    }
}


@pytest.fixture(autouse=True)
def backend_down(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> Iterator[None]:
    monkeypatch.setenv("BACKEND_URL", f"http://127.0.0.1:{free_port()}")
    monkeypatch.setenv("VAR_DIR", str(tmp_path))
    monkeypatch.setenv("HTTP_TIMEOUT_SECONDS", "1")
    get_settings.cache_clear()
    pengaduan_bantu._services_cache = None
    yield
    get_settings.cache_clear()


def tracker(
    slots: dict[str, Any] | None = None,
    intent: str = "nlu_fallback",
    text: str = "",
    entities: list[dict[str, Any]] | None = None,
) -> Tracker:
    latest = {
        "intent": {"name": intent, "confidence": 0.9},
        "entities": entities or [],
        "text": text,
        "metadata": {"channel": "telegram"},
    }
    return Tracker("telegram-abc", slots or {}, latest, [], False, None, {"name": "pengaduan_form"}, "action_listen")


def validate(slot: str, value: Any, t: Tracker) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    method = getattr(ValidatePengaduanForm(), f"validate_{slot}")
    result = asyncio.run(method(value, dispatcher, t, DOMAIN))
    return result, dispatcher.messages


def required(slots: dict[str, Any]) -> list[str]:
    form = ValidatePengaduanForm()
    return asyncio.run(form.required_slots([], CollectingDispatcher(), tracker(slots), DOMAIN))


SERVICES = [
    Service(
        service_code="jalan-rusak", service_name="Jalan Rusak / Berlubang", keywords=["jalan rusak", "lubang jalan"]
    ),
    Service(service_code="sampah", service_name="Sampah Menumpuk", keywords=["sampah", "tps penuh"]),
    Service(service_code="saluran-tersumbat", service_name="Saluran Air Tersumbat", keywords=["got mampet", "selokan"]),
]


def test_category_matches_code_keyword_and_typo() -> None:
    assert match_service("jalan-rusak", SERVICES) == ("jalan-rusak", "Jalan Rusak / Berlubang")
    assert match_service("ini got mampet parah", SERVICES) == ("saluran-tersumbat", "Saluran Air Tersumbat")
    assert match_service("smpah numpuk", SERVICES) == ("sampah", "Sampah Menumpuk")
    assert match_service("resep rendang", SERVICES) is None
    # Backend down: only the reference codes the NLU model produces are accepted.
    assert match_service("banjir", []) == ("banjir", "Banjir / Genangan")


def test_questions_follow_what_is_still_needed() -> None:
    assert required({})[:3] == ["pengaduan_kategori", "pengaduan_lokasi", "pengaduan_kelurahan"]
    # A map location needs no kelurahan.
    assert "pengaduan_kelurahan" not in required({"pengaduan_lat": -6.2, "pengaduan_long": 106.8})
    # Personal data is asked only after consent, consent only when the citizen wants to be named.
    assert "pengaduan_persetujuan" not in required({"pengaduan_identitas": False})
    assert "pengaduan_nama" not in required({"pengaduan_identitas": True})
    named = required({"pengaduan_identitas": True, "pengaduan_persetujuan": True})
    assert named.index("pengaduan_persetujuan") < named.index("pengaduan_nama") < named.index("pengaduan_telepon")
    # Supporting a duplicate ends the questions.
    assert required({"pengaduan_duplikat": "JKL-2026-000001", "pengaduan_dukung": True})[-1] == "pengaduan_dukung"
    assert required({"pengaduan_konfirmasi": "ubah"})[-2:] == ["pengaduan_bagian_diubah", "pengaduan_konfirmasi"]


def test_map_location_is_taken_and_swapped_coordinates_rejected() -> None:
    entities = [{"entity": "latitude", "value": -6.2}, {"entity": "longitude", "value": 106.8}]
    result, messages = validate(
        "pengaduan_lokasi",
        '/kirim_lokasi{"latitude": -6.2, "longitude": 106.8}',
        tracker(intent="kirim_lokasi", entities=entities),
    )
    assert result["pengaduan_lat"] == -6.2 and result["pengaduan_long"] == 106.8
    assert messages[0]["response"] == "utter_pengaduan_lokasi_peta_diterima"
    swapped = [{"entity": "latitude", "value": 106.8}, {"entity": "longitude", "value": -6.2}]
    result, messages = validate("pengaduan_lokasi", "/kirim_lokasi", tracker(intent="kirim_lokasi", entities=swapped))
    assert result == {"pengaduan_lokasi": None, "pengaduan_gagal": 1}


def test_text_location_finds_the_kelurahan_and_vague_places_are_reasked_then_buttons() -> None:
    result, _ = validate("pengaduan_lokasi", "Jl. Melati depan SDN 03, Kel. Menteng", tracker())
    assert result["pengaduan_lokasi"] == "Jl. Melati depan SDN 03, Kel. Menteng"
    assert result["pengaduan_kelurahan"] == "Menteng"
    result, messages = validate("pengaduan_lokasi", "di depan rumah saya", tracker())
    assert result == {"pengaduan_lokasi": None, "pengaduan_gagal": 1}
    assert messages[0]["response"] == "utter_pengaduan_lokasi_kurang_jelas"
    result, messages = validate("pengaduan_lokasi", "sini", tracker({"pengaduan_gagal": 1}))
    assert result["pengaduan_gagal"] == 2
    assert messages[0]["response"] == "utter_pengaduan_butuh_bantuan"
    assert {b["payload"] for b in messages[0]["buttons"]} >= {"/bicara_petugas", "/batal"}


def test_kelurahan_names_typos_and_unknown_plausible_names() -> None:
    assert canonical_area("kel. cikinii") == "Cikini"
    assert find_area("depan indomaret kelapa gading barat") == "Kelapa Gading Barat"
    assert validate("pengaduan_kelurahan", "tamalanrea", tracker())[0]["pengaduan_kelurahan"] == "Tamalanrea"
    assert validate("pengaduan_kelurahan", "Sukamaju Baru", tracker())[0]["pengaduan_kelurahan"] == "Sukamaju Baru"
    assert validate("pengaduan_kelurahan", "12345", tracker())[0]["pengaduan_kelurahan"] is None


def test_description_photo_name_and_phone() -> None:
    assert clean_description("mau lapor jalan depan rumah bolong gede") == "Jalan depan rumah bolong gede"
    assert validate("pengaduan_deskripsi", "rusak", tracker())[0]["pengaduan_deskripsi"] is None
    url = media_base_url(get_settings()) + "/media/" + "ab" * 16 + ".jpg"
    photo = tracker(intent="kirim_foto", entities=[{"entity": "media_url", "value": url}])
    assert validate("pengaduan_foto", url, photo)[0]["pengaduan_foto"] == url
    foreign = "http://169.254.169.254/latest/meta-data"
    forged = tracker(intent="kirim_foto", entities=[{"entity": "media_url", "value": foreign}])
    assert validate("pengaduan_foto", foreign, forged)[0]["pengaduan_foto"] is None
    assert validate("pengaduan_foto", "lewati", tracker(intent="lewati"))[0]["pengaduan_foto"] == "tidak_ada"
    assert validate("pengaduan_foto", "fotonya bagus", tracker())[0]["pengaduan_foto"] is None
    assert validate("pengaduan_nama", "nama saya Siti Aminah", tracker())[0]["pengaduan_nama"] == "Siti Aminah"
    assert validate("pengaduan_nama", "1234", tracker())[0]["pengaduan_nama"] is None
    assert validate("pengaduan_telepon", "0812-3456-7890", tracker())[0]["pengaduan_telepon"] == "+6281234567890"
    assert validate("pengaduan_telepon", "12345", tracker())[0]["pengaduan_telepon"] is None


def test_no_consent_means_anonymous() -> None:
    result, messages = validate("pengaduan_persetujuan", "tidak", tracker(intent="tidak"))
    assert result["pengaduan_identitas"] is False and result["pengaduan_telepon"] is None
    assert messages[0]["response"] == "utter_pengaduan_tanpa_identitas"
    anonymous = validate("pengaduan_identitas", "anonim aja", tracker(intent="pilih_anonim"))[0]
    assert anonymous["pengaduan_identitas"] is False


def test_summary_change_clears_only_that_part() -> None:
    ubah = tracker(intent="ubah_pengaduan", entities=[{"entity": "bagian_pengaduan", "value": "lokasi"}])
    result, _ = validate("pengaduan_konfirmasi", "ubah lokasinya", ubah)
    assert result["pengaduan_lokasi"] is None and result["pengaduan_lat"] is None
    assert result["pengaduan_konfirmasi"] is None and "pengaduan_deskripsi" not in result
    assert validate("pengaduan_konfirmasi", "/ubah_pengaduan", tracker(intent="ubah_pengaduan"))[0] == {
        "pengaduan_konfirmasi": "ubah",
        "pengaduan_gagal": 0,
    }
    assert validate("pengaduan_bagian_diubah", "fotonya", tracker())[0]["pengaduan_foto"] is None
    assert (
        validate("pengaduan_konfirmasi", "/kirim_pengaduan", tracker(intent="kirim_pengaduan"))[0][
            "pengaduan_konfirmasi"
        ]
        == "kirim"
    )


def test_summary_masks_the_phone_number() -> None:
    slots = {
        "pengaduan_identitas": True,
        "pengaduan_nama": "Siti",
        "pengaduan_telepon": "+6281234567890",
        "pengaduan_lokasi": "Jl. Mawar 5",
        "pengaduan_kelurahan": "Cikini",
        "pengaduan_foto": "tidak_ada",
    }
    shown = summary(tracker(slots), DOMAIN)
    assert shown["pelapor"] == "Siti (+62812****890)"
    assert shown["lokasi"] == "Jl. Mawar 5, Kel. Cikini" and shown["foto"] == "tidak ada"


def test_idempotency_key_is_stable_for_the_same_report_and_changes_with_it() -> None:
    day = dt.date(2026, 11, 27)
    payload = {"service_code": "sampah", "description": "Sampah menumpuk", "address_string": "Pasar Baru"}
    assert idempotency_key("web-a", day, payload) == idempotency_key("web-a", day, dict(reversed(payload.items())))
    assert idempotency_key("web-a", day, payload) != idempotency_key("web-b", day, payload)
    assert idempotency_key("web-a", day, payload) != idempotency_key("web-a", day, {**payload, "description": "x"})
    assert idempotency_key("web-a", day, payload) != idempotency_key("web-a", day + dt.timedelta(days=1), payload)


def test_vague_words() -> None:
    assert is_vague("depan rumah saya") and is_vague("di sini") and not is_vague("depan Alfamart Jl. Kenari")


@pytest.mark.parametrize(
    ("text", "street"),
    [
        ("mau lapor sampah numpuk di jl kenari", "jl kenari"),
        ("lampu jalan mati di jl salemba raya", "jl salemba raya"),
        ("min jalan depan rumah saya bolong gede bgt", None),
        ("gang aye banjir nih", None),
    ],
)
def test_the_street_a_first_message_names(text: str, street: str | None) -> None:
    assert street_in(text) == street


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("ya, saya setuju", False),
        ("oke", False),
        ("udah saya bilang", False),
        ("Jl. Melati depan SDN 03", True),
        ("depan alfamart", True),
        ("Kassi-Kassi", True),
        ("sdn 05 pagi", True),
    ],
)
def test_a_location_answer_must_look_like_a_place(text: str, place: bool) -> None:
    assert looks_like_place(text) is place


@pytest.mark.parametrize(
    ("text", "story"),
    [
        (
            "kan udh saya bilang min bolong gede udah 2 minggu, motor banyak yg jatoh",
            "Bolong gede udah 2 minggu, motor banyak yg jatoh",
        ),
        (
            "Selamat sore. Saya mau melaporkan sampah menumpuk sudah seminggu. Terima kasih.",
            "Sampah menumpuk sudah seminggu",
        ),
    ],
)
def test_descriptions_lose_greetings_thanks_and_remarks_about_the_chat(text: str, story: str) -> None:
    assert clean_description(META.sub(" ", text)) == story


@pytest.mark.parametrize(
    ("text", "name", "phone"),
    [
        ("boleh, nama saya Budi Santoso hp 0812 3456 7890", "Budi Santoso", "+6281234567890"),
        ("nama saya Sri Wahyuni, no wa 0857-1122-3344", "Sri Wahyuni", "+6285711223344"),
        ("iya cantumkan", None, None),
    ],
)
def test_name_and_phone_given_together_are_both_taken(text: str, name: str | None, phone: str | None) -> None:
    assert (name_in(text), phone_in(text)) == (name, phone)
