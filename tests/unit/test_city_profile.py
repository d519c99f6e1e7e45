"""City profiles: the shipped ones are valid; a broken one names its file and field, and stops
every process at start-up."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from citybot.city_profile import ProfileError, all_profiles, load_profile, profile_by_code, profile_by_jurisdiction
from citybot.settings import ROOT, Settings
from tests.city_profiles import profile_variant


def test_the_three_pilot_cities() -> None:
    profiles = {p.key: p for p in all_profiles(ROOT / "cities")}
    assert set(profiles) == {"jakarta", "makassar", "banyuwangi"}
    assert [profiles[k].code for k in ("jakarta", "makassar", "banyuwangi")] == ["JKL", "MKS", "BWI"]
    assert profiles["makassar"].timezone == "Asia/Makassar" and profiles["banyuwangi"].timezone == "Asia/Jakarta"
    assert profiles["makassar"].offers("homecare") and not profiles["jakarta"].offers("homecare")
    assert profiles["banyuwangi"].offers("catalogue") and not profiles["makassar"].offers("catalogue")
    assert profile_by_code("MKS", ROOT / "cities") == profiles["makassar"]
    assert profile_by_jurisdiction("banyuwangikab.go.id", ROOT / "cities") == profiles["banyuwangi"]
    assert profile_by_code("XYZ", ROOT / "cities") is None


def test_settings_read_the_active_profile() -> None:
    jakarta, makassar = Settings(), Settings(city_profile="makassar")
    assert (jakarta.city_name, jakarta.assistant_name, jakarta.city_code) == (
        "DKI Jakarta",
        "Asisten Kota DKI Jakarta",
        "JKL",
    )
    assert (makassar.city_timezone, makassar.city_code, makassar.jurisdiction_id) == (
        "Asia/Makassar",
        "MKS",
        "makassarkota.go.id",
    )
    assert makassar.index_dir == ROOT / "var" / "index" / "makassar"
    assert makassar.disaster_agency_contact == "BPBD Kota Makassar (lewat 112)"


@pytest.mark.parametrize(
    ("profile", "file", "changes", "message"),
    [
        (
            "jakarta",
            "profile.yml",
            {"timezone": "Asia/Atlantis"},
            "profile.yml: timezone: unknown time zone 'Asia/Atlantis'",
        ),
        ("jakarta", "profile.yml", {"numbers__ambulance": None}, "profile.yml: numbers.ambulance: missing"),
        (
            "jakarta",
            "profile.yml",
            {"services__complaints": ["jalan-rusak", "ufo"]},
            "profile.yml: services.complaints: unknown complaint service code(s) ufo",
        ),
        ("jakarta", "profile.yml", {"services__homecare": True}, "profile.yml: services.homecare: offered, but"),
        ("makassar", "areas.yml", {"homecare__coverage": []}, "areas.yml: homecare.coverage: List should have"),
        ("jakarta", "profile.yml", {"services__catalogue": True}, "seed/catalogue.yml is missing"),
        ("jakarta", "profile.yml", {"branding__colour": "orange"}, "profile.yml: branding.colour: String should"),
        ("jakarta", "profile.yml", {"branding__color": "#ffffff"}, "profile.yml: branding.color: unknown field"),
    ],
)
def test_a_broken_profile_names_file_and_field(
    tmp_path: Path, profile: str, file: str, changes: dict[str, object], message: str
) -> None:
    cities = profile_variant(tmp_path, profile, file, **changes)
    with pytest.raises(ProfileError) as caught:
        load_profile(cities / profile)
    assert message in str(caught.value), str(caught.value)
    assert str(cities / profile) in str(caught.value)


def test_a_catalogue_without_products_is_refused(tmp_path: Path) -> None:
    cities = profile_variant(tmp_path, "banyuwangi")
    catalogue = cities / "banyuwangi" / "seed" / "catalogue.yml"
    catalogue.write_text("sellers:\n- {name: A, phone: '+6281', location: B, desa: Kemiren}\n", encoding="utf-8")
    with pytest.raises(ProfileError, match=r"catalogue\.yml: sellers: no products"):
        load_profile(cities / "banyuwangi")


@pytest.mark.parametrize(
    ("command", "process"),
    [
        (["-m", "citybot.backend", "serve"], "backend"),
        (["-m", "citybot.gateway"], "gateway"),
        (["-m", "citybot.cli", "actions"], "action server"),
    ],
)
def test_a_broken_profile_stops_start_up(tmp_path: Path, command: list[str], process: str) -> None:
    cities = profile_variant(tmp_path, "makassar", timezone="Asia/Atlantis", numbers__police=None)
    env = {
        **os.environ,
        "CITIES_DIR": str(cities),
        "CITY_PROFILE": "makassar",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'b.db'}",
        "GATEWAY_DATABASE_URL": f"sqlite:///{tmp_path / 'g.db'}",
        "BACKEND_PORT": "9",
        "GATEWAY_PORT": "9",
        "ACTION_SERVER_PORT": "9",
    }
    run = subprocess.run([sys.executable, *command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 2, run.stderr
    assert f"{process}: cannot start: city profile {cities / 'makassar'} is broken" in run.stderr
    assert f"{cities / 'makassar' / 'profile.yml'}: numbers.police: missing" in run.stderr
