"""Citizen text is stored byte for byte on SQLite and on PostgreSQL.

Complaint descriptions go in through the Open311 API (the typed client, as the actions use it)
and come back out through the API; the gateway's message log is written and read with its own
store functions. NUL bytes (which PostgreSQL text cannot hold) and surrounding blanks are the
only things dropped; the backend also drops other C0 control bytes by design, so those are not
generated here (the through-the-stack fuzz sends them and checks nothing breaks).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from citybot.backend.app import create_app
from citybot.backend.db import Database
from citybot.backend.migrate import upgrade
from citybot.backend.seed import seed
from citybot.client import CityClient
from citybot.gateway import store
from citybot.gateway.db import GatewayDB
from citybot.gateway.db import upgrade as gateway_upgrade
from citybot.settings import Settings
from tests.fuzz.inputs import SPECIAL, corpus
from tests.services import drop_postgres, require_postgres

API_KEY = "fuzz-api-key"
_C0_KEPT = {"\t", "\n", "\r", "\x00"}
_char = st.characters(codec="utf-8").filter(lambda c: (c >= " " and c != "\x7f") or c in _C0_KEPT)
citizen_text = (
    st.lists(st.one_of(st.text(_char, max_size=40), st.sampled_from(SPECIAL)), min_size=1, max_size=12)
    .map("".join)
    .filter(lambda t: 0 < len(t.replace("\x00", "").strip()) <= 4000)
)
FUZZ = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.filter_too_much],
)


def stored_form(text: str) -> str:
    return text.replace("\x00", "").strip()


@dataclass
class Engines:
    kind: str
    backend_url: str
    gateway_url: str


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def engines(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engines]:
    if request.param == "sqlite":
        tmp = tmp_path_factory.mktemp("exact")
        yield Engines("sqlite", f"sqlite:///{tmp / 'backend.db'}", f"sqlite:///{tmp / 'gateway.db'}")
        return
    backend_url, gateway_url = require_postgres(), require_postgres()
    try:
        yield Engines("postgresql", backend_url, gateway_url)
    finally:
        drop_postgres(backend_url)
        drop_postgres(gateway_url)


@pytest.fixture(scope="module")
def backend_app(engines: Engines) -> Iterator[tuple[Database, object]]:
    upgrade(engines.backend_url)
    app_settings = Settings.model_validate(
        {"database_url": engines.backend_url, "backend_api_key": API_KEY, "notify_secret": "n"}
    )
    db = Database.connect(engines.backend_url)
    seed(db, app_settings)
    try:
        yield db, create_app(app_settings, db=db)
    finally:
        db.dispose()


@pytest.fixture(scope="module")
def gateway_db(engines: Engines) -> Iterator[GatewayDB]:
    gateway_upgrade(engines.gateway_url)
    db = GatewayDB(engines.gateway_url)
    yield db
    db.dispose()


async def _round_trip(app: object, text: str) -> str:
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with CityClient("http://backend", API_KEY, timeout=30.0, transport=transport) as city:
        created = await city.create_complaint(
            service_code="jalan-rusak",
            description=text,
            channel="web",
            address=f"fuzz-{uuid.uuid4().hex}",
            idempotency_key=uuid.uuid4().hex,
            lat=-6.2 + (uuid.uuid4().int % 1000) / 1e5,
            long=106.8,
        )
        return (await city.get_complaint(created.ticket)).description


@FUZZ
@given(text=citizen_text)
def test_complaint_description_round_trips_exactly(backend_app: tuple[Database, object], text: str) -> None:
    assert asyncio.run(_round_trip(backend_app[1], text)) == stored_form(text)


def test_corpus_descriptions_round_trip_exactly(backend_app: tuple[Database, object]) -> None:
    for text in corpus():
        dropped_by_design = any((c < " " or c == "\x7f") and c not in _C0_KEPT for c in text)
        if dropped_by_design or any("\ud800" <= c <= "\udfff" for c in text):
            continue
        if 0 < len(stored_form(text)) <= 4000:
            assert asyncio.run(_round_trip(backend_app[1], text)) == stored_form(text), repr(text[:60])


def test_undecodable_form_bytes_are_not_a_server_error(backend_app: tuple[Database, object]) -> None:
    async def post() -> httpx.Response:
        transport = httpx.ASGITransport(app=backend_app[1])  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://backend") as http:
            return await http.post(
                "/open311/v2/requests.json",
                content=b"service_code=jalan-rusak&description=%FF%FE%00rusak&api_key=" + API_KEY.encode(),
                headers={"Content-Type": "application/x-www-form-urlencoded", "X-API-Key": API_KEY},
            )

    response = asyncio.run(post())
    assert response.status_code < 500, response.text[:300]


@FUZZ
@given(text=citizen_text)
def test_gateway_message_log_round_trips_exactly(gateway_db: GatewayDB, text: str) -> None:
    sender = f"web-{uuid.uuid4().hex}"
    with gateway_db.begin() as session:
        store.add_message(session, sender, "in", "citizen", stored_form(text), {"raw": stored_form(text)})
    with gateway_db.begin() as session:
        rows = store.history(session, sender)
        assert [(r.text, r.data) for r in rows] == [(stored_form(text), {"raw": stored_form(text)})]
