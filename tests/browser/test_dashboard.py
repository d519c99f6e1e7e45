"""The supervisors' Wawasan dashboard and the editors' Celah Pengetahuan tab in Chromium,
against the real backend and gateway processes (Rasa replaced by the local stand-in: no
conversation is run), offline: the map's tile server is a closed local port, so the map shows
its own grid and kelurahan labels under the markers.

Seeded through the real APIs (tests/browser/dashboard_seed.py): ten reports in three kelurahan
(six with a point, three with only a kelurahan, one with neither; two past their target, one
of them in progress, another report done),
five emergency replies, seven unanswered questions of two topics, two handoffs (one taken).
Screenshots go to docs/screenshots/dashboard-*.png (README: "Dasbor wawasan").
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.browser.dashboard_seed import (
    EMERGENCIES,
    PASSWORD,
    QUESTIONS,
    Seeded,
    console_login,
    create_account,
    seed,
)
from tests.gateway.servers import FakeRasa, free_port, serve
from tests.stack import PY, ROOT, Stack, build_stack

pytestmark = pytest.mark.browser
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Stack, Seeded]]:
    var_dir = tmp_path_factory.mktemp("dashboard")
    closed = free_port()  # nothing listens here: every tile request fails, as offline
    with serve(FakeRasa().app) as rasa_url:
        stack = build_stack(
            var_dir,
            {
                "RASA_URLS": rasa_url,
                "MAP_TILE_URL": f"http://127.0.0.1:{closed}/{{z}}/{{x}}/{{y}}.png",
                "OFFICE_HOURS": "00:00-23:59",
                "OFFICE_DAYS": "1-7",
                "OFFICE_HOLIDAY_COUNTRY": "",
            },
        )
        try:
            for step in ("migrate", "seed"):
                subprocess.run([PY, "-m", "citybot.backend", step], cwd=ROOT, env=stack.env, check=True)
            stack.start("backend", timeout=120)
            stack.start("gateway", timeout=120)
            with console_login(stack, "admin", stack.env["AGENT_BOOTSTRAP_PASSWORD"]) as admin:
                seeded = seed(stack, admin)
            yield stack, seeded
        finally:
            stack.stop_all()


@pytest.fixture(scope="module")
def accounts(dashboard: tuple[Stack, Seeded]) -> None:
    """An editor and an agent, in the console and in the city backend."""
    stack, _ = dashboard
    with console_login(stack, "admin", stack.env["AGENT_BOOTSTRAP_PASSWORD"]) as admin:
        create_account(stack, admin, "editor1", "editor")
        create_account(stack, admin, "petugas1", "agent")


def login(page: Any, stack: Stack, username: str, password: str) -> None:
    from playwright.sync_api import expect

    page.goto(f"{stack.gateway_url}/agent")
    page.locator("#login-username").fill(username)
    page.locator("#login-password").fill(password)
    page.locator("#login-submit").click()
    expect(page.locator("#who")).to_contain_text(username)


def markers_on_map(page: Any) -> int:
    """Reports drawn on the map: single pins plus the number each cluster bubble stands for
    (read once the clusters' zoom animation is over: meanwhile old and new ones coexist)."""
    page.wait_for_function("() => !document.querySelector('#i-map .leaflet-cluster-anim, #i-map .leaflet-zoom-anim')")
    singles = page.locator("#i-map .pin").count()
    bubbles = page.locator("#i-map .marker-cluster span").all_text_contents()
    return singles + sum(int(n) for n in bubbles)


def test_supervisor_sees_the_dashboard(browser: Any, dashboard: tuple[Stack, Seeded]) -> None:
    from playwright.sync_api import expect

    stack, seeded = dashboard
    context = browser.new_context(viewport={"width": 1440, "height": 1500}, locale="id-ID")
    failed_tiles: list[str] = []
    try:
        page = context.new_page()
        page.on("requestfailed", lambda r: failed_tiles.append(r.url) if r.url.endswith(".png") else None)
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        login(page, stack, "admin", stack.env["AGENT_BOOTSTRAP_PASSWORD"])
        page.locator("#view-insight").click()
        expect(page.locator("#insight")).to_have_attribute("data-loaded", "1", timeout=30_000)
        assert not page.locator("#i-error").text_content().strip(), page.locator("#i-error").text_content()

        # Totals and the map: six exact points, three at kelurahan centroids, one without a place.
        expect(page.locator("[data-total=all]")).to_have_attribute("data-count", "10")
        expect(page.locator("[data-total=closed]")).to_have_attribute("data-count", "1")
        expect(page.locator("[data-total=overdue]")).to_have_attribute("data-count", "2")
        note = page.locator("#i-map-note")
        expect(note).to_have_attribute("data-placed", "9")
        expect(note).to_have_attribute("data-exact", "6")
        expect(note).to_have_attribute("data-unplaced", "1")
        expect(note).to_contain_text("1 laporan tanpa lokasi")
        assert markers_on_map(page) == 9
        assert page.locator("#i-map .marker-cluster").count() >= 1  # nearby reports are clustered
        # No tiles could load; the fallback (grid lines and kelurahan labels) is drawn anyway.
        assert page.locator("#i-map .leaflet-fallback-pane path").count() >= 4
        assert "Gambir" in page.locator("#i-map .area-label").all_text_contents()
        assert failed_tiles, "the test expects the tile server to be unreachable"

        # Top kelurahan chart, as numbers: Gambir 4, Cideng 3, Kemayoran 2.
        top = {
            row.get_attribute("data-kelurahan"): int(row.get_attribute("data-count") or 0)
            for row in page.locator("#i-top-table tr.top-kelurahan").all()
        }
        assert top == {"Gambir": 4, "Cideng": 3, "Kemayoran": 2}

        # Durations: of the four rubbish reports the city answered two (one in progress after
        # five days, one done) and finished one.
        rubbish = page.locator("#i-duration-table tr.duration-row[data-category=sampah]")
        expect(rubbish).to_have_attribute("data-responded", "2")
        expect(rubbish).to_have_attribute("data-completed", "1")
        assert 55 <= float(rubbish.get_attribute("data-first-hours") or 0) <= 65  # median of ~120 h and ~0 h

        # The overdue list holds exactly the two backdated reports; a ticket opens its detail.
        rows = page.locator("#i-overdue tr.overdue-row")
        expect(rows).to_have_count(2)
        assert sorted(r.get_attribute("data-ticket") for r in rows.all()) == sorted(seeded.overdue)
        assert all(int(r.get_attribute("data-days") or 0) >= 2 for r in rows.all())

        # Emergencies: five today, four of them floods in Kemayoran, flagged as a spike.
        emergency = page.locator("#i-emergency")
        expect(emergency.locator("[data-stat=today]")).to_have_attribute("data-count", str(len(EMERGENCIES)))
        flood = emergency.locator("tr.emergency-row[data-type=bencana][data-kelurahan=Kemayoran]")
        expect(flood).to_have_attribute("data-today", "4")
        expect(emergency.locator(".spike")).to_contain_text("Lonjakan")

        # Handoffs: two asked today, one taken, one still waiting.
        handoff = page.locator("#i-handoff")
        expect(handoff.locator("[data-stat=waiting]")).to_have_attribute("data-count", "1")
        expect(handoff.locator("[data-period=today][data-key=requested]")).to_have_text("2")
        expect(handoff.locator("[data-period=today][data-key=answered]")).to_have_text("1")

        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "dashboard-wawasan.png"))

        # A marker opens the complaint in the console's detail view (zoom into clusters first).
        for _ in range(6):
            if page.locator("#i-map .pin").count():
                break
            page.locator("#i-map .marker-cluster").first.click()
            page.wait_for_timeout(400)
        page.locator("#i-map .pin").first.click()
        dialog = page.locator("#complaint-dialog")
        expect(dialog).to_be_visible()
        expect(dialog.locator("h3")).to_have_text(re.compile(r"^Laporan \S+$"))
        assert dialog.locator("h3").get_attribute("data-ticket") in seeded.tickets
        dialog.locator("button.close").click()
        rows.first.locator("button").click()
        expect(dialog.locator("h3")).to_have_text(f"Laporan {rows.first.get_attribute('data-ticket')}")
        page.screenshot(path=str(SCREENSHOTS / "dashboard-detail.png"))
        dialog.locator("button.close").click()

        # Filters reach the backend: only Cideng.
        page.locator("#i-kelurahan").fill("Cideng")
        page.locator("#i-load").click()
        expect(page.locator("#insight")).to_have_attribute("data-loaded", "2", timeout=30_000)
        expect(page.locator("[data-total=all]")).to_have_attribute("data-count", "3")
        expect(note).to_have_attribute("data-placed", "3")
        assert errors == []
    finally:
        context.close()


def test_downloads_and_roles(dashboard: tuple[Stack, Seeded], accounts: None) -> None:
    stack, seeded = dashboard
    with console_login(stack, "admin", stack.env["AGENT_BOOTSTRAP_PASSWORD"]) as admin:
        csv = admin.get("/agent/api/insight/export.csv", params={"kelurahan": "Gambir"})
        assert csv.status_code == 200
        assert csv.headers["content-disposition"].startswith('attachment; filename="pengaduan-')
        assert sum(ticket in csv.text for ticket in seeded.tickets) == 4
        geo = admin.get("/agent/api/insight/export.geojson").json()
        assert geo["type"] == "FeatureCollection"
        page = admin.get("/agent")
        policy = page.headers["content-security-policy"]
        assert "img-src 'self' data: blob: http://127.0.0.1:" in policy and "script-src 'self'" in policy
    with console_login(stack, "petugas1", PASSWORD) as agent:
        for path in ("summary", "map", "areas", "emergencies", "handoffs", "export.csv"):
            assert agent.get(f"/agent/api/insight/{path}").status_code == 403, path
        assert agent.get("/agent/api/queue").status_code == 200
    with console_login(stack, "editor1", PASSWORD) as editor:
        assert editor.get("/agent/api/insight/summary").status_code == 403
        assert editor.get(f"/agent/api/complaints/{seeded.tickets[0]}").status_code == 403
        assert editor.get("/agent/api/gaps").status_code == 200
    assert httpx.get(f"{stack.gateway_url}/agent/api/insight/summary").status_code == 401


def test_editor_sees_the_gap_report_only(browser: Any, dashboard: tuple[Stack, Seeded], accounts: None) -> None:
    from playwright.sync_api import expect

    stack, _ = dashboard
    context = browser.new_context(viewport={"width": 1440, "height": 1100}, locale="id-ID")
    try:
        page = context.new_page()
        login(page, stack, "editor1", PASSWORD)
        expect(page.locator("#gaps")).to_be_visible()
        expect(page.locator("#view-insight")).to_be_hidden()
        expect(page.locator("#app")).to_be_hidden()
        summary = page.locator("#g-summary")
        expect(summary).to_have_attribute("data-total", str(len(QUESTIONS)), timeout=60_000)
        groups = page.locator("#g-groups .gap")
        sizes = sorted(int(g.get_attribute("data-size") or 0) for g in groups.all())
        assert sizes == [3, 4]  # the permit question and the tax amnesty question, apart
        for group in groups.all():
            examples = group.locator("li.example").all_text_contents()
            assert 1 <= len(examples) <= 3
            topics = {"keramaian" in e for e in examples}
            assert len(topics) == 1, examples  # a group never mixes the two topics
            assert group.locator("li.doc").count() >= 1  # the documents that came closest
            assert "---\nid: " in group.locator("pre").text_content()
        text = page.locator("#g-groups").text_content()
        assert "081234567890" not in text  # examples are masked
        page.screenshot(path=str(SCREENSHOTS / "dashboard-celah.png"))
    finally:
        context.close()
