"""Map points in complaints: parsing coordinates and links, the city's area, and following short
links over real HTTP to a local server that redirects like a map link shortener."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from actions.pengaduan_peta import map_link_in, point_in_text, resolve_map_link
from citybot.city_profile import ProfileError
from citybot.service_area import in_service_area, parse_bounds
from citybot.settings import Settings
from tests.city_profiles import profile_variant


@pytest.mark.parametrize(
    ("text", "point"),
    [
        ("-6.2088, 106.8456", (-6.2088, 106.8456)),
        ("lokasinya -6.2088,106.8456 depan sekolah", (-6.2088, 106.8456)),
        ("https://www.google.com/maps/@-6.1754,106.8272,17z", (-6.1754, 106.8272)),
        ("https://maps.google.com/?q=-5.1477,119.4327", (-5.1477, 119.4327)),
        (
            "https://www.google.com/maps/place/X/@-6.1,106.8,17z/data=!3m1!4b1!8m2!3d-6.19953!4d106.83218",
            (-6.19953, 106.83218),
        ),
        ("https://www.google.com/maps/search/?api=1&x=%2D6.21234%2C106.81234", (-6.21234, 106.81234)),
    ],
)
def test_points_are_read_from_text_and_long_links(text: str, point: tuple[float, float]) -> None:
    assert point_in_text(text) == point


@pytest.mark.parametrize("text", ["Jl. Sudirman No. 12, RT 3", "jam 10.30, 2 orang", "999.0000, 999.0000", "1,5 km"])
def test_no_point_where_there_is_none(text: str) -> None:
    assert point_in_text(text) is None


def test_each_city_serves_its_own_area_and_not_its_neighbours() -> None:
    jakarta, makassar, banyuwangi = (Settings(city_profile=key) for key in ("jakarta", "makassar", "banyuwangi"))
    assert in_service_area(-6.1862, 106.8341, jakarta)  # Menteng, Jakarta
    assert in_service_area(-5.7500, 106.6000, jakarta)  # Kepulauan Seribu
    assert in_service_area(-5.1477, 119.4327, makassar)
    assert in_service_area(-8.2192, 114.3691, banyuwangi)
    assert not in_service_area(-5.1477, 119.4327, jakarta)  # Makassar is not Jakarta's
    assert not in_service_area(-6.1862, 106.8341, makassar)
    assert not in_service_area(-6.1862, 106.8341, banyuwangi)
    for settings in (jakarta, makassar, banyuwangi):
        assert not in_service_area(-6.9147, 107.6098, settings)  # Bandung
        assert not in_service_area(-6.2383, 107.0000, settings)  # Bekasi
        assert not in_service_area(106.8341, -6.1862, settings)  # swapped


@pytest.mark.parametrize("spec", ["-6,106,-7,107", "1,2,3", "a,b,c,d"])
def test_a_malformed_area_is_a_configuration_error(spec: str, tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        parse_bounds(spec)
    box = [float(v) if v.lstrip("-").isdigit() else v for v in spec.split(",")]
    cities = profile_variant(tmp_path, service_area=[box])
    with pytest.raises(ProfileError, match=r"profile.yml: service_area"):
        assert Settings(cities_dir=cities).city_bounds


class _Shortener(BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []
    elsewhere = ""

    def do_GET(self) -> None:
        _Shortener.hits.append(f"{self.headers.get('Host')}{self.path}")
        targets = {
            "/abc": "/hop",  # relative redirect, then a second hop
            "/hop": "https://www.google.com/maps/place/Monas/@-6.17,106.82,17z/data=!3d-6.1754!4d106.8272",
            "/away": f"http://{_Shortener.elsewhere}/internal",
            "/loop": "/loop",
        }
        target = targets.get(self.path)
        self.send_response(302 if target else 404)
        if target:
            self.send_header("Location", target)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def shortener() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Shortener)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_short_links_are_followed_to_the_pin(shortener: str) -> None:
    settings = Settings(map_link_hosts="127.0.0.1,www.google.com")
    url = map_link_in(f"ini kak http://{shortener}/abc.", settings)
    assert url == f"http://{shortener}/abc"
    assert asyncio.run(resolve_map_link(url, settings)) == (-6.1754, 106.8272)


def test_short_links_never_lead_off_the_map_hosts(shortener: str) -> None:
    settings = Settings(map_link_hosts="127.0.0.1")
    # "localhost" is the same server under a name that is not a map host: never requested.
    _Shortener.elsewhere = shortener.replace("127.0.0.1", "localhost")
    _Shortener.hits.clear()
    assert asyncio.run(resolve_map_link(f"http://{shortener}/away", settings)) is None
    assert _Shortener.hits == [f"{shortener}/away"]
    assert asyncio.run(resolve_map_link(f"http://{shortener}/loop", settings)) is None
    assert asyncio.run(resolve_map_link(f"http://{shortener}/missing", settings)) is None
    assert map_link_in("https://evil.example/?q=-6.2,106.8", settings) is None
