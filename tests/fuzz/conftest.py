from __future__ import annotations

import pytest

from tests.reliability.harness import FakeGraph, shared_stack
from tests.stack import Stack


@pytest.fixture(scope="session")
def fuzz_stack(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Stack:
    """The real stack (SQLite), shared with tests/security. The per-sender flood limit stays on:
    the messages are spread over enough senders that no one of them floods."""
    return shared_stack(request, tmp_path_factory)[0]


@pytest.fixture(scope="session")
def fuzz_graph(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> FakeGraph:
    return shared_stack(request, tmp_path_factory)[1]
