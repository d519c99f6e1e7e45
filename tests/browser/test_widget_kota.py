"""The web widget of each city profile, on a real stack: the city's assistant name and colour on
the launcher and inside the chat, the assistant's welcome naming the city, and the menu of its
services. Writes the README screenshots docs/img/widget-<profile>.png."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.responses import HTMLResponse

from tests.e2e.city_stacks import CityStacks
from tests.gateway.servers import serve

pytestmark = [pytest.mark.browser, pytest.mark.e2e]
IMAGES = Path(__file__).resolve().parents[2] / "docs" / "img"
# Written out (not read from the profile under test): name, colour as the browser reports it, and
# a menu button only this city shows.
CITIES = {
    "jakarta": ("Asisten Kota DKI Jakarta", "rgb(194, 65, 12)", "Info transportasi"),
    "makassar": ("Asisten Kota Makassar", "rgb(15, 118, 110)", "Pesan HomeCare"),
    "banyuwangi": ("Asisten Kota Banyuwangi", "rgb(29, 78, 216)", "Produk desa"),
}
ONLY_IN_ONE = {extra for _, _, extra in CITIES.values()}


@pytest.mark.parametrize("profile", list(CITIES))
def test_widget_wears_the_citys_branding(browser: Any, city_stacks: CityStacks, profile: str) -> None:
    from playwright.sync_api import expect

    assistant, colour, own_button = CITIES[profile]
    stack = city_stacks.get(profile)
    portal = FastAPI()
    page_html = (
        f'<!doctype html><html lang="id"><head><meta charset="utf-8"><title>Portal</title></head>'
        f'<body style="font-family:sans-serif;background:#f4f4f0;margin:0"><div style="padding:28px">'
        f'<h2>Layanan Publik</h2></div><script src="{stack.gateway_url}/widget.js"></script></body></html>'
    )
    portal.add_api_route("/", lambda: HTMLResponse(page_html))
    context = browser.new_context(viewport={"width": 900, "height": 760}, locale="id-ID")
    try:
        with serve(portal) as portal_url:
            page = context.new_page()
            page.goto(portal_url)
            launcher = page.get_by_role("button", name=f"Buka {assistant}", exact=True)
            expect(launcher).to_have_css("background-color", colour)
            launcher.click()
            expect(page.locator("iframe")).to_have_attribute("title", assistant)
            chat = page.frame_locator(f"iframe[title='{assistant}']")
            expect(chat.locator("header")).to_contain_text(assistant)
            expect(chat.locator("header")).to_have_css("background-color", colour)
            expect(chat.locator(".msg.bot").first).to_contain_text(f"Saya {assistant}", timeout=90_000)
            # A new visitor's widget greets the assistant: the reply carries the city's menu.
            own = chat.locator(".buttons button", has_text=own_button)
            expect(own.first).to_be_visible(timeout=90_000)
            for other in ONLY_IN_ONE - {own_button}:
                expect(chat.locator(".buttons button", has_text=other)).to_have_count(0)
            expect(own.first).to_have_css("color", colour)
            IMAGES.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(IMAGES / f"widget-{profile}.png"))
    finally:
        context.close()
