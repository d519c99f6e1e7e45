"""Kelurahan centroids (`cities/<city>/centroids.yml`): every shipped city has one point per
kelurahan/desa inside its service area, and a broken file is refused naming file and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from citybot.city_profile import ProfileError, all_profiles, load_profile
from citybot.cli import check_profile
from citybot.settings import ROOT
from tests.city_profiles import profile_variant


def test_every_shipped_city_has_a_centroid_per_kelurahan_inside_its_area() -> None:
    profiles = all_profiles(ROOT / "cities")
    assert {p.key for p in profiles} == {"jakarta", "makassar", "banyuwangi"}
    for profile in profiles:
        assert [c.name for c in profile.centroids] == [k.name for k in profile.areas.kelurahan], profile.key
        for c in profile.centroids:
            inside = [box for box in profile.service_area if box[0] <= c.lat <= box[2] and box[1] <= c.lon <= box[3]]
            assert inside, (profile.key, c.name)
            assert round(c.lat, 4) == c.lat and round(c.lon, 4) == c.lon  # 4 decimals, as documented
    makassar = load_profile(ROOT / "cities" / "makassar")
    index = makassar.centroid_index()
    assert index["pa'baeng-baeng"].name == "Pa'baeng-Baeng" and -5.2 < index["losari"].lat < -5.1


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("- {name: Atlantis, lat: -6.2, lon: 106.8}", "centroids.yml: centroids.1.name: 'Atlantis' is not in the"),
        # a point in Bandung: a real place, not this city's
        (
            "- {name: Cikini, lat: -6.9175, lon: 107.6191}",
            "centroids.yml: centroids.1: (-6.9175, 107.6191) lies outside",
        ),
        # latitude and longitude swapped
        ("- {name: Cikini, lat: 106.84, lon: -6.19}", "centroids.yml: centroids.1.lat: Input should be less than"),
        ("- {name: Gambir, lat: -6.18, lon: 106.82}", "centroids.yml: centroids.1.name: 'Gambir' is listed twice"),
        ("- {name: Cikini, lat: -6.19}", "centroids.yml: centroids.1.lon: missing"),
        ("- {name: Cikini, lat: -6.19, lng: 106.84}", "centroids.yml: centroids.1.lng: unknown field"),
    ],
)
def test_a_broken_centroid_file_names_file_and_field(
    tmp_path: Path, line: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    cities = profile_variant(tmp_path, "jakarta")
    folder = cities / "jakarta"
    (folder / "centroids.yml").write_text(
        f"centroids:\n- {{name: Gambir, lat: -6.1767, lon: 106.8226}}\n{line}\n", encoding="utf-8"
    )
    with pytest.raises(ProfileError) as caught:
        load_profile(folder)
    assert message in str(caught.value), str(caught.value)
    assert check_profile(folder) == 1
    assert message in capsys.readouterr().err


def test_a_city_without_centroids_is_valid_and_places_nothing(tmp_path: Path) -> None:
    cities = profile_variant(tmp_path, "banyuwangi")
    (cities / "banyuwangi" / "centroids.yml").unlink()
    profile = load_profile(cities / "banyuwangi")
    assert profile.centroids == [] and profile.centroid_index() == {}
