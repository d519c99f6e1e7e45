from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.gateway.servers import FakeRasa
from tests.reliability.harness import FakeGraph, shared_stack
from tests.security.ingress import gateway_process, rasa_stand_in
from tests.stack import ALL_PROCESSES, Stack, running_stack


@pytest.fixture(scope="session")
def sec_stack(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Stack:
    """The real stack (SQLite) with the WhatsApp channel on, shared with tests/fuzz."""
    return shared_stack(request, tmp_path_factory)[0]


@pytest.fixture(scope="session")
def hc_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """A real stack of the Makassar profile, the city that runs HomeCare (elsewhere there is no
    booking to attack or to erase)."""
    with running_stack(tmp_path_factory.mktemp("sec-makassar"), ALL_PROCESSES, {"CITY_PROFILE": "makassar"}) as stack:
        yield stack


@pytest.fixture(scope="session")
def graph(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> FakeGraph:
    return shared_stack(request, tmp_path_factory)[1]


@pytest.fixture
def rasa() -> Iterator[tuple[FakeRasa, str]]:
    with rasa_stand_in() as pair:
        yield pair


@pytest.fixture
def gateway_env() -> dict[str, str]:
    """Settings of the `gateway` process beyond the defaults (a test module overrides this)."""
    return {}


@pytest.fixture
def gateway(tmp_path: Path, rasa: tuple[FakeRasa, str], gateway_env: dict[str, str]) -> Iterator[Stack]:
    """A real gateway process in front of the Rasa stand-in."""
    with gateway_process(tmp_path, rasa[1], **gateway_env) as stack:
        yield stack
