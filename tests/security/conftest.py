from __future__ import annotations

import pytest

from tests.reliability.harness import FakeGraph, shared_stack
from tests.stack import Stack


@pytest.fixture(scope="session")
def sec_stack(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Stack:
    """The real stack (SQLite) with the WhatsApp channel on, shared with tests/fuzz."""
    return shared_stack(request, tmp_path_factory)[0]


@pytest.fixture(scope="session")
def graph(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> FakeGraph:
    return shared_stack(request, tmp_path_factory)[1]
