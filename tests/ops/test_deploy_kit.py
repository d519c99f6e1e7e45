"""The deploy kit runs as shipped: the systemd units pass `systemd-analyze verify`, and the gateway,
started with its unit's own command and environment, serves citizens through the nginx example
(TLS, replaced forwarded headers, framing policy, internal routes closed, body cap)."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.gateway.servers import FakeRasa, free_port, serve, wait_for
from tests.services import require_tool

ROOT = Path(__file__).resolve().parents[2]
INSTALL_ROOT = "/opt/asisten-kota"  # where the units and RUNBOOK.md install the checkout
UNITS = sorted((ROOT / "deploy" / "systemd").iterdir())
HOST = "asisten.kota.go.id"


def installed_unit(path: Path, into: Path) -> Path:
    """The unit as it would be on a server whose checkout is this one."""
    target = into / path.name
    target.write_text(path.read_text(encoding="utf-8").replace(INSTALL_ROOT, str(ROOT)), encoding="utf-8")
    return target


def unit_values(path: Path, key: str) -> list[str]:
    text = path.read_text(encoding="utf-8").replace(INSTALL_ROOT, str(ROOT))
    return [m.group(1).strip() for m in re.finditer(rf"^{key}=(.*)$", text, re.MULTILINE)]


def test_systemd_units_verify_cleanly(tmp_path: Path) -> None:
    tool = require_tool("systemd-analyze", "the systemd package")
    units = [installed_unit(path, tmp_path) for path in UNITS]
    result = subprocess.run([tool, "verify", *map(str, units)], capture_output=True, text=True, timeout=120)
    # Unknown keys are only warnings (exit 0): any output at all is a defect in a unit.
    assert result.returncode == 0, result.stderr
    assert (result.stdout + result.stderr).strip() == ""


def test_units_start_what_make_run_starts() -> None:
    """`make run` (the Procfile) is what every other test exercises: the units must run the same."""
    procfile = dict(
        line.split(": ", 1)
        for line in (ROOT / "Procfile").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    )
    units = {
        unit.stem.removeprefix("asisten-kota-"): unit_values(unit, "ExecStart")[0].replace(f"{ROOT}/", "")
        for unit in UNITS
        if unit.suffix == ".service"
    }
    assert units == {name: command for name, command in procfile.items() if name != "ready"}


def self_signed(tmp_path: Path) -> tuple[Path, Path]:
    openssl = require_tool("openssl", "the openssl package")
    cert, key = tmp_path / "fullchain.pem", tmp_path / "privkey.pem"
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            f"/CN={HOST}",
            "-addext",
            f"subjectAltName=DNS:{HOST},IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return cert, key


def nginx_config(tmp_path: Path, gateway_port: int, http_port: int, https_port: int) -> Path:
    site = (ROOT / "deploy" / "nginx" / "asisten-kota.conf").read_text(encoding="utf-8")
    cert, key = self_signed(tmp_path)
    replacements = {
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "listen [::]:80;": "",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{https_port} ssl http2;",
        "listen [::]:443 ssl http2;": "",
        "server 127.0.0.1:8080;": f"server 127.0.0.1:{gateway_port};",
        f"/etc/letsencrypt/live/{HOST}/fullchain.pem": str(cert),
        f"/etc/letsencrypt/live/{HOST}/privkey.pem": str(key),
    }
    for old, new in replacements.items():
        assert old in site, f"deploy/nginx/asisten-kota.conf no longer contains {old!r}: update this test"
        site = site.replace(old, new)
    (tmp_path / "site.conf").write_text(site, encoding="utf-8")
    main = tmp_path / "nginx.conf"
    temp = {name: tmp_path / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    for path in temp.values():
        path.mkdir()
    main.write_text(
        f"""
daemon off;
master_process off;
pid {tmp_path / "nginx.pid"};
error_log {tmp_path / "error.log"} warn;
events {{ worker_connections 64; }}
http {{
    access_log {tmp_path / "access.log"};
    client_body_temp_path {temp["body"]};
    proxy_temp_path {temp["proxy"]};
    fastcgi_temp_path {temp["fastcgi"]};
    uwsgi_temp_path {temp["uwsgi"]};
    scgi_temp_path {temp["scgi"]};
    include {tmp_path / "site.conf"};
}}
""",
        encoding="utf-8",
    )
    return main


def gateway_environment(tmp_path: Path, rasa_url: str, port: int) -> dict[str, str]:
    """The unit's Environment= lines plus an EnvironmentFile with this test's settings."""
    unit = ROOT / "deploy" / "systemd" / "asisten-kota-gateway.service"
    env = {key: value for key, value in os.environ.items() if not key.startswith(("GATEWAY_", "RASA_"))}
    for line in unit_values(unit, "Environment"):
        for pair in line.split():
            key, value = pair.split("=", 1)
            env[key] = value
    env["HOME"] = env["XDG_CACHE_HOME"] = str(tmp_path / "home")  # not the checkout's var/
    env.update(
        {
            "GATEWAY_HOST": "127.0.0.1",
            "GATEWAY_PORT": str(port),
            "RASA_URLS": rasa_url,
            "GATEWAY_TRUSTED_PROXIES": "127.0.0.1/32,::1/128",
            "GATEWAY_PUBLIC_URL": f"https://{HOST}",
            "GATEWAY_DATABASE_URL": f"sqlite:///{tmp_path / 'gateway.db'}",
            "VAR_DIR": str(tmp_path / "var"),
            "MEDIA_DIR": str(tmp_path / "media"),
            "SENDER_ID_KEY": secrets.token_urlsafe(16),
            "NOTIFY_SECRET": secrets.token_urlsafe(16),
            "AGENT_BOOTSTRAP_PASSWORD": "admin-rahasia-123",
            "BACKEND_URL": "http://127.0.0.1:9",
            "TELEGRAM_BOT_TOKEN": "",
            "WHATSAPP_TOKEN": "",
            "GATEWAY_IP_SESSIONS_PER_HOUR": "3",
            "LOG_FORMAT": "text",
        }
    )
    return env


@pytest.fixture
def proxied_gateway(tmp_path: Path) -> Iterator[tuple[str, str, Path]]:
    nginx = require_tool("nginx", "nginx (`make deploy-tools` installs it)")
    unit = ROOT / "deploy" / "systemd" / "asisten-kota-gateway.service"
    rasa = FakeRasa()
    with serve(rasa.app) as rasa_url:
        port, http_port, https_port = free_port(), free_port(), free_port()
        env = gateway_environment(tmp_path, rasa_url, port)
        (tmp_path / "home").mkdir()
        start, ready = unit_values(unit, "ExecStart")[0], unit_values(unit, "ExecStartPost")[0]
        log = (tmp_path / "gateway.log").open("wb")
        gateway = subprocess.Popen(
            start.split(), cwd=unit_values(unit, "WorkingDirectory")[0], env=env, stdout=log, stderr=subprocess.STDOUT
        )
        proxy = None
        try:
            # The unit's own readiness step must pass, as systemd would run it.
            waited = subprocess.run(ready.split(), cwd=ROOT, env=env, capture_output=True, text=True, timeout=150)
            assert waited.returncode == 0, waited.stdout + waited.stderr + (tmp_path / "gateway.log").read_text()
            config = nginx_config(tmp_path, port, http_port, https_port)
            tested = subprocess.run([nginx, "-t", "-c", str(config)], capture_output=True, text=True, timeout=30)
            assert tested.returncode == 0, tested.stderr
            proxy = subprocess.Popen([nginx, "-c", str(config)], stderr=subprocess.PIPE)

            def listening() -> bool:
                try:
                    httpx.get(f"http://127.0.0.1:{http_port}/", timeout=1)
                    return True
                except httpx.HTTPError:
                    return False

            wait_for(listening, timeout=15)
            yield f"http://127.0.0.1:{http_port}", f"https://127.0.0.1:{https_port}", tmp_path / "fullchain.pem"
        finally:
            for process in (proxy, gateway):
                if process is not None:
                    process.terminate()
                    try:
                        process.wait(timeout=20)
                    except subprocess.TimeoutExpired:
                        process.kill()
            log.close()


def test_nginx_example_fronts_the_gateway(proxied_gateway: tuple[str, str, Path]) -> None:
    import ssl

    plain, tls, cert = proxied_gateway
    headers = {"Host": HOST}
    moved = httpx.get(f"{plain}/agent", headers=headers)
    assert moved.status_code == 301 and moved.headers["location"] == f"https://{HOST}/agent"
    trusted = ssl.create_default_context(cafile=str(cert))  # the test's own CA: TLS is really checked
    with httpx.Client(base_url=tls, verify=trusted, headers=headers, timeout=10) as client:
        page = client.get("/")
        assert page.status_code == 200 and "<html" in page.text.lower()
        assert "frame-ancestors 'self'" in page.headers["content-security-policy"]
        assert page.headers["strict-transport-security"].startswith("max-age=")
        console = client.get("/agent")
        assert console.headers["x-frame-options"] == "DENY"
        assert console.headers["strict-transport-security"].startswith("max-age=")
        assert client.get("/health").headers["strict-transport-security"].startswith("max-age=")
        # nginx's frame-ancestors and the gateway's own policy for the console page (console_csp).
        assert "frame-ancestors 'none'" in console.headers.get_list("content-security-policy")
        assert client.post("/internal/notify", json={}).status_code == 404
        assert client.get("/ready").status_code == 200  # from this machine only
        # nginx replaces X-Forwarded-For: a client cannot pose as many networks to dodge the
        # per-network session limit (3 per hour here).
        statuses = []
        for i in range(5):
            client.cookies.clear()  # a new visitor each time, not the client id issued before
            statuses.append(client.post("/api/session", headers={"X-Forwarded-For": f"203.0.113.{i}"}).status_code)
        assert statuses[:3] == [200, 200, 200], statuses
        assert statuses[3:] == [429, 429], statuses
        started = time.monotonic()
        too_big = client.post(
            "/api/media", content=b"0" * (12 * 1024 * 1024), headers={"Content-Type": "application/octet-stream"}
        )
        assert too_big.status_code == 413, (too_big.status_code, time.monotonic() - started)
