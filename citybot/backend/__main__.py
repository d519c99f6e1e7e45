"""`python -m citybot.backend {serve,migrate,seed,create-agent}`."""

from __future__ import annotations

import argparse
import sys

from citybot.city_profile import require_profile
from citybot.logs import configure as configure_logs
from citybot.settings import get_settings


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from citybot.backend.app import create_app

    settings = get_settings()
    try:
        app = create_app(settings, start_outbox=not args.no_outbox)
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    uvicorn.run(
        app,
        host=args.host or settings.backend_host,
        port=args.port or settings.backend_port,
        log_level=args.log_level,
        access_log=args.log_level == "debug",
        log_config=None,  # uvicorn's lines go through citybot.logs like every other line
    )
    return 0


def _migrate(args: argparse.Namespace) -> int:
    from citybot.backend.migrate import upgrade

    upgrade(get_settings().database_url, args.revision)
    print("migrated to", args.revision)
    return 0


def _seed(_: argparse.Namespace) -> int:
    from citybot.backend.db import Database
    from citybot.backend.seed import seed

    settings = get_settings()
    db = Database.connect(settings.database_url)
    try:
        counts = seed(db, settings)
    finally:
        db.dispose()
    print("seeded (new rows):", ", ".join(f"{k}={v}" for k, v in counts.items()))
    return 0


def _create_agent(args: argparse.Namespace) -> int:
    import getpass

    from citybot.backend.db import Database
    from citybot.backend.services import agents

    password = args.password or getpass.getpass("password: ")
    db = Database.connect(get_settings().database_url)
    try:
        with db.writing() as session:
            agent = agents.upsert_agent(session, args.username, args.role, password)
            token, _ = agents.issue_token(session, agent)
    finally:
        db.dispose()
    print(token)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m citybot.backend", description="City backend")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the API (and the notify outbox dispatcher)")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--log-level", default="info")
    serve.add_argument("--no-outbox", action="store_true", help="do not deliver notify events")
    serve.set_defaults(func=_serve)
    migrate = sub.add_parser("migrate", help="create or upgrade the schema (Alembic)")
    migrate.add_argument("--revision", default="head")
    migrate.set_defaults(func=_migrate)
    sub.add_parser("seed", help="load seed data (idempotent)").set_defaults(func=_seed)
    agent = sub.add_parser("create-agent", help="create/update an agent and print a bearer token")
    agent.add_argument("--username", required=True)
    agent.add_argument("--role", choices=["agent", "supervisor", "editor"], default="agent")
    agent.add_argument("--password")
    agent.set_defaults(func=_create_agent)
    args = parser.parse_args(argv)
    require_profile("backend")  # a broken city profile stops start-up with its reasons
    # JSON lines (or LOG_FORMAT=text), masked: no NIK or phone number in any log line.
    configure_logs("backend", get_settings().log_format)
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    raise SystemExit(main())
