"""Real stacks per city profile, next to the session's default `stack` (the default profile).

A test that needs a service only some cities run asks for that city's stack (`makassar_stack`
for HomeCare, `banyuwangi_stack` for the catalogue) or for `city_stacks.get(profile)`.
"""

from __future__ import annotations

import pytest

from tests.e2e.city_stacks import CityStacks, city_stacks_fixture  # noqa: F401  (a fixture of this folder)
from tests.stack import Stack


@pytest.fixture
def makassar_stack(city_stacks: CityStacks) -> Stack:
    """The Makassar profile: the only pilot city with HomeCare."""
    return city_stacks.get("makassar")


@pytest.fixture
def banyuwangi_stack(city_stacks: CityStacks) -> Stack:
    """The Banyuwangi profile: the only pilot city with the Smart Kampung catalogue."""
    return city_stacks.get("banyuwangi")
