"""The console page's Content-Security-Policy follows the map tile setting."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from citybot.gateway.console_csp import console_csp, origin
from tests.gateway.conftest import make_settings


def test_tile_origin_is_the_only_foreign_image_source(tmp_path: Path) -> None:
    settings = make_settings(
        tmp_path, "http://127.0.0.1:9", 8123, map_tile_url="https://{s}.tiles.kota.go.id/peta/{z}/{x}/{y}.png"
    )
    policy = dict(part.split(" ", 1) for part in console_csp(settings).split("; "))
    assert policy["img-src"] == "'self' data: blob: https://*.tiles.kota.go.id http://127.0.0.1:8123"
    assert policy["script-src"] == "'self'"
    assert policy["connect-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"


def test_no_tiles_no_foreign_images(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, "http://127.0.0.1:9", 8123, map_tile_url="")
    policy = dict(part.split(" ", 1) for part in console_csp(settings).split("; "))
    assert policy["img-src"] == "'self' data: blob: http://127.0.0.1:8123"  # the citizens' photos only
    assert origin("javascript:alert(1)") is None
    assert origin("https://tile.openstreetmap.org/{z}/{x}/{y}.png") == "https://tile.openstreetmap.org"


def test_a_tile_setting_without_placeholders_stops_start_up(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="MAP_TILE_URL"):
        make_settings(tmp_path, "http://127.0.0.1:9", 8123, map_tile_url="https://tile.example/peta.png")
