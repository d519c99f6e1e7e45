"""Smart Kampung search in chat returns seeded products with valid wa.me links."""

from __future__ import annotations

import re
import uuid
from urllib.parse import parse_qs, urlparse

import pytest

from citybot.city_profile import load_profile
from citybot.settings import ROOT
from tests.e2e.test_homecare import say, text_of
from tests.stack import Stack

pytestmark = pytest.mark.e2e


@pytest.fixture
def stack(banyuwangi_stack: Stack) -> Stack:
    """The Smart Kampung catalogue runs in Banyuwangi: every test here talks to that profile."""
    return banyuwangi_stack


LINK = re.compile(r"https://wa\.me/\S+")
CATALOGUE = load_profile(ROOT / "cities" / "banyuwangi").catalogue
assert CATALOGUE is not None
SELLER_DIGITS = {seller.phone.lstrip("+") for seller in CATALOGUE.sellers}
PRODUCTS = {item.name: item.price for seller in CATALOGUE.sellers for item in seller.products}


def links(text: str) -> list[str]:
    return LINK.findall(text)


def assert_valid_link(link: str) -> None:
    parsed = urlparse(link)
    assert parsed.scheme == "https" and parsed.netloc == "wa.me"
    assert parsed.path.lstrip("/") in SELLER_DIGITS
    message = parse_qs(parsed.query)["text"][0]
    assert message.startswith("Halo") and any(name in message for name in PRODUCTS)


def test_search_by_words_lists_seeded_products_with_wa_links(stack: Stack) -> None:
    text = text_of(say(stack, f"pd-{uuid.uuid4()}", "ada kopi robusta dari desa di banyuwangi?"))
    assert "Kopi Robusta Osing Bubuk" in text and "Rp 35.000" in text, text
    found = links(text)
    assert found
    for link in found:
        assert_valid_link(link)


def test_price_bound_is_respected_and_lagi_pages(stack: Stack) -> None:
    client = f"pd-{uuid.uuid4()}"
    text = text_of(say(stack, client, "cari batik di bawah 200 ribu"))
    listed = [name for name in PRODUCTS if name in text]
    assert listed and all(PRODUCTS[name] <= 200_000 for name in listed), text
    assert "Kain Batik Gajah Oling Tulis" not in text  # Rp 450.000

    text = text_of(say(stack, client, "mau beli kopi"))  # 7 coffees: two pages of 5
    first_page = [name for name in PRODUCTS if name in text]
    assert len(first_page) == 5, text
    text = text_of(say(stack, client, "lagi"))
    second_page = [name for name in PRODUCTS if name in text]
    assert second_page and not set(first_page) & set(second_page), text


def test_empty_result_suggests_without_the_price_bound(stack: Stack) -> None:
    text = text_of(say(stack, f"pd-{uuid.uuid4()}", "cari madu di bawah 10 ribu"))
    assert "Tidak ada produk yang cocok" in text and "Tanpa batas harga" in text, text
    assert "Madu Hutan Meru Betiri" in text
    for link in links(text):
        assert_valid_link(link)


def test_village_search(stack: Stack) -> None:
    text = text_of(say(stack, f"pd-{uuid.uuid4()}", "produk desa Kemiren apa aja"))
    assert "Desa Kemiren" in text and "Desa Tamansari" not in text, text
