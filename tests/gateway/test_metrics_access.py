"""`/metrics` tells an outsider how busy the city is and which routes exist: the public gateway
(and the backend) answer it only to INTERNAL_ALLOWED_NETWORKS, like `/internal/*`."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from citybot.backend.app import create_app as create_backend
from citybot.gateway.app import create_app as create_gateway
from citybot.settings import Settings
from tests.gateway.conftest import make_settings


async def status_from(app: object, client_ip: str) -> int:
    transport = httpx.ASGITransport(app=app, client=(client_ip, 40000))  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://gw") as http:
        return (await http.get("/metrics")).status_code


@pytest.mark.parametrize(("client_ip", "status"), [("127.0.0.1", 200), ("203.0.113.9", 403), ("10.1.2.3", 403)])
async def test_gateway_metrics_only_for_internal_networks(tmp_path: Path, client_ip: str, status: int) -> None:
    app = create_gateway(make_settings(tmp_path, "http://127.0.0.1:9", 8080))
    assert await status_from(app, client_ip) == status


async def test_the_internal_networks_setting_decides(tmp_path: Path) -> None:
    app = create_gateway(make_settings(tmp_path, "http://127.0.0.1:9", 8080, internal_allowed_networks="10.0.0.0/8"))
    assert await status_from(app, "10.1.2.3") == 200
    assert await status_from(app, "127.0.0.1") == 403


@pytest.mark.parametrize(("client_ip", "status"), [("127.0.0.1", 200), ("203.0.113.9", 403)])
async def test_backend_metrics_only_for_internal_networks(tmp_path: Path, client_ip: str, status: int) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'b.db'}", backend_api_key="k")
    assert await status_from(create_backend(settings), client_ip) == status


def test_the_grafana_dashboard_only_queries_metrics_we_export() -> None:
    import json
    import re

    from prometheus_client import REGISTRY

    from citybot import metrics
    from citybot.settings import ROOT

    dashboard = json.loads((ROOT / "deploy" / "grafana" / "asisten-kota.json").read_text())
    queried = {
        re.sub(r"_(bucket|count|sum|total)$", "", name)
        for panel in dashboard["panels"]
        for target in panel["targets"]
        for name in re.findall(r"citybot_[a-z_]+", target["expr"])
    }
    exported = {m.name for m in REGISTRY.collect() if m.name.startswith("citybot_")}
    assert metrics.QUEUES in REGISTRY._collector_to_names  # queue gauges are registered once
    assert queried and queried <= exported, queried - exported
