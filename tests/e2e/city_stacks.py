"""Real stacks per city profile: each profile's stack starts once, when first asked for, and stops
at the end of the run. One trained model serves every profile, so only `CITY_PROFILE` differs."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack

import pytest

from tests.stack import ALL_PROCESSES, Stack, running_stack


class CityStacks:
    def __init__(self, tmp_path_factory: pytest.TempPathFactory) -> None:
        self._tmp = tmp_path_factory
        self._running: dict[str, Stack] = {}
        self._exits = ExitStack()

    def get(self, profile: str) -> Stack:
        if profile not in self._running:
            var_dir = self._tmp.mktemp(f"stack-{profile}")
            self._running[profile] = self._exits.enter_context(
                running_stack(var_dir, ALL_PROCESSES, {"CITY_PROFILE": profile})
            )
        return self._running[profile]

    def close(self) -> None:
        self._exits.close()


@pytest.fixture(scope="session", name="city_stacks")
def city_stacks_fixture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CityStacks]:
    stacks = CityStacks(tmp_path_factory)
    try:
        yield stacks
    finally:
        stacks.close()
