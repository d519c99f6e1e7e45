"""`python -m citybot.gateway` serves the gateway on the configured host and port."""

from __future__ import annotations

import argparse

import uvicorn

from citybot.city_profile import require_profile
from citybot.gateway.app import create_app
from citybot.logs import configure as configure_logs
from citybot.settings import get_settings


def main() -> None:
    settings = get_settings()
    require_profile("gateway")  # a broken city profile stops start-up with its reasons
    # JSON lines (or LOG_FORMAT=text), masked: no NIK or phone number in any log line.
    configure_logs("gateway", settings.log_format)
    parser = argparse.ArgumentParser(prog="citybot.gateway")
    parser.add_argument("--host", default=settings.gateway_host)
    parser.add_argument("--port", type=int, default=settings.gateway_port)
    args = parser.parse_args()
    # proxy_headers off: uvicorn would otherwise believe X-Forwarded-For from 127.0.0.1; the
    # gateway decides itself which proxies to trust (GATEWAY_TRUSTED_PROXIES, clientip.py).
    uvicorn.run(
        create_app(settings), host=args.host, port=args.port, log_level="info", proxy_headers=False, log_config=None
    )


if __name__ == "__main__":
    main()
