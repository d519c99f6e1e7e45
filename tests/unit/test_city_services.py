"""The menu and the optional services follow the active city profile (one model, any city).

Each test selects a shipped profile through the environment, as a deployment does, and runs the
real actions with the real domain; the expected values are written out, not read from the profile.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction
from rasa_sdk.executor import CollectingDispatcher

from actions.common.dates import zone_label
from actions.common.menu import menu_buttons, menu_lines
from actions.common.services import name_list
from actions.homecare.booking import ActionMulaiHomecare
from actions.homecare.manage import ActionMulaiBatalHomecare, ActionMulaiUbahJadwal
from actions.kesehatan import ActionKeluhanKesehatan
from actions.perizinan import ActionCekIzin
from actions.produk_desa import ActionCariProduk, ActionProdukLagi
from actions.umum import ActionDiLuarLayanan, ActionMenu, ActionSapa
from citybot.settings import get_settings
from tests.city_profiles import profile_variant

ROOT = Path(__file__).resolve().parents[2]
TRANSPORT = '/tanya_layanan{"topik_layanan": "transportasi"}'
EVERYWHERE = [
    "/lapor_pengaduan",
    "/cek_status_laporan",
    '/tanya_layanan{"topik_layanan": "perizinan"}',
    '/tanya_layanan{"topik_layanan": "kesehatan"}',
    "/cek_izin",
]
MENUS = {
    "jakarta": [*EVERYWHERE, TRANSPORT, "/bicara_petugas"],
    "makassar": [*EVERYWHERE, "/pesan_homecare", "/bicara_petugas"],
    "banyuwangi": [*EVERYWHERE, "/cari_produk", "/bicara_petugas"],
}


def _domain() -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for path in sorted((ROOT / "bot" / "domain").glob("*.yml")):
        for key, value in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).items():
            if isinstance(value, dict):
                merged.setdefault(key, {}).update(value)
    return merged


DOMAIN = _domain()


@pytest.fixture
def city(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    def choose(profile: str) -> None:
        monkeypatch.setenv("CITY_PROFILE", profile)
        get_settings.cache_clear()

    yield choose
    get_settings.cache_clear()


def run(action: Action, text: str = "halo") -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    tracker = Tracker(
        "warga-1", {}, {"text": text, "intent": {"name": "x"}, "entities": []}, [], False, None, {}, "action_listen"
    )
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, DOMAIN))
    return events, dispatcher.messages


@pytest.mark.parametrize("profile", list(MENUS))
def test_the_menu_offers_exactly_the_citys_services(city: Any, profile: str) -> None:
    city(profile)
    assert [b["payload"] for b in menu_buttons(DOMAIN)] == MENUS[profile]
    lines = menu_lines(DOMAIN)
    assert ("HomeCare" in lines) == (profile == "makassar")
    assert ("produk UMKM" in lines) == (profile == "banyuwangi")
    assert ("transportasi umum" in lines) == (profile == "jakarta")
    for action, response in (
        (ActionSapa(), "utter_salam"),
        (ActionMenu(), "utter_menu"),
        (ActionDiLuarLayanan(), "utter_out_of_scope"),
    ):
        events, said = run(action)
        assert events == [] and [m["response"] for m in said] == [response]
        assert [b["payload"] for b in said[0]["buttons"]] == MENUS[profile]
        assert said[0]["daftar_layanan"] == lines


@pytest.mark.parametrize("profile", ["jakarta", "banyuwangi"])
@pytest.mark.parametrize("action", [ActionMulaiHomecare(), ActionMulaiBatalHomecare(), ActionMulaiUbahJadwal()])
def test_homecare_is_explained_not_started_where_the_city_has_none(city: Any, profile: str, action: Action) -> None:
    city(profile)
    events, said = run(action, "pesan dokter ke rumah")
    assert events == [FollowupAction("action_listen")]  # no form slots, no idempotency key: no form
    assert [m["response"] for m in said] == ["utter_layanan_kota_lain", "utter_alternatif_homecare"]
    assert said[0]["penyelenggara"] == "Kota Makassar"
    assert said[0]["kota"] == {"jakarta": "DKI Jakarta", "banyuwangi": "Kabupaten Banyuwangi"}[profile]
    assert said[1]["nomor_ambulans"] == "119"


def test_homecare_starts_in_makassar(city: Any) -> None:
    city("makassar")
    events, said = run(ActionMulaiHomecare(), "pesan dokter ke rumah")
    assert [m["response"] for m in said] == ["utter_homecare_segera"] and said[0]["kota"] == "Kota Makassar"
    assert FollowupAction("action_listen") not in events
    assert any(e.get("name") == "homecare_kunci" and e.get("value") for e in events)


@pytest.mark.parametrize("profile", ["jakarta", "makassar"])
@pytest.mark.parametrize("action", [ActionCariProduk(), ActionProdukLagi()])
def test_the_catalogue_is_explained_outside_banyuwangi(city: Any, profile: str, action: Action) -> None:
    city(profile)
    events, said = run(action, "cari kopi robusta")
    assert events == [FollowupAction("action_listen")]
    assert said[0]["response"] == "utter_layanan_kota_lain" and said[0]["penyelenggara"] == "Kabupaten Banyuwangi"


def test_a_service_no_city_runs_is_explained_without_naming_one(
    city: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for profile in ("jakarta", "makassar", "banyuwangi"):
        cities = profile_variant(tmp_path, profile, services__permit_status=False)
    monkeypatch.setenv("CITIES_DIR", str(cities))
    city("jakarta")
    events, said = run(ActionCekIzin(), "cek izin JAKEVO-2026-000101")
    assert events == [FollowupAction("action_listen")]
    assert [m["response"] for m in said] == ["utter_layanan_belum_ada", "utter_alternatif_permit_status"]


@pytest.mark.parametrize(
    "profile, response",
    [("makassar", "utter_keluhan_kesehatan"), ("jakarta", "utter_keluhan_kesehatan_tanpa_homecare")],
)
def test_health_advice_offers_a_booking_only_where_homecare_runs(city: Any, profile: str, response: str) -> None:
    city(profile)
    _, said = run(ActionKeluhanKesehatan(), "batuk pilek")
    assert [m["response"] for m in said] == [response]


def test_zone_labels_come_from_the_offset() -> None:
    assert [
        zone_label(z)
        for z in ("Asia/Jakarta", "Asia/Pontianak", "Asia/Makassar", "Asia/Ujung_Pandang", "Asia/Jayapura")
    ] == ["WIB", "WIB", "WITA", "WITA", "WIT"]
    assert zone_label("Europe/Berlin") == "Europe/Berlin"
    assert zone_label("Not/AZone") == "Not/AZone"


def test_city_names_are_listed_in_indonesian() -> None:
    assert name_list(DOMAIN, ["Kota Makassar"]) == "Kota Makassar"
    assert name_list(DOMAIN, ["Kota A", "Kota B"]) == "Kota A dan Kota B"
    assert name_list(DOMAIN, ["Kota A", "Kota B", "Kota C"]) == "Kota A, Kota B, dan Kota C"
