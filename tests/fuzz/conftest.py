from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.reliability.harness import FakeGraph, custom_stack
from tests.stack import Stack


@pytest.fixture(scope="session")
def fuzz_graph() -> Iterator[FakeGraph]:
    fake = FakeGraph()
    yield fake
    fake.close()


@pytest.fixture(scope="session")
def fuzz_stack(tmp_path_factory: pytest.TempPathFactory, fuzz_graph: FakeGraph) -> Iterator[Stack]:
    """The real stack (SQLite). The per-sender flood limit is lifted: thousands of messages from
    a few senders are the point here, and the limit has its own test in tests/security."""
    env = {**fuzz_graph.env(), "GATEWAY_RATE_LIMIT_PER_MINUTE": "100000"}
    with custom_stack(tmp_path_factory.mktemp("fuzz"), ["backend", "actions", "rasa", "gateway"], env) as stack:
        yield stack
