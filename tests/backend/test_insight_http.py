"""Insight over real HTTP: a served backend process (uvicorn, migrated and seeded by its own CLI)
answers supervisors only, and its download carries no reporter details and masks what a citizen
typed into the description."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import httpx
import pytest
import yaml

from citybot.client import CityClient
from citybot.client.errors import Rejected, Unauthorized
from citybot.client.insight import InsightFilters
from citybot.settings import ROOT
from tests.backend.conftest import API_KEY, BOOTSTRAP_PASSWORD, NOTIFY_SECRET
from tests.backend.helpers import unique
from tests.backend_process import backend_cli, served_backend

INSIGHT = "/api/v1/agent/insight"
NIK = "3171234567890123"
JAKARTA = len(yaml.safe_load((ROOT / "cities/jakarta/seed/complaints.yml").read_text())["complaints"]) + 1
PHONE = "0813-1111-2222"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'backend.db'}",
        "BACKEND_API_KEY": API_KEY,
        "NOTIFY_SECRET": NOTIFY_SECRET,
        "AGENT_BOOTSTRAP_PASSWORD": BOOTSTRAP_PASSWORD,
        "CITY_PROFILE": "jakarta",
    }


async def test_insight_is_for_supervisors_and_its_download_is_masked(env: dict[str, str]) -> None:
    backend_cli(env, "migrate")
    backend_cli(env, "seed")
    agent_token = backend_cli(
        env, "create-agent", "--username", "petugas-insight", "--role", "agent", "--password", "petugas-pass-123"
    ).strip()
    with served_backend(env, "--no-outbox") as base:
        async with CityClient(base, API_KEY, timeout=30.0) as city:
            filed = await city.create_complaint(
                service_code="jalan-rusak",
                description=f"Jalan amblas. Hubungi saya di {PHONE}, NIK {NIK}.",
                channel="telegram",
                address=unique("tg"),
                idempotency_key=unique("idem"),
                lat=None,
                long=None,
                address_string="Jl. Cikini Raya No. 5",
                kelurahan="Cikini",
                first_name="Siti",
                last_name="Rahayuningsih",
                phone="081299887766",
                email="siti.rahayu@contoh.invalid",
            )
            supervisor = (await city.agent_login("supervisor", BOOTSTRAP_PASSWORD)).token

            with pytest.raises(Rejected) as refused:
                await city.insight_summary(agent_token)
            assert (refused.value.status_code, refused.value.code) == (403, "supervisor_required")
            with pytest.raises(Unauthorized):
                await city.insight_map("not-a-token")

            summary = await city.insight_summary(supervisor)
            # Jakarta's seeded reports and the one just filed; the other cities' seeds stay out.
            assert summary.totals.all == JAKARTA and summary.totals.open + summary.totals.closed == JAKARTA
            assert sum(w.count for w in summary.weekly) == JAKARTA
            cikini = await city.insight_summary(supervisor, InsightFilters(kelurahan="cikini", category="jalan-rusak"))
            assert cikini.totals.all >= 1 and cikini.filters.kelurahan == "cikini"

            geo = await city.insight_map(supervisor)
            mine = next(f for f in geo["features"] if f["properties"]["ticket"] == filed.ticket)
            assert mine["properties"]["placed"] == "kelurahan"
            assert geo["total"] == JAKARTA and not geo["truncated"]
            areas = await city.insight_areas(supervisor)
            assert len(areas["features"]) == 81 and len(areas["bbox"]) == 4

            exported = (await city.insight_export(supervisor, "csv")).decode("utf-8")

        async with httpx.AsyncClient(base_url=base, timeout=30.0) as raw:
            for path in ("/summary", "/map", "/areas", "/complaints.csv", "/complaints.geojson"):
                assert (await raw.get(INSIGHT + path)).status_code == 401, path
                forbidden = await raw.get(INSIGHT + path, headers={"Authorization": f"Bearer {agent_token}"})
                assert forbidden.status_code == 403, path
            auth = {"Authorization": f"Bearer {supervisor}"}
            download = await raw.get(f"{INSIGHT}/complaints.csv", headers=auth)
            bad_range = await raw.get(
                f"{INSIGHT}/summary", params={"date_from": "2026-03-02", "date_to": "2026-03-01"}, headers=auth
            )
            bad_status = await raw.get(f"{INSIGHT}/map", params={"status": "hilang"}, headers=auth)
            bad_date = await raw.get(f"{INSIGHT}/summary", params={"date_from": "kemarin"}, headers=auth)

    assert download.status_code == 200 and download.text == exported
    assert download.headers["content-type"].startswith("text/csv")
    assert download.headers["content-disposition"].startswith('attachment; filename="pengaduan-jakarta-')
    assert download.headers["x-total-count"] == download.headers["x-export-rows"] == str(JAKARTA)
    assert (bad_range.status_code, bad_range.json()["code"]) == (422, "invalid_date_range")
    assert (bad_status.status_code, bad_status.json()["code"]) == (422, "invalid_status")
    assert bad_date.status_code == 422

    rows = list(csv.DictReader(io.StringIO(exported)))
    assert len(rows) == JAKARTA
    row = next(r for r in rows if r["ticket"] == filed.ticket)
    assert (row["category"], row["status"], row["kelurahan"]) == ("jalan-rusak", "menunggu", "Cikini")
    assert row["description"] == "Jalan amblas. Hubungi saya di 0813-****-****, NIK 3171************."
    for personal in (
        "Warga (data contoh)",
        "Siti",
        "Rahayuningsih",
        "081299887766",
        "299887766",
        "siti.rahayu",
        NIK,
        PHONE,
    ):
        assert personal not in exported, personal
