"""A citizen in the embedded web widget asks for an agent; an agent takes over in the console,
replies, and hands back; the bot answers again. Screenshots go to docs/screenshots/.

Two targets run the same flow:
- "stand-in": the real gateway with a local stand-in of Rasa's REST channel. That bot has no
  handoff action, so the test asks for the agent the way the action does: a signed POST
  /internal/handoff (citybot.client.gateway.GatewayClient).
- "real-stack": backend, action server, trained Rasa model and gateway; the citizen's message
  triggers `action_serahkan_ke_petugas` itself. This variant writes the committed screenshots
  (docs/screenshots/); the stand-in variant writes its own under the test's tmp dir.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.responses import HTMLResponse

from citybot.client.gateway import GatewayClient
from citybot.gateway.senders import sender_id
from tests.gateway.conftest import make_settings
from tests.gateway.servers import FakeRasa, free_port, serve

pytestmark = pytest.mark.browser
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
ASK = "saya mau bicara dengan petugas"


@dataclass
class Target:
    name: str
    url: str
    notify_secret: str
    sender_key: str
    admin_password: str
    real_bot: bool
    screenshots: Path


@pytest.fixture(params=["stand-in", pytest.param("real-stack", marks=pytest.mark.e2e)])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Target]:
    if request.param == "real-stack":
        stack = request.getfixturevalue("stack")
        env = stack.env
        yield Target(
            "real-stack",
            stack.gateway_url,
            env["NOTIFY_SECRET"],
            env["SENDER_ID_KEY"],
            env["AGENT_BOOTSTRAP_PASSWORD"],
            True,
            SCREENSHOTS,
        )
        return
    from citybot.gateway.app import create_app

    rasa = FakeRasa()
    with serve(rasa.app) as rasa_url:
        port = free_port()
        settings = make_settings(tmp_path, rasa_url, port)
        with serve(create_app(settings), port) as url:
            yield Target(
                "stand-in",
                url,
                settings.notify_secret,
                settings.sender_id_key,
                settings.agent_bootstrap_password,
                False,
                tmp_path / "screenshots",
            )


def queue_senders(target: Target, client: httpx.Client) -> list[str]:
    return [i["sender"] for i in client.get(f"{target.url}/agent/api/queue").json()["items"]]


def test_citizen_agent_handoff_round_trip(browser: Any, target: Target) -> None:

    host_page = f"""<!doctype html><html lang="id"><head><meta charset="utf-8"><title>Portal Kota</title></head>
    <body style="font-family:sans-serif;background:#f7f7f2;margin:0">
    <div style="background:#8a1538;color:#fff;padding:18px 28px;font-size:22px">Portal Resmi Pemerintah Kota</div>
    <div style="padding:28px;max-width:640px"><h2>Layanan Publik</h2>
    <p>Laporkan masalah kota, cek status laporan, dan tanyakan syarat perizinan kepada Asisten Kota.</p></div>
    <script src="{target.url}/widget.js"></script></body></html>"""
    # The city's own website on another origin: the widget must work from one script tag.
    portal_app = FastAPI()
    portal_app.add_api_route("/", lambda: HTMLResponse(host_page))
    with serve(portal_app) as portal_url:
        run_flow(browser, target, portal_url)


def run_flow(browser: Any, target: Target, portal_url: str) -> None:
    from playwright.sync_api import expect

    citizen_ctx = browser.new_context(viewport={"width": 1000, "height": 760}, locale="id-ID")
    agent_ctx = browser.new_context(viewport={"width": 1440, "height": 860}, locale="id-ID")
    try:
        citizen = citizen_ctx.new_page()
        citizen.goto(portal_url)
        citizen.get_by_role("button", name="Buka Asisten Kota").click()
        chat = citizen.frame_locator("iframe[title^='Asisten Kota']")  # + the city's name
        # The page adds no greeting of its own: the assistant's welcome is the first bubble (the
        # stand-in bot echoes the greeting payload the widget sends for a new visitor).
        first = "Saya Asisten Kota" if target.real_bot else "Diterima: /salam"
        expect(chat.locator(".msg.bot").first).to_contain_text(first, timeout=60_000)
        greeted = chat.locator(".msg.bot").count()

        chat.locator("#text").fill(ASK)
        chat.locator("#send").click()
        expect(chat.locator(".msg.me")).to_have_text([ASK])
        expect(chat.locator(".msg.bot").nth(greeted)).to_be_visible(timeout=60_000)
        if target.real_bot:  # one welcome, not the page's and the assistant's
            expect(chat.locator(".msg.bot", has_text="Saya Asisten Kota")).to_have_count(1)
        client_id = citizen.frame(url=re.compile(r".*embed=1.*")).evaluate("window.asistenKota.sender")
        sender = sender_id(target.sender_key, "web", client_id)

        agent = agent_ctx.new_page()
        agent.goto(f"{target.url}/agent")
        agent.locator("#login-username").fill("admin")
        agent.locator("#login-password").fill(target.admin_password)
        agent.locator("#login-submit").click()
        expect(agent.locator("#who")).to_contain_text("admin")

        summary = "Warga ingin bicara dengan petugas tentang banjir di Jl. Kemang Raya (tinggi air 40 cm)."
        if target.real_bot:
            # The real action asks the gateway for an agent and tells the citizen what happens next.
            expect(chat.locator(".msg.bot").last).to_contain_text(re.compile("petugas", re.I), timeout=60_000)
            item = agent.locator(f".queue-item[data-sender='{sender}']")
            expect(item).to_have_count(1, timeout=30_000)
            summary_text = "Alasan"
        else:
            # Playwright's sync API owns this thread's event loop, so the async client runs in another.
            client = GatewayClient(target.url, target.notify_secret)
            with ThreadPoolExecutor(1) as pool:
                answer = pool.submit(asyncio.run, client.handoff(sender, summary, "permintaan")).result()
            assert answer["status"] == "queued"
            item = agent.locator(f".queue-item[data-sender='{sender}']")
            expect(item).to_have_count(1)  # arrives live over SSE, no reload
            summary_text = summary
        expect(item).to_contain_text(summary_text)
        item.click()
        expect(agent.locator("#summary")).to_contain_text(summary_text)
        expect(agent.locator("#history")).to_contain_text(ASK)

        agent.locator("#take-btn").click()
        expect(chat.locator(".msg.agent").last).to_contain_text("terhubung dengan petugas admin")
        reply = "Selamat siang, saya Admin. Tim pompa BPBD sedang menuju Jl. Kemang Raya."
        agent.locator("#reply-text").fill(reply)
        agent.locator("#reply-send").click()
        expect(chat.locator(".msg.agent").last).to_contain_text(reply)
        expect(chat.locator(".msg.agent .who").last).to_have_text("Petugas admin")

        chat.locator("#text").fill("Baik pak, terima kasih banyak")
        chat.locator("#send").click()
        expect(agent.locator("#history")).to_contain_text("Baik pak, terima kasih banyak")  # live in the console
        target.screenshots.mkdir(parents=True, exist_ok=True)
        citizen.screenshot(path=str(target.screenshots / "widget.png"))
        agent.screenshot(path=str(target.screenshots / "agent-console.png"))

        agent.locator("#release-btn").click()
        expect(chat.locator(".msg.bot").last).to_contain_text("kembali dilayani Asisten Kota")
        bot_before = chat.locator(".msg.bot").count()
        chat.locator("#text").fill("halo")
        chat.locator("#send").click()
        answer = chat.locator(".msg.bot").nth(bot_before)  # the bot answers again
        if target.real_bot:
            expect(answer).to_contain_text(re.compile("Selamat|Asisten Kota|bantu", re.I), timeout=60_000)
        else:
            expect(answer).to_have_text("Diterima: halo")
        expect(agent.locator(f".queue-item[data-sender='{sender}']")).to_have_count(0)
    finally:
        citizen_ctx.close()
        agent_ctx.close()
