"""Retention: expired operational data is deleted by the processes themselves, on SQLite and
PostgreSQL; what is still owed (pending pushes, undelivered events) and city records stay."""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from citybot.backend.db import Database
from citybot.backend.migrate import upgrade as upgrade_backend
from citybot.backend.models import IdempotencyKey, OutboxEvent
from citybot.backend.services import retention as backend_retention
from citybot.gateway import retention
from citybot.gateway.db import GatewayDB
from citybot.gateway.db import upgrade as upgrade_gateway
from citybot.gateway.models import Delivery, Message, Outbound
from citybot.gateway.tracker_retention import purge_idle_conversations
from tests.backend.conftest import make_settings as backend_settings
from tests.gateway.conftest import make_settings as gateway_settings
from tests.gateway.servers import FakeRasa, free_port, serve, wait_for

NOW = dt.datetime.now(dt.UTC)


def days_ago(days: float) -> dt.datetime:
    return NOW - dt.timedelta(days=days)


def fill_gateway(db: GatewayDB) -> None:
    with db.begin() as session:
        for name, age, status, sent in (
            ("old-sent", 30, "sent", 30),
            ("new-sent", 1, "sent", 1),
            ("old-failed", 30, "failed", None),
            ("old-pending", 30, "pending", None),
        ):
            session.add(
                Outbound(
                    sender_id=name,
                    channel="web",
                    kind="push",
                    payload={},
                    status=status,
                    created_at=days_ago(age),
                    next_attempt_at=days_ago(age),
                    sent_at=days_ago(sent) if sent else None,
                )
            )
        session.add_all(
            [
                Delivery(key="old-delivery", received_at=days_ago(20)),
                Delivery(key="new-delivery", received_at=days_ago(1)),
            ]
        )
        for text, age in (("lama", 400), ("baru", 2)):
            session.add(Message(sender_id="s", direction="in", author="citizen", text=text, created_at=days_ago(age)))


def test_gateway_forgets_on_schedule_inside_the_running_process(database_url: str, tmp_path: Path) -> None:
    upgrade_gateway(database_url)
    db = GatewayDB(database_url)
    try:
        fill_gateway(db)
        rasa = FakeRasa()
        with serve(rasa.app) as rasa_url:
            port = free_port()
            settings = gateway_settings(
                tmp_path,
                rasa_url,
                port,
                database_url=database_url,
                retention_sweep_seconds=0.2,
                retention_outbox_days=7,
                retention_deliveries_days=14,
                retention_messages_days=180,
            )
            from citybot.gateway.app import create_app

            with serve(create_app(settings), port):

                def swept() -> bool:
                    with db.begin() as session:
                        return session.get(Delivery, "old-delivery") is None

                wait_for(swept, timeout=15)
        with db.begin() as session:
            assert sorted(session.scalars(select(Outbound.sender_id))) == ["new-sent", "old-pending"]
            assert list(session.scalars(select(Delivery.key))) == ["new-delivery"]
            assert list(session.scalars(select(Message.text))) == ["baru"]
    finally:
        db.dispose()


def test_backend_forgets_delivered_events_and_old_idempotency_keys(database_url: str) -> None:
    upgrade_backend(database_url)
    db = Database.connect(database_url)
    try:
        with db.writing() as session:
            for name, delivered in (("old", days_ago(10)), ("new", days_ago(1)), ("owed", None)):
                session.add(
                    OutboxEvent(
                        event_id=str(uuid.uuid4()),
                        type=name,
                        payload="{}",
                        delivered_at=delivered,
                        created_at=days_ago(10),
                    )
                )
            for name, age in (("old-key", 40), ("new-key", 1)):
                session.add(
                    IdempotencyKey(
                        scope="complaints",
                        key=name,
                        request_hash=secrets.token_hex(8),
                        status_code=201,
                        response_body="{}",
                        created_at=days_ago(age),
                    )
                )
        settings = backend_settings(database_url, retention_outbox_days=7, retention_idempotency_days=30)
        assert backend_retention.purge(db, settings) == {
            "outbox events": 1,
            "idempotency keys": 1,
            "knowledge shown": 0,
            "conversation signals": 0,
        }
        with db.read() as session:
            assert sorted(session.scalars(select(OutboxEvent.type))) == ["new", "owed"]
            assert list(session.scalars(select(IdempotencyKey.key))) == ["new-key"]
        # 0 = keep forever.
        forever = backend_settings(
            database_url,
            retention_outbox_days=0,
            retention_idempotency_days=0,
            retention_knowledge_shown_days=0,
            retention_conversations_days=0,
        )
        assert backend_retention.purge(db, forever, now=NOW + dt.timedelta(days=3650)) == {
            "outbox events": 0,
            "idempotency keys": 0,
            "knowledge shown": 0,
            "conversation signals": 0,
        }
    finally:
        db.dispose()


RASA_PYTHON = Path(__file__).resolve().parents[2] / ".venv-rasa" / "bin" / "python"


def write_rasa_conversations(database_url: str, senders: dict[str, list[float]]) -> None:
    """Fill a tracker store through Rasa's own SQLTrackerStore, in the Rasa environment."""
    import json
    import subprocess

    from sqlalchemy.engine import make_url

    if not RASA_PYTHON.exists():
        pytest.fail(f"{RASA_PYTHON} is missing: `make setup` installs the Rasa environment")
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        store = {"dialect": "sqlite", "db": url.database}
    else:
        store = {
            "dialect": "postgresql",
            "host": url.host,
            "port": url.port,
            "db": url.database,
            "username": url.username,
        }
    writer = Path(__file__).with_name("rasa_tracker_writer.py")
    subprocess.run(
        [str(RASA_PYTHON), str(writer), json.dumps({"store": store, "senders": senders})],
        check=True,
        timeout=180,
        capture_output=True,
    )


def test_gateway_forgets_idle_conversations_in_rasas_tracker_store(database_url: str, tmp_path: Path) -> None:
    from sqlalchemy import create_engine, text

    tracker_db = f"sqlite:///{tmp_path / 'rasa_tracker.db'}" if database_url.startswith("sqlite") else database_url
    write_rasa_conversations(
        tracker_db,
        {
            "idle": [days_ago(400).timestamp(), days_ago(200).timestamp()],
            "returned": [days_ago(400).timestamp(), days_ago(3).timestamp()],
            "recent": [days_ago(1).timestamp()],
        },
    )
    upgrade_gateway(database_url)
    settings = gateway_settings(
        tmp_path,
        "http://127.0.0.1:9",
        free_port(),
        database_url=database_url,
        tracker_store_url=tracker_db,
        retention_conversations_days=180,
    )
    db = GatewayDB(database_url)
    try:
        removed = retention.purge(db, settings)
    finally:
        db.dispose()
    assert removed["conversation events"] == 4  # both turns of "idle", nothing of the others
    engine = create_engine(tracker_db)
    try:
        with engine.connect() as conn:
            kept = dict(conn.execute(text("SELECT sender_id, COUNT(*) FROM events GROUP BY sender_id")).all())
    finally:
        engine.dispose()
    assert kept == {"returned": 4, "recent": 2}
    # 0 keeps conversations forever, however old.
    forever = gateway_settings(
        tmp_path,
        "http://127.0.0.1:9",
        free_port(),
        database_url=database_url,
        tracker_store_url=tracker_db,
        retention_conversations_days=0,
    )
    db = GatewayDB(database_url)
    try:
        assert retention.purge(db, forever, now=NOW + dt.timedelta(days=3650))["conversation events"] == 0
    finally:
        db.dispose()


def test_conversation_retention_waits_for_rasa_to_create_its_store(tmp_path: Path) -> None:
    settings = gateway_settings(
        tmp_path, "http://127.0.0.1:9", free_port(), tracker_store_url=f"sqlite:///{tmp_path / 'not-yet.db'}"
    )
    assert purge_idle_conversations(settings, NOW) == 0
    assert not (tmp_path / "not-yet.db").exists()  # the sweep must not create Rasa's database
