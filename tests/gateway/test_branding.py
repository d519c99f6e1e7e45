"""The chat page, the embeddable widget.js and /branding.json wear the active city's branding."""

from __future__ import annotations

import httpx

from tests.gateway.conftest import GatewayFactory


def test_the_widget_wears_the_city_profile(gateway_factory: GatewayFactory) -> None:
    with gateway_factory(city_profile="makassar") as gw:
        brand = httpx.get(f"{gw.url}/branding.json", timeout=10).json()
        assert brand == {
            "assistant_name": "Asisten Kota Makassar",
            "city": "Kota Makassar",
            "colour": "#0f766e",
            "logo": "/branding/logo.svg",
        }
        page = httpx.get(f"{gw.url}/", timeout=10)
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert "<title>Asisten Kota Makassar</title>" in page.text
        assert "--brand: #0f766e" in page.text and "{{" not in page.text
        widget = httpx.get(f"{gw.url}/widget.js", timeout=10)
        assert widget.headers["content-type"].startswith("text/javascript")
        assert '"assistant_name": "Asisten Kota Makassar"' in widget.text and "/*BRANDING*/" not in widget.text
        logo = httpx.get(f"{gw.url}/branding/logo.svg", timeout=10)
        assert logo.headers["content-type"].startswith("image/svg+xml")
        assert 'fill="#0f766e"' in logo.text


def test_another_city_another_branding(gateway_factory: GatewayFactory) -> None:
    with gateway_factory(city_profile="banyuwangi") as gw:
        assert "<title>Asisten Kota Banyuwangi</title>" in httpx.get(f"{gw.url}/", timeout=10).text
        assert 'fill="#1d4ed8"' in httpx.get(f"{gw.url}/branding/logo.svg", timeout=10).text
