"""The deploy kit runs what exists: every systemd unit starts a real module and waits on a
readiness check the CLI knows (a renamed check would otherwise hang a start for minutes)."""

from __future__ import annotations

import configparser
import importlib.util
import os
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
UNITS = sorted((ROOT / "deploy" / "systemd").glob("*.service"))


def unit(path: Path) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(path)
    return parser["Service"]


def test_every_unit_starts_a_real_module_and_waits_on_a_known_readiness_check(tmp_path: Path) -> None:
    assert {p.name for p in UNITS} == {f"asisten-kota-{n}.service" for n in ("backend", "actions", "rasa", "gateway")}
    # Nothing listens on these ports: each named check must run and fail (1), not be unknown (2).
    env = {**os.environ, "BACKEND_PORT": "9", "ACTION_SERVER_PORT": "9", "RASA_PORT": "9", "GATEWAY_PORT": "9",
           "RASA_URLS": "", "INDEX_DIR": str(tmp_path)}
    for path in UNITS:
        service = unit(path)
        start = shlex.split(service["ExecStart"])
        assert start[1] == "-m" and importlib.util.find_spec(start[2]) is not None, path.name
        post = shlex.split(service["ExecStartPost"])
        name = post[post.index("--only") + 1]
        wait = float(post[post.index("--timeout") + 1])
        assert float(service["TimeoutStartSec"]) > wait, path.name
        result = subprocess.run([sys.executable, "-m", "citybot.cli", "wait-ready", "--only", name, "--timeout", "0.5"],
                                cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
        assert result.returncode == 1 and f"{name}:" in result.stderr, (path.name, result.stderr)


def test_nginx_example_forwards_what_the_gateway_trusts_and_limits_framing() -> None:
    conf = (ROOT / "deploy" / "nginx" / "asisten-kota.conf").read_text()
    # uvicorn's ProxyHeadersMiddleware (trusted peers only) reads exactly these two.
    assert "proxy_set_header X-Forwarded-For   $remote_addr;" in conf
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in conf
    assert "GATEWAY_TRUSTED_PROXIES=127.0.0.1/32" in conf
    chat = conf[conf.index("location = / {"):conf.index("}", conf.index("location = / {"))]
    assert "frame-ancestors 'self' https://" in chat
    console = conf[conf.index("location /agent {"):conf.index("}", conf.index("location /agent {"))]
    assert "frame-ancestors 'none'" in console
