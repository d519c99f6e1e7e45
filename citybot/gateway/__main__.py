"""`python -m citybot.gateway` serves the gateway on the configured host and port;
`python -m citybot.gateway create-agent --username NAME --role agent|supervisor|editor` creates
or resets a console account (password prompt), e.g. the first editor, without a browser."""

from __future__ import annotations

import argparse
import sys

import uvicorn

from citybot.city_profile import require_profile
from citybot.gateway.app import create_app
from citybot.logs import configure as configure_logs
from citybot.settings import get_settings


def create_agent(argv: list[str]) -> int:
    import getpass

    from citybot.gateway import agents
    from citybot.gateway.db import GatewayDB, upgrade
    from citybot.passwords import hash_password

    parser = argparse.ArgumentParser(prog="citybot.gateway create-agent")
    parser.add_argument("--username", required=True)
    parser.add_argument("--role", choices=agents.ROLES, default="agent")
    parser.add_argument("--password", help="default: asked for (not echoed)")
    args = parser.parse_args(argv)
    password = args.password or getpass.getpass("password: ")
    if len(password) < 10:  # the console's own rule for new passwords
        print("error: the password needs at least 10 characters", file=sys.stderr)
        return 2
    settings = get_settings()
    upgrade(settings.gateway_database_url)
    db = GatewayDB(settings.gateway_database_url)
    try:
        with db.begin() as session:
            # A reset ends the account's console sessions; their backend tokens expire on their own.
            row, revoked = agents.upsert_agent(session, args.username, hash_password(password), args.role)
            print(f"{row.username}: {row.role}" + (f" ({len(revoked)} session(s) ended)" if revoked else ""))
    finally:
        db.dispose()
    return 0


def main() -> None:
    if sys.argv[1:2] == ["create-agent"]:
        raise SystemExit(create_agent(sys.argv[2:]))
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
