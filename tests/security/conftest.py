from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.reliability.harness import FakeGraph, custom_stack
from tests.stack import Stack

ALL = ["backend", "actions", "rasa", "gateway"]


@pytest.fixture(scope="session")
def graph() -> Iterator[FakeGraph]:
    fake = FakeGraph()
    yield fake
    fake.close()


@pytest.fixture(scope="session")
def sec_stack(tmp_path_factory: pytest.TempPathFactory, graph: FakeGraph) -> Iterator[Stack]:
    """One real stack (SQLite) for the security tests, with the WhatsApp channel switched on
    against a local Graph API stand-in so phone numbers really flow through the gateway."""
    var_dir = tmp_path_factory.mktemp("security")
    with custom_stack(var_dir, ALL, graph.env()) as stack:
        yield stack
