from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.stack import ALL_PROCESSES, Stack, running_stack


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """One real stack shared by every test of a run that asks for it (Rasa takes ~1 min to start)."""
    var_dir: Path = tmp_path_factory.mktemp("stack")
    with running_stack(var_dir, ALL_PROCESSES) as running:
        yield running
