"""No parser on the action server can be made slow by a long message."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from actions import harga
from actions.homecare.parsing import match_option, parse_age
from actions.pengaduan_jawaban import clean_description
from actions.pengaduan_tempat import find_area, looks_like_place, street_in
from citybot.nlu.emergency_patterns import kind_of, precise_kind
from citybot.nlu.request_cues import asks_a_question, asks_for_a_person, asks_for_own_data, short_answer

ATTACKS = [
    "cari keripik harga " + "1" * 3980,
    "harga " + "1," * 2000,
    "jl " + "a " * 2000,
    "kel " + "-" * 4000,
    "tolong " * 700,
    "banjir " + "se" * 2000,
]
PARSERS: list[Callable[[str], Any]] = [
    harga.parse_price_range,
    parse_age,
    clean_description,
    find_area,
    street_in,
    looks_like_place,
    precise_kind,
    kind_of,
    asks_a_question,
    asks_for_a_person,
    asks_for_own_data,
    short_answer,
    lambda text: match_option(text, []),
]


@pytest.mark.parametrize("attack", ATTACKS, ids=lambda a: a[:12])
@pytest.mark.parametrize("parse", PARSERS, ids=lambda p: getattr(p, "__name__", "parser"))
def test_long_crafted_input_parses_in_under_50_ms(parse: Callable[[str], Any], attack: str) -> None:
    started = time.perf_counter()
    parse(attack)
    assert time.perf_counter() - started < 0.05


def test_the_price_pattern_is_linear_even_without_the_length_cap() -> None:
    started = time.perf_counter()
    harga._RANGE.search("1" * 20000)
    harga._BOUNDED.search("dibawah " + "1" * 20000)
    harga._LOOSE.search("harga " + "1" * 20000)
    assert time.perf_counter() - started < 0.05
